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


# ----------------------------------------------------------------------------- memory

@pytest.mark.backend_independent
@pytest.mark.parametrize('threads', [1, 2])
@pytest.mark.parametrize('data_format', ['channels_first', 'channels_last'])
def test_backward_holds_at_most_one_block_beside_the_patches(monkeypatch, data_format, threads):
    """A convolution never holds a whole patch matrix P (forward and dL/dW make its rows a
    few samples at a time) nor a P-sized dL/dP: backward adds dL/dx and one block of patch
    gradients per thread (a pass's rows over kh·kw offsets, at most P's size over kh·kw)."""
    import tracemalloc

    from teachnet.backend import array_module as am
    from teachnet.backend import sample_passes
    from teachnet.ops.convolution import conv2d
    from teachnet.ops.tape import Tape
    from teachnet.ops.tensor import Tensor

    monkeypatch.setattr(sample_passes, 'pass_threads', lambda: threads)
    rng = np.random.default_rng(4)
    shape = (16, 8, 20, 20) if data_format == 'channels_first' else (16, 20, 20, 8)
    x = Tensor(am.to_device(rng.standard_normal(shape).astype('float32')), requires_grad=True)
    kernel = Tensor(am.to_device(rng.standard_normal((3, 3, 8, 8)).astype('float32')), requires_grad=True)
    bias = Tensor(am.to_device(np.zeros(8, dtype='float32')), requires_grad=True)
    with Tape() as tape:
        z = conv2d(x, kernel, bias, padding=((1, 1), (1, 1)), data_format=data_format)
    [op] = tape.records
    patches_bytes = op.patches.nbytes                         # (16·20·20, 3·3·8) float32: 1.8 MB
    grad_z = am.to_device(rng.standard_normal(z.data.shape).astype('float32'))
    tracemalloc.start()
    try:
        tape.backward(z, grad_z)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    padded_input_bytes = 16 * 22 * 22 * 8 * 4                 # dL/dx before the padding is cut off
    assert peak < padded_input_bytes + threads * patches_bytes / 9 + 2 * x.data.nbytes, (peak, patches_bytes)
    assert peak < 0.75 * patches_bytes
    expected_bias_grad = am.to_numpy(grad_z).astype('float64').sum(axis=(0, 2, 3) if data_format ==
                                                                   'channels_first' else (0, 1, 2))
    np.testing.assert_allclose(am.to_numpy(bias.grad), expected_bias_grad, rtol=1e-4, atol=1e-3)


# ----------------------------------------------------------------------------- col2im, a few samples at a time

def naive_col2im(grad_z, kernel, padded_shape, strides):
    """dL/dx[n, i·s+a, j·s+b, c] += Σ_k G[n,i,j,k]·W[a,b,c,k], one window offset at a time."""
    grad_x = np.zeros(padded_shape)
    kh, kw = kernel.shape[:2]
    _, out_rows, out_cols, _ = grad_z.shape
    for i in range(out_rows):
        for j in range(out_cols):
            for a in range(kh):
                for b in range(kw):
                    grad_x[:, i * strides[0] + a, j * strides[1] + b, :] += grad_z[:, i, j, :] @ kernel[a, b].T
    return grad_x


@pytest.mark.parametrize('cache_bytes', [1, 3300, 1 << 30], ids=['one sample', 'a few', 'all'])
@pytest.mark.parametrize('strides', [(1, 1), (2, 2)], ids=str)
def test_col2im_adds_the_same_whatever_the_number_of_samples_per_pass(monkeypatch, cache_bytes, strides):
    """col2im takes the samples a few at a time (to stay in the cache): one at a time,
    a few with a shorter last pass (5 samples), or all at once, dL/dx is the same."""
    from teachnet.backend import array_module as am
    from teachnet.backend import sample_passes
    from teachnet.ops import convolution

    monkeypatch.setattr(convolution, 'CACHE_BYTES', cache_bytes)
    monkeypatch.setattr(sample_passes, 'pass_threads', lambda: 1)
    rng = np.random.default_rng(7)
    n, rows, cols, c_in, c_out = 5, 7, 6, 3, 4
    kernel = rng.standard_normal((3, 2, c_in, c_out))
    out_rows, out_cols = (rows - 3) // strides[0] + 1, (cols - 2) // strides[1] + 1
    grad_z = rng.standard_normal((n, out_rows, out_cols, c_out))
    per_pass = convolution.samples_per_pass(n, (out_rows * out_cols * c_in + rows * cols * c_in) * 8)
    assert per_pass == {1: 1, 3300: 2, 1 << 30: 5}[cache_bytes] or am.get_backend() == 'cupy'
    grad_x = convolution.col2im_of_patch_gradients(am.to_device(grad_z.reshape(-1, c_out)), am.to_device(kernel),
                                                   (n, out_rows, out_cols), (n, rows, cols, c_in), strides)
    np.testing.assert_allclose(am.to_numpy(grad_x), naive_col2im(grad_z, kernel, (n, rows, cols, c_in), strides),
                               rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize('shape', [(2, 7, 6, 3, 4, 3, 2), (3, 5, 9, 2, 5, 1, 3), (1, 4, 4, 4, 2, 4, 4)], ids=str)
def test_stride_one_adds_runs_of_pixels_the_same_as_strided_slices(shape):
    """With stride 1, col2im adds each offset's block as one run of pixels per sample; the
    numbers are those of the strided slices, to the last bit (the extra windows add zeros),
    for kernels from 1x3 to the whole image."""
    from teachnet.backend import array_module as am
    from teachnet.ops import convolution

    n, rows, cols, c_in, c_out, kh, kw = shape
    rng = np.random.default_rng(list(shape))
    out_rows, out_cols = rows - kh + 1, cols - kw + 1
    kernel = rng.standard_normal((kh, kw, c_in, c_out)).astype('float32')
    kernel_t = [[am.to_device(np.ascontiguousarray(kernel[a, b].T)) for b in range(kw)] for a in range(kh)]
    grad_rows = am.to_device(rng.standard_normal((n * out_rows * out_cols, c_out)).astype('float32'))
    by_slices, by_runs = (am.to_device(np.zeros((n, rows, cols, c_in), dtype='float32')) for _ in range(2))
    convolution.add_window_gradients(by_slices, grad_rows, kernel_t, (n, out_rows, out_cols), (1, 1))
    convolution.add_window_gradients_as_runs(by_runs, grad_rows, kernel_t, (n, out_rows, out_cols))
    np.testing.assert_array_equal(am.to_numpy(by_runs), am.to_numpy(by_slices))
    expected = naive_col2im(am.to_numpy(grad_rows).reshape(n, out_rows, out_cols, c_out).astype(float), kernel,
                            (n, rows, cols, c_in), (1, 1))
    np.testing.assert_allclose(am.to_numpy(by_runs), expected, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize('cache_bytes', [1, 7300, 1 << 30], ids=['one sample', 'a few', 'all'])
@pytest.mark.parametrize('strides', [(1, 1), (2, 1)], ids=str)
def test_passes_a_few_samples_at_a_time_are_im2col_then_one_product(monkeypatch, cache_bytes, strides):
    """Forward copies and multiplies the patches a few samples at a time, and backward
    copies them again for dL/dW: Z is P·W_mat + b and dL/dW is Pᵀ·G for the P of the plain
    im2col, however many samples a pass takes (one, two with a shorter last pass, all)."""
    from teachnet.backend import array_module as am
    from teachnet.backend import sample_passes
    from teachnet.ops import convolution

    monkeypatch.setattr(convolution, 'CACHE_BYTES', cache_bytes)
    monkeypatch.setattr(sample_passes, 'pass_threads', lambda: 1)
    rng = np.random.default_rng([cache_bytes, *strides])      # other numbers than the case before
    image = am.to_device(rng.standard_normal((5, 7, 6, 3)))
    kernel = am.to_device(rng.standard_normal((3, 2, 3, 4)))
    bias = am.to_device(rng.standard_normal(4))
    z = convolution.patches_times_kernel(image, kernel, strides, bias)
    patches = am.to_numpy(convolution.im2col(image, (3, 2), strides))
    out_rows, out_cols = patches.shape[1:3]
    per_pass = convolution.samples_per_pass(5, out_rows * out_cols * 18 * 8)
    assert {1: per_pass == 1, 7300: 1 < per_pass < 5, 1 << 30: per_pass == 5}[cache_bytes] or am.get_backend() == 'cupy'
    patches = patches.reshape(-1, 3 * 2 * 3)
    expected_z = (patches @ am.to_numpy(kernel).reshape(-1, 4) + am.to_numpy(bias)).reshape(5, out_rows, out_cols, 4)
    np.testing.assert_allclose(am.to_numpy(z), expected_z, rtol=1e-12, atol=1e-12)
    grad_z = rng.standard_normal((5 * out_rows * out_cols, 4))
    grad_kernel = convolution.kernel_gradient(image, am.to_device(grad_z), (3, 2, 3, 4), strides)
    np.testing.assert_allclose(am.to_numpy(grad_kernel), (patches.T @ grad_z).reshape(3, 2, 3, 4),
                               rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize('threads', [2, 3])
@pytest.mark.parametrize('bias', [True, False])
def test_threads_sharing_the_passes_compute_the_same_numbers(monkeypatch, threads, bias):
    """With several threads allowed, each takes a share of the passes (its own samples):
    Z = P·W_mat + b, dL/dW = Σ_s P_sᵀ·G_s and col2im's dL/dx are those of one thread, to
    the last bit."""
    from teachnet.backend import array_module as am
    from teachnet.backend import sample_passes
    from teachnet.ops import convolution

    monkeypatch.setattr(convolution, 'CACHE_BYTES', 1)          # one sample per pass: 7 passes
    rng = np.random.default_rng(threads)
    image = am.to_device(rng.standard_normal((7, 6, 5, 3)).astype('float32'))
    kernel = am.to_device(rng.standard_normal((3, 2, 3, 4)).astype('float32'))
    b = am.to_device(rng.standard_normal(4).astype('float32')) if bias else None
    grad_matrix = am.to_device(rng.standard_normal((7 * 4 * 4, 4)).astype('float32'))

    def the_passes():
        z = convolution.patches_times_kernel(image, kernel, (1, 1), b)
        grad_kernel = convolution.kernel_gradient(image, grad_matrix, (3, 2, 3, 4), (1, 1))
        grad_x = convolution.col2im_of_patch_gradients(grad_matrix, kernel, (7, 4, 4), (7, 6, 5, 3), (1, 1))
        return [am.to_numpy(array) for array in (z, grad_kernel, grad_x)]

    monkeypatch.setattr(sample_passes, 'pass_threads', lambda: 1)
    alone = the_passes()
    monkeypatch.setattr(sample_passes, 'pass_threads', lambda: threads)
    shared = the_passes()
    for one, many in zip(alone, shared):
        np.testing.assert_array_equal(many, one)
    patches = am.to_numpy(convolution.im2col(image, (3, 2), (1, 1))).reshape(-1, 18)
    expected_z = patches @ am.to_numpy(kernel).reshape(-1, 4) + (am.to_numpy(b) if bias else 0)
    np.testing.assert_allclose(alone[0].reshape(-1, 4), expected_z, rtol=1e-5, atol=1e-5)


def test_a_trace_shows_the_patches_that_forward_multiplied():
    """P is not kept whole: op.patches rebuilds it from the padded image the op kept, and
    P·W_mat + b is what forward returned ('same' padding, channels first)."""
    from teachnet.backend import array_module as am
    from teachnet.ops.convolution import conv2d
    from teachnet.ops.tape import Tape
    from teachnet.ops.tensor import Tensor

    rng = np.random.default_rng(11)
    x = Tensor(am.to_device(rng.standard_normal((3, 2, 5, 4))), requires_grad=True)
    kernel, bias = rng.standard_normal((3, 3, 2, 4)), rng.standard_normal(4)
    with Tape() as tape:
        z = conv2d(x, am.to_device(kernel), am.to_device(bias), padding=((1, 1), (1, 1)),
                   data_format='channels_first')
    [op] = tape.records
    patches = am.to_numpy(op.patches)
    assert patches.shape == (3 * 5 * 4, 18)
    np.testing.assert_array_equal(patches[0].reshape(3, 3, 2)[0], 0)               # the zeros above row 0
    np.testing.assert_allclose(patches.reshape(3, 5, 4, 18)[1, 2, 1].reshape(3, 3, 2).transpose(2, 0, 1),
                               am.to_numpy(x.data)[1, :, 1:4, 0:3])                  # window (1, 0) of sample 1
    np.testing.assert_allclose((patches @ kernel.reshape(18, 4) + bias).reshape(3, 5, 4, 4).transpose(0, 3, 1, 2),
                               am.to_numpy(z.data), rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(op.describe()['patches'], patches)


def test_an_empty_batch_goes_through_both_passes():
    from teachnet.backend import array_module as am
    from teachnet.ops import convolution

    kernel = am.to_device(np.ones((3, 3, 2, 4)))
    image = am.to_device(np.zeros((0, 5, 5, 2)))
    z = convolution.patches_times_kernel(image, kernel, (1, 1))
    assert z.shape == (0, 3, 3, 4)
    grad_kernel = convolution.kernel_gradient(image, am.to_device(np.zeros((0, 4))), (3, 3, 2, 4), (1, 1))
    np.testing.assert_array_equal(am.to_numpy(grad_kernel), np.zeros((3, 3, 2, 4)))
    grad_x = convolution.col2im_of_patch_gradients(am.to_device(np.zeros((0, 4))), kernel, (0, 3, 3), (0, 5, 5, 2),
                                                   (1, 1))
    assert grad_x.shape == (0, 5, 5, 2)
