"""Initializers: where training starts, the first values of every kernel and bias.

A network learns by small steps from its initial weights, so their scale matters. If the
weights are too small the signal fades layer after layer; too large and it explodes, or
saturates tanh and sigmoid units. The classic recipes choose the spread of the random
weights from the layer's *fans*:

    fan_in  = how many inputs feed one unit      (a Dense kernel (in, out): in)
    fan_out = how many units one input feeds     (a Dense kernel (in, out): out)

and keep the variance of the signal about constant from layer to layer:

    glorot (Xavier):  Var(w) = 2 / (fan_in + fan_out)
    he (Kaiming):     Var(w) = 2 / fan_in            (for ReLU units)
    lecun:            Var(w) = 1 / fan_in

A uniform distribution U(-a, a) has variance a²/3, hence the uniform versions' limits
a = sqrt(3·Var): sqrt(6 / (fan_in + fan_out)) for glorot_uniform, and so on.

Every initializer here is called the same way,

    init(shape, dim_ordering='th', rng=None)  ->  a host NumPy array of dtype floatx

and draws from ``rng``, by default the seeded host generator ``am.host_rng()``: weights
are made on the host and moved to the device by the layer, so ``teachnet.set_seed(42)``
gives the same model on NumPy and on CuPy. The Keras 1 names are functions (``'uniform'``,
``'glorot_uniform'``, ``'orthogonal'``, ``'zero'``...); the Keras 2 classes
(``RandomUniform(-0.1, 0.1)``, ``VarianceScaling(2., 'fan_in')``...) are objects with a
configuration. ``get`` turns a name, a config dict or a callable into an initializer.
"""
import math

from teachnet.backend import array_module as am

np = am.host


# ----------------------------------------------------------------------------- helpers

def _as_shape(shape):
    if isinstance(shape, int):
        return (shape,)
    return tuple(int(size) for size in shape)


def _generator(rng, seed=None):
    """The generator to draw from: ``rng`` if given, one made from ``seed``, else the host's."""
    if rng is not None:
        return rng
    if seed is not None:
        return np.random.default_rng(seed)
    return am.host_rng()


def _floatx(values):
    return np.asarray(values, dtype=am.floatx())


_ORDERINGS = {'th': 'th', 'channels_first': 'th', 'tf': 'tf', 'channels_last': 'tf'}


def get_fans(shape, dim_ordering='th'):
    """(fan_in, fan_out) of a kernel of ``shape``, as Keras 1 counts them.

    * 2-D (in, out), a Dense or recurrent kernel: fan_in = in, fan_out = out.
    * 4-D or 5-D convolution kernels: each unit sees a receptive field of rf positions.
      'th' kernels are (out, in, rows, cols[, depth]): rf = rows·cols[·depth],
      fan_in = in·rf, fan_out = out·rf. 'tf' kernels are (rows, cols[, depth], in, out),
      teachnet's own layout: rf = rows·cols[·depth], fan_in = in·rf, fan_out = out·rf.
    * anything else: fan_in = fan_out = sqrt(number of elements).
    """
    shape = _as_shape(shape)
    if len(shape) == 2:
        return shape[0], shape[1]
    if len(shape) in (4, 5):
        if dim_ordering not in _ORDERINGS:
            raise ValueError(f"Invalid dim_ordering {dim_ordering!r}: expected 'th' or 'tf' "
                             "('channels_first' or 'channels_last').")
        if _ORDERINGS[dim_ordering] == 'th':
            receptive_field = math.prod(shape[2:])
            return shape[1] * receptive_field, shape[0] * receptive_field
        receptive_field = math.prod(shape[:-2])
        return shape[-2] * receptive_field, shape[-1] * receptive_field
    side = math.sqrt(math.prod(shape))
    return side, side


def _fan(shape, dim_ordering, mode, initializer):
    """fan_in, fan_out or their mean, refusing an empty fan (it would divide by zero)."""
    fan_in, fan_out = get_fans(shape, dim_ordering)
    fan = {'fan_in': fan_in, 'fan_out': fan_out, 'fan_avg': (fan_in + fan_out) / 2}[mode]
    if fan <= 0:
        raise ValueError(f"Initializer {initializer!r} needs a kernel with at least one input "
                         f"and one output, got shape {shape}.")
    return fan


def _uniform(shape, limit, rng):
    return _floatx(rng.uniform(-limit, limit, size=_as_shape(shape)))


def _normal(shape, stddev, rng, mean=0.):
    return _floatx(rng.normal(mean, stddev, size=_as_shape(shape)))


# ----------------------------------------------------------------------------- Keras 1 functions

def uniform(shape, dim_ordering='th', rng=None, scale=0.05):
    """w ~ U(-scale, scale), scale = 0.05: small weights, whatever the layer's size."""
    return _uniform(shape, scale, _generator(rng))


def normal(shape, dim_ordering='th', rng=None, scale=0.05):
    """w ~ N(0, scale²), standard deviation scale = 0.05."""
    return _normal(shape, scale, _generator(rng))


def lecun_uniform(shape, dim_ordering='th', rng=None):
    """w ~ U(-a, a), a = sqrt(3 / fan_in), so Var(w) = 1 / fan_in (LeCun et al., 1998)."""
    return _uniform(shape, math.sqrt(3. / _fan(shape, dim_ordering, 'fan_in', 'lecun_uniform')),
                    _generator(rng))


def lecun_normal(shape, dim_ordering='th', rng=None):
    """w ~ N(0, σ²), σ = sqrt(1 / fan_in) (the Keras 2 name; Var(w) = 1 / fan_in)."""
    return _normal(shape, math.sqrt(1. / _fan(shape, dim_ordering, 'fan_in', 'lecun_normal')),
                   _generator(rng))


def glorot_normal(shape, dim_ordering='th', rng=None):
    """w ~ N(0, σ²), σ = sqrt(2 / (fan_in + fan_out)) (Glorot & Bengio, 2010)."""
    fan_avg = _fan(shape, dim_ordering, 'fan_avg', 'glorot_normal')   # (fan_in + fan_out) / 2
    return _normal(shape, math.sqrt(1. / fan_avg), _generator(rng))


def glorot_uniform(shape, dim_ordering='th', rng=None):
    """w ~ U(-a, a), a = sqrt(6 / (fan_in + fan_out)): Keras's default for Dense and conv."""
    fan_avg = _fan(shape, dim_ordering, 'fan_avg', 'glorot_uniform')  # (fan_in + fan_out) / 2
    return _uniform(shape, math.sqrt(3. / fan_avg), _generator(rng))


def he_normal(shape, dim_ordering='th', rng=None):
    """w ~ N(0, σ²), σ = sqrt(2 / fan_in), for ReLU units (He et al., 2015)."""
    return _normal(shape, math.sqrt(2. / _fan(shape, dim_ordering, 'fan_in', 'he_normal')),
                   _generator(rng))


def he_uniform(shape, dim_ordering='th', rng=None):
    """w ~ U(-a, a), a = sqrt(6 / fan_in), so Var(w) = 2 / fan_in."""
    return _uniform(shape, math.sqrt(6. / _fan(shape, dim_ordering, 'fan_in', 'he_uniform')),
                    _generator(rng))


def _orthogonal(shape, gain, rng):
    """gain · Q, Q with orthonormal rows or columns, from the SVD of a Gaussian matrix.

    Flatten the shape to a matrix A of (shape[0], rest) with a_ij ~ N(0, 1) and take its
    SVD, A = U·S·Vᵀ. U (shape[0], k) has orthonormal columns and Vᵀ (k, rest) orthonormal
    rows, k = min(shape[0], rest); whichever has the matrix's shape is Q.
    """
    shape = _as_shape(shape)
    flat_shape = (shape[0], math.prod(shape[1:]))
    gaussian = rng.normal(0., 1., size=flat_shape)
    u, _, v_transposed = np.linalg.svd(gaussian, full_matrices=False)
    q = u if u.shape == flat_shape else v_transposed
    return _floatx(gain * q.reshape(shape))


def orthogonal(shape, dim_ordering='th', rng=None, scale=1.1):
    """w = 1.1 · Q with Q orthogonal: Q·Qᵀ = I when rows <= columns, else Qᵀ·Q = I.

    An orthogonal matrix keeps the length of every vector it multiplies, so a recurrent
    state multiplied by it at every timestep neither vanishes nor explodes at the start
    (Saxe et al., 2013). Keras 1's default for the recurrent kernels (``inner_init``).
    """
    return _orthogonal(shape, scale, _generator(rng))


def identity(shape, dim_ordering='th', rng=None, scale=1.):
    """w = scale · I, for 2-D square kernels only (an RNN that starts by copying its state)."""
    shape = _as_shape(shape)
    if len(shape) != 2 or shape[0] != shape[1]:
        raise ValueError(f"Initializer 'identity' works only for 2-D square kernels, "
                         f"got shape {shape}.")
    return _floatx(scale * np.identity(shape[0]))


def zero(shape, dim_ordering='th', rng=None):
    """w = 0: biases start here."""
    return np.zeros(_as_shape(shape), dtype=am.floatx())


def one(shape, dim_ordering='th', rng=None):
    """w = 1: the LSTM forget-gate bias starts here (``forget_bias_init='one'``)."""
    return np.ones(_as_shape(shape), dtype=am.floatx())


# ----------------------------------------------------------------------------- Keras 2 classes

class Initializer:
    """An initializer with settings: ``init(shape, dim_ordering='th', rng=None)``.

    ``settings`` names the constructor arguments that ``get_config`` reports.
    """
    settings = ()

    def __call__(self, shape, dim_ordering='th', rng=None):
        raise NotImplementedError

    def get_config(self):
        return {name: getattr(self, name) for name in self.settings}

    @classmethod
    def from_config(cls, config):
        try:
            return cls(**config)
        except TypeError as error:
            raise ValueError(f"Initializer {cls.__name__!r} cannot take the config "
                             f"{config!r}: {error}") from None

    def __repr__(self):
        settings = ', '.join(f"{key}={value!r}" for key, value in self.get_config().items())
        return f"{type(self).__name__}({settings})"


class Zeros(Initializer):
    """w = 0."""

    def __call__(self, shape, dim_ordering='th', rng=None):
        return zero(shape)


class Ones(Initializer):
    """w = 1."""

    def __call__(self, shape, dim_ordering='th', rng=None):
        return one(shape)


class Constant(Initializer):
    """w = value, everywhere."""
    settings = ('value',)

    def __init__(self, value=0.):
        self.value = value

    def __call__(self, shape, dim_ordering='th', rng=None):
        return np.full(_as_shape(shape), self.value, dtype=am.floatx())


class RandomUniform(Initializer):
    """w ~ U(minval, maxval). A ``seed`` makes every call draw the same values."""
    settings = ('minval', 'maxval', 'seed')

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval, self.maxval, self.seed = minval, maxval, seed

    def __call__(self, shape, dim_ordering='th', rng=None):
        rng = _generator(rng, self.seed)
        return _floatx(rng.uniform(self.minval, self.maxval, size=_as_shape(shape)))


class RandomNormal(Initializer):
    """w ~ N(mean, stddev²)."""
    settings = ('mean', 'stddev', 'seed')

    def __init__(self, mean=0., stddev=0.05, seed=None):
        self.mean, self.stddev, self.seed = mean, stddev, seed

    def __call__(self, shape, dim_ordering='th', rng=None):
        return _normal(shape, self.stddev, _generator(rng, self.seed), self.mean)


def _truncated_normal(shape, mean, stddev, rng):
    """N(mean, stddev²) with every value further than 2·stddev from the mean drawn again."""
    values = rng.normal(mean, stddev, size=_as_shape(shape))
    outside = np.abs(values - mean) > 2 * stddev
    while outside.any():            # each round redraws all outliers at once (~5% of the last)
        values[outside] = rng.normal(mean, stddev, size=int(outside.sum()))
        outside = np.abs(values - mean) > 2 * stddev
    return _floatx(values)


class TruncatedNormal(RandomNormal):
    """w ~ N(mean, stddev²) cut at mean ± 2·stddev (outliers are drawn again)."""

    def __call__(self, shape, dim_ordering='th', rng=None):
        return _truncated_normal(shape, self.mean, self.stddev, _generator(rng, self.seed))


_TRUNCATED_STD = 0.87962566103423978      # the std of N(0, 1) cut at ±2


class VarianceScaling(Initializer):
    """Weights with Var(w) = scale / n, n the fan that ``mode`` names.

    # Arguments
        scale: the numerator (1 for lecun and glorot, 2 for he).
        mode: 'fan_in', 'fan_out' or 'fan_avg' = (fan_in + fan_out) / 2.
        distribution: 'uniform': U(-a, a), a = sqrt(3·scale / n);
            'normal' or 'untruncated_normal': N(0, σ²), σ = sqrt(scale / n);
            'truncated_normal': N(0, s²) cut at ±2s, s = σ / 0.8796, so its std is σ.
        seed: makes every call draw the same values.
    """
    settings = ('scale', 'mode', 'distribution', 'seed')
    MODES = ('fan_in', 'fan_out', 'fan_avg')
    DISTRIBUTIONS = ('normal', 'untruncated_normal', 'truncated_normal', 'uniform')

    def __init__(self, scale=1.0, mode='fan_in', distribution='normal', seed=None):
        if scale <= 0:
            raise ValueError(f"VarianceScaling needs a positive scale, got {scale!r}.")
        if mode not in self.MODES:
            raise ValueError(f"VarianceScaling mode must be one of {self.MODES}, got {mode!r}.")
        if distribution not in self.DISTRIBUTIONS:
            raise ValueError(f"VarianceScaling distribution must be one of "
                             f"{self.DISTRIBUTIONS}, got {distribution!r}.")
        self.scale, self.mode, self.distribution, self.seed = scale, mode, distribution, seed

    def __call__(self, shape, dim_ordering='th', rng=None):
        variance = self.scale / _fan(shape, dim_ordering, self.mode, type(self).__name__)
        rng = _generator(rng, self.seed)
        if self.distribution == 'uniform':
            return _uniform(shape, math.sqrt(3. * variance), rng)
        if self.distribution == 'truncated_normal':
            return _truncated_normal(shape, 0., math.sqrt(variance) / _TRUNCATED_STD, rng)
        return _normal(shape, math.sqrt(variance), rng)


class Orthogonal(Initializer):
    """w = gain · Q with Q orthogonal (see ``orthogonal``; Keras 2's gain defaults to 1)."""
    settings = ('gain', 'seed')

    def __init__(self, gain=1., seed=None):
        self.gain, self.seed = gain, seed

    def __call__(self, shape, dim_ordering='th', rng=None):
        return _orthogonal(shape, self.gain, _generator(rng, self.seed))


class Identity(Initializer):
    """w = gain · I, for 2-D square kernels."""
    settings = ('gain',)

    def __init__(self, gain=1.):
        self.gain = gain

    def __call__(self, shape, dim_ordering='th', rng=None):
        return identity(shape, scale=self.gain)


# ----------------------------------------------------------------------------- lookup

_FUNCTIONS = {function.__name__: function for function in (
    uniform, normal, lecun_uniform, lecun_normal, glorot_normal, glorot_uniform,
    he_normal, he_uniform, orthogonal, identity, zero, one)}
_FUNCTIONS.update(zeros=zero, ones=one, random_uniform=uniform, random_normal=normal)

_CLASSES = {cls.__name__: cls for cls in (
    Zeros, Ones, Constant, RandomUniform, RandomNormal, TruncatedNormal, VarianceScaling,
    Orthogonal, Identity)}
_VALID_NAMES = ', '.join(sorted(_FUNCTIONS) + sorted(_CLASSES))


def get(identifier):
    """The initializer that ``identifier`` names.

    # Arguments
        identifier: a Keras 1 or 2 name ('glorot_uniform', 'zero', 'zeros', 'Zeros'...),
            a config dict ``{'class_name': 'RandomUniform', 'config': {...}}``, an
            Initializer class, or any callable ``f(shape, ...)`` (returned as it is).
    """
    if identifier is None or (callable(identifier) and not isinstance(identifier, type)):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Initializer):
        return identifier()
    if isinstance(identifier, str):
        if identifier in _FUNCTIONS:
            return _FUNCTIONS[identifier]
        if identifier in _CLASSES:
            return _CLASSES[identifier]()
        raise ValueError(f"Unknown initializer {identifier!r}: expected one of {_VALID_NAMES}.")
    if isinstance(identifier, dict) and 'class_name' in identifier:
        name, config = identifier['class_name'], identifier.get('config') or {}
        if name in _CLASSES:
            return _CLASSES[name].from_config(config)
        if name in _FUNCTIONS and not config:
            return _FUNCTIONS[name]
        raise ValueError(f"Unknown initializer {name!r}: expected one of {_VALID_NAMES}.")
    raise TypeError(f"Could not interpret initializer {identifier!r}: expected a name, a dict "
                    "with 'class_name' and 'config', or a callable.")


def serialize(initializer):
    """A Keras 1 function -> its name; an Initializer -> {'class_name', 'config'}."""
    if isinstance(initializer, Initializer):
        return {'class_name': type(initializer).__name__, 'config': initializer.get_config()}
    return getattr(initializer, '__name__', initializer)

