"""Activations inside a recurrent op: in place, on arrays, with slopes from the outputs.

Inside the loop over time a gate's activation is applied in place to its block of the
gate array; its slope da/dz is computed later, for all timesteps at once, from the stored
output a (so the pre-activations z need not be kept), and written where backward wants it
(``core_slope(a, out)``: no temporary arrays).

Each activation is written f(z) = core(s·z + o) with a cheap ``core``:

    tanh          s = 1,    o = 0      core = tanh                  core' = 1 - a²
    sigmoid       s = 0.5,  o = 0      core = ½(1 + tanh y)         core' = 2a(1 - a)
    hard_sigmoid  s = 0.2,  o = 0.5    core = clip(y, 0, 1)         core' = 1 where 0 < a < 1
    relu, linear, softsign:  s = 1, o = 0

since σ(z) = ½(1 + tanh(z/2)) and hard_sigmoid(z) = clip(0.2 z + 0.5, 0, 1). When a gate's
pre-activation is z = x·W + h·U + b, the op folds s and o into the weights once per call
(W' = s·W, U' = s·U, b' = s·b + o), and the loop applies only the core: one pass over the
gate instead of three or four. The chain rule then gives dL/dz = s · dL/dz', applied once
to the gradients of all timesteps.
"""
from teachnet.backend import array_module as am


class ArrayActivation:
    """f(z) = core(scale·z + offset), applied in place; ``slope(a)`` is df/dz from a = f(z).

    ``core(z, out)`` writes core(z) into ``out``; ``core_slope(a, out=None)`` writes
    core'(s·z + o), computed from a, into ``out`` (a new array when None) and returns it."""

    def __init__(self, name, core, core_slope, scale=1., offset=0.):
        self.name, self.core, self.core_slope = name, core, core_slope
        self.scale, self.offset = scale, offset

    @property
    def folds(self):
        return self.scale != 1 or self.offset != 0

    def __call__(self, z, out=None):
        """a = f(z), written into ``out`` (z itself when None)."""
        out = z if out is None else out
        if self.folds:
            am.xp().multiply(z, self.scale, out=out)
            if self.offset:
                out += self.offset
            z = out
        self.core(z, out)
        return out

    def slope(self, a, out=None):
        """df/dz = s·core'(s·z + o) for outputs a = f(z), into ``out`` (a new array when None)."""
        slope = self.core_slope(a, out)
        if self.scale != 1:
            slope *= self.scale
        return slope


def _new_or(out, a):
    return am.xp().empty_like(a) if out is None else out


def _tanh(z, out):
    am.xp().tanh(z, out=out)


def _tanh_slope(a, out=None):          # 1 - a²
    slope = am.xp().multiply(a, a, out=_new_or(out, a))
    return am.xp().subtract(1, slope, out=slope)


def _half_tanh(z, out):                # ½ (1 + tanh y)
    am.xp().tanh(z, out=out)
    out += 1
    out *= 0.5


def _half_tanh_slope(a, out=None):     # d/dy ½(1 + tanh y) = ½(1 - tanh² y) = 2a(1 - a)
    slope = am.xp().subtract(1, a, out=_new_or(out, a))
    slope *= a
    slope *= 2
    return slope


def _clip(z, out):                     # clip(y, 0, 1) in one call (see am.clip_into)
    am.clip_into(z, 0, 1, out)


def _clip_slope(a, out=None):          # 1 on the line, 0 where clipped
    return am.xp().logical_and(a > 0, a < 1, out=_new_or(out, a))


def _relu(z, out):
    am.xp().maximum(z, 0, out=out)


def _relu_slope(a, out=None):
    return am.xp().greater(a, 0, out=_new_or(out, a))


def _linear(z, out):
    if out is not z:
        out[...] = z


def _linear_slope(a, out=None):
    slope = _new_or(out, a)
    slope[...] = 1
    return slope


def _softsign(z, out):                 # z / (1 + |z|)
    xp = am.xp()
    denominator = xp.abs(z)
    denominator += 1
    xp.divide(z, denominator, out=out)


def _softsign_slope(a, out=None):      # 1 / (1 + |z|)² = (1 - |a|)²
    xp = am.xp()
    slope = xp.abs(a, out=_new_or(out, a))
    xp.subtract(1, slope, out=slope)
    slope *= slope
    return slope


ARRAY_ACTIVATIONS = {
    'tanh': ArrayActivation('tanh', _tanh, _tanh_slope),
    'sigmoid': ArrayActivation('sigmoid', _half_tanh, _half_tanh_slope, scale=0.5),
    'hard_sigmoid': ArrayActivation('hard_sigmoid', _clip, _clip_slope, scale=0.2, offset=0.5),
    'relu': ArrayActivation('relu', _relu, _relu_slope),
    'linear': ArrayActivation('linear', _linear, _linear_slope),
    'softsign': ArrayActivation('softsign', _softsign, _softsign_slope),
}


def array_activation(function, layer_name, argument):
    """The ArrayActivation for a teachnet activation function, or a ValueError naming the
    layer when a recurrent cell cannot use it."""
    name = getattr(function, '__name__', None)
    if name not in ARRAY_ACTIVATIONS:
        raise ValueError(f"Layer {layer_name}: {argument} must be one of "
                         f"{', '.join(sorted(ARRAY_ACTIVATIONS))} in a recurrent layer, got {name or function!r}.")
    return ARRAY_ACTIVATIONS[name]
