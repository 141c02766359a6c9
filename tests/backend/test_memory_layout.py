"""Arrays laid out in memory like the arrays they meet: memory_order, zeros_in_order,
random_uniform(order=...), and the ops that use them (dropout, pooling)."""
import numpy as np
import pytest

from teachnet.backend import array_module as am
from teachnet.ops.dropout import Dropout
from teachnet.ops.pooling import max_pool
from teachnet.ops.tape import Tape
from teachnet.ops.tensor import Tensor


def channels_first_view_of_channels_last(rng, shape=(2, 4, 6, 3)):
    """A (n, c, rows, cols) view whose memory is channels-last, as a conv layer's output is."""
    return am.to_device(rng.standard_normal(shape).astype('float32')).transpose(0, 3, 1, 2)


def test_memory_order_reads_the_strides():
    rng = np.random.default_rng(0)
    assert am.memory_order(am.to_device(np.zeros((2, 3, 4)))) is None          # C order
    assert am.memory_order(channels_first_view_of_channels_last(rng)) == (0, 2, 3, 1)
    assert am.memory_order(am.to_device(np.zeros((3, 5))).T) == (1, 0)
    assert am.memory_order(am.to_device(np.zeros((4, 6)))[:, ::2]) == (0, 1)   # strided, C-like


@pytest.mark.parametrize('order', [None, (0, 2, 3, 1), (3, 1, 0, 2)])
def test_zeros_in_order_has_the_shape_and_the_order(order):
    zeros = am.zeros_in_order((2, 3, 4, 5), order, 'float32')
    assert zeros.shape == (2, 3, 4, 5) and str(zeros.dtype) == 'float32'
    assert am.memory_order(zeros) == order
    assert not am.to_numpy(zeros).any()


def test_random_uniform_in_order_fills_memory_as_c_order_would():
    """Same seed: the same numbers in the same places of memory, whatever the order."""
    am.seed(3)
    plain = am.to_numpy(am.random_uniform((2, 5, 4, 3)))
    am.seed(3)
    ordered = am.random_uniform((2, 3, 5, 4), order=(0, 2, 3, 1))
    assert ordered.shape == (2, 3, 5, 4) and am.memory_order(ordered) == (0, 2, 3, 1)
    np.testing.assert_array_equal(am.to_numpy(ordered), plain.transpose(0, 3, 1, 2))


def test_dropout_mask_follows_the_input_layout(teachnet_backend):
    rng = np.random.default_rng(1)
    x = channels_first_view_of_channels_last(rng)
    op = Dropout(0.5)
    y = op.forward(x)
    assert am.memory_order(op.mask) == (0, 2, 3, 1)
    if teachnet_backend != 'cupy':                       # CuPy writes x ⊙ m in C order whatever its inputs
        assert am.memory_order(y) == (0, 2, 3, 1)
    kept = am.to_numpy(op.mask) != 0
    np.testing.assert_allclose(am.to_numpy(y)[kept], 2 * am.to_numpy(x)[kept], rtol=1e-6)
    assert not am.to_numpy(y)[~kept].any()


def test_pooling_gradient_is_laid_out_as_its_input():
    rng = np.random.default_rng(2)
    x = Tensor(channels_first_view_of_channels_last(rng, (2, 6, 6, 3)), requires_grad=True)
    with Tape() as tape:
        y = max_pool(x, (2, 2), data_format='channels_first')
    tape.backward(y, am.xp().ones(y.data.shape, dtype='float32'))
    assert am.memory_order(x.grad) == (0, 2, 3, 1)
    host = am.to_numpy(x.data)
    windows = host.reshape(2, 3, 3, 2, 3, 2).transpose(0, 1, 2, 4, 3, 5).reshape(2, 3, 3, 3, 4)
    winners = windows.argmax(axis=-1)
    expected = np.zeros_like(windows)
    np.put_along_axis(expected, winners[..., None], 1.0, axis=-1)
    expected = expected.reshape(2, 3, 3, 3, 2, 2).transpose(0, 1, 2, 4, 3, 5).reshape(2, 3, 6, 6)
    np.testing.assert_array_equal(am.to_numpy(x.grad), expected)

