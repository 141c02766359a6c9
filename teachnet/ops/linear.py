"""The affine map of a Dense layer: z = x·W + b.

For a batch x of shape (n, d_in), a kernel W of shape (d_in, d_out) and a bias b of shape
(d_out,), every output unit j of sample i is

    z_ij = Σ_k x_ik W_kj + b_j

Backward, given g = dL/dz of shape (n, d_out), the chain rule gives

    dL/dx = g·Wᵀ          (n, d_in):   each input feeds every unit through W
    dL/dW = xᵀ·g          (d_in, d_out): summed over the batch
    dL/db = Σ_i g_i       (d_out,):     summed over the batch

An input with more axes, (n, t, d_in), is treated as n·t rows.

Each of the three products takes 2·rows·d_in·d_out operations; mid-sized ones run on one
BLAS thread (``am.threads_for_product``).
"""
from teachnet.backend import array_module as am
from teachnet.ops.op import Op
from teachnet.ops.operands import wants_gradient


class Linear(Op):
    name, formula = 'linear', 'z = x·W + b'
    input_names = ('x', 'W', 'b')
    backward_formula = 'dL/dx = g·Wᵀ,  dL/dW = xᵀ·g,  dL/db = Σ_rows g'

    def forward(self, x, kernel, bias=None):
        self.x, self.kernel, self.has_bias = x, kernel, bias is not None
        with am.threads_for_product(2 * x.size * kernel.shape[-1]):
            z = am.xp().dot(x, kernel)
        if bias is not None:
            z += bias
        return z

    def backward(self, g):
        with am.threads_for_product(2 * self.x.size * self.kernel.shape[-1]):
            return self._backward(g)

    def _backward(self, g):
        xp = am.xp()
        x, kernel = self.x, self.kernel
        # dL/dx is needed only when x came from an earlier op (not for the input data)
        grad_x = gradient_of_input(g, kernel) if wants_gradient(self, 0) else None
        if x.ndim == 2:
            grad_kernel = xp.dot(x.T, g)
            grad_bias = g.sum(axis=0) if self.has_bias else None
        else:
            rows = g.reshape(-1, g.shape[-1])
            grad_kernel = xp.dot(x.reshape(-1, x.shape[-1]).T, rows)
            grad_bias = rows.sum(axis=0) if self.has_bias else None
        if not self.has_bias:
            return grad_x, grad_kernel
        return grad_x, grad_kernel, grad_bias


#: from this many operations on, dL/dx = g·Wᵀ is computed as (W·gᵀ)ᵀ
TURNED_PRODUCT_FLOPS = 1e6


def gradient_of_input(g, kernel):
    """dL/dx = g·Wᵀ. From mid-sized products on it is computed as (W·gᵀ)ᵀ: the same sums,
    in the orientation the matrix library runs 10-35% faster here (benchmarks/README.md);
    the result is a transposed view, laid out column by column. The library may round the
    two orientations differently in the last bits (float32 with some processors' kernels,
    never by more than rounding)."""
    if g.ndim != 2 or 2 * g.size * kernel.shape[0] < TURNED_PRODUCT_FLOPS:
        return am.xp().dot(g, kernel.T)
    return am.xp().dot(kernel, g.T).T


def linear(x, kernel, bias=None):
    """z = x·W + b (b may be None)."""
    if bias is None:
        return Linear().apply(x, kernel)
    return Linear().apply(x, kernel, bias)
