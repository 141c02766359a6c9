"""Large parameters updated a block at a time (teachnet.optimizers.blocks): the same
numbers, to the last bit, as the rule on the whole parameter, for every rule."""
import numpy as np
import pytest

from teachnet.backend import array_module as am
from teachnet.backend import sample_passes
from teachnet.ops.row_gradient import RowGradient
from teachnet.ops.tensor import Parameter
from teachnet.optimizers import RMSprop
from teachnet.optimizers import blocks, together

from optimizer_settings import EVERY_RULE

OPTIMIZERS = dict(EVERY_RULE)
SMALL_BLOCK = 64            # the tests' blocks: parameters of a few hundred numbers take several
#: (shape, dtype, how its gradient is laid out): sizes that are not a multiple of the
#: block, two dtypes, a gradient laid out column by column (updated whole), small ones that
#: go together, and an embedding-like table with row gradients
SHAPES = [((37, 41), 'float32', 'C'), ((23, 29), 'float64', 'C'), ((300,), 'float32', 'C'),
          ((19, 17), 'float32', 'F'), ((3, 4), 'float32', 'C'), ((5,), 'float32', 'C'),
          ((90, 6), 'float32', 'C')]
TABLE = len(SHAPES) - 1


def run(name, steps=4):
    """θ and the slots after ``steps`` updates of random gradients."""
    rng = np.random.default_rng(5)
    params = [Parameter(am.to_device(rng.standard_normal(shape).astype(dtype))) for shape, dtype, _ in SHAPES]
    optimizer = OPTIMIZERS[name]()
    for _ in range(steps):
        for index, (param, (shape, dtype, order)) in enumerate(zip(params, SHAPES)):
            g = np.asarray(rng.standard_normal(shape).astype(dtype), order=order)
            if index == TABLE:                              # 40 of the 90 rows have a gradient
                rows = np.sort(rng.choice(shape[0], 40, replace=False))
                param._grad, param.grad_rows = RowGradient(am.to_device(rows), am.to_device(g[rows]), shape), am.to_device(rows)
            else:
                param.grad = am.to_device(g)
        optimizer.update(params)
    return ([am.to_numpy(p.data) for p in params],
            [am.to_numpy(slot) for name in optimizer.slot_names for slot in optimizer.slots[name]])


@pytest.mark.parametrize('name', sorted(OPTIMIZERS))
def test_blocks_give_the_numbers_of_the_whole_parameter(monkeypatch, name):
    monkeypatch.setattr(blocks, 'BLOCK', SMALL_BLOCK)
    in_blocks = run(name)
    monkeypatch.setattr(blocks, 'BLOCK', 10 ** 9)                  # every parameter in one piece
    whole = run(name)
    for got, expected in zip(in_blocks[0] + in_blocks[1], whole[0] + whole[1]):
        assert got.dtype == expected.dtype and got.shape == expected.shape
        np.testing.assert_array_equal(got, expected)


def test_which_updates_run_in_blocks(monkeypatch, teachnet_backend):
    """On the host, the rule meets every number once, BLOCK at a time, for the parameters
    laid out in one piece; a gradient laid out otherwise is taken whole. The small ones,
    laid end to end, and the table's gathered rows are long enough for blocks too."""
    monkeypatch.setattr(blocks, 'BLOCK', SMALL_BLOCK)
    monkeypatch.setattr(sample_passes, 'pass_threads', lambda: 1)     # the table's rows in one range
    sizes = []
    original = RMSprop.update_parameter

    def counted(self, theta, g, step, *slots):
        sizes.append(theta.size)
        original(self, theta, g, step, *slots)
    monkeypatch.setattr(RMSprop, 'update_parameter', counted)
    monkeypatch.setitem(OPTIMIZERS, 'counted', lambda: RMSprop(lr=0.01))
    run('counted', steps=1)
    together_size = 37 * 41 + 300 + 19 * 17 + 3 * 4 + 5       # the float32 ones, laid end to end
    if teachnet_backend != 'numpy':                 # on a GPU (and the strict backend): whole parameters
        assert sorted(sizes) == sorted([together_size, 23 * 29, 40 * 6])
        return

    def pieces(size):
        return [SMALL_BLOCK] * (size // SMALL_BLOCK) + ([size % SMALL_BLOCK] if size % SMALL_BLOCK else [])
    assert sorted(sizes) == sorted(pieces(together_size) + pieces(23 * 29) + pieces(40 * 6))
    # alone (nothing goes together): each one-piece parameter in blocks, the column-major one whole
    sizes.clear()
    monkeypatch.setattr(together, 'SMALL_PARAMETER', 0)
    run('counted', steps=1)
    expected = [19 * 17, 3 * 4, 5] + pieces(37 * 41) + pieces(23 * 29) + pieces(300) + pieces(40 * 6)
    assert sorted(sizes) == sorted(expected)


@pytest.mark.backend_independent
def test_a_parameter_of_two_blocks_or_fewer_is_taken_whole():
    theta = np.zeros(2 * blocks.BLOCK, dtype='float32')
    assert not blocks.runs_in_blocks(theta, theta.copy(), [theta.copy()])
    theta = np.zeros(2 * blocks.BLOCK + 1, dtype='float32')
    assert blocks.runs_in_blocks(theta, theta.copy(), [theta.copy()])
    assert not blocks.runs_in_blocks(theta, theta.copy(), [theta.copy()[::-1]])     # a slot laid out backwards
