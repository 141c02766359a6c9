"""Pooling layers against a naive loop over samples, windows and channels, in plain NumPy."""
import functools
import math

import numpy as np
import pytest

from teachnet.backend import array_module as am
from teachnet.backend import image_format
from teachnet.layers.pooling import (AveragePooling1D, AveragePooling2D, GlobalAveragePooling1D,
                                     GlobalAveragePooling2D, GlobalMaxPooling1D, GlobalMaxPooling2D,
                                     MaxPooling1D, MaxPooling2D)
from teachnet.models import Sequential
from teachnet.ops import pooling
from teachnet.ops.tape import Tape
from teachnet.ops.tensor import Tensor

from .harness import layer_test


# ----------------------------------------------------------------------------- the naive reference

def naive_pool2d(x, mode, pool, strides, padding, channels_first):
    """Pool channels-first or channels-last images one sample, window and channel at a time.

    Returns (y, winners): winners[b, i, j, c] = row · cols + col of the first maximum of the
    window (max mode), in the layout of y. A window only ever looks at real elements, which
    is what padding with -inf (max) and averaging over real elements (avg) come to.
    """
    if channels_first:
        x = x.transpose(0, 2, 3, 1)
    batch, rows, cols, channels = x.shape
    (pool_r, pool_c), (stride_r, stride_c) = pool, strides
    if padding == 'same':
        out_r, out_c = math.ceil(rows / stride_r), math.ceil(cols / stride_c)
        top = max((out_r - 1) * stride_r + pool_r - rows, 0) // 2
        left = max((out_c - 1) * stride_c + pool_c - cols, 0) // 2
    else:
        out_r, out_c = (rows - pool_r) // stride_r + 1, (cols - pool_c) // stride_c + 1
        top = left = 0
    y = np.zeros((batch, out_r, out_c, channels))
    winners = np.zeros((batch, out_r, out_c, channels), dtype=int)
    for b in range(batch):
        for i in range(out_r):
            for j in range(out_c):
                r0, c0 = i * stride_r - top, j * stride_c - left
                r_lo, r_hi = max(r0, 0), min(r0 + pool_r, rows)
                c_lo, c_hi = max(c0, 0), min(c0 + pool_c, cols)
                for c in range(channels):
                    window = x[b, r_lo:r_hi, c_lo:c_hi, c]
                    if mode == 'max':
                        y[b, i, j, c] = window.max()
                        r, k = divmod(int(np.argmax(window)), window.shape[1])   # first maximum
                        winners[b, i, j, c] = (r_lo + r) * cols + (c_lo + k)
                    else:
                        y[b, i, j, c] = window.sum() / window.size
    if channels_first:
        y, winners = y.transpose(0, 3, 1, 2), winners.transpose(0, 3, 1, 2)
    return y, winners


def naive_pool1d(x, mode, pool, stride, padding):
    y, _ = naive_pool2d(x[:, :, None, :], mode, (pool, 1), (stride, 1), padding, channels_first=False)
    return y[:, :, 0, :]


def layout(shape_cf, data_format):
    """(channels, rows, cols) as the data format wants it."""
    channels, rows, cols = shape_cf
    return shape_cf if data_format == 'channels_first' else (rows, cols, channels)


# ----------------------------------------------------------------------------- 2-D pooling

# (input (channels, rows, cols), pool_size, strides, padding)
CASES_2D = [
    ((2, 4, 6), (2, 2), None, 'valid'),          # the guide's default: strides = pool
    ((2, 5, 5), (3, 3), (1, 1), 'valid'),        # overlapping windows, odd sizes
    ((2, 5, 7), (2, 3), (1, 2), 'same'),         # overlap along rows, uneven padding
    ((1, 5, 4), (3, 2), (2, 1), 'same'),
    ((2, 7, 7), (2, 2), (3, 3), 'valid'),        # stride larger than the pool: some inputs skipped
    ((1, 3, 3), (2, 2), None, 'same'),           # odd size, non-overlapping, padded at the end
]
FORMATS = ['channels_first', 'channels_last']


@pytest.mark.parametrize('case', CASES_2D, ids=str)
@pytest.mark.parametrize('data_format', FORMATS)
@pytest.mark.parametrize('layer_class, mode', [(MaxPooling2D, 'max'), (AveragePooling2D, 'avg')],
                         ids=['max', 'avg'])
def test_pooling2d_against_naive_loops(layer_class, mode, data_format, case):
    shape_cf, pool, strides, padding = case
    channels_first = data_format == 'channels_first'
    reference_strides = pool if strides is None else strides
    dim_ordering = 'th' if channels_first else 'tf'

    def reference(x, weights):
        return naive_pool2d(x, mode, pool, reference_strides, padding, channels_first)[0]

    factory = functools.partial(layer_class, pool_size=pool, strides=strides, border_mode=padding,
                                dim_ordering=dim_ordering)
    result = layer_test(factory, layout(shape_cf, data_format), reference=reference)
    assert result.layer.get_weights() == [] and result.layer.count_params() == 0
    config = result.layer.get_config()
    assert config['pool_size'] == pool and config['strides'] == reference_strides
    assert config['border_mode'] == padding and config['dim_ordering'] == dim_ordering


@pytest.mark.parametrize('data_format', FORMATS)
def test_keras2_spelling_gives_the_same_layer(data_format):
    keras1 = MaxPooling2D((3, 2), (1, 2), 'same', 'th' if data_format == 'channels_first' else 'tf',
                          input_shape=layout((2, 5, 6), data_format))
    keras2 = MaxPooling2D(pool_size=(3, 2), strides=(1, 2), padding='same', data_format=data_format,
                          input_shape=layout((2, 5, 6), data_format))
    Sequential([keras1]), Sequential([keras2])
    config1, config2 = keras1.get_config(), keras2.get_config()
    del config1['name'], config2['name']
    assert config1 == config2
    assert keras1.output_shape == keras2.output_shape == (None,) + layout((2, 5, 3), data_format)


def test_default_data_format_is_channels_first_and_global():
    layer = MaxPooling2D(input_shape=(3, 100, 100))
    Sequential([layer])
    assert layer.output_shape == (None, 3, 50, 50)
    saved = image_format.image_data_format()
    try:
        image_format.set_image_dim_ordering('tf')
        layer = AveragePooling2D(input_shape=(100, 100, 3))
        global_layer = GlobalMaxPooling2D(input_shape=(100, 100, 3))
    finally:
        image_format.set_image_data_format(saved)
    Sequential([layer]), Sequential([global_layer])
    assert layer.output_shape == (None, 50, 50, 3) and layer.get_config()['dim_ordering'] == 'tf'
    assert global_layer.output_shape == (None, 3)


def test_the_guides_convnet_shapes():
    model = Sequential([MaxPooling2D(pool_size=(2, 2), input_shape=(32, 98, 98)),
                        MaxPooling2D(pool_size=(2, 2), border_mode='same')])
    assert [layer.output_shape for layer in model.layers] == [(None, 32, 49, 49), (None, 32, 25, 25)]


# ----------------------------------------------------------------------------- 1-D pooling

# (input (steps, features), pool, stride, padding)
CASES_1D = [((6, 3), 2, None, 'valid'), ((5, 2), 3, 1, 'same'), ((5, 2), 2, 1, 'valid'),
            ((7, 2), 3, 2, 'same')]


@pytest.mark.parametrize('case', CASES_1D, ids=str)
@pytest.mark.parametrize('layer_class, mode', [(MaxPooling1D, 'max'), (AveragePooling1D, 'avg')],
                         ids=['max', 'avg'])
def test_pooling1d_against_naive_loops(layer_class, mode, case):
    input_shape, pool, stride, padding = case
    reference_stride = pool if stride is None else stride

    def reference(x, weights):
        return naive_pool1d(x, mode, pool, reference_stride, padding)

    factory = functools.partial(layer_class, pool_length=pool, stride=stride, border_mode=padding)
    result = layer_test(factory, input_shape, reference=reference)
    assert result.layer.get_config()['pool_length'] == pool
    assert result.layer.get_config()['stride'] == reference_stride
    keras2 = Sequential([layer_class(pool_size=pool, strides=stride, padding=padding, input_shape=input_shape)])
    assert keras2.output_shape == result.layer.output_shape
    np.testing.assert_allclose(keras2.predict(result.x, batch_size=len(result.x)), result.output, rtol=1e-6)


# ----------------------------------------------------------------------------- global pooling

@pytest.mark.parametrize('layer_class, reduce', [(GlobalMaxPooling1D, np.max), (GlobalAveragePooling1D, np.mean)],
                         ids=['max', 'avg'])
def test_global_pooling1d(layer_class, reduce):
    layer_test(layer_class, (5, 3), reference=lambda x, w: reduce(x, axis=1), expected_output_shape=(3,))


@pytest.mark.parametrize('data_format', FORMATS)
@pytest.mark.parametrize('layer_class, reduce', [(GlobalMaxPooling2D, np.max), (GlobalAveragePooling2D, np.mean)],
                         ids=['max', 'avg'])
def test_global_pooling2d(layer_class, reduce, data_format):
    axes = (2, 3) if data_format == 'channels_first' else (1, 2)
    factory = functools.partial(layer_class, data_format=data_format)
    result = layer_test(factory, layout((3, 4, 5), data_format), reference=lambda x, w: reduce(x, axis=axes),
                        expected_output_shape=(3,))
    assert result.layer.get_config()['dim_ordering'] == ('th' if data_format == 'channels_first' else 'tf')


# ----------------------------------------------------------------------------- winners and backward

@pytest.mark.parametrize('data_format', FORMATS)
@pytest.mark.parametrize('case', [CASES_2D[1], CASES_2D[2], CASES_2D[5]], ids=str)
def test_trace_shows_which_input_won_each_window(case, data_format):
    shape_cf, pool, strides, padding = case
    channels_first = data_format == 'channels_first'
    x = np.random.default_rng(1).permutation(2 * math.prod(shape_cf)).reshape(
        (2,) + layout(shape_cf, data_format)).astype(float)           # distinct values: no ties
    layer = MaxPooling2D(pool, strides, padding, data_format=data_format, input_shape=x.shape[1:])
    Sequential([layer])
    [step] = layer.trace(x).forward
    _, winners = naive_pool2d(x, 'max', pool, strides or pool, padding, channels_first)
    np.testing.assert_array_equal(step.facts['winners'], winners)
    cols = x.shape[3] if channels_first else x.shape[2]
    assert step.facts['winner index'] == f'row·{cols} + col in x'
    assert 'winners' in str(layer.trace(x))


def test_max_pooling1d_winners_are_steps():
    x = np.array([[[1.0, 9.0], [3.0, 2.0], [0.0, 5.0], [4.0, 1.0], [2.0, 7.0]]])    # (1, 5 steps, 2)
    op = pooling.Pool('max', (2,), (1,), 'valid', (1,))
    op.forward(am.to_device(x))
    np.testing.assert_array_equal(op.describe()['winners'], [[[1, 0], [1, 2], [3, 2], [3, 4]]])


def _input_gradient(function, x, g):
    """dL/dx for L = Σ g ⊙ function(x), by the tape."""
    tensor = Tensor(am.to_device(x), requires_grad=True)
    with Tape() as tape:
        y = function(tensor)
    tape.backward(y, am.to_device(g))
    return am.to_numpy(tensor.grad)


@pytest.mark.parametrize('mode', ['max', 'avg'])
@pytest.mark.parametrize('case', [CASES_2D[1], CASES_2D[2], CASES_2D[3]], ids=str)
def test_overlapping_windows_add_their_gradients(case, mode):
    shape_cf, pool, strides, padding = case
    rng = np.random.default_rng(2)
    x = rng.permutation(2 * math.prod(shape_cf)).reshape((2,) + shape_cf).astype(float)
    y, winners = naive_pool2d(x, mode, pool, strides, padding, channels_first=True)
    g = rng.standard_normal(y.shape)
    # the naive backward: every window hands its gradient to its winner (max) or to each of
    # its real elements, divided by their number (avg)
    expected = np.zeros_like(x)
    _, _, rows, cols = x.shape
    out_r, out_c = y.shape[2:]
    top = max((out_r - 1) * strides[0] + pool[0] - rows, 0) // 2 if padding == 'same' else 0
    left = max((out_c - 1) * strides[1] + pool[1] - cols, 0) // 2 if padding == 'same' else 0
    for b, c, i, j in np.ndindex(*y.shape):
        if mode == 'max':
            r, k = divmod(winners[b, c, i, j], cols)
            expected[b, c, r, k] += g[b, c, i, j]
        else:
            r0, c0 = i * strides[0] - top, j * strides[1] - left
            rs = slice(max(r0, 0), min(r0 + pool[0], rows))
            cs = slice(max(c0, 0), min(c0 + pool[1], cols))
            expected[b, c, rs, cs] += g[b, c, i, j] / expected[b, c, rs, cs].size
    function = functools.partial(pooling.max_pool if mode == 'max' else pooling.avg_pool, pool_size=pool,
                                 strides=strides, padding=padding, data_format='channels_first')
    np.testing.assert_allclose(_input_gradient(function, x, g), expected, rtol=1e-12, atol=1e-12)


def test_an_element_that_wins_every_window_gets_every_gradient():
    x = np.array([[[[1.0, 2.0, 3.0], [4.0, 9.0, 5.0], [6.0, 7.0, 8.0]]]])
    grad = _input_gradient(lambda t: pooling.max_pool(t, (2, 2), (1, 1), data_format='channels_first'),
                           x, np.ones((1, 1, 2, 2)))
    np.testing.assert_array_equal(grad, [[[[0, 0, 0], [0, 4, 0], [0, 0, 0]]]])


def test_ties_go_to_the_first_maximum():
    x = np.array([[[[5.0, 5.0, 1.0, 7.0], [5.0, 5.0, 7.0, 7.0]]]])         # (1, 1, 2, 4)
    op = pooling.Pool('max', (2, 2), (2, 2), 'valid', (2, 3))
    op.forward(am.to_device(x))
    np.testing.assert_array_equal(op.winners(), [[[[0, 3]]]])              # row 0 col 0; row 0 col 3
    [grad] = op.backward(am.to_device(np.array([[[[1.0, 2.0]]]])))
    np.testing.assert_array_equal(am.to_numpy(grad), [[[[1, 0, 0, 2], [0, 0, 0, 0]]]])


def test_backend_pool2d_spelling():
    x = np.random.default_rng(3).standard_normal((2, 5, 6, 3))
    for mode in ('max', 'avg'):
        y = pooling.pool2d(am.to_device(x), (2, 3), (2, 2), border_mode='same', dim_ordering='tf', pool_mode=mode)
        np.testing.assert_allclose(am.to_numpy(y.data), naive_pool2d(x, mode, (2, 3), (2, 2), 'same', False)[0],
                                   rtol=1e-12)


# ----------------------------------------------------------------------------- mistakes

@pytest.mark.backend_independent
def test_impossible_configurations_fail_at_add_time():
    model = Sequential()
    with pytest.raises(ValueError, match=r"pool_2d.*\(3, 3\).*\(None, 1, 2, 5\)"):
        model.add(MaxPooling2D((3, 3), input_shape=(1, 2, 5), name='pool_2d'))
    with pytest.raises(ValueError, match=r"pool_1d.*\(4,\).*\(None, 3, 2\)"):
        Sequential().add(AveragePooling1D(4, input_shape=(3, 2), name='pool_1d'))
    with pytest.raises(ValueError, match=r"flat_pool.*4-D.*\(None, 5, 5\)"):
        Sequential().add(MaxPooling2D(input_shape=(5, 5), name='flat_pool'))
    with pytest.raises(ValueError, match=r"seq_pool.*3-D.*\(None, 5\)"):
        Sequential().add(MaxPooling1D(input_shape=(5,), name='seq_pool'))
    with pytest.raises(ValueError, match=r"global_pool.*4-D.*\(None, 5, 5\)"):
        Sequential().add(GlobalAveragePooling2D(input_shape=(5, 5), name='global_pool'))
    with pytest.raises(ValueError, match=r"global_seq.*3-D.*\(None, 5, 5, 2\)"):
        Sequential().add(GlobalMaxPooling1D(input_shape=(5, 5, 2), name='global_seq'))
    # 'same' padding fits any input
    Sequential().add(MaxPooling2D((3, 3), border_mode='same', input_shape=(1, 2, 5)))


@pytest.mark.backend_independent
def test_bad_settings_name_the_layer():
    with pytest.raises(ValueError, match='bad_size'):
        MaxPooling2D(pool_size=(0, 2), name='bad_size')
    with pytest.raises(ValueError, match='bad_stride'):
        MaxPooling1D(2, stride=(1, 1), name='bad_stride')
    with pytest.raises(ValueError, match='bad_padding'):
        AveragePooling2D(border_mode='full', name='bad_padding')
    with pytest.raises(ValueError, match='bad_format'):
        MaxPooling2D(dim_ordering='xy', name='bad_format')
    with pytest.raises(ValueError, match='two_names'):
        MaxPooling1D(pool_length=2, pool_size=3, name='two_names')
    with pytest.raises(TypeError, match='MaxPooling2D'):
        MaxPooling2D(pool_lenght=2)


@pytest.mark.parametrize('mode', ['max', 'avg'])
@pytest.mark.parametrize('shape, pool, strides', [((1, 2, 4, 6), (2, 2), (2, 2)),       # tiled exactly
                                                  ((1, 2, 5, 7), (2, 2), (2, 2)),       # a row and a column left over
                                                  ((1, 2, 7, 7), (2, 2), (3, 3))],      # inputs skipped between windows
                         ids=['tiled', 'left_over', 'skipped'])
def test_inputs_no_window_reaches_get_zero_gradient(monkeypatch, shape, pool, strides, mode):
    """Backward skips writing zeros only where the windows cover x exactly: with fresh
    memory full of NaN, the gradient is still the naive one (0 wherever no window reaches)."""
    def dirty_empty(shape, order, dtype):
        return am.zeros_in_order(shape, order, dtype) + float('nan')
    monkeypatch.setattr(am, 'empty_in_order', dirty_empty)
    rng = np.random.default_rng(5)
    x = rng.permutation(math.prod(shape)).reshape(shape).astype(float)
    y, winners = naive_pool2d(x, mode, pool, strides, 'valid', channels_first=True)
    g = rng.standard_normal(y.shape)
    expected = np.zeros_like(x)
    cols = shape[3]
    for b, c, i, j in np.ndindex(*y.shape):
        if mode == 'max':
            r, k = divmod(winners[b, c, i, j], cols)
            expected[b, c, r, k] += g[b, c, i, j]
        else:
            r0, c0 = i * strides[0], j * strides[1]
            expected[b, c, r0:r0 + pool[0], c0:c0 + pool[1]] += g[b, c, i, j] / math.prod(pool)
    function = functools.partial(pooling.max_pool if mode == 'max' else pooling.avg_pool, pool_size=pool,
                                 strides=strides, padding='valid', data_format='channels_first')
    np.testing.assert_allclose(_input_gradient(function, x, g), expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize('offsets', [1, 2, 4, 9, 130])
def test_winner_is_the_first_offset_holding_the_maximum(offsets):
    """``first_offset_holding`` counts the offsets that lost before the winner; it names the
    same offset as an argmax over the stacked parts (which takes the first of equal maxima),
    with many ties, for windows of one to 130 elements (int8, then int32 winners)."""
    rng = np.random.default_rng(offsets)
    parts = [am.to_device(rng.integers(0, 3, size=(4, 5, 3)).astype(float)) for _ in range(offsets)]
    y = functools.reduce(am.xp().maximum, parts)
    winner = am.to_numpy(pooling.first_offset_holding(parts, y))
    expected = np.stack([am.to_numpy(part) for part in parts]).argmax(axis=0)
    np.testing.assert_array_equal(winner, expected)
    assert winner.dtype == (np.int8 if offsets <= 128 else np.int32)
