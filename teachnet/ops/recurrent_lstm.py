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
"""
from teachnet.backend import array_module as am
from teachnet.ops.recurrent import RecurrentSequence


class LSTMSequence(RecurrentSequence):
    name = 'lstm'
    formula = ('i, f, o = σ(x_t·W + h_{t-1}·U + b)[i, f, o];  c~ = g(...)[c];  '
               'c_t = f ⊙ c_{t-1} + i ⊙ c~;  h_t = o ⊙ g(c_t)')
    backward_formula = 'BPTT: dc = dL/dc_t + dh ⊙ o ⊙ g\'(c_t);  dL/dc_{t-1} = dc ⊙ f;  dL/dh_{t-1} += dz·Uᵀ'

    def run(self, projection, recurrent_kernel, bias):
        xp = am.xp()
        t, n, _ = projection.shape
        u = self.units
        h0, c0 = self.initial_states
        gates = projection                                  # each step's z turns into its gates in place
        h = xp.empty((t + 1, n, u), dtype=projection.dtype)
        c = xp.empty((t + 1, n, u), dtype=projection.dtype)
        g_of_c = xp.empty((t, n, u), dtype=projection.dtype)
        h[0], c[0] = h0, c0
        recurrent = xp.empty((n, 4 * u), dtype=projection.dtype)
        written = xp.empty((n, u), dtype=projection.dtype)
        for s in range(t):
            z = gates[s]
            xp.dot(self.dropped(h[s]), recurrent_kernel, out=recurrent)
            z += recurrent                                  # z = x_t·W + b + h_{t-1}·U
            self.inner(z[:, :2 * u])                        # i, f
            self.activate(z[:, 2 * u:3 * u])                # c~
            self.inner(z[:, 3 * u:])                        # o
            xp.multiply(z[:, u:2 * u], c[s], out=c[s + 1])  # f ⊙ c_{t-1}
            xp.multiply(z[:, :u], z[:, 2 * u:3 * u], out=written)
            c[s + 1] += written                             #   + i ⊙ c~
            g_of_c[s] = c[s + 1]
            self.activate(g_of_c[s])                        # g(c_t)
            xp.multiply(z[:, 3 * u:], g_of_c[s], out=h[s + 1])
            self.carry_masked(s, h, c)
        self.gate_values, self.c, self.g_of_c = gates, c, g_of_c
        return h

    def final_states(self):
        return [self.h[-1], self.c[-1]]

    def backprop(self, grad_h):
        xp = am.xp()
        t, n, u = grad_h.shape
        gates, c, g_of_c = self.gate_values, self.c, self.g_of_c
        # slopes of every gate at every step, computed once for the whole sequence
        slopes = xp.empty_like(gates)
        slopes[..., :2 * u] = self.inner_slope(gates[..., :2 * u])
        slopes[..., 2 * u:3 * u] = self.activation_slope(gates[..., 2 * u:3 * u])
        slopes[..., 3 * u:] = self.inner_slope(gates[..., 3 * u:])
        o_slope_c = self.activation_slope(g_of_c)
        o_slope_c *= gates[..., 3 * u:]                     # o_t ⊙ g'(c_t)
        recurrent_t = self.recurrent_kernel.T
        grad_z = xp.empty_like(gates)
        self.grad_c = xp.empty((t, n, u), dtype=grad_h.dtype)
        grad_c = xp.zeros((n, u), dtype=grad_h.dtype)
        scratch = xp.empty((n, u), dtype=grad_h.dtype)
        for s in range(t - 1, -1, -1):
            dh, dh_carried = self.split_masked(s, grad_h[s])
            dc, dc_carried = self.split_masked(s, grad_c)
            dz = grad_z[s]
            xp.multiply(dh, g_of_c[s], out=dz[:, 3 * u:])               # do
            xp.multiply(dh, o_slope_c[s], out=scratch)
            dc += scratch                                               # all of dL/dc_t
            self.grad_c[s] = dc if dc_carried is None else dc + dc_carried
            xp.multiply(dc, gates[s, :, 2 * u:3 * u], out=dz[:, :u])    # di
            xp.multiply(dc, c[s], out=dz[:, u:2 * u])                   # df
            xp.multiply(dc, gates[s, :, :u], out=dz[:, 2 * u:3 * u])    # dc~
            dz *= slopes[s]
            grad_c = dc * gates[s, :, u:2 * u]                          # dL/dc_{t-1}
            if dc_carried is not None:
                grad_c += dc_carried
            if s > 0:
                xp.dot(dz, recurrent_t, out=scratch)
                if self.recurrent_mask is not None:
                    scratch *= self.recurrent_mask
                grad_h[s - 1] += scratch                                # dL/dh_{t-1} += dz·Uᵀ
                if dh_carried is not None:
                    grad_h[s - 1] += dh_carried
        grad_recurrent = self.recurrent_grad(grad_z, self.h[:-1])
        grad_bias = grad_z.reshape(t * n, -1).sum(axis=0) if self.has_bias else None
        return grad_z, grad_recurrent, grad_bias

    def gates(self):
        u, gates = self.units, self.gate_values
        return {'i': gates[..., :u], 'f': gates[..., u:2 * u], 'c~': gates[..., 2 * u:3 * u],
                'o': gates[..., 3 * u:], 'c': self.c[1:], 'h': self.h[1:]}

    def gradients_through_time(self):
        if self.grad_h is None:
            return {}
        return {'dL/dh': self.grad_h, 'dL/dc': self.grad_c}
