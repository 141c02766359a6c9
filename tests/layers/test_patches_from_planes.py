"""The patches of an image with few channels, copied transposed from its channel planes:
the same Z and dL/dW as through the channels-last patches, to the last bit."""
import numpy as np
import pytest


def planes_and_image(shape, seed):
    """A channels-first float32 batch and its channels-last copy (what the op keeps)."""
    from teachnet.backend import array_module as am
    from teachnet.ops import convolution

    x = am.to_device(np.random.default_rng(seed).standard_normal(shape).astype('float32'))
    return x, convolution.pad_and_put_channels_last(x, convolution.NO_PADDING, 'channels_first')


@pytest.mark.parametrize('chunk', [1, 2, 5], ids=['one sample', 'two, shorter last', 'all'])
@pytest.mark.parametrize('bias', [True, False])
def test_planes_give_the_same_numbers_as_the_patches(monkeypatch, chunk, bias):
    """Z = (Pᵀ_s)ᵀ·W_mat + b from the planes is Z through the channels-last patches to the
    last bit (the library reads Pᵀ_s transposed: the same product); dL/dW = Σ_s Pᵀ_s·G_s is
    Σ_s P_sᵀ·G_s to rounding (the library may sum the two layouts in different orders)."""
    from teachnet.backend import array_module as am
    from teachnet.backend import sample_passes
    from teachnet.ops import convolution, patches_from_planes

    monkeypatch.setattr(sample_passes, 'pass_threads', lambda: 1)
    x, image = planes_and_image((5, 2, 9, 11), chunk)
    rng = np.random.default_rng(chunk)
    kernel = am.to_device(rng.standard_normal((3, 2, 2, 4)).astype('float32'))
    b = am.to_device(rng.standard_normal(4).astype('float32')) if bias else None
    grad_matrix = am.to_device(rng.standard_normal((5 * 7 * 10, 4)).astype('float32'))
    monkeypatch.setattr(convolution, 'CACHE_BYTES', chunk * 7 * 10 * 12 * 4)     # the patches' passes: chunk samples
    monkeypatch.setattr(convolution, 'KERNEL_GRADIENT_ROWS', 1)
    z = patches_from_planes.patches_times_kernel_from_planes(x, kernel, b, chunk)
    expected_z = convolution.patches_times_kernel(image, kernel, (1, 1), b)
    np.testing.assert_array_equal(am.to_numpy(z), am.to_numpy(expected_z))
    grad_kernel = patches_from_planes.kernel_gradient_from_planes(x, grad_matrix, (3, 2, 2, 4), chunk)
    expected = convolution.kernel_gradient_from_patches(image, grad_matrix, (3, 2, 2, 4), (1, 1))
    np.testing.assert_allclose(am.to_numpy(grad_kernel), am.to_numpy(expected), rtol=1e-5, atol=1e-4)
    patches = am.to_numpy(convolution.im2col(image, (3, 2), (1, 1))).reshape(-1, 12).astype(float)
    np.testing.assert_allclose(am.to_numpy(grad_kernel).reshape(12, 4), patches.T @ am.to_numpy(grad_matrix),
                               rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize('threads', [2, 3])
def test_threads_sharing_the_planes_compute_the_same_numbers(monkeypatch, threads):
    from teachnet.backend import array_module as am
    from teachnet.backend import sample_passes
    from teachnet.ops import convolution
    from teachnet.ops.tape import Tape
    from teachnet.ops.tensor import Tensor

    monkeypatch.setattr(convolution, 'CACHE_BYTES', 1)                # one sample a pass
    monkeypatch.setattr(convolution, 'KERNEL_GRADIENT_ROWS', 1)
    x, _ = planes_and_image((7, 1, 6, 9), threads)
    rng = np.random.default_rng(threads)
    grad_z = am.to_device(rng.standard_normal((7, 4, 4, 7)).astype('float32'))
    kernel_data = rng.standard_normal((3, 3, 1, 4)).astype('float32')
    results = []
    for count in (1, threads):
        monkeypatch.setattr(sample_passes, 'pass_threads', lambda: count)
        kernel = Tensor(am.to_device(kernel_data), requires_grad=True)
        with Tape() as tape:
            z = convolution.conv2d(x, kernel, data_format='channels_first')
        assert tape.records[0].planes is x or am.get_backend() == 'cupy'
        tape.backward(z, grad_z)
        results.append([am.to_numpy(array) for array in (z.data, kernel.grad)])
    for one, many in zip(*results):
        np.testing.assert_array_equal(many, one)


def test_the_first_layer_of_a_channels_first_model_takes_its_patches_from_the_planes():
    """The input data of a channels-first model are laid out channels-first: a 3x3 kernel
    on 3 channels copies runs of 9 numbers per window row, the planes runs of cols' = 30.
    The trace's P (rebuilt from the channels-last image) is still what forward multiplied."""
    from teachnet.backend import array_module as am
    from teachnet.ops.convolution import conv2d
    from teachnet.ops.tape import Tape
    from teachnet.ops.tensor import Tensor

    rng = np.random.default_rng(3)
    x = Tensor(am.to_device(rng.standard_normal((2, 3, 32, 32))), requires_grad=True)
    kernel, bias = rng.standard_normal((3, 3, 3, 5)), rng.standard_normal(5)
    with Tape() as tape:
        z = conv2d(x, am.to_device(kernel), am.to_device(bias), data_format='channels_first')
    [op] = tape.records
    assert op.planes is x.data or am.get_backend() == 'cupy'
    patches = am.to_numpy(op.patches)
    np.testing.assert_allclose((patches @ kernel.reshape(27, 5) + bias).reshape(2, 30, 30, 5).transpose(0, 3, 1, 2),
                               am.to_numpy(z.data), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize('case, expected', [
    ('the guide\'s first layer', True), ('channels last', False), ('channels-last memory', False),
    ('padding', False), ('stride 2', False), ('32 channels', False)])
def test_planes_are_taken_for_few_channels_laid_out_channels_first(case, expected):
    from teachnet.backend import array_module as am
    from teachnet.ops import patches_from_planes

    planes = am.to_device(np.zeros((2, 3, 32, 32), dtype='float32'))
    x, kernel_shape, strides, padding, data_format = planes, (3, 3, 3, 32), (1, 1), ((0, 0), (0, 0)), 'channels_first'
    if case == 'channels last':
        x, data_format = am.to_device(np.zeros((2, 32, 32, 3), dtype='float32')), 'channels_last'
    elif case == 'channels-last memory':
        x = am.to_device(np.zeros((2, 32, 32, 3), dtype='float32')).transpose(0, 3, 1, 2)
    elif case == 'padding':
        padding = ((1, 1), (1, 1))
    elif case == 'stride 2':
        strides = (2, 2)
    elif case == '32 channels':
        x, kernel_shape = am.to_device(np.zeros((2, 32, 30, 30), dtype='float32')), (3, 3, 32, 32)
    taken = patches_from_planes.planes_pay_off(x, kernel_shape, strides, padding, data_format)
    assert taken is (expected and am.get_backend() != 'cupy')
