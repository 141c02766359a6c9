"""ZeroPadding1D/2D, UpSampling1D/2D and Cropping2D against plain NumPy."""
import functools

import numpy as np
import pytest

from teachnet.layers import Dense
from teachnet.layers.image_reshaping import Cropping2D, UpSampling1D, UpSampling2D, ZeroPadding1D, ZeroPadding2D
from teachnet.models import Sequential

from .harness import layer_test

FORMATS = ['channels_first', 'channels_last']


def image_shape(data_format, channels, rows, cols):
    return (channels, rows, cols) if data_format == 'channels_first' else (rows, cols, channels)


def on_rows_cols(data_format, function):
    """Apply ``function`` to a channels-last (n, rows, cols, c) view of x, whatever the format."""
    def reference(x, weights):
        if data_format == 'channels_first':
            return function(x.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)
        return function(x)
    return reference


# ----------------------------------------------------------------------------- ZeroPadding

@pytest.mark.parametrize('padding, before, after', [(1, 1, 1), ((0, 2), 0, 2), ((3, 1), 3, 1)], ids=str)
def test_zero_padding1d(padding, before, after):
    def reference(x, weights):
        y = np.zeros((x.shape[0], before + x.shape[1] + after, x.shape[2]))
        y[:, before:before + x.shape[1]] = x
        return y
    result = layer_test(functools.partial(ZeroPadding1D, padding), (5, 3), reference=reference,
                        expected_output_shape=(5 + before + after, 3))
    assert tuple(result.layer.get_config()['padding']) == (before, after)


@pytest.mark.parametrize('data_format', FORMATS)
@pytest.mark.parametrize('padding, pads', [
    (1, ((1, 1), (1, 1))),
    ((1, 2), ((1, 1), (2, 2))),                        # Keras 1: (rows, cols) on both sides
    ((2, 0, 1, 3), ((2, 0), (1, 3))),                  # Keras 1.2: (top, bottom, left, right)
    (((0, 1), (2, 0)), ((0, 1), (2, 0))),              # Keras 2: ((top, bottom), (left, right))
], ids=str)
def test_zero_padding2d(data_format, padding, pads):
    (top, bottom), (left, right) = pads

    def pad(x):
        n, rows, cols, c = x.shape
        y = np.zeros((n, top + rows + bottom, left + cols + right, c))
        y[:, top:top + rows, left:left + cols, :] = x
        return y
    factory = functools.partial(ZeroPadding2D, padding, data_format=data_format)
    result = layer_test(factory, image_shape(data_format, 2, 3, 4), reference=on_rows_cols(data_format, pad),
                        expected_output_shape=image_shape(data_format, 2, 3 + top + bottom, 4 + left + right))
    assert result.layer.get_config()['dim_ordering'] == ('th' if data_format == 'channels_first' else 'tf')


# ----------------------------------------------------------------------------- UpSampling

def nearest(x, axis, factor):
    """Each entry copied ``factor`` times: index i of the output reads index ⌊i / factor⌋."""
    return np.take(x, np.arange(x.shape[axis] * factor) // factor, axis=axis)


@pytest.mark.parametrize('kwargs, factor', [({}, 2), ({'length': 3}, 3), ({'size': 1}, 1)], ids=str)
def test_upsampling1d(kwargs, factor):
    result = layer_test(functools.partial(UpSampling1D, **kwargs), (4, 3),
                        reference=lambda x, w: nearest(x, 1, factor), expected_output_shape=(4 * factor, 3))
    assert result.layer.get_config()['length'] == factor


@pytest.mark.parametrize('data_format', FORMATS)
@pytest.mark.parametrize('size', [(2, 2), (1, 3), 2], ids=str)
def test_upsampling2d(data_format, size):
    rows_factor, cols_factor = (size, size) if isinstance(size, int) else size
    factory = functools.partial(UpSampling2D, size, dim_ordering='th' if data_format == 'channels_first' else 'tf')
    layer_test(factory, image_shape(data_format, 2, 3, 2),
               reference=on_rows_cols(data_format, lambda x: nearest(nearest(x, 1, rows_factor), 2, cols_factor)),
               expected_output_shape=image_shape(data_format, 2, 3 * rows_factor, 2 * cols_factor))


# ----------------------------------------------------------------------------- Cropping

@pytest.mark.parametrize('data_format', FORMATS)
@pytest.mark.parametrize('cropping, crops', [
    (((1, 0), (0, 2)), ((1, 0), (0, 2))),
    ((1, 1), ((1, 1), (1, 1))),
    (((0, 0), (0, 0)), ((0, 0), (0, 0))),
], ids=str)
def test_cropping2d(data_format, cropping, crops):
    (top, bottom), (left, right) = crops
    factory = functools.partial(Cropping2D, cropping, data_format=data_format)
    layer_test(factory, image_shape(data_format, 2, 4, 5),
               reference=on_rows_cols(data_format, lambda x: x[:, top:4 - bottom, left:5 - right, :]),
               expected_output_shape=image_shape(data_format, 2, 4 - top - bottom, 5 - left - right))


# ----------------------------------------------------------------------------- mistakes

@pytest.mark.backend_independent
def test_mistakes_are_refused_at_add_time():
    with pytest.raises(ValueError, match=r'crop_much.*\(\(2, 2\), \(0, 0\)\).*\(None, 1, 4, 4\)'):
        Sequential([Cropping2D(((2, 2), (0, 0)), input_shape=(1, 4, 4), name='crop_much')])
    flat = Sequential([Dense(3, input_dim=2)])
    for layer in (ZeroPadding2D(name='zp2'), UpSampling2D(name='up2'), Cropping2D(name='crop2')):
        with pytest.raises(ValueError, match=rf'{layer.name}.*4-D.*\(None, 3\)'):
            flat.add(layer)
    for layer in (ZeroPadding1D(name='zp1'), UpSampling1D(name='up1')):
        with pytest.raises(ValueError, match=rf'{layer.name}.*3-D.*\(None, 3\)'):
            flat.add(layer)
    with pytest.raises(ValueError, match='zp_bad'):
        ZeroPadding2D((1, -1), name='zp_bad')
    with pytest.raises(ValueError, match='up_bad'):
        UpSampling2D((0, 2), name='up_bad')
    with pytest.raises(ValueError, match='zp1_bad'):
        ZeroPadding1D((1, 2, 3), name='zp1_bad')
