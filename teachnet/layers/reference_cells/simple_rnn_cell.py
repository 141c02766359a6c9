"""The simple (Elman) cell, one timestep, written plainly: read this before
``teachnet.ops.recurrent_simple``.

Batch-major: x_t is (n, d), h_{t-1} is (n, u); W (d, u), U (u, u), b (u,). The dropout
masks m_x (n, d) and m_h (n, u) are ones when there is no dropout; g is the activation.

    x' = x_t ⊙ m_x        h' = h_{t-1} ⊙ m_h
    a_t = x'·W + h'·U + b
    h_t = g(a_t)

Backward, given dh = dL/dh_t (from the output and from step t + 1):

    da = dh ⊙ g'(a_t)
    dL/dW = x'ᵀ·da        dL/dU = h'ᵀ·da        dL/db = Σ_rows da
    dL/dx_t = (da·Wᵀ) ⊙ m_x                     dL/dh_{t-1} = (da·Uᵀ) ⊙ m_h

Step after step back, dL/dh_{t-k} picks up k factors (g'(a)·Uᵀ): the gradient shrinks or
grows geometrically with k, why a simple RNN forgets what lies far back.
"""


def simple_rnn_step(x, states, W, U, b, x_mask, h_mask, g):
    """One step forward: ((h_t,), what the backward step needs)."""
    (h_prev,) = states
    x_in, h_in = x * x_mask, h_prev * h_mask
    a = x_in @ W + h_in @ U + b
    return (g(a),), (x_in, h_in, a, W, U, x_mask, h_mask, g)


def simple_rnn_step_backward(d_states, cache):
    """One step back: (dL/dx_t, (dL/dh_{t-1},), (dL/dW, dL/dU, dL/db))."""
    (dh,) = d_states
    x_in, h_in, a, W, U, x_mask, h_mask, g = cache
    da = dh * g.slope(a)
    dW, dU, db = x_in.T @ da, h_in.T @ da, da.sum(axis=0)
    return (da @ W.T) * x_mask, ((da @ U.T) * h_mask,), (dW, dU, db)
