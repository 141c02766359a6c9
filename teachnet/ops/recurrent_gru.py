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
"""
from teachnet.backend import array_module as am
from teachnet.ops.recurrent import RecurrentSequence


class GRUSequence(RecurrentSequence):
    name = 'gru'
    formula = ('z, r = σ(x_t·W + h_{t-1}·U + b)[z, r];  h~ = g(x_t·W_h + (r ⊙ h_{t-1})·U_h + b_h);  '
               'h_t = z ⊙ h_{t-1} + (1 - z) ⊙ h~')
    backward_formula = 'BPTT: dz = dh ⊙ (h_{t-1} - h~);  dh~ = dh ⊙ (1 - z);  dL/dh_{t-1} = dh ⊙ z + ...'

    def __init__(self, *args, reset_after=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.reset_after = reset_after
        if reset_after:
            self.formula = ('z, r = σ(x_t·W + h_{t-1}·U + b + b\')[z, r];  '
                            'h~ = g(x_t·W_h + b_h + r ⊙ (h_{t-1}·U_h + b\'_h));  h_t = z ⊙ h_{t-1} + (1 - z) ⊙ h~')

    def run(self, projection, recurrent_kernel, bias):
        xp = am.xp()
        t, n, _ = projection.shape
        u, dtype = self.units, projection.dtype
        (h0,) = self.initial_states
        gates = projection                                  # z, r, h~ columns, turned into gates in place
        h = xp.empty((t + 1, n, u), dtype=dtype)
        h[0] = h0
        if self.reset_after:
            recurrent = xp.empty((n, 3 * u), dtype=dtype)
            self.recurrent_h = xp.empty((t, n, u), dtype=dtype)    # h_{t-1}·U_h + b'_h, kept for dr
        else:
            recurrent = xp.empty((n, 2 * u), dtype=dtype)
            self.reset_h = xp.empty((t, n, u), dtype=dtype)        # r_t ⊙ h_{t-1}, kept for dU_h
            kernel_zr = xp.ascontiguousarray(recurrent_kernel[:, :2 * u])
            kernel_h = xp.ascontiguousarray(recurrent_kernel[:, 2 * u:])
        scratch = xp.empty((n, u), dtype=dtype)
        for s in range(t):
            g, previous = gates[s], self.dropped(h[s])
            if self.reset_after:
                xp.dot(previous, recurrent_kernel, out=recurrent)
                if bias is not None:
                    recurrent += bias[1]
                g[:, :2 * u] += recurrent[:, :2 * u]
                self.inner(g[:, :2 * u])                                    # z, r
                self.recurrent_h[s] = recurrent[:, 2 * u:]
                xp.multiply(g[:, u:2 * u], recurrent[:, 2 * u:], out=scratch)    # r ⊙ (h·U_h + b')
            else:
                xp.dot(previous, kernel_zr, out=recurrent)
                g[:, :2 * u] += recurrent
                self.inner(g[:, :2 * u])                                    # z, r
                xp.multiply(g[:, u:2 * u], previous, out=self.reset_h[s])   # r ⊙ h_{t-1}
                xp.dot(self.reset_h[s], kernel_h, out=scratch)              # (r ⊙ h_{t-1})·U_h
            g[:, 2 * u:] += scratch
            self.activate(g[:, 2 * u:])                                     # h~
            xp.subtract(h[s], g[:, 2 * u:], out=h[s + 1])
            h[s + 1] *= g[:, :u]
            h[s + 1] += g[:, 2 * u:]                                        # h~ + z ⊙ (h_{t-1} - h~)
            self.carry_masked(s, h)
        self.gate_values = gates
        return h

    def backprop(self, grad_h):
        xp = am.xp()
        t, n, u = grad_h.shape
        gates, h, kernel = self.gate_values, self.h, self.recurrent_kernel
        slopes = xp.empty_like(gates)
        slopes[..., :2 * u] = self.inner_slope(gates[..., :2 * u])
        slopes[..., 2 * u:] = self.activation_slope(gates[..., 2 * u:])
        grad_z = xp.empty_like(gates)                         # dL/d(pre-activations) of z, r, h~
        if self.reset_after:
            grad_q = xp.empty_like(gates)                     # dL/d(h_{t-1}·U + b')
        else:
            kernel_zr_t, kernel_h_t = kernel[:, :2 * u].T, kernel[:, 2 * u:].T
        direct = xp.empty((n, u), dtype=grad_h.dtype)
        scratch = xp.empty((n, u), dtype=grad_h.dtype)
        for s in range(t - 1, -1, -1):
            dh, dh_carried = self.split_masked(s, grad_h[s])
            dz, g = grad_z[s], gates[s]
            xp.subtract(h[s], g[:, 2 * u:], out=dz[:, :u])
            dz[:, :u] *= dh                                              # dz (before σ')
            xp.multiply(dh, g[:, :u], out=direct)                        # dh ⊙ z: straight to h_{t-1}
            xp.subtract(dh, direct, out=dz[:, 2 * u:])
            dz[:, 2 * u:] *= slopes[s, :, 2 * u:]                        # dh~ ⊙ g'
            if self.reset_after:
                xp.multiply(dz[:, 2 * u:], self.recurrent_h[s], out=dz[:, u:2 * u])    # dr
                dz[:, :2 * u] *= slopes[s, :, :2 * u]
                dq = grad_q[s]
                dq[:, :2 * u] = dz[:, :2 * u]
                xp.multiply(dz[:, 2 * u:], g[:, u:2 * u], out=dq[:, 2 * u:])
                if s == 0:
                    continue
                xp.dot(dq, kernel.T, out=scratch)
            else:
                xp.dot(dz[:, 2 * u:], kernel_h_t, out=scratch)           # dL/d(r ⊙ h_{t-1})
                xp.multiply(scratch, self.dropped(h[s]), out=dz[:, u:2 * u])   # dr
                dz[:, :2 * u] *= slopes[s, :, :2 * u]
                if s == 0:
                    continue
                scratch *= g[:, u:2 * u]
                direct += scratch if self.recurrent_mask is None else scratch * self.recurrent_mask
                xp.dot(dz[:, :2 * u], kernel_zr_t, out=scratch)
            if self.recurrent_mask is not None:
                scratch *= self.recurrent_mask
            direct += scratch
            grad_h[s - 1] += direct                                      # dL/dh_{t-1}
            if dh_carried is not None:
                grad_h[s - 1] += dh_carried
        rows = t * n
        if self.reset_after:
            grad_recurrent = self.recurrent_grad(grad_q, h[:-1])
            grad_bias = None if not self.has_bias else xp.stack(
                [grad_z.reshape(rows, -1).sum(axis=0), grad_q.reshape(rows, -1).sum(axis=0)])
        else:
            grad_recurrent = xp.concatenate([
                self.recurrent_grad(grad_z[..., :2 * u], h[:-1]),
                xp.dot(self.reset_h.reshape(rows, u).T, grad_z[..., 2 * u:].reshape(rows, u))], axis=1)
            grad_bias = grad_z.reshape(rows, -1).sum(axis=0) if self.has_bias else None
        return grad_z, grad_recurrent, grad_bias

    def gates(self):
        u, gates = self.units, self.gate_values
        return {'z': gates[..., :u], 'r': gates[..., u:2 * u], 'h~': gates[..., 2 * u:], 'h': self.h[1:]}
