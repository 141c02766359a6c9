"""Small parameters updated together (teachnet.optimizers.together): the same numbers, to
the last bit, as one parameter at a time, with the slots still one array per parameter."""
import numpy as np
import pytest

from teachnet.backend import array_module as am
from teachnet.ops.row_gradient import RowGradient
from teachnet.ops.tensor import Parameter
from teachnet.optimizers import RMSprop
from teachnet.optimizers import together

from optimizer_settings import EVERY_RULE

OPTIMIZERS = dict(EVERY_RULE)
#: small ones of two dtypes, a big one, and an embedding-like table with row gradients
SHAPES = [((3, 4), 'float32'), ((5,), 'float32'), ((2, 1, 3), 'float32'), ((4, 2), 'float64'),
          ((300, 300), 'float32'), ((6, 2), 'float32')]
TABLE = len(SHAPES) - 1


def run(name, steps=7, restore_after=None, going_back_after=-5):
    """θ and the slots after ``steps`` updates (the state saved and restored into a new
    optimizer after step ``restore_after``; saved after step ``going_back_after`` and put
    back into the same optimizer a step later)."""
    rng = np.random.default_rng(3)
    params = [Parameter(am.to_device(rng.standard_normal(shape).astype(dtype))) for shape, dtype in SHAPES]
    optimizer = OPTIMIZERS[name]()
    for step in range(steps):
        for index, (param, (shape, dtype)) in enumerate(zip(params, SHAPES)):
            g = rng.standard_normal(shape).astype(dtype)
            if index == TABLE:
                rows = np.array([1, 4])
                param._grad, param.grad_rows = RowGradient(am.to_device(rows), am.to_device(g[rows]), shape), am.to_device(rows)
            elif (index == 1 and step == 2) or (index in (1, 2) and step == 3):
                param.grad = None                           # the group changes; then one small one is alone
            else:
                param.grad = am.to_device(g)
        optimizer.update(params)
        if step == restore_after:                           # into a new optimizer
            state, optimizer = optimizer.get_state(), OPTIMIZERS[name]()
            optimizer.set_state(state, params)
        if step == going_back_after:                        # into this one: its slots are replaced
            saved = optimizer.get_state()
        if step == going_back_after + 1:
            optimizer.set_state(saved, params)
    return ([am.to_numpy(p.data) for p in params],
            [am.to_numpy(slot) for name in optimizer.slot_names for slot in optimizer.slots[name]])


@pytest.mark.parametrize('restore_after, going_back_after', [(None, -5), (1, -5), (None, 4)])
@pytest.mark.parametrize('name', sorted(OPTIMIZERS))
def test_together_gives_the_numbers_of_one_at_a_time(monkeypatch, name, restore_after, going_back_after):
    fast = run(name, restore_after=restore_after, going_back_after=going_back_after)
    monkeypatch.setattr(together, 'SMALL_PARAMETER', 0)            # every parameter alone
    alone = run(name, restore_after=restore_after, going_back_after=going_back_after)
    for got, expected in zip(fast[0] + fast[1], alone[0] + alone[1]):
        assert got.dtype == expected.dtype and got.shape == expected.shape
        np.testing.assert_array_equal(got, expected)


def test_which_parameters_go_together():
    params = [Parameter(am.to_device(np.zeros(shape, dtype=dtype))) for shape, dtype in SHAPES]
    gradients = [am.to_device(np.zeros(shape, dtype=dtype)) for shape, dtype in SHAPES]
    gradients[TABLE] = RowGradient(am.to_device(np.array([0])), am.to_device(np.zeros((1, 2), 'float32')), (6, 2))
    assert together.small_ones(params, list(range(len(params))), gradients) == [0, 1, 2]
    assert together.small_ones(params, [0, 4], [gradients[0], gradients[4]]) == []    # one alone: nothing to gain


def test_the_slots_stay_one_array_per_parameter_and_live_in_the_long_vector():
    params = [Parameter(am.to_device(np.ones(shape, dtype='float32'))) for shape in [(2, 3), (3,)]]
    optimizer = RMSprop(lr=0.1, rho=0.5)
    for p in params:
        p.grad = am.xp().full(p.shape, 2.0, dtype='float32')
    optimizer.update(params)
    slots = optimizer.slots['mean_square']
    assert [s.shape for s in slots] == [(2, 3), (3,)]
    np.testing.assert_array_equal(am.to_numpy(slots[1]), [2.0, 2.0, 2.0])        # a = 0.5·0 + 0.5·2²
    slots[1][...] = 8.0                                                          # a student changes a slot ...
    optimizer.update(params)
    np.testing.assert_array_equal(am.to_numpy(slots[1]), [6.0, 6.0, 6.0])        # ... and the update reads it
    np.testing.assert_array_equal(am.to_numpy(slots[0]), np.full((2, 3), 3.0))
    slots[0] = am.xp().full((2, 3), 10.0, dtype='float32')                      # ... or puts a new array there
    optimizer.update(params)
    np.testing.assert_array_equal(am.to_numpy(optimizer.slots['mean_square'][0]), np.full((2, 3), 7.0))
