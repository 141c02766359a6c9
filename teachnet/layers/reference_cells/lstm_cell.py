"""The LSTM cell, one timestep, written plainly: read this before ``teachnet.ops.recurrent_lstm``.

Batch-major: x_t is (n, d), h_{t-1} and c_{t-1} are (n, u). W (d, 4u), U (u, 4u) and b (4u,)
hold the four gates side by side in Keras's order i, f, c, o. The dropout masks m_x (n, d)
and m_h (n, u) are ones when there is no dropout; σ is the inner activation, g the activation.

    x' = x_t ⊙ m_x                h' = h_{t-1} ⊙ m_h
    [a_i, a_f, a_c, a_o] = x'·W + h'·U + b
    i_t = σ(a_i)    f_t = σ(a_f)    c~_t = g(a_c)    o_t = σ(a_o)
    c_t = f_t ⊙ c_{t-1} + i_t ⊙ c~_t
    h_t = o_t ⊙ g(c_t)

Backward, given dh = dL/dh_t and dc = dL/dc_t (what later steps and the output sent back):

    do = dh ⊙ g(c_t)                       dc ← dc + dh ⊙ o_t ⊙ g'(c_t)
    di = dc ⊙ c~_t    df = dc ⊙ c_{t-1}    dc~ = dc ⊙ i_t    dL/dc_{t-1} = dc ⊙ f_t
    da = [di ⊙ σ'(a_i), df ⊙ σ'(a_f), dc~ ⊙ g'(a_c), do ⊙ σ'(a_o)]
    dL/dW = x'ᵀ·da     dL/dU = h'ᵀ·da     dL/db = Σ_rows da
    dL/dx_t = (da·Wᵀ) ⊙ m_x                dL/dh_{t-1} = (da·Uᵀ) ⊙ m_h
"""
from teachnet.backend import array_module as am


def lstm_step(x, states, W, U, b, x_mask, h_mask, sigma, g):
    """One step forward: ((h_t, c_t), what the backward step needs)."""
    h_prev, c_prev = states
    x_in, h_in = x * x_mask, h_prev * h_mask
    a = x_in @ W + h_in @ U + b
    a_i, a_f, a_c, a_o = am.xp().split(a, 4, axis=1)
    i, f, c_tilde, o = sigma(a_i), sigma(a_f), g(a_c), sigma(a_o)
    c = f * c_prev + i * c_tilde
    h = o * g(c)
    return (h, c), (x_in, h_in, c_prev, a, i, f, c_tilde, o, c, W, U, x_mask, h_mask, sigma, g)


def lstm_step_backward(d_states, cache):
    """One step back: (dL/dx_t, (dL/dh_{t-1}, dL/dc_{t-1}), (dL/dW, dL/dU, dL/db))."""
    dh, dc = d_states
    x_in, h_in, c_prev, a, i, f, c_tilde, o, c, W, U, x_mask, h_mask, sigma, g = cache
    a_i, a_f, a_c, a_o = am.xp().split(a, 4, axis=1)
    do = dh * g(c)
    dc = dc + dh * o * g.slope(c)
    di, df, dc_tilde = dc * c_tilde, dc * c_prev, dc * i
    da = am.xp().concatenate([di * sigma.slope(a_i), df * sigma.slope(a_f),
                              dc_tilde * g.slope(a_c), do * sigma.slope(a_o)], axis=1)
    dW, dU, db = x_in.T @ da, h_in.T @ da, da.sum(axis=0)
    dx, dh_prev, dc_prev = (da @ W.T) * x_mask, (da @ U.T) * h_mask, dc * f
    return dx, (dh_prev, dc_prev), (dW, dU, db)
