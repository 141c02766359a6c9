"""Convolution1D/2D (and Conv1D/Conv2D) against naive loops over output positions."""
import functools
import json
import math

import numpy as np
import pytest

from teachnet.backend import image_format
from teachnet.inspect.feature_maps import feature_maps
from teachnet.layers import Activation, Dense, Flatten, deserialize
from teachnet.layers.convolutional import Conv1D, Conv2D, Convolution1D, Convolution2D
from teachnet.models import Sequential

from .harness import layer_test
from .references import NUMPY_ACTIVATIONS


# ----------------------------------------------------------------------------- naive references

def same_pads(length, window, stride):
    """'same' zeros (before, after): the output has ⌈length / stride⌉ positions, and the
    windows at those positions reach (out - 1)·stride + window entries; the extra ones are
    padding, the smaller half before."""
    out = -(-length // stride)
    total = max((out - 1) * stride + window - length, 0)
    return total // 2, total - total // 2


def naive_conv2d(x, W, b, strides, padding, data_format):
    """z[n,i,j,k] = Σ_{a,b,c} x[n, i·s+a, j·s+b, c]·W[a,b,c,k] + b_k, one output position at a time."""
    if data_format == 'channels_first':
        x = x.transpose(0, 2, 3, 1)
    kh, kw, _, filters = W.shape
    if padding == 'same':
        x = np.pad(x, ((0, 0), same_pads(x.shape[1], kh, strides[0]), same_pads(x.shape[2], kw, strides[1]), (0, 0)))
    n, rows, cols, _ = x.shape
    out_rows, out_cols = (rows - kh) // strides[0] + 1, (cols - kw) // strides[1] + 1
    z = np.zeros((n, out_rows, out_cols, filters))
    for i in range(out_rows):
        for j in range(out_cols):
            window = x[:, i * strides[0]:i * strides[0] + kh, j * strides[1]:j * strides[1] + kw, :]
            for k in range(filters):
                z[:, i, j, k] = (window * W[:, :, :, k]).sum(axis=(1, 2, 3)) + (b[k] if b is not None else 0)
    return z.transpose(0, 3, 1, 2) if data_format == 'channels_first' else z


def naive_conv1d(x, W, b, stride, padding):
    """z[n,t,k] = Σ_{a,c} x[n, t·s+a, c]·W[a,c,k] + b_k, one step at a time."""
    length, _, filters = W.shape
    if padding == 'same':
        x = np.pad(x, ((0, 0), same_pads(x.shape[1], length, stride), (0, 0)))
    steps = (x.shape[1] - length) // stride + 1
    z = np.zeros((x.shape[0], steps, filters))
    for t in range(steps):
        window = x[:, t * stride:t * stride + length, :]
        z[:, t, :] = np.einsum('nac,ack->nk', window, W) + (b if b is not None else 0)
    return z


def conv2d_reference(strides, padding, data_format, activation='linear', bias=True):
    def reference(x, weights):
        return NUMPY_ACTIVATIONS[activation](
            naive_conv2d(x, weights[0], weights[1] if bias else None, strides, padding, data_format))
    return reference


# ----------------------------------------------------------------------------- Convolution2D

IMAGES = [((2, 5, 6), (3, 2)), ((3, 6, 5), (2, 3)), ((1, 4, 4), (3, 3))]     # (c, rows, cols), kernel


@pytest.mark.parametrize('data_format', ['channels_first', 'channels_last'])
@pytest.mark.parametrize('strides', [(1, 1), (2, 2), (2, 1)], ids=str)
@pytest.mark.parametrize('padding', ['valid', 'same'])
@pytest.mark.parametrize('image, kernel', IMAGES, ids=str)
def test_convolution2d(data_format, strides, padding, image, kernel):
    channels, rows, cols = image
    input_shape = image if data_format == 'channels_first' else (rows, cols, channels)
    factory = functools.partial(Convolution2D, 3, kernel[0], kernel[1], border_mode=padding, subsample=strides,
                                dim_ordering='th' if data_format == 'channels_first' else 'tf',
                                bias_initializer='uniform')
    result = layer_test(factory, input_shape, reference=conv2d_reference(strides, padding, data_format))
    W, b = result.layer.get_weights()
    assert W.shape == kernel + (channels, 3) and b.shape == (3,)        # Keras 2 layout, either format


@pytest.mark.parametrize('activation', ['relu', 'tanh', 'sigmoid'])
@pytest.mark.parametrize('bias', [True, False])
def test_convolution2d_activation_and_bias(activation, bias):
    factory = functools.partial(Conv2D, 2, (2, 2), activation=activation, use_bias=bias,
                                data_format='channels_first')
    result = layer_test(factory, (2, 4, 3), reference=conv2d_reference((1, 1), 'valid', 'channels_first',
                                                                        activation, bias))
    assert len(result.layer.get_weights()) == (2 if bias else 1)
    assert result.layer.get_config()['bias'] is bias


def test_both_formats_share_the_kernel():
    """The same (rows, cols, in, out) weights give the same maps, transposed, in either format."""
    rng = np.random.default_rng(1)
    first = Sequential([Convolution2D(4, 3, 2, dim_ordering='th', input_shape=(2, 6, 5))])
    last = Sequential([Conv2D(4, (3, 2), data_format='channels_last', input_shape=(6, 5, 2))])
    last.set_weights(first.get_weights())
    x = rng.standard_normal((3, 2, 6, 5))
    np.testing.assert_allclose(first.predict(x), last.predict(x.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2),
                               rtol=1e-5, atol=1e-6)


def test_default_format_follows_the_global_setting():
    assert Convolution2D(2, 3, 3).data_format == 'channels_first'        # as in the guide
    try:
        image_format.set_image_dim_ordering('tf')
        layer = Convolution2D(2, 3, 3, input_shape=(8, 8, 1))
        Sequential([layer])
        assert layer.data_format == 'channels_last' and layer.output_shape == (None, 6, 6, 2)
        assert Convolution2D(2, 3, 3, dim_ordering='th').data_format == 'channels_first'
    finally:
        image_format.set_image_data_format('channels_first')


@pytest.mark.backend_independent
def test_keras1_and_keras2_spellings_agree():
    keras1 = Convolution2D(8, 3, 2, border_mode='same', subsample=(2, 1), dim_ordering='tf', bias=False,
                           init='he_normal', name='a')
    keras2 = Conv2D(8, (3, 2), strides=(2, 1), padding='same', data_format='channels_last', use_bias=False,
                    kernel_initializer='he_normal', name='a')
    also = Convolution2D(filters=8, kernel_size=(3, 2), strides=(2, 1), padding='same', data_format='tf',
                         use_bias=False, kernel_initializer='he_normal', name='a')
    config = keras1.get_config()
    assert keras2.get_config() == config == also.get_config()
    assert {'nb_filter': 8, 'nb_row': 3, 'nb_col': 2, 'border_mode': 'same', 'subsample': (2, 1),
            'dim_ordering': 'tf', 'init': 'he_normal', 'bias': False}.items() <= config.items()
    assert Conv2D(4, 3).kernel_size == (3, 3) and Convolution2D(4, 5, 5).kernel_size == (5, 5)


@pytest.mark.backend_independent
def test_a_keras1_config_loads():
    spec = {'class_name': 'Convolution2D', 'config': {
        'name': 'convolution2d_7', 'trainable': True, 'batch_input_shape': [None, 3, 10, 10],
        'nb_filter': 5, 'nb_row': 3, 'nb_col': 3, 'init': 'glorot_uniform', 'activation': 'relu',
        'border_mode': 'valid', 'subsample': [1, 1], 'dim_ordering': 'th', 'W_regularizer': None,
        'b_regularizer': None, 'activity_regularizer': None, 'W_constraint': None, 'b_constraint': None,
        'bias': True}}
    layer = deserialize(json.loads(json.dumps(spec)))
    Sequential([layer])
    assert layer.output_shape == (None, 5, 8, 8)
    assert [w.shape for w in layer.get_weights()] == [(3, 3, 3, 5), (5,)]


@pytest.mark.backend_independent
def test_glorot_fans_count_the_receptive_field():
    """glorot_uniform: U(-l, l), l = √(6 / (fan_in + fan_out)), fan_in = rows·cols·in, fan_out = rows·cols·out."""
    layer = Convolution2D(40, 5, 5, input_shape=(30, 9, 9))
    Sequential([layer])
    W = layer.get_weights()[0]
    limit = math.sqrt(6 / (25 * 30 + 25 * 40))
    assert np.abs(W).max() <= limit and np.abs(W).max() > 0.99 * limit
    one_d = Convolution1D(40, 5, input_shape=(9, 30))
    Sequential([one_d])
    W = one_d.get_weights()[0]
    assert W.shape == (5, 30, 40)
    limit = math.sqrt(6 / (5 * 30 + 5 * 40))                  # fan_in = length·in, fan_out = length·out
    assert np.abs(W).max() <= limit and np.abs(W).max() > 0.99 * limit


# ----------------------------------------------------------------------------- Convolution1D

@pytest.mark.parametrize('stride', [1, 2])
@pytest.mark.parametrize('padding', ['valid', 'same'])
@pytest.mark.parametrize('steps, length', [(7, 3), (6, 2), (5, 5)], ids=str)
def test_convolution1d(stride, padding, steps, length):
    def reference(x, weights):
        return naive_conv1d(x, weights[0], weights[1], stride, padding)

    factory = functools.partial(Convolution1D, 4, length, border_mode=padding, subsample_length=stride,
                                bias_initializer='uniform')
    result = layer_test(factory, (steps, 3), reference=reference)
    assert result.layer.get_weights()[0].shape == (length, 3, 4)


def test_a_wide_convolution_checks_its_kernel_gradient_from_runs():
    """Over 30 steps of 16 channels a 3-step kernel leaves few zero windows, so dL/dW is
    taken from runs of pixels (``kernel_gradient_runs``): the numerical gradient checks
    hold there too."""
    from teachnet.backend import array_module as am
    from teachnet.ops import kernel_gradient_runs

    assert kernel_gradient_runs.runs_pay_off((2, 1, 30, 16), (1, 3, 16, 4), (1, 1)) or am.get_backend() == 'cupy'

    def reference(x, weights):
        return naive_conv1d(x, weights[0], weights[1], 1, 'valid')

    layer_test(functools.partial(Convolution1D, 4, 3, bias_initializer='uniform'), (30, 16), reference=reference)


@pytest.mark.backend_independent
def test_conv1d_spellings_and_input_dim():
    keras1 = Convolution1D(nb_filter=6, filter_length=3, border_mode='same', subsample_length=2,
                           input_dim=5, input_length=9, name='c')
    keras2 = Conv1D(6, 3, strides=2, padding='same', input_shape=(9, 5), name='c')
    assert keras1.get_config() == keras2.get_config()
    assert {'nb_filter': 6, 'filter_length': 3, 'subsample_length': 2}.items() <= keras1.get_config().items()
    model = Sequential([keras1])
    assert model.output_shape == (None, 5, 6)


# ----------------------------------------------------------------------------- mistakes, at add time

@pytest.mark.backend_independent
def test_a_kernel_larger_than_its_input_is_refused_at_add():
    model = Sequential([Dense(4, input_dim=3), Activation('relu')])
    with pytest.raises(ValueError, match=r'conv_big.*5x5.*\(None, 1, 3, 3\)'):
        Sequential([Convolution2D(2, 5, 5, input_shape=(1, 3, 3), name='conv_big')])
    with pytest.raises(ValueError, match=r'conv_flat.*4-D.*\(None, 4\)'):
        model.add(Convolution2D(2, 3, 3, name='conv_flat'))
    with pytest.raises(ValueError, match=r'conv_seq.*3-D'):
        model.add(Conv1D(2, 3, name='conv_seq'))
    with pytest.raises(ValueError, match=r'conv_long.*5.*\(None, 3, 2\)'):
        Sequential([Conv1D(2, 5, input_shape=(3, 2), name='conv_long')])
    assert len(model.layers) == 2                              # refused layers were not added
    same = Sequential([Convolution2D(2, 5, 5, border_mode='same', input_shape=(1, 3, 3))])   # fine with 'same'
    assert same.output_shape == (None, 2, 3, 3)


@pytest.mark.backend_independent
@pytest.mark.parametrize('kwargs, words', [
    (dict(nb_filter=0, nb_row=3, nb_col=3), 'nb_filter'),
    (dict(nb_filter=2, nb_row=3, nb_col=3, border_mode='full'), 'border_mode'),
    (dict(nb_filter=2, nb_row=3, nb_col=3, subsample=(0, 1)), 'subsample'),
    (dict(nb_filter=2, nb_row=3, nb_col=3, dilation_rate=2), 'dilat'),
    (dict(nb_filter=2, nb_row=3, nb_col=3, dim_ordering='xy'), 'data format'),
    (dict(nb_filter=2), 'kernel size'),
], ids=lambda v: str(v) if isinstance(v, str) else '')
def test_bad_arguments_name_the_problem(kwargs, words):
    with pytest.raises(ValueError, match=words):
        Convolution2D(name='conv_bad', **kwargs)


# ----------------------------------------------------------------------------- inspection

@pytest.mark.parametrize('data_format', ['channels_first', 'channels_last'])
def test_trace_shows_the_patches(data_format):
    """The traced conv step carries P[(n,i,j), (a,b,c)] = x[n, i·s+a, j·s+b, c] and its steps."""
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 3, 5, 4))                     # channels first
    layer = Convolution2D(2, 2, 3, subsample=(2, 1), dim_ordering='th' if data_format == 'channels_first' else 'tf',
                          input_shape=(3, 5, 4) if data_format == 'channels_first' else (5, 4, 3))
    Sequential([layer])
    given = x if data_format == 'channels_first' else x.transpose(0, 2, 3, 1)
    [step] = layer.trace(given).forward
    last = x.transpose(0, 2, 3, 1)
    expected = np.array([last[n, i * 2:i * 2 + 2, j:j + 3, :].ravel() for n in range(2) for i in range(2)
                         for j in range(2)])
    np.testing.assert_allclose(step.facts['patches'], expected, rtol=1e-6)
    text = step.describe()
    for words in ('im2col', 'patches P (8, 18)', 'W_mat', '(18, 2)', 'bias', 'reshape', 'feature maps'):
        assert words in text


def test_feature_maps_of_any_layer():
    rng = np.random.default_rng(3)
    model = Sequential([Convolution2D(3, 3, 3, input_shape=(1, 6, 6), name='conv'), Activation('relu', name='relu'),
                        Flatten(name='flat'), Dense(2, name='out')])
    x = rng.standard_normal((5, 1, 6, 6))
    W, b = model.layers[0].get_weights()
    maps = feature_maps(model, x, 'conv', batch_size=2)
    assert isinstance(maps, np.ndarray) and maps.shape == (5, 3, 4, 4)
    np.testing.assert_allclose(maps, naive_conv2d(x, W, b, (1, 1), 'valid', 'channels_first'), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(feature_maps(model, x, 'relu'), np.maximum(maps, 0), rtol=1e-6)
    np.testing.assert_allclose(feature_maps(model, x, 'out'), model.predict(x), rtol=1e-6)
    assert 'call' not in vars(model.layers[0])                  # the layer is left as it was
    with pytest.raises(ValueError, match="no layer named 'conv9'.*'conv'"):
        feature_maps(model, x, 'conv9')
