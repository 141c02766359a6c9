"""The simple (Elman) recurrent cell over a whole sequence, as one op.

    h_t = g(x_t W + h_{t-1} U + b)

The same weights are applied at every step, and the state h is all the network remembers
of the past. Backward through time, with a_t = x_t W + h_{t-1} U + b:

    dz_t        = dL/dh_t ⊙ g'(a_t)           (g' from the output: 1 - h_t² for tanh)
    dL/dh_{t-1} += dz_t·Uᵀ

The gradient reaching step t - k is a product of k factors Uᵀ·diag(g'): it shrinks or
grows geometrically with k, which is why a simple RNN struggles with long-range
dependencies (the gradient "vanishes") and why LSTMs and GRUs were invented.

Read ``teachnet/layers/reference_cells/simple_rnn_cell.py`` first: the same cell for one
timestep, batch-major, unfolded. The tests hold this op to it, forward and backward
(tests/layers/test_reference_cells.py).
"""
from teachnet.backend import array_module as am
from teachnet.ops.recurrent import RecurrentSequence


class SimpleRNNSequence(RecurrentSequence):
    name, formula = 'simple_rnn', 'h_t = g(x_t·W + h_{t-1}·U + b)'
    backward_formula = 'BPTT: dz_t = dL/dh_t ⊙ g\'(a_t);  dL/dh_{t-1} += dz_t·Uᵀ'
    blocks = ('activation',)
    goes_in_pieces = True

    def run(self, projection):
        xp = am.xp()
        t, u, n = projection.shape
        (h0,) = self.initial_states
        h = xp.empty((t + 1, u, n), dtype=projection.dtype)          # states, (units, n) per step
        h[0] = h0
        recurrent_t, activate = self.recurrent_t, self.activation.core
        with self.loop_threads():                  # h·U on one BLAS thread
            for s in range(t):
                self.inputs_ready(s)
                xp.dot(recurrent_t, self.dropped(h[s]), out=h[s + 1])
                h[s + 1] += projection[s]
                activate(h[s + 1], h[s + 1])
                self.carry_masked(s, h)
        return h

    def backprop(self, grad_h):
        xp = am.xp()
        t, u, n = grad_h.shape
        slopes = self.activation.core_slope(self.h[1:])     # g'(a_t) for every step at once
        recurrent = self.recurrent_t.T
        grad_z = xp.empty_like(slopes)
        scratch = xp.empty((u, n), dtype=grad_h.dtype)
        with self.loop_threads():
            for s in range(t - 1, -1, -1):
                dh, dh_carried = self.split_masked(s, grad_h[s])
                xp.multiply(dh, slopes[s], out=grad_z[s])
                if s > 0:
                    xp.dot(recurrent, grad_z[s], out=scratch)
                    if self.recurrent_mask is not None:
                        scratch *= self.recurrent_mask
                    grad_h[s - 1] += scratch
                    if dh_carried is not None:
                        grad_h[s - 1] += dh_carried
                self.gradients_ready(s, grad_z)
        return grad_z
