"""Every differentiable function a user may call, in one namespace.

This is what ``import teachnet.backend as K`` re-exports: ``K.mean``, ``K.square``,
``K.dot``... Each one runs an op, so a custom loss, metric or Lambda written with them
is differentiable and shows up step by step in a trace.

Beside the ops sit the helpers a Keras 1 user reaches for around them: ``K.variable``
and ``K.constant`` to make tensors, ``K.eval`` / ``K.get_value`` to read one back as a
NumPy array, ``K.set_value`` to overwrite one, ``K.int_shape``, ``K.ndim``, ``K.dtype``,
``K.epsilon()`` and ``K.floatx()``. Tensors, arrays and plain numbers are accepted
wherever a tensor is::

    def mean_squared_error(y_true, y_pred):
        return K.mean(K.square(y_pred - y_true), axis=-1)
"""
from teachnet.backend import array_module as am
from teachnet.backend.array_module import epsilon, floatx
from teachnet.ops.activations import (
    elu, hard_sigmoid, linear, relu, sigmoid, softmax, softplus, softsign, tanh,
)
from teachnet.ops.arithmetic import add, divide, dot, multiply, negative, pow, subtract
from teachnet.ops.elementwise import (
    abs, cast, clip, cos, equal, exp, greater, greater_equal, less, less_equal, log, maximum,
    minimum, not_equal, round, sign, sin, sqrt, square, switch,
)
from teachnet.ops.reductions import (
    all, any, argmax, argmin, logsumexp, max, mean, min, prod, std, sum, var,
)
from teachnet.ops.shapes import (
    batch_dot, batch_flatten, concatenate, expand_dims, flatten, gather, getitem, l2_normalize,
    permute_dimensions, repeat, repeat_elements, reshape, squeeze, stack, tile, transpose,
)
from teachnet.ops.tensor import Tensor
from teachnet.ops.keras_losses import (  # noqa: E402,F401
    categorical_crossentropy, sparse_categorical_crossentropy, binary_crossentropy, dropout)

__all__ = [
    # arithmetic
    'add', 'subtract', 'multiply', 'divide', 'negative', 'pow', 'dot',
    # elementwise
    'square', 'sqrt', 'abs', 'exp', 'log', 'clip', 'maximum', 'minimum', 'sin', 'cos',
    'sign', 'round', 'cast', 'switch',
    'equal', 'not_equal', 'greater', 'greater_equal', 'less', 'less_equal',
    # reductions
    'sum', 'mean', 'max', 'min', 'prod', 'var', 'std', 'logsumexp',
    'argmax', 'argmin', 'any', 'all',
    # shapes
    'reshape', 'transpose', 'permute_dimensions', 'expand_dims', 'squeeze', 'flatten',
    'batch_flatten', 'concatenate', 'stack', 'getitem', 'repeat', 'repeat_elements', 'tile',
    'gather', 'batch_dot', 'l2_normalize',
    # activations
    'linear', 'relu', 'tanh', 'sigmoid', 'hard_sigmoid', 'softmax', 'softplus', 'softsign',
    'elu',
    # making and reading tensors
    'variable', 'constant', 'zeros', 'ones', 'zeros_like', 'ones_like', 'eval', 'get_value',
    'set_value', 'shape', 'int_shape', 'ndim', 'dtype', 'cast_to_floatx', 'epsilon', 'floatx',
    # Keras 1's backend spellings of the crossentropies and dropout
    'categorical_crossentropy', 'sparse_categorical_crossentropy', 'binary_crossentropy', 'dropout',
]


# ----------------------------------------------------------------------------- making tensors

def variable(value, dtype=None, name=None):
    """A tensor that needs a gradient, holding a copy of ``value`` (as ``dtype``,
    floatx by default)."""
    value = value.data if isinstance(value, Tensor) else value
    data = am.to_device(value, dtype or floatx())
    if data is value:                   # already a device array of that type: copy it
        data = data.copy()
    return Tensor(data, requires_grad=True, name=name)


def constant(value, dtype=None, shape=None, name=None):
    """A tensor without gradient holding ``value``; with ``shape``, a number fills it."""
    dtype = dtype or floatx()
    if shape is not None:
        data = am.xp().full(tuple(shape), value, dtype=dtype)
    else:
        data = am.to_device(value.data if isinstance(value, Tensor) else value, dtype)
    return Tensor(data, name=name)


def zeros(shape, dtype=None, name=None):
    """A variable of zeros (as Keras's ``K.zeros``: it may be trained)."""
    return Tensor(am.xp().zeros(tuple(shape), dtype=dtype or floatx()), requires_grad=True, name=name)


def ones(shape, dtype=None, name=None):
    """A variable of ones (as Keras's ``K.ones``: it may be trained)."""
    return Tensor(am.xp().ones(tuple(shape), dtype=dtype or floatx()), requires_grad=True, name=name)


def zeros_like(x, dtype=None, name=None):
    """A constant tensor of zeros with x's shape (and x's type unless ``dtype``)."""
    x = _array(x)
    return Tensor(am.xp().zeros(x.shape, dtype=dtype or x.dtype), name=name)


def ones_like(x, dtype=None, name=None):
    """A constant tensor of ones with x's shape (and x's type unless ``dtype``)."""
    x = _array(x)
    return Tensor(am.xp().ones(x.shape, dtype=dtype or x.dtype), name=name)


# ----------------------------------------------------------------------------- reading tensors

def eval(x):
    """The values of x as a host NumPy array of its own (a copy, not a view of x)."""
    array = _array(x)
    host = am.to_numpy(array)
    return host.copy() if host is array else host


def get_value(x):
    """The values of a variable as a host NumPy array (the same as ``eval``)."""
    return eval(x)


def set_value(x, value):
    """Overwrite the values of tensor ``x`` in place with ``value`` (same shape)."""
    if not isinstance(x, Tensor):
        raise TypeError(f"set_value expects a teachnet Tensor (a variable), got {type(x).__name__}.")
    new = am.to_device(value.data if isinstance(value, Tensor) else value, x.data.dtype)
    if tuple(new.shape) != tuple(x.shape):
        label = f" {x.name!r}" if x.name else ''
        raise ValueError(f"set_value: variable{label} has shape {tuple(x.shape)}, "
                         f"the new value has shape {tuple(new.shape)}.")
    x.data[...] = new


def shape(x):
    """The shape of x, a tuple of ints."""
    return tuple(_array(x).shape)


def int_shape(x):
    """The shape of x, a tuple of ints (the same as ``shape``: every size is known here)."""
    return shape(x)


def ndim(x):
    """The number of axes of x."""
    return _array(x).ndim


def dtype(x):
    """The element type of x as a string, such as 'float32'."""
    return str(_array(x).dtype)


def cast_to_floatx(x):
    """A host NumPy array of x's values in the default float type (``floatx()``)."""
    return am.host.asarray(eval(x), dtype=floatx())


def _array(x):
    """The array inside a tensor; any other value as an array of the active backend."""
    if isinstance(x, Tensor):
        return x.data
    return x if am.is_device_array(x) else am.to_device(x)
