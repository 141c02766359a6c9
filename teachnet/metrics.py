"""Metrics: numbers that report how training goes, without steering it.

A metric is a function ``metric(y_true, y_pred)`` that returns one number for a batch.
Unlike a loss it is never differentiated: metrics run on plain arrays, outside the tape,
and return a 0-d array of the active backend. (Turning it into a Python float copies it
from the GPU and waits for it, so the training loop does that once per logged value.)

* ``binary_accuracy``: the fraction of outputs that, rounded to 0 or 1, equal the target.
* ``categorical_accuracy``: the fraction of samples whose largest output is the target class
  of a one-hot target.
* ``sparse_categorical_accuracy``: the same with integer class ids as targets.
* ``top_k_categorical_accuracy``: the fraction whose target class is among the k largest
  outputs (k = 5).
* Every loss name (``'mse'``, ``'categorical_crossentropy'``, ...) is also a metric: the
  batch mean of the per-sample loss.

``'accuracy'`` (or ``'acc'``) means whichever accuracy fits the model, as Keras 1 chose it;
``resolve`` makes that choice. A metric of your own is any function of ``(y_true, y_pred)``
that returns a number, an array, a Tensor, or a dict of those.
"""
from teachnet import losses as losses_module
from teachnet.backend import array_module as am
from teachnet.ops import losses as loss_ops
from teachnet.ops.tensor import Tensor


def _arrays(y_true, y_pred):
    """Plain arrays of the active backend for both arguments (Tensors are unwrapped)."""
    def on_device(value):
        array = value.data if isinstance(value, Tensor) else value
        return array if am.is_device_array(array) else am.to_device(array)
    return on_device(y_true), on_device(y_pred)


def _fraction(hits):
    """The mean of a boolean array as a 0-d array of the float type (no host transfer)."""
    return am.xp().asarray(hits.mean(dtype=am.floatx()))


def binary_accuracy(y_true, y_pred):
    """mean(y_true == round(y_pred)) over every output of the batch."""
    y_true, y_pred = _arrays(y_true, y_pred)
    return _fraction(y_true == am.xp().round(y_pred))


def categorical_accuracy(y_true, y_pred):
    """mean(argmax(y_true) == argmax(y_pred)), argmax over the last axis (one-hot targets)."""
    y_true, y_pred = _arrays(y_true, y_pred)
    xp = am.xp()
    return _fraction(xp.argmax(y_true, axis=-1) == xp.argmax(y_pred, axis=-1))


def _class_ids(y_true, y_pred):
    """Integer class ids of shape y_pred.shape[:-1], from ids with or without a last axis of 1."""
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = y_true[..., 0]
    return y_true if y_true.dtype.kind in 'iu' else y_true.astype('int64')


def sparse_categorical_accuracy(y_true, y_pred):
    """mean(y_true == argmax(y_pred)) with integer class ids as targets."""
    y_true, y_pred = _arrays(y_true, y_pred)
    return _fraction(_class_ids(y_true, y_pred) == am.xp().argmax(y_pred, axis=-1))


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """The fraction of samples whose target class (argmax of the one-hot y_true) is among
    the k largest outputs: fewer than k outputs are strictly larger than the target's.
    (Ties at the boundary count as in the top k.)"""
    y_true, y_pred = _arrays(y_true, y_pred)
    xp = am.xp()
    target = xp.argmax(y_true, axis=-1)[..., None]
    target_output = xp.take_along_axis(y_pred, target, axis=-1)
    larger = (y_pred > target_output).sum(axis=-1)
    return _fraction(larger < k)


def _loss_as_metric(op_class):
    """A metric that reports the batch mean of a built-in loss (computed without a tape)."""
    def metric(y_true, y_pred):
        y_true, y_pred = _arrays(y_true, y_pred)
        if op_class is not loss_ops.SparseCategoricalCrossentropy and y_true.dtype != y_pred.dtype:
            y_true = y_true.astype(y_pred.dtype)
        return am.xp().asarray(op_class().forward(y_true, y_pred).mean())
    metric.__name__ = metric.__qualname__ = op_class.name
    metric.__doc__ = f"The batch mean of the {op_class.name} loss: {op_class.formula}."
    return metric


mean_squared_error = mse = MSE = _loss_as_metric(loss_ops.MeanSquaredError)
mean_absolute_error = mae = MAE = _loss_as_metric(loss_ops.MeanAbsoluteError)
mean_absolute_percentage_error = mape = MAPE = _loss_as_metric(loss_ops.MeanAbsolutePercentageError)
mean_squared_logarithmic_error = msle = MSLE = _loss_as_metric(loss_ops.MeanSquaredLogarithmicError)
squared_hinge = _loss_as_metric(loss_ops.SquaredHinge)
hinge = _loss_as_metric(loss_ops.Hinge)
binary_crossentropy = _loss_as_metric(loss_ops.BinaryCrossentropy)
categorical_crossentropy = _loss_as_metric(loss_ops.CategoricalCrossentropy)
sparse_categorical_crossentropy = _loss_as_metric(loss_ops.SparseCategoricalCrossentropy)
kullback_leibler_divergence = kld = KLD = _loss_as_metric(loss_ops.KullbackLeiblerDivergence)
poisson = _loss_as_metric(loss_ops.Poisson)
cosine_proximity = cosine = _loss_as_metric(loss_ops.CosineProximity)

#: Every metric name (accuracies, losses and their aliases) and its function.
METRICS = {
    'binary_accuracy': binary_accuracy,
    'categorical_accuracy': categorical_accuracy,
    'sparse_categorical_accuracy': sparse_categorical_accuracy,
    'top_k_categorical_accuracy': top_k_categorical_accuracy,
}
METRICS.update({name: globals()[name] for name in losses_module.LOSSES})

ACCURACY_NAMES = ('accuracy', 'acc')


def get(identifier):
    """The metric function for a name; a function passes through.

    ``'accuracy'`` depends on the model (see ``resolve``), so it is not a name here.
    """
    if callable(identifier):
        return identifier
    if isinstance(identifier, str):
        if identifier in METRICS:
            return METRICS[identifier]
        if identifier in ACCURACY_NAMES:
            raise ValueError(f"Metric {identifier!r} depends on the loss and the output shape: "
                             f"use metrics.resolve({identifier!r}, loss, output_shape).")
        raise ValueError(f"Unknown metric {identifier!r}. Known metrics: 'accuracy', 'acc', "
                         f"{', '.join(repr(name) for name in METRICS)}; or pass a function of "
                         f"(y_true, y_pred).")
    raise TypeError(f"A metric must be a name (such as 'accuracy') or a function of "
                    f"(y_true, y_pred), but received {identifier!r} of type "
                    f"{type(identifier).__name__}.")


def resolve(name, loss_name, output_shape):
    """The name a metric is logged under, and its function, for one model output.

    ``'accuracy'`` and ``'acc'`` are both logged as ``'acc'`` (Keras 1) and mean:
    binary accuracy when the output has one unit or the loss is binary crossentropy;
    sparse categorical accuracy with sparse categorical crossentropy; categorical
    accuracy otherwise. Other names keep the name given; functions go by ``__name__``.

    # Arguments
        name: a metric name or a function of (y_true, y_pred).
        loss_name: the model's loss for this output (a name, alias or function).
        output_shape: the output's shape; its last entry is the number of units.
    """
    if isinstance(name, str) and name in ACCURACY_NAMES:
        loss = _builtin_loss(loss_name)
        if output_shape[-1] == 1 or loss is losses_module.binary_crossentropy:
            return 'acc', binary_accuracy
        if loss is losses_module.sparse_categorical_crossentropy:
            return 'acc', sparse_categorical_accuracy
        return 'acc', categorical_accuracy
    function = get(name)
    return (name if isinstance(name, str) else function.__name__), function


def _builtin_loss(loss):
    """The built-in loss function that ``loss`` names, or None for anything else."""
    if isinstance(loss, str):
        return losses_module.LOSSES.get(loss)
    return loss if loss in losses_module.LOSSES.values() else None
