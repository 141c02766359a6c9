"""Loss ops: how wrong a prediction is, per sample, and which way to move it.

A loss compares the targets ``y`` (``y_true``) with the predictions ``p`` (``y_pred``),
both of shape (batch, ..., units), and gives one number per sample: the loss over the
last axis, of shape (batch, ...) -- (batch,) for a Dense output, (batch, timesteps) for a
sequence output. Most losses average over the n units of the last axis (``mean``);
the crossentropies and the divergence add them up (``Σ``).

Backward receives g = dL/d(per-sample loss), of shape (batch, ...), and returns
``(None, dL/dp)``: the targets are data, not something to learn, so they get no gradient.
For a loss that averages, each unit's share of g is g/n.

Clipping keeps logs and divisions finite: ε = ``epsilon()`` (1e-7). Where a clip changed a
value, the loss no longer depends on that value, so its gradient there is 0.

``weighted_mean`` then turns per-sample losses into the one number that training
minimises, with Keras 1's sample weights.
"""
from teachnet.backend import array_module as am
from teachnet.ops.op import Op
from teachnet.ops.tensor import data_of

_TINY = 1e-12       # guards a norm or a fraction that may be exactly 0


class LossOp(Op):
    """A loss: ``forward(y_true, y_pred)`` -> per-sample loss of shape y_pred.shape[:-1]."""

    def check_shapes(self, y_true, y_pred):
        if y_true.shape != y_pred.shape:
            raise ValueError(
                f"Loss {self.name!r} expects targets of the same shape as the predictions "
                f"{tuple(y_pred.shape)}, but received targets of shape {tuple(y_true.shape)}.")
        self.units = y_pred.shape[-1]

    def share(self, grad_output, factor=1.0):
        """g·factor/n with a trailing axis, ready to broadcast over the n units."""
        return grad_output[..., None] * (factor / self.units)


# ----------------------------------------------------------------------------- regression

class MeanSquaredError(LossOp):
    """L = mean((p - y)²);  dL/dp = 2·(p - y)/n."""
    name, formula = 'mean_squared_error', 'L = mean((p - y)²)'

    def forward(self, y_true, y_pred):
        self.check_shapes(y_true, y_pred)
        self.difference = y_pred - y_true
        return am.xp().square(self.difference).mean(axis=-1)

    def backward(self, g):
        return None, self.share(g, 2.0) * self.difference


class MeanAbsoluteError(LossOp):
    """L = mean(|p - y|);  dL/dp = sign(p - y)/n."""
    name, formula = 'mean_absolute_error', 'L = mean(|p - y|)'

    def forward(self, y_true, y_pred):
        self.check_shapes(y_true, y_pred)
        self.difference = y_pred - y_true
        return am.xp().abs(self.difference).mean(axis=-1)

    def backward(self, g):
        return None, self.share(g) * am.xp().sign(self.difference)


class MeanAbsolutePercentageError(LossOp):
    """L = 100·mean(|y - p| / max(|y|, ε));  dL/dp = 100·sign(p - y) / (n·max(|y|, ε))."""
    name, formula = 'mean_absolute_percentage_error', 'L = 100·mean(|y - p| / max(|y|, ε))'

    def forward(self, y_true, y_pred):
        self.check_shapes(y_true, y_pred)
        xp = am.xp()
        self.denominator = xp.maximum(xp.abs(y_true), am.epsilon())
        self.relative = (y_pred - y_true) / self.denominator
        return xp.abs(self.relative).mean(axis=-1) * 100.0

    def backward(self, g):
        return None, self.share(g, 100.0) * am.xp().sign(self.relative) / self.denominator


class MeanSquaredLogarithmicError(LossOp):
    """L = mean((log(p̃ + 1) - log(ỹ + 1))²) with p̃ = max(p, ε), ỹ = max(y, ε);
    dL/dp = 2·(log(p̃ + 1) - log(ỹ + 1)) / (n·(p̃ + 1)) where p ≥ ε, else 0."""
    name = 'mean_squared_logarithmic_error'
    formula = 'L = mean((log(max(p, ε) + 1) - log(max(y, ε) + 1))²)'

    def forward(self, y_true, y_pred):
        self.check_shapes(y_true, y_pred)
        xp, eps = am.xp(), am.epsilon()
        self.y_pred, self.clipped = y_pred, xp.maximum(y_pred, eps)
        self.difference = xp.log1p(self.clipped) - xp.log1p(xp.maximum(y_true, eps))
        return xp.square(self.difference).mean(axis=-1)

    def backward(self, g):
        unclipped = self.clipped == self.y_pred
        return None, self.share(g, 2.0) * self.difference / (self.clipped + 1.0) * unclipped


class Poisson(LossOp):
    """L = mean(p - y·log(p + ε));  dL/dp = (1 - y/(p + ε))/n."""
    name, formula = 'poisson', 'L = mean(p - y·log(p + ε))'

    def forward(self, y_true, y_pred):
        self.check_shapes(y_true, y_pred)
        self.y_true, self.shifted = y_true, y_pred + am.epsilon()
        return (y_pred - y_true * am.xp().log(self.shifted)).mean(axis=-1)

    def backward(self, g):
        return None, self.share(g) * (1.0 - self.y_true / self.shifted)


class CosineProximity(LossOp):
    """L = -mean(ŷ ⊙ p̂) with ŷ = y/‖y‖, p̂ = p/‖p‖ (norms over the last axis).

    With c = Σ ŷ ⊙ p̂ (the cosine), L = -c/n, and since dp̂/dp = (I - p̂·p̂ᵀ)/‖p‖,
    dL/dp = -(ŷ - c·p̂) / (n·‖p‖).
    """
    name, formula = 'cosine_proximity', 'L = -mean(ŷ·p̂), ŷ = y/‖y‖, p̂ = p/‖p‖'

    def forward(self, y_true, y_pred):
        self.check_shapes(y_true, y_pred)
        xp = am.xp()
        norm_true = xp.sqrt(xp.maximum(xp.square(y_true).sum(axis=-1, keepdims=True), _TINY))
        self.norm_pred = xp.sqrt(xp.maximum(xp.square(y_pred).sum(axis=-1, keepdims=True), _TINY))
        self.unit_true, self.unit_pred = y_true / norm_true, y_pred / self.norm_pred
        self.cosine = (self.unit_true * self.unit_pred).sum(axis=-1, keepdims=True)
        return self.cosine[..., 0] / -self.units

    def backward(self, g):
        direction = self.unit_true - self.cosine * self.unit_pred
        return None, self.share(g, -1.0) / self.norm_pred * direction


# ----------------------------------------------------------------------------- margins

class Hinge(LossOp):
    """L = mean(max(1 - y·p, 0)) for targets y in {-1, 1};  dL/dp = -y/n where 1 - y·p > 0."""
    name, formula = 'hinge', 'L = mean(max(1 - y·p, 0))'

    def forward(self, y_true, y_pred):
        self.check_shapes(y_true, y_pred)
        margin = 1.0 - y_true * y_pred
        self.y_true, self.violated = y_true, margin > 0
        return am.xp().maximum(margin, 0.0).mean(axis=-1)

    def backward(self, g):
        return None, self.share(g, -1.0) * self.y_true * self.violated


class SquaredHinge(LossOp):
    """L = mean(max(1 - y·p, 0)²);  dL/dp = -2·y·max(1 - y·p, 0)/n."""
    name, formula = 'squared_hinge', 'L = mean(max(1 - y·p, 0)²)'

    def forward(self, y_true, y_pred):
        self.check_shapes(y_true, y_pred)
        xp = am.xp()
        self.y_true, self.margin = y_true, xp.maximum(1.0 - y_true * y_pred, 0.0)
        return xp.square(self.margin).mean(axis=-1)

    def backward(self, g):
        return None, self.share(g, -2.0) * self.y_true * self.margin


# ----------------------------------------------------------------------------- probabilities

class BinaryCrossentropy(LossOp):
    """L = -mean(y·log(p̃) + (1 - y)·log(1 - p̃)) with p̃ = clip(p, ε, 1 - ε);
    dL/dp = (p̃ - y) / (n·p̃·(1 - p̃)) where p was not clipped, else 0."""
    name = 'binary_crossentropy'
    formula = 'L = -mean(y·log(p) + (1 - y)·log(1 - p)), p clipped to [ε, 1 - ε]'

    def forward(self, y_true, y_pred):
        self.check_shapes(y_true, y_pred)
        xp, eps = am.xp(), am.epsilon()
        self.y_true, self.y_pred = y_true, y_pred
        self.clipped = p = xp.clip(y_pred, eps, 1.0 - eps)
        log_p, log_not_p = xp.log(p), xp.log1p(-p)
        return -(log_not_p + y_true * (log_p - log_not_p)).mean(axis=-1)

    def backward(self, g):
        p = self.clipped
        unclipped = p == self.y_pred
        return None, self.share(g) * (p - self.y_true) / (p - p * p) * unclipped


class CategoricalCrossentropy(LossOp):
    """L = -Σ y·log(q̃) with q = p/Σp (rows made to sum to 1) and q̃ = clip(q, ε, 1 - ε).

    Backward, one step at a time: a = dL/dq = -y/q̃ where q was not clipped (else 0);
    and since dq_i/dp_j = (δ_ij - q_i)/Σp,  dL/dp = (a - Σ a ⊙ q) / Σp.
    After a softmax (Σp = 1, no clipping) this is -y/p + Σy, and the softmax's backward
    turns it into the famous p - y.
    """
    name = 'categorical_crossentropy'
    formula = 'L = -Σ y·log(p), p = p/Σp clipped to [ε, 1 - ε]'

    def forward(self, y_true, y_pred):
        self.check_shapes(y_true, y_pred)
        xp, eps = am.xp(), am.epsilon()
        self.y_true = y_true
        self.total = y_pred.sum(axis=-1, keepdims=True)
        self.normalised = y_pred / self.total
        self.clipped = xp.minimum(xp.maximum(self.normalised, eps), 1.0 - eps)   # clip, but cheaper
        return -(y_true * xp.log(self.clipped)).sum(axis=-1)

    def backward(self, g):
        q = self.normalised
        minus_grad_q = self.y_true / self.clipped          # -a, a fresh array ...
        minus_grad_q *= self.clipped == q                  # ... so zeroing the clipped in place is safe
        centred = (minus_grad_q * q).sum(axis=-1, keepdims=True) - minus_grad_q
        return None, centred * (g[..., None] / self.total)


class SparseCategoricalCrossentropy(LossOp):
    """Categorical crossentropy with integer class ids as targets: L = -log(q̃[y]).

    ``y_true`` holds class ids of shape y_pred.shape[:-1] (or with a trailing axis of 1);
    q and q̃ are as in categorical crossentropy. Only the target class has a = dL/dq ≠ 0:
    a_y = -1/q̃_y, so dL/dp = a_y·(onehot(y) - q_y) / Σp.
    Ids outside [0, units) are not checked (that would stall a GPU every batch).
    """
    name = 'sparse_categorical_crossentropy'
    formula = 'L = -log(p[y]), p = p/Σp clipped to [ε, 1 - ε]'

    def class_ids(self, y_true, y_pred):
        """The targets as integer ids of shape y_pred.shape[:-1] (a last axis of 1 dropped)."""
        ids = y_true[..., 0] if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1 else y_true
        if ids.shape != y_pred.shape[:-1]:
            raise ValueError(
                f"Loss {self.name!r} expects integer class ids of shape {tuple(y_pred.shape[:-1])} "
                f"(or {tuple(y_pred.shape[:-1]) + (1,)}) for predictions of shape "
                f"{tuple(y_pred.shape)}, but received targets of shape {tuple(y_true.shape)}.")
        self.units = y_pred.shape[-1]
        return ids if ids.dtype.kind in 'iu' else ids.astype('int64')

    def forward(self, y_true, y_pred):
        self.ids = self.class_ids(y_true, y_pred)
        xp, eps = am.xp(), am.epsilon()
        self.total = y_pred.sum(axis=-1, keepdims=True)
        self.target = xp.take_along_axis(y_pred, self.ids[..., None], axis=-1) / self.total
        self.clipped = xp.clip(self.target, eps, 1.0 - eps)
        return -xp.log(self.clipped[..., 0])

    def backward(self, g):
        xp = am.xp()
        grad_target = (self.clipped == self.target) / -self.clipped
        onehot = xp.arange(self.units) == self.ids[..., None]
        return None, (g[..., None] * grad_target / self.total) * (onehot - self.target)


class KullbackLeiblerDivergence(LossOp):
    """L = Σ ỹ·log(ỹ/p̃) with ỹ = clip(y, ε, 1), p̃ = clip(p, ε, 1);
    dL/dp = -ỹ/p̃ where p was not clipped, else 0."""
    name, formula = 'kullback_leibler_divergence', 'L = Σ y·log(y/p), y, p clipped to [ε, 1]'

    def forward(self, y_true, y_pred):
        self.check_shapes(y_true, y_pred)
        xp, eps = am.xp(), am.epsilon()
        self.y_pred = y_pred
        self.clipped_true = xp.clip(y_true, eps, 1.0)
        self.clipped_pred = xp.clip(y_pred, eps, 1.0)
        return (self.clipped_true * xp.log(self.clipped_true / self.clipped_pred)).sum(axis=-1)

    def backward(self, g):
        unclipped = self.clipped_pred == self.y_pred
        return None, g[..., None] * (-self.clipped_true / self.clipped_pred) * unclipped


#: Each built-in loss op by its Keras name.
LOSS_OPS = {op.name: op for op in (
    MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError, SquaredHinge, Hinge, BinaryCrossentropy,
    CategoricalCrossentropy, SparseCategoricalCrossentropy, KullbackLeiblerDivergence,
    Poisson, CosineProximity)}


# ----------------------------------------------------------------------------- the batch loss

class WeightedMean(Op):
    """The batch loss from per-sample losses ℓ, with optional sample weights w and mask m.

    As Keras 1 weights an objective:

    1. with a mask: ℓ ← ℓ ⊙ m / mean(m)   (masked-out steps count 0, the rest are rescaled);
    2. with weights: average ℓ over the axes that w lacks (timesteps, for per-sample w),
       then ℓ ← ℓ ⊙ w / mean(w ≠ 0)       (zero weights drop samples, the rest are rescaled);
    3. L = mean(ℓ).

    Every step is linear in ℓ, so dL/dℓ = w ⊙ m / (N · mean(w ≠ 0) · mean(m)), N = ℓ's size,
    with w spread over the axes it lacks. If every weight (or mask entry) is 0, L is 0.

    # Input shape
        per_sample: (batch,) or (batch, timesteps); weights: (batch,) or per_sample's
        shape; mask: per_sample's shape.
    # Output shape
        A 0-d array.
    """
    name, formula = 'weighted_mean', 'L = mean(ℓ ⊙ w) / mean(w ≠ 0)'

    def forward(self, per_sample, weights=None, mask=None):
        xp = am.xp()
        self.shape, self.dtype = per_sample.shape, per_sample.dtype
        self.weights = self.mask = None
        if weights is None and mask is None:        # the common case: a plain mean
            return per_sample.sum() * (1.0 / per_sample.size)
        score = per_sample
        if mask is not None:
            self.mask = self._checked(mask, 'mask', per_sample.shape)
            self.mask_fraction = xp.maximum(self.mask.mean(), _TINY)
            score = score * self.mask / self.mask_fraction
        if weights is not None:
            self.weights = self._checked(weights, 'sample weights', per_sample.shape[:weights.ndim])
            extra_axes = tuple(range(weights.ndim, per_sample.ndim))
            if extra_axes:
                score = score.mean(axis=extra_axes)
            self.nonzero_fraction = xp.maximum((self.weights != 0).mean(dtype=self.dtype), _TINY)
            score = score * self.weights / self.nonzero_fraction
        return score.mean()

    def _checked(self, array, what, expected_shape):
        if array.shape != tuple(expected_shape) or array.ndim == 0:
            raise ValueError(f"{self.name}: expected {what} of shape {tuple(expected_shape)} for "
                             f"per-sample losses of shape {tuple(self.shape)}, but received "
                             f"shape {tuple(array.shape)}.")
        return array if array.dtype == self.dtype else array.astype(self.dtype)

    def backward(self, g):
        xp = am.xp()
        coefficient = g / _size_of(self.shape)
        if self.mask is not None:
            coefficient = coefficient * self.mask / self.mask_fraction
        if self.weights is not None:
            spread = self.weights.reshape(self.weights.shape + (1,) * (len(self.shape) - self.weights.ndim))
            coefficient = coefficient * spread / self.nonzero_fraction
        if self.mask is None and self.weights is None:
            return xp.full(self.shape, coefficient, dtype=self.dtype), None, None
        return xp.zeros(self.shape, dtype=self.dtype) + coefficient, None, None


def _size_of(shape):
    """The number of elements of an array of ``shape``."""
    count = 1
    for size in shape:
        count *= size
    return count


def weighted_mean(per_sample, weights=None, mask=None):
    """The batch loss: Keras 1's weighted mean of per-sample losses (see ``WeightedMean``).

    ``weights`` and ``mask`` may be host arrays; they are moved to the active backend.
    """
    weights = None if weights is None else am.to_device(data_of(weights))
    mask = None if mask is None else am.to_device(data_of(mask))
    return WeightedMean().apply(per_sample, weights, mask)
