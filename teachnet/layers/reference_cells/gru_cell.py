"""The GRU cell as Keras 1 has it (reset before U_h), one timestep, written plainly:
read this before ``teachnet.ops.recurrent_gru``. (``gru_reset_after_cell`` is the other one.)

Batch-major: x_t is (n, d), h_{t-1} is (n, u). W (d, 3u), U (u, 3u) and b (3u,) hold the
blocks side by side in Keras's order z, r, h. The dropout masks m_x (n, d) and m_h (n, u) are
ones when there is no dropout; σ is the inner activation, g the activation.

    x' = x_t ⊙ m_x                     h' = h_{t-1} ⊙ m_h
    z_t  = σ(a_z),  a_z = x'·W_z + h'·U_z + b_z         update gate
    r_t  = σ(a_r),  a_r = x'·W_r + h'·U_r + b_r         reset gate
    h~_t = g(a_h),  a_h = x'·W_h + (r_t ⊙ h')·U_h + b_h  candidate
    h_t  = z_t ⊙ h_{t-1} + (1 - z_t) ⊙ h~_t

Backward, given dh = dL/dh_t (from the output and from step t + 1):

    dz = dh ⊙ (h_{t-1} - h~_t)      dh~ = dh ⊙ (1 - z_t)      da_h = dh~ ⊙ g'(a_h)
    d(r ⊙ h') = da_h·U_hᵀ           dr = d(r ⊙ h') ⊙ h'
    da_z = dz ⊙ σ'(a_z)             da_r = dr ⊙ σ'(a_r)
    dL/dh' = d(r ⊙ h') ⊙ r_t + [da_z, da_r]·[U_z, U_r]ᵀ
    dL/dW = x'ᵀ·da    dL/dU = [h'ᵀ·da_z, h'ᵀ·da_r, (r ⊙ h')ᵀ·da_h]    dL/db = Σ_rows da
    dL/dx_t = (da·Wᵀ) ⊙ m_x         dL/dh_{t-1} = dh ⊙ z_t + dL/dh' ⊙ m_h
"""
from teachnet.backend import array_module as am


def gru_step(x, states, W, U, b, x_mask, h_mask, sigma, g):
    """One step forward: ((h_t,), what the backward step needs)."""
    (h_prev,) = states
    xp = am.xp()
    (W_z, W_r, W_h), (U_z, U_r, U_h) = xp.split(W, 3, axis=1), xp.split(U, 3, axis=1)
    b_z, b_r, b_h = xp.split(b, 3)
    x_in, h_in = x * x_mask, h_prev * h_mask
    a_z = x_in @ W_z + h_in @ U_z + b_z
    a_r = x_in @ W_r + h_in @ U_r + b_r
    z, r = sigma(a_z), sigma(a_r)
    reset = r * h_in
    a_h = x_in @ W_h + reset @ U_h + b_h
    h_tilde = g(a_h)
    h = z * h_prev + (1 - z) * h_tilde
    return (h,), (x_in, h_in, h_prev, a_z, a_r, a_h, z, r, reset, h_tilde, W, U, x_mask, h_mask, sigma, g)


def gru_step_backward(d_states, cache):
    """One step back: (dL/dx_t, (dL/dh_{t-1},), (dL/dW, dL/dU, dL/db))."""
    (dh,) = d_states
    x_in, h_in, h_prev, a_z, a_r, a_h, z, r, reset, h_tilde, W, U, x_mask, h_mask, sigma, g = cache
    xp = am.xp()
    U_zr, U_h = xp.split(U, [2 * h_prev.shape[1]], axis=1)
    dz, dh_tilde = dh * (h_prev - h_tilde), dh * (1 - z)
    da_h = dh_tilde * g.slope(a_h)
    d_reset = da_h @ U_h.T
    da_zr = xp.concatenate([dz * sigma.slope(a_z), d_reset * h_in * sigma.slope(a_r)], axis=1)
    dh_in = d_reset * r + da_zr @ U_zr.T
    da = xp.concatenate([da_zr, da_h], axis=1)
    dU = xp.concatenate([h_in.T @ da_zr, reset.T @ da_h], axis=1)
    dx, dh_prev = (da @ W.T) * x_mask, dh * z + dh_in * h_mask
    return dx, (dh_prev,), (x_in.T @ da, dU, da.sum(axis=0))
