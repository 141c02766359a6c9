"""Pieces of the recurrent ops that work in place or in another order than Keras's: the
activations' slopes written into a given array, and the gate gradients put back in Keras's
block order with the folding undone, checked against the plain formulas."""
import numpy as np
import pytest

from teachnet.backend import array_module as am
from teachnet.ops.recurrent import RecurrentSequence, columns, in_every_column
from teachnet.ops.recurrent_activations import ARRAY_ACTIVATIONS


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
