"""Losses by name: what ``model.compile(loss=...)`` looks up.

A loss is a function ``loss(y_true, y_pred)`` that returns one number per sample: the
mean (or, for the crossentropies and the divergence, the sum) over the last axis, so a
(batch, units) output gives a (batch,) loss and a (batch, timesteps, units) output gives
(batch, timesteps). Training then averages these into one number with the sample weights
(``teachnet.ops.losses.weighted_mean``) and minimises it.

Each built-in loss runs one op of ``teachnet.ops.losses``, so its forward and backward
stand side by side there, with their formulas. A loss of your own is any function of
``(y_true, y_pred)`` written with ``teachnet.backend`` (``K``) functions; it is just as
differentiable, because those functions are ops too::

    import teachnet.backend as K

    def mean_fourth_power(y_true, y_pred):
        return K.mean(K.square(K.square(y_pred - y_true)), axis=-1)

    model.compile(optimizer='sgd', loss=mean_fourth_power)

Names and aliases are Keras 1's: ``mse``/``MSE``, ``mae``/``MAE``, ``mape``/``MAPE``,
``msle``/``MSLE``, ``kld``/``KLD``, ``cosine``.
"""
from teachnet.backend import array_module as am
from teachnet.ops import losses as loss_ops
from teachnet.ops.tensor import Tensor


def _on_device(value):
    """The array of a Tensor, or ``value`` moved to the active backend if it is not there."""
    array = value.data if isinstance(value, Tensor) else value
    return array if am.is_device_array(array) else am.to_device(array)


def _run(op_class, y_true, y_pred, match_dtype=True):
    """Apply a loss op: predictions stay Tensors (so the tape sees them); targets become
    arrays of the predictions' dtype (integer labels would otherwise promote the loss)."""
    if not isinstance(y_pred, Tensor):
        y_pred = _on_device(y_pred)
        if y_pred.dtype.kind != 'f':
            y_pred = y_pred.astype(am.floatx())
    targets = _on_device(y_true)
    if match_dtype and targets.dtype != y_pred.dtype:
        targets = targets.astype(y_pred.dtype)
    return op_class().apply(targets, y_pred)


def mean_squared_error(y_true, y_pred):
    """mean((y_pred - y_true)²) over the last axis."""
    return _run(loss_ops.MeanSquaredError, y_true, y_pred)


def mean_absolute_error(y_true, y_pred):
    """mean(|y_pred - y_true|) over the last axis."""
    return _run(loss_ops.MeanAbsoluteError, y_true, y_pred)


def mean_absolute_percentage_error(y_true, y_pred):
    """100 · mean(|y_true - y_pred| / max(|y_true|, ε)) over the last axis."""
    return _run(loss_ops.MeanAbsolutePercentageError, y_true, y_pred)


def mean_squared_logarithmic_error(y_true, y_pred):
    """mean((log(max(y_pred, ε) + 1) - log(max(y_true, ε) + 1))²) over the last axis."""
    return _run(loss_ops.MeanSquaredLogarithmicError, y_true, y_pred)


def squared_hinge(y_true, y_pred):
    """mean(max(1 - y_true·y_pred, 0)²) over the last axis; targets are -1 or 1."""
    return _run(loss_ops.SquaredHinge, y_true, y_pred)


def hinge(y_true, y_pred):
    """mean(max(1 - y_true·y_pred, 0)) over the last axis; targets are -1 or 1."""
    return _run(loss_ops.Hinge, y_true, y_pred)


def binary_crossentropy(y_true, y_pred):
    """-mean(y·log(p) + (1 - y)·log(1 - p)) over the last axis, p clipped to [ε, 1 - ε].

    For sigmoid outputs and 0/1 targets (one unit, or several independent labels).
    """
    return _run(loss_ops.BinaryCrossentropy, y_true, y_pred)


def categorical_crossentropy(y_true, y_pred):
    """-Σ y·log(p) over the last axis, with p rescaled to sum to 1 and clipped to [ε, 1 - ε].

    For softmax outputs and one-hot targets of shape (samples, classes)
    (``teachnet.utils.np_utils.to_categorical`` makes them from class ids).
    """
    return _run(loss_ops.CategoricalCrossentropy, y_true, y_pred)


def sparse_categorical_crossentropy(y_true, y_pred):
    """-log(p[y]) with y an integer class id: categorical crossentropy without one-hot targets.

    ``y_true`` has the output's shape without its last axis, or with a last axis of 1.
    """
    return _run(loss_ops.SparseCategoricalCrossentropy, y_true, y_pred, match_dtype=False)


def kullback_leibler_divergence(y_true, y_pred):
    """Σ y·log(y/p) over the last axis, both clipped to [ε, 1]: the information lost when
    the distribution p is used in place of y."""
    return _run(loss_ops.KullbackLeiblerDivergence, y_true, y_pred)


def poisson(y_true, y_pred):
    """mean(y_pred - y_true·log(y_pred + ε)) over the last axis: for predicted counts."""
    return _run(loss_ops.Poisson, y_true, y_pred)


def cosine_proximity(y_true, y_pred):
    """-mean(ŷ·p̂) over the last axis, where ŷ and p̂ are y_true and y_pred scaled to unit
    length: the negative cosine of the angle between them, divided by the number of units."""
    return _run(loss_ops.CosineProximity, y_true, y_pred)


# Keras 1's short names
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence
cosine = cosine_proximity

#: Every loss name and alias, and its function.
LOSSES = {
    'mean_squared_error': mean_squared_error, 'mse': mse, 'MSE': MSE,
    'mean_absolute_error': mean_absolute_error, 'mae': mae, 'MAE': MAE,
    'mean_absolute_percentage_error': mean_absolute_percentage_error, 'mape': mape, 'MAPE': MAPE,
    'mean_squared_logarithmic_error': mean_squared_logarithmic_error, 'msle': msle, 'MSLE': MSLE,
    'squared_hinge': squared_hinge,
    'hinge': hinge,
    'binary_crossentropy': binary_crossentropy,
    'categorical_crossentropy': categorical_crossentropy,
    'sparse_categorical_crossentropy': sparse_categorical_crossentropy,
    'kullback_leibler_divergence': kullback_leibler_divergence, 'kld': kld, 'KLD': KLD,
    'poisson': poisson,
    'cosine_proximity': cosine_proximity, 'cosine': cosine,
}


def get(identifier):
    """The loss function for a name or alias; a function of (y_true, y_pred) passes through.

    # Raises
        ValueError: for an unknown name (the message lists the known ones).
        TypeError: for anything that is neither a name nor a function.
    """
    if callable(identifier):
        return identifier
    if isinstance(identifier, str):
        if identifier in LOSSES:
            return LOSSES[identifier]
        raise ValueError(f"Unknown loss {identifier!r}. Known losses: {', '.join(LOSSES)}; "
                         f"or pass a function of (y_true, y_pred).")
    raise TypeError(f"A loss must be a name (such as 'mse') or a function of (y_true, y_pred), "
                    f"but received {identifier!r} of type {type(identifier).__name__}.")


def serialize(loss):
    """The name that stands for ``loss`` in a saved configuration: the full name for a
    built-in loss or alias ('mse' -> 'mean_squared_error'), ``__name__`` for a function."""
    return get(loss).__name__
