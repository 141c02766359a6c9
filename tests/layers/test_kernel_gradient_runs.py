"""dL/dW of a stride-1 convolution from runs of the image's pixels (no copied patches),
against Pᵀ·G of the plain im2col; and where the convolution takes that way."""
import numpy as np
import pytest


def patches_gradient(image, grad_matrix, kernel_shape):
    """Pᵀ·G for the whole P of the plain im2col, on the host in float64."""
    from teachnet.backend import array_module as am
    from teachnet.ops import convolution

    patches = am.to_numpy(convolution.im2col(am.to_device(image), kernel_shape[:2], (1, 1)))
    return (patches.reshape(-1, np.prod(kernel_shape[:3])).T @ grad_matrix).reshape(kernel_shape)


@pytest.mark.parametrize('chunk', [1, 2, 5], ids=['one sample', 'two, shorter last', 'all'])
@pytest.mark.parametrize('shape', [(5, 7, 6, 3, 4, 3, 2), (5, 1, 9, 2, 3, 1, 3), (5, 4, 4, 2, 3, 1, 1),
                                   (5, 4, 5, 2, 2, 4, 5)], ids=['3x2 kernel', 'one row', '1x1', 'whole image'])
def test_runs_of_pixels_give_the_patches_kernel_gradient(shape, chunk):
    """dL/dW[a,b] = X_runᵀ·G_ext, offset by offset, is Pᵀ·G: for a 3x2 kernel, a one-row
    image (a 1-D convolution), a 1x1 kernel and a kernel as large as the image, one
    sample a pass, two (the last pass shorter) or all five."""
    from teachnet.backend import array_module as am
    from teachnet.ops import kernel_gradient_runs

    n, rows, cols, c_in, c_out, kh, kw = shape
    rng = np.random.default_rng([*shape, chunk])
    image = rng.standard_normal((n, rows, cols, c_in))
    grad_matrix = rng.standard_normal((n * (rows - kh + 1) * (cols - kw + 1), c_out))
    grad_kernel = kernel_gradient_runs.kernel_gradient_from_runs(am.to_device(image), am.to_device(grad_matrix),
                                                                 (kh, kw, c_in, c_out), chunk)
    np.testing.assert_allclose(am.to_numpy(grad_kernel), patches_gradient(image, grad_matrix, (kh, kw, c_in, c_out)),
                               rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize('threads', [2, 3])
def test_threads_sharing_the_runs_compute_the_same_numbers(monkeypatch, threads):
    """The passes of dL/dW from runs are those of one thread (here one sample each),
    whatever the number of threads sharing them: the same sum to the last bit."""
    from teachnet.backend import array_module as am
    from teachnet.backend import sample_passes
    from teachnet.ops import convolution, kernel_gradient_runs

    monkeypatch.setattr(kernel_gradient_runs, 'MOST_EXTRA_WINDOWS', 10)    # runs for this small image too
    monkeypatch.setattr(convolution, 'CACHE_BYTES', 1)
    monkeypatch.setattr(convolution, 'KERNEL_GRADIENT_ROWS', 1)
    chunks = []
    from_runs = kernel_gradient_runs.kernel_gradient_from_runs
    monkeypatch.setattr(kernel_gradient_runs, 'kernel_gradient_from_runs',
                        lambda *args: chunks.append(args[-1]) or from_runs(*args))
    rng = np.random.default_rng(threads)
    image = am.to_device(rng.standard_normal((7, 6, 8, 16)).astype('float32'))
    grad_matrix = am.to_device(rng.standard_normal((7 * 4 * 6, 8)).astype('float32'))
    results = []
    for count in (1, threads):
        monkeypatch.setattr(sample_passes, 'pass_threads', lambda: count)
        results.append(am.to_numpy(convolution.kernel_gradient(image, grad_matrix, (3, 3, 16, 8), (1, 1))))
    assert chunks == [1, 1] or am.get_backend() == 'cupy'
    np.testing.assert_array_equal(results[1], results[0])


@pytest.mark.backend_independent
@pytest.mark.parametrize('image_shape, kernel_shape, strides, expected', [
    ((32, 32, 32, 3), (3, 3, 3, 32), (1, 1), False),       # the guide's first layer: 3 channels
    ((32, 30, 30, 32), (3, 3, 32, 32), (1, 1), True),      # second: 900 windows for 784
    ((32, 14, 14, 32), (3, 3, 32, 64), (1, 1), False),     # third: 196 for 144
    ((32, 12, 12, 64), (3, 3, 64, 64), (1, 1), False),     # fourth: 144 for 100
    ((32, 98, 98, 32), (3, 3, 32, 32), (1, 1), True),      # the second on the guide's 100x100 images
    ((32, 30, 30, 32), (3, 3, 32, 32), (2, 2), False),     # stride 2
    ((8, 1, 100, 32), (1, 5, 32, 16), (1, 1), True),       # a 1-D convolution over 100 steps
], ids=['first', 'second', 'third', 'fourth', 'second on 100x100', 'stride 2', '1-D'])
def test_runs_are_taken_where_few_windows_are_zero(image_shape, kernel_shape, strides, expected):
    from teachnet.backend import array_module as am
    from teachnet.ops import kernel_gradient_runs

    taken = kernel_gradient_runs.runs_pay_off(image_shape, kernel_shape, strides)
    assert taken is (expected and am.get_backend() != 'cupy')


def test_the_convolution_takes_the_runs_where_they_pay(monkeypatch):
    """kernel_gradient goes through the runs for the guide's second layer (here 3 samples),
    with the same numbers as the copied patches, to rounding."""
    from teachnet.backend import array_module as am
    from teachnet.ops import convolution, kernel_gradient_runs

    calls = []
    from_runs = kernel_gradient_runs.kernel_gradient_from_runs
    monkeypatch.setattr(kernel_gradient_runs, 'kernel_gradient_from_runs',
                        lambda *args: calls.append(args[-1]) or from_runs(*args))
    rng = np.random.default_rng(5)
    image = am.to_device(rng.standard_normal((3, 30, 30, 32)).astype('float32'))
    grad_matrix = am.to_device(rng.standard_normal((3 * 28 * 28, 32)).astype('float32'))
    grad_kernel = convolution.kernel_gradient(image, grad_matrix, (3, 3, 32, 32), (1, 1))
    expected = convolution.kernel_gradient_from_patches(image, grad_matrix, (3, 3, 32, 32), (1, 1))
    assert len(calls) == (0 if am.get_backend() == 'cupy' else 1)
    np.testing.assert_allclose(am.to_numpy(grad_kernel), am.to_numpy(expected), rtol=1e-4, atol=1e-3)


def test_shifted_runs_are_views_of_the_rows():
    from teachnet.backend import array_module as am
    from teachnet.backend import indexing

    matrix = np.arange(40.0).reshape(20, 2)
    runs = indexing.shifted_runs(am.to_device(matrix), ((3, 5), (2, 1)), 9)    # the last run: rows 11 to 19
    assert runs.shape == (3, 2, 9, 2)
    for a in range(3):
        for b in range(2):
            np.testing.assert_array_equal(am.to_numpy(runs[a, b]), matrix[a * 5 + b:a * 5 + b + 9])
    with pytest.raises(ValueError):
        indexing.shifted_runs(am.to_device(matrix), ((3, 5), (2, 1)), 10)
