"""Pieces of the recurrent ops that work in place or in another order than Keras's: the
activations' slopes written into a given array, and the gate gradients put back in Keras's
block order with the folding undone, the LSTM's augmented inputs [x_t; h_{t-1}; 1], checked
against the plain formulas."""
import numpy as np
import pytest

from teachnet.backend import array_module as am
from teachnet.ops.recurrent import RecurrentSequence, columns, in_every_column
from teachnet.ops.recurrent_activations import ARRAY_ACTIVATIONS
from teachnet.ops.recurrent_lstm import LSTMSequence


@pytest.mark.parametrize('name', sorted(ARRAY_ACTIVATIONS))
def test_slopes_written_into_a_strided_block_equal_new_arrays(name):
    activation = ARRAY_ACTIVATIONS[name]
    rng = np.random.default_rng(0)
    z = am.to_device(rng.uniform(-4, 4, size=(3, 5, 4)))
    a = activation(z.copy())
    a[0, 0, 0] = 0.0                                      # on a kink of the clip and of relu
    target = am.xp().full((3, 7, 4), np.nan)              # the slopes go into rows 1:6 of each step
    block = target[:, 1:6]
    assert activation.core_slope(a, out=block) is block
    np.testing.assert_array_equal(am.to_numpy(block), am.to_numpy(activation.core_slope(a)))
    assert np.isnan(am.to_numpy(target[:, [0, 6]])).all()     # nothing written outside
    slope = am.xp().empty_like(a)
    assert activation.slope(a, out=slope) is slope
    np.testing.assert_array_equal(am.to_numpy(slope), am.to_numpy(activation.slope(a)))


class _Cell(RecurrentSequence):
    blocks = ('inner', 'inner', 'inner', 'activation')


@pytest.mark.parametrize('block_order', [None, (3, 0, 1, 2), (1, 0, 2, 3), (2, 3, 0, 1), (0, 1, 2, 3)])
@pytest.mark.parametrize('folded', [False, True])
def test_gradient_columns_undo_the_order_and_the_folding(block_order, folded):
    units, t, n = 2, 3, 4
    cell = type('Cell', (_Cell,), {'block_order': block_order})(units, activation=ARRAY_ACTIVATIONS['tanh'])
    order, cell.restore_order = cell._permutation()
    keras_scale = np.repeat([0.2, 0.5, 3.0, 1.0], units)
    cell.row_scale = am.to_device(keras_scale) if folded else None
    rng = np.random.default_rng(1)
    grad_z = rng.standard_normal((t, 4 * units, n))          # the op's order
    in_keras_order = grad_z if block_order is None else grad_z[:, am.to_numpy(cell.restore_order)]
    expected = columns(in_keras_order) * (keras_scale[:, None] if folded else 1)
    result = cell.gradient_columns(am.to_device(grad_z))
    assert result.shape == (4 * units, t * n)
    np.testing.assert_array_equal(am.to_numpy(result), expected)


def test_a_vector_in_every_column():
    vector = np.array([1.5, -2.0, 3.25])
    block = in_every_column(am.to_device(vector), 4)
    np.testing.assert_array_equal(am.to_numpy(block), np.tile(vector[:, None], (1, 4)))


@pytest.mark.parametrize('dropout', [False, True])
@pytest.mark.parametrize('go_backwards', [False, True])
def test_the_lstm_steps_read_x_h_and_a_one_stacked_and_one_product_gives_all_weight_gradients(dropout, go_backwards):
    """The LSTM op's augmented inputs: step s's block is [x_t; h_{t-1} ⊙ m_U; 1] (steps in
    the order they ran), so that dL/d[W; U; b] is one product over them: dL/dW = Xᵀ·dZ,
    dL/dU = (H_prev ⊙ m_U)ᵀ·dZ and dL/db = Σ dZ, the row of the constant 1."""
    n, t, d, units = 3, 4, 2, 5
    rng = np.random.default_rng(2)
    x, h0, c0 = rng.standard_normal((n, t, d)), rng.standard_normal((n, units)), rng.standard_normal((n, units))
    mask = (rng.random((n, units)) > 0.4) / 0.6 if dropout else None
    op = LSTMSequence(units, ARRAY_ACTIVATIONS['tanh'], ARRAY_ACTIVATIONS['hard_sigmoid'],
                      initial_states=[am.to_device(h0), am.to_device(c0)], go_backwards=go_backwards,
                      recurrent_mask=None if mask is None else am.to_device(mask), return_sequences=True)
    weights = [rng.standard_normal(shape) for shape in ((d, 4 * units), (units, 4 * units), (4 * units,))]
    op.forward(am.to_device(x), *[am.to_device(w) for w in weights])
    steps = x[:, ::-1] if go_backwards else x                       # (n, T, d) in the order they ran
    states = np.concatenate([h0[:, None], am.to_numpy(op.h[1:]).transpose(2, 0, 1)], axis=1)[:, :t]
    seen = states * (1 if mask is None else mask[:, None])           # h_{t-1} ⊙ m_U
    augmented = am.to_numpy(op.augmented)
    assert augmented.shape == (t + 1, d + units + 1, n)
    np.testing.assert_array_equal(augmented[:t, :d], steps.transpose(1, 2, 0))
    np.testing.assert_allclose(augmented[:t, d:-1], seen.transpose(1, 2, 0), rtol=1e-15)
    np.testing.assert_array_equal(augmented[:, -1], 1.0)
    grad_z = rng.standard_normal((4 * units, t * n))                # dZ columns: step s, sample i at s·n + i
    grad_kernel, grad_recurrent, grad_bias = (am.to_numpy(g) for g in op.weight_grads(am.to_device(grad_z)))
    x_rows, h_rows = steps.transpose(1, 0, 2).reshape(t * n, d), seen.transpose(1, 0, 2).reshape(t * n, units)
    np.testing.assert_allclose(grad_kernel, x_rows.T @ grad_z.T, rtol=1e-12)
    np.testing.assert_allclose(grad_recurrent, h_rows.T @ grad_z.T, rtol=1e-12)
    np.testing.assert_allclose(grad_bias, grad_z.sum(axis=1), rtol=1e-12)
