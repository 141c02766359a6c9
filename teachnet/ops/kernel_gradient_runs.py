"""dL/dW of a stride-1 convolution without copying the patches: products on runs of pixels.

dL/dW = Pᵀ·G (see ``teachnet.ops.convolution``) sums, for each kernel offset (a, b), the
pixels that sat under that offset times the gradient of their window:

    dL/dW[a,b] = Σ_{n,i,j} x[n, i+a, j+b, :]ᵀ · G[n,i,j,:]          (c_in, c_out)

Read the channels-last image as one long row of pixels, each sample's rows laid end to
end and the samples one after another: pixel (n, r, c) is number (n·rows + r)·cols + c.
Give G a window for every pixel, (n, i, j) for all i < rows and j < cols, zero for the
windows that do not exist (i ≥ rows' or j ≥ cols'): call it G_ext, (n·rows·cols, c_out).
Window number t then starts at pixel t, and its entry (a, b) is pixel t + a·cols + b. So
for one offset, the pixels of all the windows in order are one contiguous run of the image
itself, and the sum above is one product, taken straight from the image's memory:

    dL/dW[a,b] = X[a·cols + b : a·cols + b + T]ᵀ · G_ext[:T]       X: (n·rows·cols, c_in)

The zero windows multiply real pixels by zero and add nothing to the sums (for finite
pixels; an infinite one would give NaN where the patches give ±inf or a number). The
windows whose entry (kh-1, kw-1) would lie past the batch's last pixel are all zero
windows (the last sample's rows i ≥ rows' and its columns j ≥ cols' of row rows' - 1), so
every offset stops before them: the same T for all, and the kh·kw runs are one strided
view of X (``indexing.shifted_runs``), multiplied by G_ext[:T] in one call of ``matmul``.

Against Pᵀ·G through copied patches: no copy of P, but kh·kw products instead of one,
each (c_in, T)·(T, c_out), on rows·cols/(rows'·cols') times as many windows. That pays when
the zero windows are few (wide images) and the products not too thin (``runs_pay_off``).
The passes go through the batch a few samples at a time, as the patches' do: a pass's
pixels and its G_ext stay in the cache across the kh·kw products, and the passes are those
of one thread however many threads share them, so the sum is the same to the last bit.
"""
from teachnet.backend import array_module as am
from teachnet.backend import indexing, sample_passes

#: the products on runs multiply rows·cols/(rows'·cols') times as many windows as there
#: are; measured on the guide's convnet (one thread), they paid at 1.15 (30x30 images,
#: 5.7 -> 4.9 ms) and lost at 1.36 (14x14, 1.7 -> 2.8 ms)
MOST_EXTRA_WINDOWS = 0.2

#: with fewer input channels the products (c_in, T)·(T, c_out) are too thin to run fast
#: (3 channels: 1.2 -> 1.4 ms on the guide's first layer)
FEWEST_CHANNELS = 16


def runs_pay_off(image_shape, kernel_shape, strides):
    """Whether dL/dW of this stride-1 convolution is faster from runs of pixels than from
    copied patches: few zero windows, enough input channels, on the host (a GPU runs
    one large im2col product anyway)."""
    _, rows, cols, c_in = image_shape
    kh, kw = kernel_shape[:2]
    out_rows, out_cols = rows - kh + 1, cols - kw + 1
    return (tuple(strides) == (1, 1) and am.get_backend() != 'cupy' and c_in >= FEWEST_CHANNELS
            and out_rows > 0 and out_cols > 0 and rows * cols <= (1 + MOST_EXTRA_WINDOWS) * out_rows * out_cols)


def kernel_gradient_from_runs(image, grad_matrix, kernel_shape, chunk):
    """dL/dW[a,b] = Σ_s X_s,abᵀ·G_ext,s, (kh, kw, c_in, c_out), for a stride-1 convolution
    of the channels-last (padded) ``image``, with G = dL/dz read as (n·rows'·cols', c_out).

    s runs over passes of ``chunk`` samples, G_ext,s is G_ext of the pass's samples and
    X_s,ab the run of pixels under offset (a, b) of their windows."""
    xp = am.xp()
    kh, kw, c_in, c_out = kernel_shape
    n, rows, cols, _ = image.shape
    out_rows, out_cols = rows - kh + 1, cols - kw + 1
    per_sample = rows * cols                                        # windows of G_ext a sample
    last_shift = (kh - 1) * cols + kw - 1                           # pixel (kh-1, kw-1) of window 0
    pixels = image.reshape(n * per_sample, c_in)                    # X: the batch as one long row
    grad_windows = grad_matrix.reshape(n, out_rows, out_cols, c_out)
    dtype = am.host.result_type(image.dtype, grad_matrix.dtype)
    per_pass = xp.zeros((max(1, -(-n // chunk)), kh, kw, c_in, c_out), dtype=dtype)   # each pass's dL/dW

    def one_pass(first, last):
        extended = xp.zeros((last - first, rows, cols, c_out), dtype=grad_matrix.dtype)   # G_ext of these samples
        extended[:, :out_rows, :out_cols] = grad_windows[first:last]
        extended = extended.reshape(-1, c_out)
        length = min(len(extended), len(pixels) - first * per_sample - last_shift)      # not past the last pixel
        runs = indexing.shifted_runs(pixels[first * per_sample:], ((kh, cols), (kw, 1)), length)
        # runs[a, b] = X[first·rows·cols + a·cols + b :][:length]; all kh·kw products in one call
        xp.matmul(runs.swapaxes(-1, -2), extended[:length], out=per_pass[first // chunk])

    sample_passes.for_each_pass(n, chunk, one_pass, flops_per_pass=2 * chunk * per_sample * kh * kw * c_in * c_out)
    return per_pass.sum(axis=0)
