"""What an op accepts as input, and the small bookkeeping every op module shares.

A user may hand ``K.mean`` a Tensor, an array of the active backend, a host NumPy array,
a list or a plain number. Ops compute on arrays of the active backend, so the functions
that users call first turn their arguments into *operands*:

* a Tensor or an array of the active backend is used as it is;
* a host array or a list is copied to the active backend (one explicit transfer);
* a plain number stays a number where it meets an array (``x * 0.5`` keeps x's float32
  type), and becomes a 0-d array where it is the only input (``K.exp(2.0)``).

Some results have no gradient at all: a comparison ``x > 0``, an ``argmax``, a cast to
integers. ``without_gradient`` computes those outside the tape, so they never ask for a
backward pass they could not give.
"""
import numbers

from teachnet.backend import array_module as am
from teachnet.ops.tensor import Tensor


def is_number(value):
    """True for Python and NumPy scalars (bool, int, float), which broadcast as they are."""
    return isinstance(value, numbers.Number)


def as_operand(value):
    """``value`` made fit to meet arrays of the active backend: numbers stay numbers."""
    if isinstance(value, Tensor) or is_number(value) or am.is_device_array(value):
        return value
    return am.to_device(value)


def as_tensor_operand(value):
    """``value`` as a Tensor or an array of the active backend (numbers become 0-d arrays)."""
    if isinstance(value, Tensor) or am.is_device_array(value):
        return value
    return am.to_device(value)


def array_of(value):
    """The array an operand stands for (the data of a Tensor)."""
    return value.data if isinstance(value, Tensor) else value


def without_gradient(op, *inputs):
    """Run ``op.forward`` on ``inputs`` and wrap the result in a Tensor that no tape sees.

    For results through which no gradient flows (comparisons, argmax, rounding).
    """
    return Tensor(op.forward(*[array_of(x) for x in inputs]))


def wants_gradient(op, position):
    """Whether the recorded input at ``position`` of ``op`` asked for a gradient.

    Backward uses it to skip work for constants, such as a number in ``maximum(x, 0)``.
    """
    value = op.inputs[position]
    return isinstance(value, Tensor) and value.requires_grad


def normalize_axes(axis, ndim):
    """``axis`` (None, an int or a tuple, negatives allowed) as a sorted tuple of axes.

    None means every axis. An axis outside the array is a ValueError.
    """
    if axis is None:
        return tuple(range(ndim))
    axes = tuple(axis) if isinstance(axis, (tuple, list)) else (axis,)
    normalized = []
    for a in axes:
        if not -ndim <= a < ndim:
            raise ValueError(f"axis {a} is out of range for an array with {ndim} dimension(s).")
        normalized.append(a % ndim)
    return tuple(sorted(set(normalized)))
