"""Shape ops: values against NumPy, gradients against central differences."""
import numpy as np
import pytest

from teachnet.backend import array_module as am
from teachnet.inspect.numerical import check_function
from teachnet.ops import shapes as S
from teachnet.ops.tape import Tape
from teachnet.ops.tensor import Tensor


def tensor(host, requires_grad=False):
    return Tensor(am.to_device(host), requires_grad=requires_grad)


def normal(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def check(function, reference, *arrays):
    """Forward equals the NumPy reference, and backward equals central differences."""
    result = function(*[tensor(a) for a in arrays]).numpy()
    expected = reference(*arrays)
    assert result.shape == expected.shape
    np.testing.assert_allclose(result, expected, rtol=1e-12)
    assert max(check_function(function, *arrays)) < 1e-6


# (function, numpy reference, input shapes): three shapes per op
CASES = {
    'reshape': [(lambda x: S.reshape(x, (4, -1)), lambda x: x.reshape(4, -1), [(2, 6)]),
                (lambda x: S.reshape(x, (2, 3, 2)), lambda x: x.reshape(2, 3, 2), [(12,)]),
                (lambda x: x.reshape(6, 4), lambda x: x.reshape(6, 4), [(2, 3, 4)])],
    'transpose': [(S.transpose, np.transpose, [(3, 4)]), (S.transpose, np.transpose, [(2, 3, 4)]),
                  (lambda x: x.T, lambda x: x.T, [(5,)])],
    'permute_dimensions': [
        (lambda x: S.permute_dimensions(x, (0, 2, 1)), lambda x: x.transpose(0, 2, 1), [(2, 3, 4)]),
        (lambda x: S.permute_dimensions(x, (1, 0)), lambda x: x.T, [(3, 4)]),
        (lambda x: S.permute_dimensions(x, (2, 0, 3, 1)), lambda x: x.transpose(2, 0, 3, 1),
         [(2, 3, 4, 2)])],
    'expand_dims': [(S.expand_dims, lambda x: x[..., None], [(3, 4)]),
                    (lambda x: S.expand_dims(x, 0), lambda x: x[None], [(5,)]),
                    (lambda x: S.expand_dims(x, dim=1), lambda x: x[:, None], [(2, 3, 4)])],
    'squeeze': [(lambda x: S.squeeze(x, 1), lambda x: x[:, 0], [(3, 1)]),
                (lambda x: S.squeeze(x, -1), lambda x: x[..., 0], [(2, 3, 1)]),
                (S.squeeze, np.squeeze, [(1, 3, 1, 2)])],
    'flatten': [(S.flatten, np.ravel, [(3, 4)]), (S.flatten, np.ravel, [(2, 3, 4)]),
                (S.flatten, np.ravel, [(5,)])],
    'batch_flatten': [(S.batch_flatten, lambda x: x.reshape(len(x), -1), [(3, 4)]),
                      (S.batch_flatten, lambda x: x.reshape(len(x), -1), [(2, 3, 4)]),
                      (S.batch_flatten, lambda x: x.reshape(len(x), -1), [(2, 3, 2, 2)])],
    'concatenate': [
        (lambda a, b: S.concatenate([a, b]), lambda a, b: np.concatenate([a, b], -1), [(3, 2), (3, 4)]),
        (lambda a, b, c: S.concatenate([a, b, c], axis=0),
         lambda a, b, c: np.concatenate([a, b, c], 0), [(1, 3), (2, 3), (3, 3)]),
        (lambda a, b: S.concatenate([a, b], axis=1), lambda a, b: np.concatenate([a, b], 1),
         [(2, 3, 4), (2, 1, 4)])],
    'stack': [(lambda a, b: S.stack([a, b]), lambda a, b: np.stack([a, b]), [(3,), (3,)]),
              (lambda a, b: S.stack([a, b], axis=1), lambda a, b: np.stack([a, b], 1), [(2, 3), (2, 3)]),
              (lambda a, b, c: S.stack([a, b, c], axis=-1), lambda a, b, c: np.stack([a, b, c], -1),
               [(2, 3, 4)] * 3)],
    'getitem_basic': [(lambda x: x[1], lambda x: x[1], [(3, 4)]),
                      (lambda x: x[:, 1:3], lambda x: x[:, 1:3], [(2, 4, 3)]),
                      (lambda x: x[..., ::2, None, -1], lambda x: x[..., ::2, None, -1], [(2, 5, 3)])],
    'getitem_fancy': [
        (lambda x: x[[0, 2, 0, 0]], lambda x: x[[0, 2, 0, 0]], [(3, 4)]),
        (lambda x: x[:, np.array([1, 1, 3])], lambda x: x[:, [1, 1, 3]], [(2, 4)]),
        (lambda x: x[np.array([True, False, True])], lambda x: x[[True, False, True]], [(3, 2, 2)])],
    'repeat': [(lambda x: S.repeat(x, 3), lambda x: np.repeat(x[:, None, :], 3, 1), [(2, 4)]),
               (lambda x: S.repeat(x, 1), lambda x: x[:, None, :], [(3, 2)]),
               (lambda x: S.repeat(x, 4), lambda x: np.repeat(x[:, None, :], 4, 1), [(1, 5)])],
    'repeat_elements': [
        (lambda x: S.repeat_elements(x, 2, 1), lambda x: np.repeat(x, 2, 1), [(3, 4)]),
        (lambda x: S.repeat_elements(x, 3, 0), lambda x: np.repeat(x, 3, 0), [(4,)]),
        (lambda x: S.repeat_elements(x, 2, -1), lambda x: np.repeat(x, 2, -1), [(2, 3, 2)])],
    'tile': [(lambda x: S.tile(x, 3), lambda x: np.tile(x, 3), [(2, 3)]),
             (lambda x: S.tile(x, (2, 1, 2)), lambda x: np.tile(x, (2, 1, 2)), [(3, 2)]),
             (lambda x: S.tile(x, (2, 3)), lambda x: np.tile(x, (2, 3)), [(2, 2, 2)])],
    'batch_dot': [
        (lambda x, y: S.batch_dot(x, y, axes=1), lambda x, y: np.sum(x * y, 1, keepdims=True),
         [(4, 3), (4, 3)]),
        (S.batch_dot, lambda x, y: np.einsum('bik,bkj->bij', x, y), [(2, 3, 4), (2, 4, 5)]),
        (lambda x, y: S.batch_dot(x, y, axes=(2, 2)), lambda x, y: np.einsum('bik,bjk->bij', x, y),
         [(2, 3, 4), (2, 5, 4)])],
    'batch_dot_more': [
        (lambda x, y: S.batch_dot(x, y, axes=(1, 1)), lambda x, y: np.einsum('bki,bkj->bij', x, y),
         [(2, 4, 3), (2, 4, 5)]),
        (lambda x, y: S.batch_dot(x, y, axes=[1, 2]), lambda x, y: np.einsum('bk,bjk->bj', x, y),
         [(3, 4), (3, 2, 4)]),
        (lambda x, y: S.batch_dot(x, y, axes=(2, 1)), lambda x, y: np.einsum('bik,bk->bi', x, y),
         [(3, 2, 4), (3, 4)])],
    'l2_normalize': [
        (lambda x: S.l2_normalize(x, -1), lambda x: x / np.linalg.norm(x, axis=-1, keepdims=True),
         [(3, 4)]),
        (lambda x: S.l2_normalize(x, 0), lambda x: x / np.linalg.norm(x, axis=0, keepdims=True),
         [(5, 2)]),
        (S.l2_normalize, lambda x: x / np.linalg.norm(x), [(2, 3, 2)])],
}


@pytest.mark.parametrize('case', [0, 1, 2])
@pytest.mark.parametrize('name', CASES)
def test_forward_and_gradient(name, case):
    function, reference, shapes = CASES[name][case]
    arrays = [normal(*shape, seed=10 + i) for i, shape in enumerate(shapes)]
    check(function, reference, *arrays)


# ----------------------------------------------------------------------------- gather

@pytest.mark.parametrize('indices', [[0, 3, 0, 2], [[1, 1], [4, 0], [2, 2]], [4]], ids=str)
def test_gather_forward_and_gradient_add_up_repeats(indices):
    reference = normal(5, 3)
    index = np.array(indices)
    function = lambda r: S.gather(r, am.to_device(index))        # noqa: E731
    np.testing.assert_allclose(function(tensor(reference)).numpy(), reference[index])
    assert max(check_function(function, reference)) < 1e-6
    with Tape() as tape:
        r = tensor(reference, requires_grad=True)
        out = function(r)
    tape.backward(out)
    expected = np.zeros((5, 3))
    np.add.at(expected, index, 1.0)
    np.testing.assert_allclose(am.to_numpy(r.grad), expected)


def test_gather_truncates_float_indices():
    reference = normal(4, 2)
    result = S.gather(tensor(reference), tensor(np.array([[1.0, 3.0]]))).numpy()
    np.testing.assert_allclose(result, reference[[[1, 3]]])


def test_getitem_with_repeated_indices_adds_their_gradients():
    with Tape() as tape:
        x = tensor(np.arange(3.0), requires_grad=True)
        y = x[[0, 0, 2, 0]]
    tape.backward(y)
    np.testing.assert_array_equal(am.to_numpy(x.grad), [3.0, 0.0, 1.0])


def test_getitem_accepts_tensor_indices():
    x = normal(4, 2)
    index = Tensor(am.to_device(np.array([3, 1])))
    np.testing.assert_allclose(tensor(x)[index].numpy(), x[[3, 1]])


# ----------------------------------------------------------------------------- shapes of results

def test_batch_dot_of_vectors_is_a_column():
    x, y = normal(6, 3), normal(6, 3, seed=1)
    assert S.batch_dot(tensor(x), tensor(y), axes=1).shape == (6, 1)


def test_batch_dot_errors_name_the_shapes():
    with pytest.raises(ValueError, match=r'same length.*\(2, 3\) and \(2, 4\)'):
        S.batch_dot(tensor(normal(2, 3)), tensor(normal(2, 4)), axes=1)
    with pytest.raises(ValueError, match='non-batch'):
        S.batch_dot(tensor(normal(2, 3)), tensor(normal(2, 3)), axes=0)


def test_repeat_needs_a_matrix():
    with pytest.raises(ValueError, match=r'2-D.*\(2, 3, 4\)'):
        S.repeat(tensor(normal(2, 3, 4)), 2)


def test_squeeze_of_a_long_axis_is_an_error():
    with pytest.raises(ValueError, match='length 3, not 1'):
        S.squeeze(tensor(normal(2, 3)), 1)


def test_l2_normalize_of_zero_stays_finite():
    with Tape() as tape:
        x = tensor(np.zeros((2, 3)), requires_grad=True)
        y = S.l2_normalize(x, axis=1)
    tape.backward(y)
    assert np.all(y.numpy() == 0) and np.all(np.isfinite(am.to_numpy(x.grad)))
