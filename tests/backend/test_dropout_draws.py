"""Where dropout keeps its units, from the generator's words (teachnet.backend.dropout_draws):
the decisions of u >= p for the floats the generator would have drawn, and the generator
left where those draws leave it."""
import numpy as np
import pytest

from teachnet.backend import array_module as am
from teachnet.backend import dropout_draws
from teachnet.ops.dropout import Dropout


def same_place(first, second):
    """Whether two PCG64 generators draw the same numbers next (a word left over included)."""
    a, b = first.bit_generator.state, second.bit_generator.state
    return (a['state'] == b['state'] and a['has_uint32'] == b['has_uint32']
            and (not a['has_uint32'] or a['uinteger'] == b['uinteger']))


@pytest.mark.backend_independent
@pytest.mark.parametrize('dtype', ['float32', 'float64'])
@pytest.mark.parametrize('rate', [0.0, 0.1, 0.25, 0.5, 0.9, 1 - 1e-9])
def test_the_words_decide_as_the_floats_do_draw_after_draw(dtype, rate):
    """Even and odd counts, one after the other: after an odd float32 draw a half word
    waits, and the next draw goes through the floats (as the generator itself does)."""
    words, floats = np.random.default_rng(9), np.random.default_rng(9)
    for shape in [(4, 6), (3, 5), (7,), (2, 3, 4), (1,), (10, 10)]:
        kept = dropout_draws.keep(words, shape, rate, dtype)
        if kept is None:                                        # the half word: the floats draw
            assert dtype == 'float32' and words.bit_generator.state['has_uint32']
            kept = words.random(shape, dtype=dtype) >= rate
        expected = floats.random(shape, dtype=dtype) >= rate
        assert kept.shape == shape and kept.dtype == bool
        np.testing.assert_array_equal(kept, expected)
        assert same_place(words, floats)


@pytest.mark.backend_independent
@pytest.mark.parametrize('dtype, bits', [('float32', 24), ('float64', 53)])
def test_a_draw_equal_to_the_rate_is_kept_and_the_one_below_it_is_not(dtype, bits):
    """The rate set to a number the generator is about to draw: the word for u = p is kept,
    and with p one step of 2^-bits higher it is not."""
    first = np.random.default_rng(4).random(1, dtype=dtype)[0]
    assert dropout_draws.keep(np.random.default_rng(4), (1,), float(first), dtype)[0]
    assert not dropout_draws.keep(np.random.default_rng(4), (1,), float(first) + 2.0 ** -bits, dtype)[0]
    assert dropout_draws.lowest_kept(float(first), dtype, bits) == round(float(first) * 2 ** bits)
    # a Python float meets a float32 array as a float32: p a quarter of a float32 step above
    # u is float32(p) = u there, and u is kept; a float64 array compares p itself
    nearly = float(first) + float(np.spacing(np.float32(first))) / 4
    assert bool(np.random.default_rng(4).random(1, dtype=dtype)[0] >= nearly) == (dtype == 'float32')
    assert dropout_draws.keep(np.random.default_rng(4), (1,), nearly, dtype)[0] == (dtype == 'float32')


@pytest.mark.backend_independent
def test_other_generators_and_dtypes_draw_the_floats():
    assert dropout_draws.keep(np.random.Generator(np.random.MT19937(1)), (3,), 0.5, 'float32') is None
    assert dropout_draws.keep(np.random.default_rng(1), (3,), 0.5, 'float16') is None
    assert dropout_draws.keep(object(), (3,), 0.5, 'float32') is None
    for rate in (float('nan'), -0.1, 1.0):
        assert dropout_draws.keep(np.random.default_rng(1), (3,), rate, 'float32') is None


@pytest.mark.parametrize('dtype', ['float32', 'float64', 'float16'])
def test_random_keep_is_random_uniform_compared_in_the_arrays_layout(teachnet_backend, dtype):
    """Drawn in memory order, handed back in the caller's axes order (a channels-first view
    of channels-last memory), on each backend."""
    order = (0, 2, 3, 1)
    am.seed(3)
    kept = am.random_keep((2, 3, 4, 5), 0.3, dtype=dtype, order=order)
    am.seed(3)
    expected = am.random_uniform((2, 3, 4, 5), dtype=dtype, order=order) >= 0.3
    np.testing.assert_array_equal(am.to_numpy(kept), am.to_numpy(expected))
    assert am.memory_order(kept) == am.memory_order(expected)
    am.seed(3)
    assert am.to_numpy(am.random_keep((7,), 0.3, dtype=dtype)).shape == (7,)


def test_the_dropout_mask_is_the_floats_compared_and_scaled(teachnet_backend):
    """The op's mask m: 1/(1-p) where u >= p, else 0, as the floats would give it, bit for bit."""
    rng = np.random.default_rng(0)
    x = am.to_device(rng.standard_normal((4, 3, 5, 2)).astype('float32')).transpose(0, 3, 1, 2)
    am.seed(8)
    op = Dropout(0.3)
    y = op.forward(x)
    am.seed(8)
    u = am.random_uniform(x.shape, dtype=x.dtype, order=am.memory_order(x))
    expected = (am.to_numpy(u) >= 0.3).astype('float32')
    expected *= 1.0 / (1.0 - 0.3)
    np.testing.assert_array_equal(am.to_numpy(op.mask), expected)
    np.testing.assert_array_equal(am.to_numpy(y), am.to_numpy(x) * expected)
    assert am.memory_order(op.mask) == am.memory_order(x)
