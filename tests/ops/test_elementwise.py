"""Elementwise ops: forward against NumPy formulas, backward against central differences."""
import numpy as np
import pytest

from teachnet.backend import array_module as am
from teachnet.inspect.numerical import check_function
from teachnet.ops import elementwise as E
from teachnet.ops.tape import Tape
from teachnet.ops.tensor import Tensor

SHAPES = [(5,), (3, 4), (2, 3, 4)]


def tensor(host, requires_grad=False):
    return Tensor(am.to_device(host), requires_grad=requires_grad)


def away_from_zero(rng, shape, low=0.2, high=2.0):
    """Random values with |x| in [low, high]: no kinks of abs or relu nearby."""
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(low, high, size=shape)


def positive(rng, shape):
    return rng.uniform(0.5, 2.0, size=shape)


def clip_input(rng, shape):
    """Values inside (-0.4, 0.4) or outside ±0.6: never within 0.1 of the bounds ±0.5."""
    inside = rng.uniform(-0.4, 0.4, size=shape)
    outside = rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.6, 2.0, size=shape)
    return np.where(rng.random(shape) < 0.5, inside, outside)


UNARY = {
    'square': (E.square, np.square, away_from_zero),
    'sqrt': (E.sqrt, np.sqrt, positive),
    'abs': (E.abs, np.abs, away_from_zero),
    'exp': (E.exp, np.exp, away_from_zero),
    'log': (E.log, np.log, positive),
    'sin': (E.sin, np.sin, away_from_zero),
    'cos': (E.cos, np.cos, away_from_zero),
    'clip': (lambda x: E.clip(x, -0.5, 0.5), lambda x: np.minimum(np.maximum(x, -0.5), 0.5),
             clip_input),
    'cast': (lambda x: E.cast(x, 'float64'), lambda x: x, away_from_zero),
}


@pytest.mark.parametrize('shape', SHAPES, ids=str)
@pytest.mark.parametrize('name', UNARY)
def test_unary_forward_matches_numpy(name, shape):
    function, reference, inputs = UNARY[name]
    x = inputs(np.random.default_rng(1), shape)
    np.testing.assert_allclose(function(tensor(x)).numpy(), reference(x), rtol=1e-12)


@pytest.mark.parametrize('shape', SHAPES, ids=str)
@pytest.mark.parametrize('name', UNARY)
def test_unary_gradient(name, shape):
    function, _, inputs = UNARY[name]
    x = inputs(np.random.default_rng(2), shape)
    assert max(check_function(function, x)) < 1e-6


def test_clip_passes_gradient_only_inside_the_interval():
    x = np.array([-2.0, -0.3, 0.0, 0.3, 2.0])
    with Tape() as tape:
        t = tensor(x, requires_grad=True)
        y = E.clip(t, -0.5, 0.5)
    tape.backward(y)
    np.testing.assert_array_equal(am.to_numpy(t.grad), [0, 1, 1, 1, 0])


def test_clip_accepts_none_and_raises_a_low_maximum():
    x = np.array([-3.0, 0.0, 3.0])
    np.testing.assert_array_equal(E.clip(tensor(x), None, 1.0).numpy(), [-3, 0, 1])
    np.testing.assert_array_equal(E.clip(tensor(x), 0.0, None).numpy(), [0, 0, 3])
    np.testing.assert_array_equal(E.clip(tensor(x), 1.0, -1.0).numpy(), [1, 1, 1])


def test_sqrt_of_a_negative_is_zero_with_zero_gradient():
    with Tape() as tape:
        t = tensor(np.array([-1.0, 0.0, 4.0]), requires_grad=True)
        y = E.sqrt(t)
    tape.backward(y)
    np.testing.assert_array_equal(y.numpy(), [0.0, 0.0, 2.0])
    np.testing.assert_array_equal(am.to_numpy(t.grad), [0.0, 0.0, 0.25])


# ----------------------------------------------------------------------------- two inputs

PAIRS = [((3, 4), (4,)), ((3, 1), (1, 4)), ((2, 3, 4), (3, 4))]


@pytest.mark.parametrize('shapes', PAIRS, ids=str)
@pytest.mark.parametrize('function, reference', [(E.maximum, np.maximum), (E.minimum, np.minimum)],
                         ids=['maximum', 'minimum'])
def test_maximum_minimum_broadcast_forward_and_gradient(function, reference, shapes):
    rng = np.random.default_rng(3)
    a, b = (rng.standard_normal(shape) for shape in shapes)
    np.testing.assert_allclose(function(tensor(a), tensor(b)).numpy(), reference(a, b))
    assert max(check_function(function, a, b)) < 1e-6


def test_maximum_with_a_number_gives_the_gradient_to_the_tensor():
    x = np.array([[-1.0, 2.0], [3.0, -4.0]])
    with Tape() as tape:
        t = tensor(x, requires_grad=True)
        y = E.maximum(t, 0.0)
    tape.backward(y)
    np.testing.assert_array_equal(y.numpy(), np.maximum(x, 0))
    np.testing.assert_array_equal(am.to_numpy(t.grad), [[0, 1], [1, 0]])


def test_maximum_gives_a_tie_to_the_first_input():
    with Tape() as tape:
        a, b = tensor(np.ones(3), True), tensor(np.ones(3), True)
        y = E.maximum(a, b)
    tape.backward(y)
    np.testing.assert_array_equal(am.to_numpy(a.grad), [1, 1, 1])
    np.testing.assert_array_equal(am.to_numpy(b.grad), [0, 0, 0])


@pytest.mark.parametrize('shape', SHAPES, ids=str)
def test_switch_forward_and_gradient(shape):
    rng = np.random.default_rng(4)
    condition = rng.random(shape) < 0.5
    a, b = rng.standard_normal(shape), rng.standard_normal(shape)
    function = lambda p, q: E.switch(am.to_device(condition), p, q)     # noqa: E731
    np.testing.assert_allclose(function(tensor(a), tensor(b)).numpy(), np.where(condition, a, b))
    assert max(check_function(function, a, b)) < 1e-6


def test_switch_with_a_per_sample_condition_picks_whole_rows():
    rng = np.random.default_rng(5)
    a, b = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    condition = np.array([True, False, False, True])
    out = E.switch(am.to_device(condition), tensor(a), tensor(b)).numpy()
    np.testing.assert_allclose(out, np.where(condition[:, None], a, b))


# ----------------------------------------------------------------------------- no gradient

@pytest.mark.parametrize('name, reference', [
    ('equal', np.equal), ('not_equal', np.not_equal), ('greater', np.greater),
    ('greater_equal', np.greater_equal), ('less', np.less), ('less_equal', np.less_equal)])
def test_comparisons_give_bool_tensors_without_gradient(name, reference):
    a = np.array([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]])
    b = np.array([2.0, 2.0, 2.0])
    with Tape() as tape:
        result = getattr(E, name)(tensor(a, requires_grad=True), tensor(b))
    assert result.dtype == bool and not result.requires_grad and tape.records == []
    np.testing.assert_array_equal(result.numpy(), reference(a, b))
    np.testing.assert_array_equal(getattr(E, name)(tensor(a), 2.0).numpy(), reference(a, 2.0))


def test_tensor_comparison_operators():
    x = tensor(np.array([1.0, 2.0, 3.0]))
    np.testing.assert_array_equal((x > 2.0).numpy(), [False, False, True])
    np.testing.assert_array_equal((x <= 2.0).numpy(), [True, True, False])
    np.testing.assert_array_equal((x == 2.0).numpy(), [False, True, False])
    np.testing.assert_array_equal((x != 2.0).numpy(), [True, False, True])
    np.testing.assert_array_equal(abs(tensor(np.array([-1.5, 2.0]))).numpy(), [1.5, 2.0])


def test_sign_and_round_values_and_no_gradient():
    x = np.array([-1.7, -0.2, 0.0, 0.5, 1.5, 2.4])
    with Tape() as tape:
        t = tensor(x, requires_grad=True)
        rounded, signs = E.round(t), E.sign(t)
        y = t * rounded                   # dy/dx = round(x): round itself passes nothing
    tape.backward(y)
    np.testing.assert_array_equal(rounded.numpy(), np.round(x))
    np.testing.assert_array_equal(signs.numpy(), np.sign(x))
    assert not rounded.requires_grad and not signs.requires_grad
    np.testing.assert_array_equal(am.to_numpy(t.grad), np.round(x))


def test_cast_to_float32_and_back_carries_the_gradient_in_the_input_type():
    with Tape() as tape:
        t = tensor(np.array([1.0, -2.0]), requires_grad=True)
        y = E.cast(t, 'float32')
    tape.backward(y, am.to_device(np.array([3.0, 4.0], dtype=np.float32)))
    assert y.dtype == np.float32 and t.grad.dtype == np.float64
    np.testing.assert_array_equal(am.to_numpy(t.grad), [3.0, 4.0])


def test_cast_to_int_or_bool_has_no_gradient():
    with Tape() as tape:
        t = tensor(np.array([1.7, -2.2, 0.0]), requires_grad=True)
        as_int, as_bool = E.cast(t, 'int32'), E.cast(t, 'bool')
    assert tape.records == [] and not as_int.requires_grad
    assert as_int.dtype == np.int32 and as_bool.dtype == bool
    np.testing.assert_array_equal(as_int.numpy(), [1, -2, 0])
    np.testing.assert_array_equal(as_bool.numpy(), [True, True, False])


def test_numbers_and_host_arrays_are_accepted():
    np.testing.assert_allclose(E.square(3.0).numpy(), 9.0)
    np.testing.assert_allclose(E.exp(np.array([0.0, 1.0])).numpy(), [1.0, np.e])
    np.testing.assert_allclose(E.maximum(np.array([1.0, -1.0]), 0.0).numpy(), [1.0, 0.0])
    assert isinstance(E.log([1.0, 2.0]).data, am.xp().ndarray)


def test_float32_stays_float32_with_number_operands():
    x = tensor(np.array([1.0, -2.0], dtype=np.float32))
    assert E.maximum(x, 0.5).dtype == np.float32
    assert E.clip(x, 0.0, 1.0).dtype == np.float32
    assert E.square(x).dtype == np.float32
