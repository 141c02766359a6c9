"""Reductions: values against NumPy, gradients against central differences, ties, zeros."""
import numpy as np
import pytest

from teachnet.backend import array_module as am
from teachnet.inspect.numerical import check_function
from teachnet.ops import reductions as R
from teachnet.ops.tape import Tape
from teachnet.ops.tensor import Tensor


def tensor(host, requires_grad=False):
    return Tensor(am.to_device(host), requires_grad=requires_grad)


def ref_logsumexp(x, axis=None, keepdims=False):
    return np.log(np.sum(np.exp(x), axis=axis, keepdims=keepdims))


REDUCTIONS = {
    'sum': (R.sum, np.sum),
    'mean': (R.mean, np.mean),
    'max': (R.max, np.max),
    'min': (R.min, np.min),
    'prod': (R.prod, np.prod),
    'var': (R.var, np.var),
    'std': (R.std, np.std),
    'logsumexp': (R.logsumexp, ref_logsumexp),
}

CASES = [((5,), None, False), ((3, 4), 1, False), ((3, 4), 0, True), ((2, 3, 4), (0, 2), False),
         ((2, 3, 4), -1, True), ((2, 3, 4), None, True), ((2, 3, 4), (1,), False),
         ((2, 3, 4), 0, False)]


def inputs(shape, seed):
    """Distinct values (no ties for max/min) of moderate size (products stay near 1)."""
    rng = np.random.default_rng(seed)
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.5, 1.5, size=shape)


@pytest.mark.parametrize('shape, axis, keepdims', CASES, ids=str)
@pytest.mark.parametrize('name', REDUCTIONS)
def test_forward_matches_numpy(name, shape, axis, keepdims):
    function, reference = REDUCTIONS[name]
    x = inputs(shape, 1)
    result = function(tensor(x), axis=axis, keepdims=keepdims)
    expected = reference(x, axis=axis, keepdims=keepdims)
    assert isinstance(result.data, am.xp().ndarray)      # 0-d arrays, never Python floats
    assert result.shape == np.shape(expected)
    np.testing.assert_allclose(result.numpy(), expected, rtol=1e-12)


@pytest.mark.parametrize('shape, axis, keepdims', CASES, ids=str)
@pytest.mark.parametrize('name', REDUCTIONS)
def test_gradient(name, shape, axis, keepdims):
    function = REDUCTIONS[name][0]
    x = inputs(shape, 2)
    errors = check_function(lambda t: function(t, axis=axis, keepdims=keepdims), x)
    assert max(errors) < 1e-6


def gradient_of(function, x):
    with Tape() as tape:
        t = tensor(np.asarray(x, dtype=np.float64), requires_grad=True)
        y = function(t)
    tape.backward(y)
    return am.to_numpy(t.grad)


def test_max_shares_the_gradient_among_ties():
    np.testing.assert_allclose(gradient_of(R.max, [1.0, 3.0, 3.0, 2.0]), [0, 0.5, 0.5, 0])
    np.testing.assert_allclose(gradient_of(lambda t: R.min(t, axis=1), [[1.0, 1.0, 1.0], [2.0, 0.0, 5.0]]),
                               [[1 / 3, 1 / 3, 1 / 3], [0, 1, 0]])


def test_prod_gradient_is_exact_with_zeros():
    np.testing.assert_allclose(gradient_of(R.prod, [2.0, 0.0, 3.0]), [0.0, 6.0, 0.0])
    np.testing.assert_allclose(gradient_of(R.prod, [2.0, 0.0, 0.0]), [0.0, 0.0, 0.0])
    np.testing.assert_allclose(gradient_of(lambda t: R.prod(t, axis=0), [[2.0, 4.0], [0.0, 5.0]]),
                               [[0.0, 5.0], [2.0, 4.0]])


def test_logsumexp_does_not_overflow():
    x = np.array([[1000.0, 1000.0], [-1000.0, 0.0]])
    result = R.logsumexp(tensor(x), axis=1).numpy()
    np.testing.assert_allclose(result, [1000.0 + np.log(2.0), np.log1p(np.exp(-1000.0))])


def test_mean_gradient_is_one_over_count():
    np.testing.assert_allclose(gradient_of(lambda t: R.mean(t, axis=0), np.ones((4, 2))),
                               np.full((4, 2), 0.25))


def test_gradient_is_a_writable_array_of_the_input_shape():
    grad = gradient_of(lambda t: R.sum(t, axis=1), np.ones((3, 2)))
    assert grad.shape == (3, 2)
    grad *= 2.0                                           # not a read-only broadcast view


# ----------------------------------------------------------------------------- no gradient

@pytest.mark.parametrize('axis', [-1, 0, 1])
def test_argmax_argmin_match_numpy(axis):
    x = inputs((4, 5), 3)
    with Tape() as tape:
        t = tensor(x, requires_grad=True)
        index_max, index_min = R.argmax(t, axis=axis), R.argmin(t, axis=axis)
    assert tape.records == [] and not index_max.requires_grad
    assert index_max.dtype.kind == 'i'
    np.testing.assert_array_equal(index_max.numpy(), np.argmax(x, axis=axis))
    np.testing.assert_array_equal(index_min.numpy(), np.argmin(x, axis=axis))


def test_argmax_defaults_to_the_last_axis():
    x = inputs((3, 4), 4)
    np.testing.assert_array_equal(R.argmax(tensor(x)).numpy(), np.argmax(x, axis=-1))


@pytest.mark.parametrize('axis, keepdims', [(None, False), (0, False), (1, True), ((0, 1), True)])
def test_any_all_match_numpy(axis, keepdims):
    x = np.array([[0.0, 1.0, 0.0], [2.0, 3.0, 4.0]])
    np.testing.assert_array_equal(R.any(tensor(x), axis=axis, keepdims=keepdims).numpy(),
                                  np.any(x, axis=axis, keepdims=keepdims))
    np.testing.assert_array_equal(R.all(tensor(x), axis=axis, keepdims=keepdims).numpy(),
                                  np.all(x, axis=axis, keepdims=keepdims))
    assert R.all(tensor(x)).dtype == bool


def test_an_axis_out_of_range_is_a_clear_error():
    with pytest.raises(ValueError, match='axis 2 is out of range'):
        R.sum(tensor(np.ones((2, 3))), axis=2)


def test_tensor_methods_sum_and_mean():
    x = inputs((3, 4), 5)
    np.testing.assert_allclose(tensor(x).sum(axis=0).numpy(), x.sum(axis=0))
    np.testing.assert_allclose(tensor(x).mean(keepdims=True).numpy(), x.mean(keepdims=True))
