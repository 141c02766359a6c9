"""The LSTM cell over a whole sequence (Hochreiter & Schmidhuber, 1997), as one op.

An LSTM keeps two states: the cell c, a memory that is changed only by adding and by
scaling, and the output h. Four gates, each with its own columns of W, U and b (Keras 2's
order: i, f, c, o), decide at every step t:

    i_t  = σ(x_t W_i + h_{t-1} U_i + b_i)          input gate: how much new content to write
    f_t  = σ(x_t W_f + h_{t-1} U_f + b_f)          forget gate: how much old memory to keep
    c~_t = g(x_t W_c + h_{t-1} U_c + b_c)          candidate content
    o_t  = σ(x_t W_o + h_{t-1} U_o + b_o)          output gate: how much memory to show
    c_t  = f_t ⊙ c_{t-1} + i_t ⊙ c~_t
    h_t  = o_t ⊙ g(c_t)

σ is the inner activation (Keras 1: hard_sigmoid), g the activation (tanh). Because c_t
depends on c_{t-1} through a product with f_t only, the gradient dL/dc can travel back
many steps without shrinking whenever the forget gate stays near 1.

Backward at step t, given the total dL/dh_t = dh and the dL/dc_t coming from step t+1:

    do   = dh ⊙ g(c_t)
    dc   = dL/dc_t + dh ⊙ o_t ⊙ g'(c_t)           (all the gradient reaching c_t)
    di   = dc ⊙ c~_t      df = dc ⊙ c_{t-1}      dc~ = dc ⊙ i_t
    dz   = [di, df, dc~, do] ⊙ [σ', σ', g', σ']   (pre-activations of the four gates)
    dL/dc_{t-1} = dc ⊙ f_t        dL/dh_{t-1} += dz·Uᵀ

Read ``teachnet/layers/reference_cells/lstm_cell.py`` first: the same cell for one
timestep, batch-major, in Keras's gate order, with nothing folded. The tests hold this op
to it, forward and backward (tests/layers/test_reference_cells.py).

On a GPU each step's arithmetic after the product h_{t-1}·U is one kernel
(``teachnet.backend.lstm_step_kernels``), the same formulas; on the host it is the array
calls below.
"""
from teachnet.backend import array_module as am
from teachnet.backend import lstm_step_kernels
from teachnet.ops.recurrent import RecurrentSequence


class LSTMSequence(RecurrentSequence):
    name = 'lstm'
    formula = ('i, f, o = σ(x_t·W + h_{t-1}·U + b)[i, f, o];  c~ = g(...)[c];  '
               'c_t = f ⊙ c_{t-1} + i ⊙ c~;  h_t = o ⊙ g(c_t)')
    backward_formula = 'BPTT: dc = dL/dc_t + dh ⊙ o ⊙ g\'(c_t);  dL/dc_{t-1} = dc ⊙ f;  dL/dh_{t-1} += dz·Uᵀ'
    # inside the op the blocks are kept as o, i, f, c~ (Keras: i, f, c, o): the three σ
    # gates side by side for one activation call in forward, and the three gates whose
    # gradient is dc times something (i, f, c~) side by side for one call in backward
    block_order = (3, 0, 1, 2)
    blocks = ('inner', 'inner', 'inner', 'activation')
    unfolds_gradients = True
    goes_in_pieces = True

    def projection_buffer(self, t, n, dtype):
        """The projections go straight into the per-step blocks that ``run`` works in."""
        self.steps_and_cells = am.xp().empty((t + 1, 5 * self.units, n), dtype=dtype)
        return self.steps_and_cells[:t, :4 * self.units]

    def run(self, projection):
        """The loop over time. Arrays are (units, n) per step (see RecurrentSequence).

        Each step's rows live in one block of 5·units rows: 0:u o, u:2u i, 2u:3u f,
        3u:4u c~, and 4u:5u the cell state c_{t-1} that the step starts from. Then
        [i; f] ⊙ [c~; c_{t-1}] is ONE product, and c_t = i ⊙ c~ + f ⊙ c_{t-1} its two
        halves added; c_t goes into the next step's block."""
        xp = am.xp()
        t, _, n = projection.shape
        u, dtype = self.units, projection.dtype
        h0, c0 = self.initial_states
        per_step = self.steps_and_cells             # projection is its view [:t, :4u]: z turns into gates in place
        per_step[0, 4 * u:] = c0
        gates, c = per_step[:t, :4 * u], per_step[:, 4 * u:]
        h = xp.empty((t + 1, u, n), dtype=dtype)
        g_of_c = xp.empty((t, u, n), dtype=dtype)   # g(c_t), kept for backward
        h[0] = h0
        recurrent_t, inner, activate = self.recurrent_t, self.inner.core, self.activation.core
        g = self.activation if self.activation.folds else self.activation.core   # g(c_t), c is no projection
        # each step's pieces, as (T, rows, n) views: piece[s] is step s's
        o, sigmas, candidate = gates[:, :u], gates[:, :3 * u], gates[:, 3 * u:]
        i_f, candidate_and_c = gates[:, u:3 * u], per_step[:t, 3 * u:]
        recurrent = xp.empty((4 * u, n), dtype=dtype)
        both = xp.empty((2 * u, n), dtype=dtype)
        written, kept = both[:u], both[u:]
        one_kernel = lstm_step_kernels.serves(self, dtype)     # a step's arithmetic in one GPU kernel
        with self.loop_threads():                  # h·U on one BLAS thread
            for s in range(t):
                self.inputs_ready(s)
                z, sigma, c_tilde = gates[s], sigmas[s], candidate[s]
                xp.dot(recurrent_t, self.dropped(h[s]), out=recurrent)
                if one_kernel:                                  # the same steps as below, in one launch
                    lstm_step_kernels.forward_step(z, recurrent, c[s], c[s + 1], g_of_c[s], h[s + 1], self.inner.name)
                    continue
                z += recurrent                                  # z = x_t·W + b + h_{t-1}·U (folded)
                inner(sigma, sigma)                             # o, i, f
                activate(c_tilde, c_tilde)                      # c~
                xp.multiply(i_f[s], candidate_and_c[s], out=both)   # [i ⊙ c~; f ⊙ c_{t-1}]
                xp.add(written, kept, out=c[s + 1])             # c_t = i ⊙ c~ + f ⊙ c_{t-1}
                g(c[s + 1], g_of_c[s])
                xp.multiply(o[s], g_of_c[s], out=h[s + 1])      # h_t = o ⊙ g(c_t)
                self.carry_masked(s, h, c)
        self.gate_values, self.c, self.g_of_c = gates, c, g_of_c
        return h

    def final_states(self):
        return [self.h[-1].T, self.c[-1].T]

    def backprop(self, grad_h):
        xp = am.xp()
        t, u, n = grad_h.shape
        gates, per_step, g_of_c = self.gate_values, self.steps_and_cells, self.g_of_c
        # dZ starts as the slopes of every gate at every step, computed at once for the
        # whole sequence; the loop multiplies each step's slopes by the gates' gradients.
        # The slopes are those of z itself, s·core'(s·z + o), not of the folded z' = s·z + o:
        # then dZ is dL/dz, and needs no scaling afterwards (see ``unfolds_gradients``)
        grad_z = xp.empty((t, 4 * u, n), dtype=gates.dtype)
        self.inner.slope(gates[:, :3 * u], out=grad_z[:, :3 * u])
        self.activation.slope(gates[:, 3 * u:], out=grad_z[:, 3 * u:])
        # dL/dc_t starts as o_t ⊙ g'(c_t), for all steps at once; the loop completes it
        grad_c = self.grad_c = self.activation.slope(g_of_c, out=xp.empty((t, u, n), dtype=grad_h.dtype))
        grad_c *= gates[:, :u]
        recurrent = self.recurrent_kernel.take(self.order, axis=1)          # U, (units, 4 units), the op's order
        scratch = xp.empty((u, n), dtype=grad_h.dtype)
        if lstm_step_kernels.serves(self, grad_h.dtype):
            return self._backprop_in_kernels(grad_h, grad_z, grad_c, recurrent, scratch)
        gate_grads = xp.empty((4 * u, n), dtype=grad_h.dtype)   # a step's [do; di; df; dc~], before the slopes
        # [di; df] = dc ⊙ [c~; c_{t-1}]: one broadcast product on rows 3u:5u of a step's block
        partners = per_step[:t, 3 * u:].reshape(t, 2, u, n)
        grad_o, grad_i_f, grad_c_tilde = gate_grads[:u], gate_grads[u:3 * u].reshape(2, u, n), gate_grads[3 * u:]
        input_gate, forget_gate = gates[:, u:2 * u], gates[:, 2 * u:3 * u]
        with self.loop_threads():
            for s in range(t - 1, -1, -1):
                dh, dh_carried = self.split_masked(s, grad_h[s])
                dz, dc = grad_z[s], grad_c[s]
                dc *= dh                                                # dL/dc_t = dh ⊙ o ⊙ g'(c_t)
                if s < t - 1:
                    xp.multiply(grad_c[s + 1], forget_gate[s + 1], out=scratch)
                    dc += scratch if self.keep is None else scratch * self.keep[s + 1]   # + dc_{t+1} ⊙ f_{t+1}
                    if self.carry is not None:
                        dc += grad_c[s + 1] * self.carry[s + 1]         # a masked step carried c_t over
                xp.multiply(dh, g_of_c[s], out=grad_o)                  # do = dh ⊙ g(c_t)
                xp.multiply(partners[s], dc, out=grad_i_f)              # di = dc ⊙ c~, df = dc ⊙ c_{t-1}
                xp.multiply(dc, input_gate[s], out=grad_c_tilde)        # dc~ = dc ⊙ i
                dz *= gate_grads                                        # through σ' and g'
                if self.keep is not None:
                    dz[u:] *= self.keep[s]                              # (a masked step's c comes from c_{t-1})
                if s > 0:
                    xp.dot(recurrent, dz, out=scratch)                  # (dz·Uᵀ)ᵀ = U·dzᵀ
                    if self.recurrent_mask is not None:
                        scratch *= self.recurrent_mask
                    grad_h_previous = grad_h[s - 1]
                    grad_h_previous += scratch                          # dL/dh_{t-1}
                    if dh_carried is not None:
                        grad_h_previous += dh_carried
                self.gradients_ready(s, grad_z)
        return grad_z

    def _backprop_in_kernels(self, grad_h, grad_z, grad_c, recurrent, from_later):
        """The loop back of ``backprop`` with each step's arithmetic in one GPU kernel: the
        same formulas. U·dz_t goes into ``from_later``, and the kernel of step t - 1 adds
        it to dL/dh_{t-1} (⊙ m_U under dropout_U) before using it."""
        xp, t, u = am.xp(), grad_h.shape[0], self.units
        gates, per_step = self.gate_values, self.steps_and_cells
        with self.loop_threads():
            for s in range(t - 1, -1, -1):
                later = s < t - 1                                       # the step after: its dc, f and U·dz
                lstm_step_kernels.backward_step(
                    grad_z[s], grad_c[s], grad_c[s + 1] if later else None,
                    gates[s + 1, 2 * u:3 * u] if later else None, grad_h[s], from_later if later else None,
                    self.recurrent_mask, gates[s], per_step[s, 4 * u:], self.g_of_c[s])
                if s > 0:
                    xp.dot(recurrent, grad_z[s], out=from_later)        # (dz·Uᵀ)ᵀ = U·dzᵀ, for step s - 1
                self.gradients_ready(s, grad_z)
        return grad_z

    def gates(self):
        u, gates = self.units, self.gate_values.transpose(0, 2, 1)
        return {'i': gates[..., u:2 * u], 'f': gates[..., 2 * u:3 * u], 'c~': gates[..., 3 * u:],
                'o': gates[..., :u], 'c': self.c[1:].transpose(0, 2, 1), 'h': self.h[1:].transpose(0, 2, 1)}

    def gradients_through_time(self):
        if self.grad_h is None:
            return {}
        return {'dL/dh': self.grad_h.transpose(0, 2, 1), 'dL/dc': self.grad_c.transpose(0, 2, 1)}
