"""The convolution's passes over the batch: a few samples at a time, on one thread or
shared among several, without a whole patch matrix; each against the plain im2col, one
product and a naive col2im."""
import numpy as np
import pytest


# ----------------------------------------------------------------------------- memory

@pytest.mark.backend_independent
@pytest.mark.parametrize('threads', [1, 2])
@pytest.mark.parametrize('data_format', ['channels_first', 'channels_last'])
def test_backward_holds_one_pass_of_patch_gradients_beside_the_patches(monkeypatch, data_format, threads):
    """A convolution never holds a whole patch matrix P (forward and dL/dW make its rows a
    few samples at a time) nor a P-sized dL/dP: backward adds dL/dx and, per thread, the
    patch gradients of one pass (here one sample: its kh·kw blocks, a window for each of
    the 22 columns) beside a ninth of P's size for the rest (dL/dW's rows of P, G_ext)."""
    import tracemalloc

    from teachnet.backend import array_module as am
    from teachnet.backend import sample_passes
    from teachnet.ops import convolution
    from teachnet.ops.convolution import conv2d
    from teachnet.ops.tape import Tape
    from teachnet.ops.tensor import Tensor

    monkeypatch.setattr(sample_passes, 'pass_threads', lambda: threads)
    monkeypatch.setattr(convolution, 'SHARED_CACHE_BYTES', convolution.CACHE_BYTES)   # one sample a pass
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
    pass_bytes = 9 * 20 * 22 * 8 * 4                           # one sample's dL/dP, 22 windows a row
    assert peak < padded_input_bytes + threads * (pass_bytes + patches_bytes / 9) + 2 * x.data.nbytes, peak
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
    kernel_t = am.to_device(np.ascontiguousarray(kernel.transpose(0, 1, 3, 2)))     # kernel_t[a, b] = W[a,b]ᵀ
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
    monkeypatch.setattr(convolution, 'KERNEL_GRADIENT_ROWS', 1)   # dL/dW's passes as small as forward's
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
    monkeypatch.setattr(convolution, 'KERNEL_GRADIENT_ROWS', 1)
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


@pytest.mark.parametrize('rows_per_sample, expected', [(16, 8), (100, 2), (300, 1), (6, 10)])
def test_kernel_gradient_passes_hold_enough_rows_for_its_product(monkeypatch, rows_per_sample, expected):
    """A pass of dL/dW takes at least KERNEL_GRADIENT_ROWS rows of P (its product's sums run
    over them), however few samples fit in the cache: 128 rows, 16 a sample -> 8 samples;
    never more than the batch (10 samples)."""
    from teachnet.backend import array_module as am
    from teachnet.backend import sample_passes
    from teachnet.ops import convolution

    monkeypatch.setattr(convolution, 'KERNEL_GRADIENT_ROWS', 128)
    monkeypatch.setattr(convolution, 'CACHE_BYTES', 1)
    taken = []
    monkeypatch.setattr(sample_passes, 'for_each_pass',
                        lambda n, per_pass, one_pass, flops_per_pass=0: taken.append(per_pass))
    image = am.to_device(np.zeros((10, rows_per_sample, 3, 2)))          # 1x3 kernel: rows_per_sample rows
    convolution.kernel_gradient(image, am.to_device(np.zeros((10 * rows_per_sample, 4))), (1, 3, 2, 4), (1, 1))
    assert taken == [expected] or am.get_backend() == 'cupy'


@pytest.mark.parametrize('n, fitting, threads, expected', [(32, 10, 2, 8), (32, 16, 2, 16), (32, 6, 2, 6),
                                                           (32, 100, 3, 11), (7, 1, 2, 1), (32, 10, 1, 10)])
def test_shared_passes_give_each_thread_as_many(monkeypatch, n, fitting, threads, expected):
    """With several threads the passes come in a multiple of the threads, each no larger
    than fits: 32 samples with 10 fitting make 4 passes of 8 on two threads, not 10, 10,
    10 and 2 (one thread with 20 samples, the other 12)."""
    from teachnet.backend import array_module as am
    from teachnet.ops import convolution

    monkeypatch.setattr(convolution, 'CACHE_BYTES', fitting * 100)
    monkeypatch.setattr(convolution, 'SHARED_CACHE_BYTES', fitting * 100)
    assert convolution.samples_per_pass(n, 100, threads=threads) == expected or am.get_backend() == 'cupy'


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


def test_a_pass_adds_its_bias_from_a_block_of_rows_the_same_as_broadcast(teachnet_backend):
    """Step 4 adds b from ``bias_rows``, b on every row of a pass (on a GPU a (1, c_out)
    view): the same sums as b broadcast, also for a last pass shorter than the block."""
    from teachnet.backend import array_module as am
    from teachnet.ops.bias_blocks import bias_rows

    rng = np.random.default_rng(4)
    bias = am.to_device(rng.standard_normal(5).astype('float32'))
    block = bias_rows(bias, 7)
    z = rng.standard_normal((6, 5)).astype('float32')
    broadcast, pass_rows = am.to_device(z.copy()), am.to_device(z.copy())
    broadcast += bias
    pass_rows += block[:6]
    np.testing.assert_array_equal(am.to_numpy(pass_rows), am.to_numpy(broadcast))
    expected_shape = (1, 5) if teachnet_backend == 'cupy' else (7, 5)
    assert block.shape == expected_shape and block.dtype == bias.dtype
    np.testing.assert_array_equal(am.to_numpy(block), np.tile(am.to_numpy(bias), (expected_shape[0], 1)))
