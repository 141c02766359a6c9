"""The GRU cell as Keras 3 and cuDNN have it (``reset_after=True``), one timestep, written
plainly: read this before ``teachnet.ops.recurrent_gru``. (``gru_cell`` is Keras 1's.)

The reset gate scales h_{t-1}·U_h AFTER the product, and the recurrent products have their
own bias b': b is (2, 3u), row 0 for x·W, row 1 for h·U. Batch-major: x_t (n, d), h_{t-1}
(n, u), W (d, 3u), U (u, 3u), blocks z, r, h; masks m_x, m_h (ones without dropout).

    x' = x_t ⊙ m_x                   h' = h_{t-1} ⊙ m_h
    p = x'·W + b                     q = h'·U + b'            (n, 3u) each
    z_t  = σ(a_z),  a_z = p_z + q_z       r_t = σ(a_r),  a_r = p_r + q_r
    h~_t = g(a_h),  a_h = p_h + r_t ⊙ q_h
    h_t  = z_t ⊙ h_{t-1} + (1 - z_t) ⊙ h~_t

Backward, given dh = dL/dh_t (from the output and from step t + 1):

    dz = dh ⊙ (h_{t-1} - h~_t)      dh~ = dh ⊙ (1 - z_t)      da_h = dh~ ⊙ g'(a_h)
    dr = da_h ⊙ q_h                 da_z = dz ⊙ σ'(a_z)       da_r = dr ⊙ σ'(a_r)
    dp = [da_z, da_r, da_h]         dq = [da_z, da_r, da_h ⊙ r_t]
    dL/dW = x'ᵀ·dp    dL/dU = h'ᵀ·dq    dL/db = [Σ_rows dp, Σ_rows dq]
    dL/dx_t = (dp·Wᵀ) ⊙ m_x         dL/dh_{t-1} = dh ⊙ z_t + (dq·Uᵀ) ⊙ m_h
"""
from teachnet.backend import array_module as am


def gru_reset_after_step(x, states, W, U, b, x_mask, h_mask, sigma, g):
    """One step forward: ((h_t,), what the backward step needs)."""
    (h_prev,) = states
    xp = am.xp()
    x_in, h_in = x * x_mask, h_prev * h_mask
    p, q = x_in @ W + b[0], h_in @ U + b[1]
    (p_z, p_r, p_h), (q_z, q_r, q_h) = xp.split(p, 3, axis=1), xp.split(q, 3, axis=1)
    a_z, a_r = p_z + q_z, p_r + q_r
    z, r = sigma(a_z), sigma(a_r)
    a_h = p_h + r * q_h
    h_tilde = g(a_h)
    h = h_tilde + z * (h_prev - h_tilde)                  # z ⊙ h_{t-1} + (1 - z) ⊙ h~
    return (h,), (x_in, h_in, h_prev, q_h, a_z, a_r, a_h, z, r, h_tilde, W, U, x_mask, h_mask, sigma, g)


def gru_reset_after_step_backward(d_states, cache):
    """One step back: (dL/dx_t, (dL/dh_{t-1},), (dL/dW, dL/dU, dL/db))."""
    (dh,) = d_states
    x_in, h_in, h_prev, q_h, a_z, a_r, a_h, z, r, h_tilde, W, U, x_mask, h_mask, sigma, g = cache
    dz, dh_tilde = dh * (h_prev - h_tilde), dh * (1 - z)
    da_h = dh_tilde * g.slope(a_h)
    da_z, da_r = dz * sigma.slope(a_z), da_h * q_h * sigma.slope(a_r)
    xp = am.xp()
    dp = xp.concatenate([da_z, da_r, da_h], axis=1)
    dq = xp.concatenate([da_z, da_r, da_h * r], axis=1)
    db = xp.stack([dp.sum(axis=0), dq.sum(axis=0)])
    dx, dh_prev = (dp @ W.T) * x_mask, dh * z + (dq @ U.T) * h_mask
    return dx, (dh_prev,), (x_in.T @ dp, h_in.T @ dq, db)
