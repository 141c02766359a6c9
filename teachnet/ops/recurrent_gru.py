"""The GRU cell over a whole sequence (Cho et al., 2014), as one op.

A GRU keeps one state h and has three blocks of weights, in Keras 2's order z, r, h:

    z_t  = σ(x_t W_z + h_{t-1} U_z + b_z)                update gate: keep old or take new
    r_t  = σ(x_t W_r + h_{t-1} U_r + b_r)                reset gate: how much past to read
    h~_t = g(x_t W_h + (r_t ⊙ h_{t-1}) U_h + b_h)        candidate state
    h_t  = z_t ⊙ h_{t-1} + (1 - z_t) ⊙ h~_t

That is Keras 1's formulation: the reset gate scales h_{t-1} BEFORE the product with U_h.
Keras 3 and cuDNN apply it AFTER (``reset_after=True``), with a second bias for the
recurrent products (bias of shape (2, 3·units): row 0 for x·W, row 1 for h·U):

    h~_t = g(x_t W_h + b_h + r_t ⊙ (h_{t-1} U_h + b'_h))      (z and r also add b')

Backward at step t, given the total dL/dh_t = dh:

    dz  = dh ⊙ (h_{t-1} - h~_t)          dh~ = dh ⊙ (1 - z_t)          dL/dh_{t-1} = dh ⊙ z_t + ...
    reset before:  d(r ⊙ h_{t-1}) = (dh~ ⊙ g')·U_hᵀ,  dr = d(r ⊙ h_{t-1}) ⊙ h_{t-1},
                   dL/dh_{t-1} += d(r ⊙ h_{t-1}) ⊙ r + [dz, dr]⊙σ' · U_zrᵀ
    reset after:   dr = (dh~ ⊙ g') ⊙ (h_{t-1} U_h + b'_h),
                   dL/dh_{t-1} += [dz⊙σ', dr⊙σ', (dh~ ⊙ g') ⊙ r]·Uᵀ

Read ``teachnet/layers/reference_cells/gru_cell.py`` (reset before) and
``gru_reset_after_cell.py`` first: the same cells for one timestep, batch-major, in Keras's
gate order, with nothing folded. The tests hold this op to them, forward and backward
(tests/layers/test_reference_cells.py).
"""
from teachnet.backend import array_module as am
from teachnet.ops.recurrent import RecurrentSequence, columns, in_every_column, row_sums, times_transposed


class GRUSequence(RecurrentSequence):
    name = 'gru'
    blocks = ('inner', 'inner', 'activation')
    formula = ('z, r = σ(x_t·W + h_{t-1}·U + b)[z, r];  h~ = g(x_t·W_h + (r ⊙ h_{t-1})·U_h + b_h);  '
               'h_t = z ⊙ h_{t-1} + (1 - z) ⊙ h~')
    backward_formula = 'BPTT: dz = dh ⊙ (h_{t-1} - h~);  dh~ = dh ⊙ (1 - z);  dL/dh_{t-1} = dh ⊙ z + ...'

    def __init__(self, *args, reset_after=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.reset_after = reset_after
        if reset_after:
            self.formula = ('z, r = σ(x_t·W + h_{t-1}·U + b + b\')[z, r];  '
                            'h~ = g(x_t·W_h + b_h + r ⊙ (h_{t-1}·U_h + b\'_h));  '
                            'h_t = z ⊙ h_{t-1} + (1 - z) ⊙ h~')

    def run(self, projection):
        """The loop over time. Arrays are (units, n) per step (see RecurrentSequence):
        rows 0:u of a step's gates are z, u:2u r, 2u:3u h~."""
        xp = am.xp()
        t, _, n = projection.shape
        u, dtype = self.units, projection.dtype
        (h0,) = self.initial_states
        gates = projection                          # each step's z, r, h~ rows, turned into gates in place
        h = xp.empty((t + 1, u, n), dtype=dtype)
        h[0] = h0
        inner, activate, recurrent_t = self.inner.core, self.activation.core, self.recurrent_t
        if self.reset_after:
            recurrent_bias = None if not self.has_bias else in_every_column(self.recurrent_bias, n)
            recurrent = xp.empty((3 * u, n), dtype=dtype)
            self.recurrent_h = xp.empty((t, u, n), dtype=dtype)    # h_{t-1}·U_h + b'_h, kept for dr
        else:
            kernel_zr_t, kernel_h_t = recurrent_t[:2 * u], recurrent_t[2 * u:]
            recurrent = xp.empty((2 * u, n), dtype=dtype)
            self.reset_h = xp.empty((t, u, n), dtype=dtype)        # r_t ⊙ h_{t-1}, kept for dU_h
        scratch = xp.empty((u, n), dtype=dtype)
        with self.loop_threads():                  # h·U on one BLAS thread
            for s in range(t):
                g, previous = gates[s], self.dropped(h[s])
                if self.reset_after:
                    xp.dot(recurrent_t, previous, out=recurrent)
                    if recurrent_bias is not None:
                        recurrent += recurrent_bias
                    g[:2 * u] += recurrent[:2 * u]
                    inner(g[:2 * u], g[:2 * u])                                 # z, r
                    self.recurrent_h[s] = recurrent[2 * u:]
                    xp.multiply(g[u:2 * u], recurrent[2 * u:], out=scratch)     # r ⊙ (h·U_h + b')
                else:
                    xp.dot(kernel_zr_t, previous, out=recurrent)
                    g[:2 * u] += recurrent
                    inner(g[:2 * u], g[:2 * u])                                 # z, r
                    xp.multiply(g[u:2 * u], previous, out=self.reset_h[s])      # r ⊙ h_{t-1}
                    xp.dot(kernel_h_t, self.reset_h[s], out=scratch)            # (r ⊙ h_{t-1})·U_h
                g[2 * u:] += scratch
                activate(g[2 * u:], g[2 * u:])                                  # h~
                xp.subtract(h[s], g[2 * u:], out=h[s + 1])
                h[s + 1] *= g[:u]
                h[s + 1] += g[2 * u:]                                           # h~ + z ⊙ (h_{t-1} - h~)
                self.carry_masked(s, h)
        self.gate_values = gates
        return h

    def backprop(self, grad_h):
        xp = am.xp()
        t, u, n = grad_h.shape
        gates, h, kernel = self.gate_values, self.h, self.recurrent_t.T     # U (folded)
        slopes = xp.empty_like(gates)
        self.inner.core_slope(gates[:, :2 * u], out=slopes[:, :2 * u])      # (of the folded z')
        self.activation.core_slope(gates[:, 2 * u:], out=slopes[:, 2 * u:])
        grad_z = xp.empty_like(gates)                     # dL/d(pre-activations) of z, r, h~
        if self.reset_after:
            self.grad_q = xp.empty_like(gates)            # dL/d(h_{t-1}·U + b')
        else:
            kernel_zr, kernel_h = kernel[:, :2 * u], kernel[:, 2 * u:]
        direct = xp.empty((u, n), dtype=grad_h.dtype)
        scratch = xp.empty((u, n), dtype=grad_h.dtype)
        with self.loop_threads():
            for s in range(t - 1, -1, -1):
                dh, dh_carried = self.split_masked(s, grad_h[s])
                dz, g = grad_z[s], gates[s]
                xp.subtract(h[s], g[2 * u:], out=dz[:u])
                dz[:u] *= dh                                             # dz = dh ⊙ (h_{t-1} - h~)
                xp.multiply(dh, g[:u], out=direct)                       # dh ⊙ z: straight to h_{t-1}
                xp.subtract(dh, direct, out=dz[2 * u:])                  # dh~ = dh ⊙ (1 - z)
                dz[2 * u:] *= slopes[s, 2 * u:]                          # ... ⊙ g'
                if self.reset_after:
                    xp.multiply(dz[2 * u:], self.recurrent_h[s], out=dz[u:2 * u])    # dr
                    dz[:2 * u] *= slopes[s, :2 * u]
                    dq = self.grad_q[s]
                    dq[:2 * u] = dz[:2 * u]
                    xp.multiply(dz[2 * u:], g[u:2 * u], out=dq[2 * u:])
                    if s == 0:
                        continue
                    xp.dot(kernel, dq, out=scratch)
                else:
                    xp.dot(kernel_h, dz[2 * u:], out=scratch)            # dL/d(r ⊙ h_{t-1})
                    xp.multiply(scratch, self.dropped(h[s]), out=dz[u:2 * u])    # dr
                    dz[:2 * u] *= slopes[s, :2 * u]
                    if s == 0:
                        continue
                    scratch *= g[u:2 * u]
                    direct += scratch if self.recurrent_mask is None else scratch * self.recurrent_mask
                    xp.dot(kernel_zr, dz[:2 * u], out=scratch)
                if self.recurrent_mask is not None:
                    scratch *= self.recurrent_mask
                direct += scratch
                grad_h[s - 1] += direct                                  # dL/dh_{t-1}
                if dh_carried is not None:
                    grad_h[s - 1] += dh_carried
        return grad_z

    def weight_grads(self, grad_z):
        """dL/dW, dL/dU and dL/db from the gradient columns (see RecurrentSequence.weight_grads):
        reset before, U_h sees r ⊙ h_{t-1}; reset after, U sees h_{t-1} and has its own b'."""
        xp = am.xp()
        u = self.units
        previous = columns(self.dropped(self.h[:-1]))
        grad_kernel = self.kernel_grad(grad_z)
        if self.reset_after:
            grad_q = self.gradient_columns(self.grad_q)
            grad_bias = xp.stack([row_sums(grad_z), row_sums(grad_q)]) if self.has_bias else None
            return grad_kernel, times_transposed(previous, grad_q), grad_bias
        grad_recurrent = xp.concatenate([times_transposed(previous, grad_z[:2 * u]),
                                         times_transposed(columns(self.reset_h), grad_z[2 * u:])], axis=1)
        return grad_kernel, grad_recurrent, row_sums(grad_z) if self.has_bias else None

    def describe(self):
        return {**super().describe(), 'reset after': self.reset_after}

    def gates(self):
        u, gates = self.units, self.gate_values.transpose(0, 2, 1)
        return {'z': gates[..., :u], 'r': gates[..., u:2 * u], 'h~': gates[..., 2 * u:],
                'h': self.h[1:].transpose(0, 2, 1)}
