"""Slots cleared of subnormal numbers (teachnet.optimizers.subnormals): the averages that
drift below the normal floats become zero, and the weights move as they did without it."""
import numpy as np
import pytest

from teachnet.backend import array_module as am
from teachnet.ops.tensor import Parameter
from teachnet.optimizers import SGD, Adam, RMSprop, blocks, subnormals

TINY = {'float32': np.finfo(np.float32).tiny, 'float64': np.finfo(np.float64).tiny}


def subnormal_count(array):
    array = am.to_numpy(array)
    return int(np.sum((np.abs(array) < np.finfo(array.dtype).tiny) & (array != 0)))


@pytest.mark.backend_independent
@pytest.mark.parametrize('dtype', ['float32', 'float64'])
def test_zero_subnormals_clears_them_and_nothing_else(dtype):
    tiny = TINY[dtype]
    values = np.array([tiny / 4, -tiny / 3, tiny, -tiny, 0.0, 1e-3, -2.0, np.inf, np.nan], dtype=dtype)
    array = values.copy()
    subnormals.zero_subnormals([array])
    np.testing.assert_array_equal(array, np.array([0, 0, tiny, -tiny, 0, 1e-3, -2, np.inf, np.nan], dtype=dtype))


@pytest.mark.backend_independent
def test_the_sample_finds_slots_with_subnormal_numbers_and_not_zeros():
    clean = np.zeros(1000, dtype='float32')
    clean[::7] = 1.0
    dirty = clean.copy()
    dirty[subnormals.SAMPLE_STEP * 3] = TINY['float32'] / 8         # a sampled position
    hidden = clean.copy()
    hidden[1] = TINY['float32'] / 8                                 # between two samples
    assert subnormals.sampled_subnormals([clean, dirty, hidden]) == [dirty]
    laid_out_by_columns = np.asfortranarray(np.tile(dirty, (3, 1)))  # sampled through .flat, in row order
    assert subnormals.sampled_subnormals([laid_out_by_columns]) == [laid_out_by_columns]


def decaying_run(make_optimizer, small, steps, clear, monkeypatch, dtype='float32', size=300):
    """θ and the slots after ``steps`` updates whose gradient is ``small`` times an ordinary
    one for the first half of θ for three steps, then zero (its averages fade through the
    subnormal range), and ordinary for the rest."""
    with monkeypatch.context() as patch:
        if not clear:
            patch.setattr(subnormals, 'sampled_subnormals', lambda slots: [])
        patch.setattr(subnormals, 'SAMPLE_STEP', 1)
        patch.setattr(blocks, 'BLOCK', 64)
        rng = np.random.default_rng(2)
        param = Parameter(am.to_device(rng.standard_normal(size).astype(dtype)))
        optimizer = make_optimizer()
        for step in range(steps):
            g = rng.standard_normal(size).astype(dtype)
            g[:size // 2] *= small if step < 3 else 0           # then nothing: the averages decay
            param.grad = am.to_device(g)
            optimizer.update([param])
    slots = [am.to_numpy(slot) for name in optimizer.slot_names for slot in optimizer.slots[name]]
    return am.to_numpy(param.data), slots


@pytest.mark.parametrize('make_optimizer, small', [
    (lambda: RMSprop(lr=0.01, rho=0.5), 1e-18),                     # a ~ g²: about 1e-37
    (lambda: Adam(lr=0.01, beta_1=0.5, beta_2=0.5), 1e-18),         # v ~ g²
    (lambda: SGD(lr=0.01, momentum=0.5), 1e-33)], ids=['rmsprop', 'adam', 'sgd momentum'])   # v ~ lr·g
def test_averages_fading_below_the_normal_floats_become_zero_and_the_weights_do_not_notice(
        monkeypatch, teachnet_backend, make_optimizer, small):
    """With ρ = 0.5 an average of about 1e-37 halves at each step: after 20 steps it is
    deep in the subnormal range, where only the clearing makes it zero."""
    theta, slots = decaying_run(make_optimizer, small, 20, True, monkeypatch)
    plain_theta, plain_slots = decaying_run(make_optimizer, small, 20, False, monkeypatch)
    np.testing.assert_array_equal(theta, plain_theta)
    if teachnet_backend == 'numpy':      # cleared where the sample saw them (here: a sample of every number)
        left, before = (sum(subnormal_count(slot) for slot in run) for run in (slots, plain_slots))
        assert before >= 100 and left == 0
    for slot, plain in zip(slots, plain_slots):                            # the slots differ only there
        different = slot != plain
        assert np.all(slot[different] == 0) and np.all(np.abs(plain[different]) < TINY['float32'])
