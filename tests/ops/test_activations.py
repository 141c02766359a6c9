"""Activation ops: values against plain NumPy formulas, gradients against central differences,
stability at extreme inputs, and the formulas the traces show."""
import warnings

import numpy as np
import pytest

from teachnet.backend import array_module as am
from teachnet.inspect.numerical import check_function
from teachnet.ops import activations as A
from teachnet.ops.tape import Tape
from teachnet.ops.tensor import Tensor

SHAPES = [(7,), (4, 5), (2, 3, 4)]


def tensor(host, requires_grad=False):
    return Tensor(am.to_device(host), requires_grad=requires_grad)


def away_from(rng, shape, kinks=(0.0,), gap=0.1, scale=3.0):
    """Random values in [-scale, scale], each at least ``gap`` from every kink."""
    x = rng.uniform(-scale, scale, size=shape)
    for kink in kinks:
        near = np.abs(x - kink) < gap
        x = np.where(near, kink + np.where(x >= kink, gap, -gap) * 2, x)
    return x


def np_sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def np_softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


# name: (function, NumPy reference, points where the derivative jumps)
ACTIVATIONS = {
    'linear': (A.linear, lambda x: x, ()),
    'relu': (A.relu, lambda x: np.maximum(x, 0), (0.0,)),
    'relu_alpha': (lambda x: A.relu(x, alpha=0.3), lambda x: np.where(x > 0, x, 0.3 * x), (0.0,)),
    'relu_max': (lambda x: A.relu(x, max_value=1.5), lambda x: np.clip(x, 0, 1.5), (0.0, 1.5)),
    'relu_alpha_max': (lambda x: A.relu(x, alpha=0.1, max_value=2.0),
                       lambda x: np.minimum(np.where(x > 0, x, 0.1 * x), 2.0), (0.0, 2.0)),
    'tanh': (A.tanh, np.tanh, ()),
    'sigmoid': (A.sigmoid, np_sigmoid, ()),
    'hard_sigmoid': (A.hard_sigmoid, lambda x: np.clip(0.2 * x + 0.5, 0, 1), (-2.5, 2.5)),
    'softmax': (A.softmax, np_softmax, ()),
    'softplus': (A.softplus, lambda x: np.log(1 + np.exp(x)), ()),
    'softsign': (A.softsign, lambda x: x / (1 + np.abs(x)), ()),
    'elu': (A.elu, lambda x: np.where(x > 0, x, np.exp(x) - 1), (0.0,)),
    'elu_alpha': (lambda x: A.elu(x, alpha=0.5), lambda x: np.where(x > 0, x, 0.5 * (np.exp(x) - 1)),
                  (0.0,)),
}


@pytest.mark.parametrize('shape', SHAPES, ids=str)
@pytest.mark.parametrize('name', ACTIVATIONS)
def test_forward_matches_numpy(name, shape):
    function, reference, kinks = ACTIVATIONS[name]
    x = away_from(np.random.default_rng(1), shape, kinks)
    np.testing.assert_allclose(function(tensor(x)).numpy(), reference(x), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize('shape', SHAPES, ids=str)
@pytest.mark.parametrize('name', ACTIVATIONS)
def test_gradient(name, shape):
    function, _, kinks = ACTIVATIONS[name]
    x = away_from(np.random.default_rng(2), shape, kinks)
    assert max(check_function(function, x)) < 1e-6


@pytest.mark.parametrize('name', ACTIVATIONS)
def test_inputs_and_gradients_are_not_overwritten(name):
    function = ACTIVATIONS[name][0]
    x = away_from(np.random.default_rng(3), (3, 4), ACTIVATIONS[name][2])
    g = np.random.default_rng(4).standard_normal((3, 4))
    with Tape() as tape:
        t = tensor(x.copy(), requires_grad=True)
        a = function(t)
    a_before = a.numpy().copy()
    g_device = am.to_device(g.copy())
    tape.backward(a, g_device)
    np.testing.assert_array_equal(am.to_numpy(t.data), x)
    np.testing.assert_array_equal(am.to_numpy(g_device), g)
    np.testing.assert_array_equal(a.numpy(), a_before)


def gradient_of(function, x):
    with Tape() as tape:
        t = tensor(np.asarray(x, dtype=np.float64), requires_grad=True)
        a = function(t)
    tape.backward(a)
    return am.to_numpy(t.grad)


def test_relu_gradient_is_a_step():
    np.testing.assert_array_equal(gradient_of(A.relu, [-2.0, -0.1, 0.3, 4.0]), [0, 0, 1, 1])
    np.testing.assert_allclose(gradient_of(lambda x: A.relu(x, alpha=0.2, max_value=1.0),
                                           [-2.0, 0.5, 3.0]), [0.2, 1.0, 0.0])


def test_hard_sigmoid_is_flat_outside_the_line():
    np.testing.assert_allclose(gradient_of(A.hard_sigmoid, [-3.0, 0.0, 3.0]), [0.0, 0.2, 0.0])


def test_softmax_rows_sum_to_one_and_gradient_of_the_sum_is_zero():
    x = np.random.default_rng(5).standard_normal((3, 4))
    a = A.softmax(tensor(x)).numpy()
    np.testing.assert_allclose(a.sum(axis=-1), 1.0)
    np.testing.assert_allclose(gradient_of(A.softmax, x), 0.0, atol=1e-15)


def test_softmax_of_a_scalar_is_an_error():
    with pytest.raises(ValueError, match='softmax'):
        A.softmax(tensor(np.array(1.0)))


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
def test_extreme_inputs_stay_finite_without_warnings(dtype):
    x = np.array([[-1000.0, -50.0, 0.0, 50.0, 1000.0]], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        sigmoid = A.sigmoid(tensor(x)).numpy()
        softmax = A.softmax(tensor(x)).numpy()
        softplus = A.softplus(tensor(x)).numpy()
        elu = A.elu(tensor(x)).numpy()
        grads = [gradient_of(f, x) for f in (A.sigmoid, A.softplus, A.elu, A.softsign)]
    for values in (sigmoid, softmax, softplus, elu, *grads):
        assert np.all(np.isfinite(values))
    np.testing.assert_allclose(sigmoid, [[0.0, np_sigmoid(-50.0), 0.5, 1.0, 1.0]], atol=1e-7)
    np.testing.assert_allclose(softmax, [[0.0, 0.0, 0.0, 0.0, 1.0]], atol=1e-7)
    np.testing.assert_allclose(softplus, [[0.0, np.log1p(np.exp(-50.0)), np.log(2.0), 50.0, 1000.0]],
                               rtol=1e-6, atol=1e-7)


def test_float32_in_float32_out():
    x = tensor(np.linspace(-3, 3, 8, dtype=np.float32).reshape(2, 4))
    for name, (function, _, _) in ACTIVATIONS.items():
        assert function(x).dtype == np.float32, name


@pytest.mark.parametrize('function, name, formula', [
    (A.relu, 'relu', 'a = max(z, 0)'), (A.tanh, 'tanh', 'a = tanh(z)'),
    (A.sigmoid, 'sigmoid', 'a = σ(z)'), (A.softmax, 'softmax', 'a = softmax(z)')])
def test_the_tape_records_the_op_with_its_formula(function, name, formula):
    with Tape() as tape:
        function(tensor(np.ones((2, 3)), requires_grad=True))
    [op] = tape.records
    assert op.name == name and op.formula == formula


def test_numbers_and_host_arrays_are_accepted():
    np.testing.assert_allclose(A.tanh(0.5).numpy(), np.tanh(0.5))
    np.testing.assert_allclose(A.relu(np.array([-1.0, 2.0])).numpy(), [0.0, 2.0])
