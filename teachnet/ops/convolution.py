"""Convolution as one matrix product: im2col, then Z = P·W + b.

A 2-D convolution slides a small kernel W of shape (kh, kw, c_in, c_out) over an image x of
shape (n, rows, cols, c_in). At each output position (i, j) every filter k takes the
kh·kw·c_in numbers under the kernel, multiplies them by its weights and adds them up:

    z[n,i,j,k] = Σ_{a,b,c} x[n, i·s+a, j·s+b, c] · W[a,b,c,k] + b_k        (s: the stride)

As loops that is seven of them. *im2col* ("image to columns") turns it into one matrix
product, the operation computers do fastest, in five steps:

1. pad      zeros around x ('same' padding; 'valid' adds none)
2. im2col   copy the window under each output position into one row of a matrix P:
                P[(n,i,j), (a,b,c)] = x[n, i·s+a, j·s+b, c]      P: (n·rows'·cols', kh·kw·c_in)
3. matmul   Z = P · W_mat, where W_mat is the kernel read as a (kh·kw·c_in, c_out) matrix
4. bias     Z + b: each filter's bias at every position
5. reshape  Z (n·rows'·cols', c_out) back into feature maps (n, rows', cols', c_out)

Backward runs the steps in reverse. With G = dL/dz read as a (n·rows'·cols', c_out) matrix:

    dL/dW = Pᵀ · G                  (kh·kw·c_in, c_out), read back as (kh, kw, c_in, c_out)
    dL/db = Σ_rows G                (c_out,)
    dL/dP = G · W_matᵀ              one row of gradients per window
    dL/dx = col2im(dL/dP)           each window's gradients added back onto the pixels it
                                    was copied from; a pixel that sat in several windows
                                    gets the sum: dL/dx[n, i·s+a, j·s+b, c] += dL/dP[(n,i,j), (a,b,c)]

col2im goes one kernel offset (a, b) at a time: for a fixed offset the pixels
x[:, a::s, b::s] are all different, so one strided slice takes the block's additions with
no repeated index, and the loop runs over the kh·kw offsets only. The block of dL/dP that
belongs to offset (a, b) is G·W[a,b]ᵀ, where W[a,b] is the (c_in, c_out) slice of the
kernel: the same numbers as the matching columns of G·W_matᵀ. So backward computes one
block, adds it onto dL/dx and reuses its memory for the next offset: it never holds the
whole of dL/dP, only a block, a ninth of P's size for a 3x3 kernel (and it takes a few
samples at a time, so the block is smaller still).

The bias gradient Σ_rows G is computed as the product 1ᵀ·G of a row of ones with G: the
same sum, done by the matrix library, several times faster than a column sum.

The work goes through the batch a few samples per pass (``samples_per_pass``), so that
what a pass copies or adds is still in the processor's cache when it is used again:

    forward    P_s = im2col of these samples, then Z_s = P_s·W_mat + b
    backward   dL/dW = Σ_s P_sᵀ·G_s     (P_s copied again), and col2im of these samples

where s runs over the passes and P_s, G_s are their rows of P and G (two shortcuts for the
copies: ``kernel_gradient_runs``, ``patches_from_planes``). P is never held whole:
its rows are copied into the cache, used, and dropped (P of the guide's second layer is
29 MB; writing it to memory and reading it back cost more than copying it twice). The op
keeps the padded image instead, and ``op.patches`` rebuilds the whole P from it for a trace:
the rows each pass multiplied. Z and dL/dx are the same as in one pass over all samples;
dL/dW is the same sum taken pass by pass, so it can differ from one product Pᵀ·G in the
last bits. With several threads allowed, the passes are shared among them
(``teachnet.backend.sample_passes``), each thread on its own samples: the same numbers,
however many threads.

Inside, images are channels-last (n, rows, cols, c), so that one window's kw·c numbers
along a row sit side by side in memory; channels-first images are transposed at the edges.
The kernel is always (kh, kw, c_in, c_out), whatever the image layout. A 1-D convolution
over (n, steps, c) is the 2-D one on an image with a single row.
"""
import math

from teachnet.backend import array_module as am
from teachnet.backend import indexing, sample_passes
from teachnet.ops import bias_blocks, kernel_gradient_runs, patches_from_planes
from teachnet.ops.op import Op
from teachnet.ops.operands import wants_gradient

NO_PADDING = ((0, 0), (0, 0))


# ----------------------------------------------------------------------------- the steps

def pad_and_put_channels_last(x, padding, data_format):
    """Step 1: x as a channels-last (n, rows + top + bottom, cols + left + right, c) image.

    With padding, one copy does both the padding and, for a channels-first x, the transpose.
    Without, x is returned as it is when its memory is already channels-last, and copied
    channels-last otherwise: im2col then gathers each window's channels from contiguous
    memory, which is faster than gathering them from planes far apart, copy included."""
    (top, bottom), (left, right) = padding
    if data_format == 'channels_first':
        x = x.transpose(0, 2, 3, 1)
    if top == bottom == left == right == 0:
        return am.xp().ascontiguousarray(x)     # a real transpose only when x is not channels-last in memory
    n, rows, cols, channels = x.shape
    padded = am.xp().zeros((n, rows + top + bottom, cols + left + right, channels), dtype=x.dtype)
    padded[:, top:top + rows, left:left + cols, :] = x
    return padded


def im2col(x, kernel_size, strides):
    """Step 2: the patches of a channels-last x, one window per row.

    ``sliding_windows`` gives a view (no copy) with
    windows[n, i, j, c, a, b] = x[n, i·s+a, j·s+b, c]; putting (a, b) before c and copying
    once gives P[n, i, j, a, b, c], contiguous, read as (n·rows'·cols', kh·kw·c)."""
    return am.xp().ascontiguousarray(patch_view(x, kernel_size, strides))


def patch_view(x, kernel_size, strides):
    """P[n, i, j, a, b, c] = x[n, i·s+a, j·s+b, c] as a view of x: no copy yet."""
    windows = indexing.sliding_windows(x, kernel_size, strides, axes=(1, 2))
    return windows.transpose(0, 1, 2, 4, 5, 3)


def patches_times_kernel(image, kernel, strides, bias=None):
    """Steps 2 to 5, a few samples at a time: Z = P·W_mat + b as feature maps
    (n, rows', cols', c_out).

    Each pass copies its samples' rows of P (im2col of those samples) and multiplies them
    while they are still in the cache, then adds the bias to its rows of Z while those are
    still there. The rows of P are not kept (see the module docstring)."""
    xp = am.xp()
    kh, kw, c_in, c_out = kernel.shape
    view = patch_view(image, (kh, kw), strides)
    n, out_rows, out_cols = view.shape[:3]
    z = xp.empty((n * out_rows * out_cols, c_out), dtype=am.host.result_type(image.dtype, kernel.dtype))
    kernel_matrix = kernel.reshape(kh * kw * c_in, c_out)
    per_sample = out_rows * out_cols
    chunk = samples_per_pass(n, per_sample * kh * kw * c_in * image.itemsize)
    bias_block = None if bias is None else bias_blocks.bias_rows(bias, chunk * per_sample)     # b on each row

    def one_pass(first, last):
        patches = xp.ascontiguousarray(view[first:last]).reshape(-1, kh * kw * c_in)     # 2. im2col: P_s
        rows = z[first * per_sample:last * per_sample]
        xp.dot(patches, kernel_matrix, out=rows)                                        # 3. matmul
        if bias is not None:
            rows += bias_block[:len(rows)]                                              # 4. bias

    sample_passes.for_each_pass(n, chunk, one_pass, flops_per_pass=2 * chunk * per_sample * kh * kw * c_in * c_out)
    return z.reshape(n, out_rows, out_cols, c_out)                                      # 5. reshape


def kernel_gradient(image, grad_matrix, kernel_shape, strides, planes=None):
    """dL/dW = Pᵀ·G as (kh, kw, c_in, c_out), from x's channel ``planes`` if forward took
    P there (``patches_from_planes``), from runs of pixels where they pay (stride 1, wide
    images: ``kernel_gradient_runs``), else from P copied again. Passes of one thread."""
    kh, kw, c_in, c_out = kernel_shape
    n, rows, cols = image.shape[:3]
    if planes is not None:                                               # stride 1: rows' = rows - kh + 1
        per_sample = (rows - kh + 1) * (cols - kw + 1)
        chunk = kernel_gradient_samples_per_pass(n, per_sample, per_sample * kh * kw * c_in * image.itemsize)
        return patches_from_planes.kernel_gradient_from_planes(planes, grad_matrix, kernel_shape, chunk)
    if kernel_gradient_runs.runs_pay_off(image.shape, kernel_shape, strides):
        chunk = kernel_gradient_samples_per_pass(n, rows * cols, rows * cols * (c_in + c_out) * image.itemsize)
        return kernel_gradient_runs.kernel_gradient_from_runs(image, grad_matrix, kernel_shape, chunk)
    return kernel_gradient_from_patches(image, grad_matrix, kernel_shape, strides)


def kernel_gradient_samples_per_pass(n, rows_per_sample, bytes_per_sample):
    """dL/dW's passes: one thread's however many share them (the same sum), of at least
    KERNEL_GRADIENT_ROWS rows each (the length of the sums in its products)."""
    chunk = samples_per_pass(n, bytes_per_sample, threads=1)
    return min(max(n, 1), max(chunk, -(-KERNEL_GRADIENT_ROWS // max(1, rows_per_sample))))


def kernel_gradient_from_patches(image, grad_matrix, kernel_shape, strides):
    """dL/dW = Pᵀ·G, as the sum over passes of P_sᵀ·G_s, read back as (kh, kw, c_in, c_out).

    Each pass copies its samples' rows of P again (im2col of those samples) and multiplies
    them by the same rows of G; the passes' products are added up in the order of the
    samples at the end. The passes are those of one thread whatever the number of threads
    sharing them, so the sum is the same however many threads there are."""
    xp = am.xp()
    kh, kw, c_in, c_out = kernel_shape
    view = patch_view(image, (kh, kw), strides)
    n, out_rows, out_cols = view.shape[:3]
    per_sample = out_rows * out_cols
    chunk = kernel_gradient_samples_per_pass(n, per_sample, per_sample * kh * kw * c_in * image.itemsize)
    dtype = am.host.result_type(image.dtype, grad_matrix.dtype)
    per_pass = xp.zeros((max(1, -(-n // chunk)), kh * kw * c_in, c_out), dtype=dtype)    # P_sᵀ·G_s, pass by pass

    def one_pass(first, last):
        patches = xp.ascontiguousarray(view[first:last]).reshape(-1, kh * kw * c_in)     # P_s
        xp.dot(patches.T, grad_matrix[first * per_sample:last * per_sample], out=per_pass[first // chunk])

    sample_passes.for_each_pass(n, chunk, one_pass, flops_per_pass=2 * chunk * per_sample * kh * kw * c_in * c_out)
    return per_pass.sum(axis=0).reshape(kernel_shape)


def col2im_of_patch_gradients(grad_matrix, kernel, output_shape, padded_shape, strides):
    """dL/dx (padded, channels-last) from G = dL/dz read as (n·rows'·cols', c_out).

    For each kernel offset (a, b), the patch gradients of that offset are G·W[a,b]ᵀ, one
    row of c_in numbers per window, and they go back onto the pixels they came from:

        dL/dx[:, a + s·i, b + s·j, :] += (G·W[a,b]ᵀ)[(n, i, j), :]

    For one offset the pixels a + s·i, b + s·j are all different, so a strided slice takes
    the whole block at once (no index repeats); the loop runs over the kh·kw offsets only,
    and one block's memory serves every offset.

    The samples are taken a few at a time (``samples_per_pass``): then a block and the
    part of dL/dx it is added onto stay in the processor's cache across the kh·kw
    offsets, instead of travelling to memory and back kh·kw times. A pass adds only onto
    its own samples' dL/dx, so several threads can share the passes (the same numbers).
    With stride 1 a pass adds whole runs of pixels instead (``add_window_gradients_as_runs``),
    and makes the blocks of all kh·kw offsets in one call: it holds its samples' whole dL/dP."""
    xp = am.xp()
    kh, kw, c_in, c_out = kernel.shape
    n, out_rows, out_cols = output_shape
    grad_x = xp.zeros(padded_shape, dtype=grad_matrix.dtype)
    per_sample = out_rows * out_cols
    # kernel_t[a, b] = W[a,b]ᵀ, (c_out, c_in), made contiguous once: products on a transposed view ran slower here
    kernel_t = xp.ascontiguousarray(kernel.transpose(0, 1, 3, 2))
    by_runs = tuple(strides) == (1, 1)
    add_pass = add_window_gradients_as_runs if by_runs else add_window_gradients

    def one_pass(first, last):
        add_pass(grad_x[first:last], grad_matrix[first * per_sample:last * per_sample],    # these samples' rows of G
                 kernel_t, (last - first, out_rows, out_cols), strides)

    blocks_per_sample = kh * kw * out_rows * padded_shape[2] if by_runs else per_sample   # rows of patch gradients
    chunk = samples_per_pass(n, (blocks_per_sample * c_in + math.prod(padded_shape[1:])) * grad_matrix.itemsize)
    sample_passes.for_each_pass(n, chunk, one_pass, flops_per_pass=2 * chunk * per_sample * c_out * c_in)
    return grad_x


def add_window_gradients(grad_part, grad_rows, kernel_t, output_shape, strides):
    """One pass of col2im: grad_part[:, a + s·i, b + s·j, :] += G·W[a,b]ᵀ, offset by
    offset, for these samples' rows of G; ``kernel_t[a, b]`` is W[a,b]ᵀ."""
    xp = am.xp()
    (sh, sw), (samples, out_rows, out_cols) = strides, output_shape
    block = xp.empty((len(grad_rows), grad_part.shape[-1]), dtype=grad_rows.dtype)     # one offset's patch gradients
    windows = block.reshape(samples, out_rows, out_cols, -1)                          # the same memory, per window
    for a, kernel_row in enumerate(kernel_t):
        for b, kernel_ab in enumerate(kernel_row):
            xp.matmul(grad_rows, kernel_ab, out=block)                                # G·W[a,b]ᵀ
            grad_part[:, a:a + sh * out_rows:sh, b:b + sw * out_cols:sw, :] += windows


def add_window_gradients_as_runs(grad_part, grad_rows, kernel_t, output_shape, strides=(1, 1)):
    """One pass of col2im with stride 1, the same additions as ``add_window_gradients``,
    with each offset's block added as one contiguous run of pixels.

    Read each sample's dL/dx as one long row of pixels, its rows laid end to end: pixel
    (r, c) is number r·cols + c. The window at (i, j) starts at pixel i·cols + j, and its
    entry (a, b) sits a·cols + b further on. Give G a window for every column j < cols,
    zero for the cols - cols' that do not exist: then the windows (i, j), in order, start
    at pixels 0, 1, 2, ..., and for one offset (a, b) their entries cover the run of pixels
    from a·cols + b on, one after the other. Adding a block is then one contiguous
    addition, instead of one per row of the strided slice (which NumPy runs several times
    slower). The zero windows add zeros, which changes no sum; the last few of them would
    run past the sample's last pixel, and are left out.

    The blocks of all offsets come from one call, ``matmul`` of G_ext with the stack of
    W[a,b]ᵀ (the same products, one by one inside); then the kh·kw additions, in the order
    of the offsets."""
    xp = am.xp()
    samples, out_rows, out_cols = output_shape
    _, rows, cols, c_in = grad_part.shape
    c_out = grad_rows.shape[-1]
    extended = xp.zeros((samples, out_rows, cols, c_out), dtype=grad_rows.dtype)       # a window for every column
    extended[:, :, :out_cols] = grad_rows.reshape(samples, out_rows, out_cols, c_out)
    extended = extended.reshape(-1, c_out)
    kh, kw = kernel_t.shape[:2]
    blocks = xp.matmul(extended, kernel_t)                                             # blocks[a, b] = G·W[a,b]ᵀ
    blocks = blocks.reshape(kh, kw, samples, out_rows * cols * c_in)                   # one run per sample
    pixels = grad_part.reshape(samples, rows * cols * c_in)                            # each sample as one long row
    for a in range(kh):
        for b in range(kw):
            start = (a * cols + b) * c_in
            length = min(blocks.shape[-1], pixels.shape[1] - start)
            pixels[:, start:start + length] += blocks[a, b, :, :length]


#: bytes of work that one pass of im2col or col2im keeps close to the processor: half of a
#: typical core's L2 cache (of 64 KiB to 1 MiB, 128 KiB ran fastest on the guide's convnet)
CACHE_BYTES = 128 * 1024

#: dL/dW's product P_sᵀ·G_s sums over a pass's rows: with fewer than a few hundred of them
#: the matrix library runs well below its speed (the guide's fourth layer has 100 rows a
#: sample), so a pass of dL/dW takes at least this many rows
KERNEL_GRADIENT_ROWS = 512

#: the same when threads share the passes: a pass's NumPy calls must then be long enough
#: that the threads do not keep waiting for each other to hand over Python's interpreter
#: lock (a call of a few microseconds on each of two threads ran slower than both on one)
SHARED_CACHE_BYTES = 1024 * 1024


def samples_per_pass(n, bytes_per_sample, threads=None):
    """How many of the n samples a pass of im2col or col2im takes: as many as fit in
    ``CACHE_BYTES`` (at least one). With several threads sharing the passes
    (``threads``, by default ``sample_passes.pass_threads()``), as many as fit in
    ``SHARED_CACHE_BYTES``, in a count of passes that the threads share equally where
    the samples allow (32 samples, 10 fitting, 2 threads: 4 passes of 8, not 10, 10, 10
    and 2). All n on a GPU, where one large call beats many small ones."""
    if am.get_backend() == 'cupy':
        return n
    threads = sample_passes.pass_threads() if threads is None else threads
    if threads == 1:
        return max(1, min(n, CACHE_BYTES // max(1, bytes_per_sample)))
    most = max(1, min(-(-n // threads), SHARED_CACHE_BYTES // max(1, bytes_per_sample)))
    passes = threads * max(1, -(-n // (threads * most)))     # at most `most` samples each
    return max(1, -(-n // passes))


# ----------------------------------------------------------------------------- the op

class Convolution2D(Op):
    """z = conv2d(x, W) + b through im2col and one matrix product (see the module docstring).

    Recorded as one op, for speed; ``describe()`` lists its inner steps with their shapes
    and, for a trace, the patch matrix P itself (also on the op as ``op.patches``, rebuilt
    from the padded image the op keeps).
    """
    name = 'conv2d'
    formula = 'z[n,i,j,k] = Σ_{a,b,c} x[n, i·s+a, j·s+b, c]·W[a,b,c,k] + b_k'
    input_names = ('x', 'W', 'b')

    def __init__(self, strides=(1, 1), padding=NO_PADDING, data_format='channels_last'):
        self.strides = tuple(strides)
        self.padding = tuple(tuple(p) for p in padding)
        self.data_format = data_format

    def forward(self, x, kernel, bias=None):
        kh, kw, c_in, c_out = kernel.shape
        self.image = pad_and_put_channels_last(x, self.padding, self.data_format)    # 1. pad
        self.padded_shape = self.image.shape
        self.planes = None                                    # x's channel planes, when its patches come from there
        if patches_from_planes.planes_pay_off(x, kernel.shape, self.strides, self.padding, self.data_format):
            self.planes, per_sample = x, (x.shape[2] - kh + 1) * (x.shape[3] - kw + 1)     # 2. to 4., Pᵀ from x
            z = patches_from_planes.patches_times_kernel_from_planes(
                x, kernel, bias, samples_per_pass(len(x), per_sample * kh * kw * c_in * x.itemsize))
        else:
            z = patches_times_kernel(self.image, kernel, self.strides, bias)      # 2. im2col, 3. matmul, 4. bias
        self.kernel, self.has_bias = kernel, bias is not None
        return z.transpose(0, 3, 1, 2) if self.data_format == 'channels_first' else z

    def backward(self, g):
        xp = am.xp()
        c_out = self.kernel.shape[-1]
        g = g.transpose(0, 2, 3, 1) if self.data_format == 'channels_first' else g
        grad_rows = xp.ascontiguousarray(g)                                     # G: (n, rows', cols', c_out)
        grad_matrix = grad_rows.reshape(-1, c_out)
        grad_kernel = kernel_gradient(self.image, grad_matrix, self.kernel.shape, self.strides, self.planes)  # Pᵀ·G
        grad_bias = None
        if self.has_bias:                                                                  # Σ G = 1ᵀ·G
            with am.threads_for_product(2 * grad_matrix.size):
                grad_bias = xp.dot(xp.ones(grad_matrix.shape[0], dtype=grad_matrix.dtype), grad_matrix)
        grad_x = None
        if wants_gradient(self, 0):                       # not for the input data
            grad_x = col2im_of_patch_gradients(grad_matrix, self.kernel, grad_rows.shape[:3],
                                               self.padded_shape, self.strides)          # col2im(G·W_matᵀ)
            grad_x = self._unpad(grad_x)
        if not self.has_bias:
            return grad_x, grad_kernel
        return grad_x, grad_kernel, grad_bias

    def _unpad(self, grad_padded):
        """dL/dx without the padding (nothing flows back to the zeros), in x's layout."""
        (top, bottom), (left, right) = self.padding
        rows, cols = grad_padded.shape[1] - bottom, grad_padded.shape[2] - right
        grad = grad_padded[:, top:rows, left:cols, :]
        return grad.transpose(0, 3, 1, 2) if self.data_format == 'channels_first' else grad

    @property
    def patches(self):
        """The whole patch matrix P (n·rows'·cols', kh·kw·c_in) of the last forward, rebuilt
        from the padded image it kept: the rows that forward multiplied, pass by pass."""
        kh, kw, c_in, _ = self.kernel.shape
        return im2col(self.image, (kh, kw), self.strides).reshape(-1, kh * kw * c_in)

    def describe(self):
        """The inner steps with their shapes, and the patch matrix P itself (a host copy)."""
        if getattr(self, 'image', None) is None:
            return {}
        patches = self.patches
        kh, kw, c_in, c_out = self.kernel.shape
        rows, out_shape = patches.shape[0], tuple(getattr(self.output, 'shape', ()))
        return {
            'strides': self.strides,
            'padding': self.padding,
            'data_format': self.data_format,
            '1. pad': f'zeros {self.padding} (top, bottom), (left, right) -> x {tuple(self.padded_shape)} channels last',
            '2. im2col': f"patches P {tuple(patches.shape)}: one row per output position (n·rows'·cols'), "
                         f'one column per window entry (a, b, c)',
            '3. matmul': f'Z = P·W_mat: {tuple(patches.shape)}·{(kh * kw * c_in, c_out)} -> {(rows, c_out)}, '
                         'W_mat = W read as (kh·kw·c_in, c_out)',
            '4. bias': f'Z + b, b {(c_out,)}' if self.has_bias else 'no bias',
            '5. reshape': f'Z -> feature maps {out_shape} {self.data_format}',
            'patches': am.to_numpy(patches),
        }


class Convolution1D(Convolution2D):
    """z[n,t,k] = Σ_{a,c} x[n, t·s+a, c]·W[a,c,k] + b_k: the 2-D op on a one-row image.

    x is (n, steps, c_in), W is (kw, c_in, c_out); ``padding`` is (left, right)."""
    name = 'conv1d'
    formula = 'z[n,t,k] = Σ_{a,c} x[n, t·s+a, c]·W[a,c,k] + b_k'

    def __init__(self, stride=1, padding=(0, 0)):
        super().__init__(strides=(1, stride), padding=((0, 0), tuple(padding)), data_format='channels_last')

    def forward(self, x, kernel, bias=None):
        z = super().forward(x[:, None], kernel[None], bias)       # (n, 1, steps, c) and (1, kw, c_in, c_out)
        return z[:, 0]

    def backward(self, g):
        grads = super().backward(g[:, None])
        grad_x = None if grads[0] is None else grads[0][:, 0]
        return (grad_x, grads[1][0]) + tuple(grads[2:])


class ZeroPadding(Op):
    """y = x with zeros added around the axes listed in ``pad_width``; dL/dx = g without them.

    ``pad_width``: one (before, after) pair per axis of x, (0, 0) for axes left alone."""
    name, formula = 'zero_padding', 'y = [0 … 0, x, 0 … 0]'

    def __init__(self, pad_width):
        self.pad_width = tuple(tuple(p) for p in pad_width)

    def describe(self):
        return {'pad (before, after) per axis': self.pad_width}

    def forward(self, x):
        self.inside = tuple(slice(before, before + size) for (before, _), size in zip(self.pad_width, x.shape))
        padded = am.xp().zeros(tuple(size + before + after for (before, after), size in
                                     zip(self.pad_width, x.shape)), dtype=x.dtype)
        padded[self.inside] = x
        return padded

    def backward(self, g):
        return (g[self.inside],)


# ----------------------------------------------------------------------------- functions

def conv2d(x, kernel, bias=None, strides=(1, 1), padding=NO_PADDING, data_format='channels_last'):
    """2-D convolution of x (n, c, rows, cols) or (n, rows, cols, c) with W (kh, kw, c_in, c_out).

    ``padding``: ((top, bottom), (left, right)) zeros (see ``conv_utils.same_padding``)."""
    op = Convolution2D(strides, padding, data_format)
    return op.apply(x, kernel) if bias is None else op.apply(x, kernel, bias)


def conv1d(x, kernel, bias=None, stride=1, padding=(0, 0)):
    """1-D convolution of x (n, steps, c_in) with W (kw, c_in, c_out); padding (left, right)."""
    op = Convolution1D(stride, padding)
    return op.apply(x, kernel) if bias is None else op.apply(x, kernel, bias)


def zero_pad(x, pad_width):
    """x with (before, after) zeros along each axis (one pair per axis of x)."""
    return ZeroPadding(pad_width).apply(x)
