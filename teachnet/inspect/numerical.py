"""Numerical gradients by central differences: the check on every backward pass.

For a scalar function L(x), each partial derivative is approximated by

    dL/dx_i ≈ (L(x + h·e_i) - L(x - h·e_i)) / (2h)

whose error shrinks like h². Comparing it with the gradient that backward computed,
through the relative error max|a - n| / max(|a|, |n|) over the array, tells whether a backward is
right: about 1e-7 or less in float64 means yes, 1e-3 or more means a bug.
"""
from teachnet.backend import array_module as am
from teachnet.ops.tape import Tape
from teachnet.ops.tensor import Tensor

np = am.host


def relative_error(analytic, numeric):
    """The largest disagreement between two gradients, relative to their size:

        max_i |a_i - n_i| / max(max_i |a_i|, max_i |n_i|)

    Measured against the whole array's scale rather than entry by entry, so that entries
    near zero, where central differences are mostly rounding noise, do not look wrong."""
    analytic, numeric = np.asarray(analytic, dtype=np.float64), np.asarray(numeric, dtype=np.float64)
    if analytic.size == 0:
        return 0.0
    scale = max(float(np.max(np.abs(analytic))), float(np.max(np.abs(numeric))), 1e-12)
    return float(np.max(np.abs(analytic - numeric)) / scale)


def central_differences(loss_of, array, step=1e-6):
    """dL/d(array) by central differences; ``loss_of()`` reads ``array`` (a host array
    that is perturbed in place, one element at a time, and restored)."""
    if not array.flags.c_contiguous:
        raise ValueError("central_differences perturbs the array in place: pass a C-contiguous array "
                         "(np.ascontiguousarray).")
    grad = np.zeros(array.shape, dtype=np.float64)
    flat, flat_grad = array.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):         # one element at a time: this is a check, not a hot path
        original = flat[i]
        flat[i] = original + step
        plus = loss_of()
        flat[i] = original - step
        minus = loss_of()
        flat[i] = original
        flat_grad[i] = (plus - minus) / (2 * step)
    return grad


def check_function(function, *inputs, differentiable=None, seed=0, step=1e-6):
    """Relative errors of backward against central differences for ``function(*tensors)``.

    ``inputs`` are host arrays (floats become float64 tensors that need a gradient;
    anything else is passed as it is). The output is reduced to a scalar with fixed random
    weights, so every output element's gradient is exercised. Returns a list with one
    relative error per differentiable input.
    """
    rng = np.random.default_rng(seed)
    float_input = [isinstance(x, np.ndarray) and x.dtype.kind == 'f' for x in inputs]
    if differentiable is None:
        differentiable = float_input
    host_inputs = [np.array(x, dtype=np.float64, order='C') if f else x for x, f in zip(inputs, float_input)]

    def tensors():
        return [Tensor(am.to_device(x), requires_grad=d) if f else x
                for x, f, d in zip(host_inputs, float_input, differentiable)]

    with Tape() as tape:
        args = tensors()
        output = function(*args)
    weights = rng.standard_normal(output.shape)
    tape.backward(output, am.to_device(weights))

    def loss_of():
        out = function(*tensors())
        return float(np.sum(am.to_numpy(out.data) * weights))

    errors = []
    for arg, host, d in zip(args, host_inputs, differentiable):
        if not isinstance(arg, Tensor) or not d:
            continue
        analytic = np.zeros(host.shape) if arg.grad is None else am.to_numpy(arg.grad)
        errors.append(relative_error(analytic, central_differences(loss_of, host, step)))
    return errors
