"""The affine map of a Dense layer: z = x·W + b.

For a batch x of shape (n, d_in), a kernel W of shape (d_in, d_out) and a bias b of shape
(d_out,), every output unit j of sample i is

    z_ij = Σ_k x_ik W_kj + b_j

Backward, given g = dL/dz of shape (n, d_out), the chain rule gives

    dL/dx = g·Wᵀ          (n, d_in):   each input feeds every unit through W
    dL/dW = xᵀ·g          (d_in, d_out): summed over the batch
    dL/db = Σ_i g_i       (d_out,):     summed over the batch

An input with more axes, (n, t, d_in), is treated as n·t rows.
"""
from teachnet.backend import array_module as am
from teachnet.ops.op import Op


class Linear(Op):
    name, formula = 'linear', 'z = x·W + b'
    input_names = ('x', 'W', 'b')

    def forward(self, x, kernel, bias=None):
        self.x, self.kernel, self.has_bias = x, kernel, bias is not None
        z = am.xp().dot(x, kernel)
        if bias is not None:
            z += bias
        return z

    def backward(self, g):
        xp = am.xp()
        x, kernel = self.x, self.kernel
        grad_x = xp.dot(g, kernel.T)
        if x.ndim == 2:
            grad_kernel = xp.dot(x.T, g)
        else:
            grad_kernel = xp.dot(x.reshape(-1, x.shape[-1]).T, g.reshape(-1, g.shape[-1]))
        if not self.has_bias:
            return grad_x, grad_kernel
        grad_bias = g.sum(axis=tuple(range(g.ndim - 1)))
        return grad_x, grad_kernel, grad_bias


def linear(x, kernel, bias=None):
    """z = x·W + b (b may be None)."""
    if bias is None:
        return Linear().apply(x, kernel)
    return Linear().apply(x, kernel, bias)
