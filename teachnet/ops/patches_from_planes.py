"""The patches of an image with few channels, copied from its channel planes, transposed.

im2col copies each window's kh·kw·c_in numbers into a row of P (see
``teachnet.ops.convolution``). From a channels-last image the copy moves runs of kw·c_in
numbers, one per window row: 9 numbers for a 3x3 kernel on a colour image, and a copy in
such short runs spends its time starting runs (the guide's first layer: 0.5 ms to copy
P's 28,800 x 27 numbers). When the image's memory is channels-first (n, c, rows, cols), as
the input data of a channels-first model are, the transposed patch matrix

    Pᵀ[(a,b,c), (n,i,j)] = x[n, c, i+a, j+b]                 (kh·kw·c_in, n·rows'·cols')

copies in runs of cols' numbers: for one (a, b, c, n, i), the windows j = 0, 1, ... read
x[n, c, i+a, b], x[n, c, i+a, b+1], ..., side by side in memory (stride 1 only). The same
numbers as P, transposed, so the products are the same ones:

    forward    Z_s = (Pᵀ_s)ᵀ·W_mat + b
    dL/dW      Σ_s Pᵀ_s·G_s

pass by pass, as ``patches_times_kernel`` and ``kernel_gradient_from_patches`` take them.
In forward the matrix library reads Pᵀ_s transposed: Z came out the same to the last bit
with the OpenBLAS here (a test holds it). dL/dW can differ in the last bits (the library
may sum P_sᵀ·G_s and Pᵀ_s·G_s in other orders). It pays when the planes' runs are longer
than the windows': cols' > kw·c_in (``planes_pay_off``).
"""
from teachnet.backend import array_module as am
from teachnet.backend import indexing, sample_passes
from teachnet.ops.bias_blocks import bias_rows


def planes_pay_off(x, kernel_shape, strides, padding, data_format):
    """Whether x's patches copy faster from its channel planes: a channels-first x laid
    out channels-first in memory, stride 1, no padding, windows of kw·c_in numbers per
    row shorter than the cols' windows along a plane's row; on the host."""
    kh, kw, c_in, _ = kernel_shape
    if data_format != 'channels_first' or am.get_backend() == 'cupy' or tuple(strides) != (1, 1):
        return False
    out_cols = x.shape[3] - kw + 1
    return (all(p == 0 for pair in padding for p in pair) and x.flags['C_CONTIGUOUS'] and x.shape[2] >= kh
            and out_cols > kw * c_in)


def transposed_patch_view(planes, kernel_size):
    """Pᵀ as a view of the channels-first ``planes``, no copy: view[a, b, c, n, i, j] =
    x[n, c, i+a, j+b]; a pass copies its samples' part, view[:, :, :, first:last]."""
    windows = indexing.sliding_windows(planes, kernel_size, (1, 1), axes=(2, 3))    # [n, c, i, j, a, b]
    return windows.transpose(4, 5, 1, 0, 2, 3)


def patches_times_kernel_from_planes(planes, kernel, bias, chunk):
    """Z = P·W_mat + b as feature maps (n, rows', cols', c_out), each pass copying its
    samples' Pᵀ_s from the planes (``chunk`` samples a pass)."""
    xp = am.xp()
    kh, kw, c_in, c_out = kernel.shape
    view = transposed_patch_view(planes, (kh, kw))
    n, out_rows, out_cols = view.shape[3:]
    per_sample = out_rows * out_cols
    z = xp.empty((n * per_sample, c_out), dtype=am.host.result_type(planes.dtype, kernel.dtype))
    kernel_matrix = kernel.reshape(kh * kw * c_in, c_out)
    bias_block = None if bias is None else bias_rows(bias, chunk * per_sample)         # b on each row of a pass

    def one_pass(first, last):
        patches_t = xp.ascontiguousarray(view[:, :, :, first:last]).reshape(kh * kw * c_in, -1)   # Pᵀ_s
        rows = z[first * per_sample:last * per_sample]
        xp.dot(patches_t.T, kernel_matrix, out=rows)                                           # P_s·W_mat
        if bias is not None:
            rows += bias_block[:len(rows)]

    sample_passes.for_each_pass(n, chunk, one_pass, flops_per_pass=2 * chunk * per_sample * kh * kw * c_in * c_out)
    return z.reshape(n, out_rows, out_cols, c_out)


def kernel_gradient_from_planes(planes, grad_matrix, kernel_shape, chunk):
    """dL/dW = Σ_s Pᵀ_s·G_s over passes of ``chunk`` samples, Pᵀ_s copied from the planes,
    added up in the order of the samples; read back as (kh, kw, c_in, c_out)."""
    xp = am.xp()
    kh, kw, c_in, c_out = kernel_shape
    view = transposed_patch_view(planes, (kh, kw))
    n, out_rows, out_cols = view.shape[3:]
    per_sample = out_rows * out_cols
    dtype = am.host.result_type(planes.dtype, grad_matrix.dtype)
    per_pass = xp.zeros((max(1, -(-n // chunk)), kh * kw * c_in, c_out), dtype=dtype)

    def one_pass(first, last):
        patches_t = xp.ascontiguousarray(view[:, :, :, first:last]).reshape(kh * kw * c_in, -1)   # Pᵀ_s
        xp.dot(patches_t, grad_matrix[first * per_sample:last * per_sample], out=per_pass[first // chunk])

    sample_passes.for_each_pass(n, chunk, one_pass, flops_per_pass=2 * chunk * per_sample * kh * kw * c_in * c_out)
    return per_pass.sum(axis=0).reshape(kernel_shape)
