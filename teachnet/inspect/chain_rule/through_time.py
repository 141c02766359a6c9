"""Recurrent layers: one weight is used at every timestep, so its gradient is a sum over
the timesteps (and the samples) of what each step contributed.

With dz_t the gradient of a gate's pre-activation at step t (z_t = x_t·W + h_{t-1}·U + b)::

    dL/dW_ij = Σ_t Σ_n x_t[n,i] · dz_t[n,j]          dL/db_j = Σ_t Σ_n dz_t[n,j]
    dL/dU_ij = Σ_t Σ_n (h_{t-1} ⊙ m_U)[n,i] · dz_t[n,j]     (m_U: dropout_U's mask, else 1)

For a SimpleRNN, h_t = g(z_t), so dz_t = dL/dh_t ⊙ g'(z_t), with dL/dh_t the TOTAL gradient
that reached h_t (from the output and from step t+1), kept by the trace as 'dL/dh'.
For an LSTM, column j belongs to one of the gates i, f, c~, o (Keras's order, ``units``
columns each), and with dc_t the total dL/dc_t (kept as 'dL/dc')::

    dz_i = dc_t ⊙ c~_t ⊙ σ'      dz_f = dc_t ⊙ c_{t-1} ⊙ σ'
    dz_c~ = dc_t ⊙ i_t ⊙ g'      dz_o = dL/dh_t ⊙ g(c_t) ⊙ σ'

For a GRU (Keras 1's, the reset applied before U_h), columns z, r, h~::

    dz_z = dL/dh_t ⊙ (h_{t-1} - h~_t) ⊙ σ'      dz_h~ = dL/dh_t ⊙ (1 - z_t) ⊙ g'
    dz_r = (dz_h~·U_hᵀ) ⊙ h_{t-1} ⊙ σ'          (and U_h multiplies r_t ⊙ h_{t-1}, so the
                                                  h~ columns of dL/dU take r_t ⊙ h_{t-1})

σ' and g' are read from the gate values (σ' = a(1-a) for sigmoid, 0.2 inside (0, 1) for
hard_sigmoid, 1 - a² for tanh). Steps are in the order processed (reversed with
go_backwards); sequences with masked steps, and GRUs with reset_after, are not written out.
"""
import numpy as np

from teachnet.inspect.chain_rule.elementwise import SLOPES
from teachnet.inspect.chain_rule.entry_sum import EntrySum
from teachnet.inspect.chain_rule.step_arrays import sent, went_in

#: the recurrent activations g(c) themselves (for the LSTM's output gate term)
ACTIVATIONS = {'tanh': np.tanh, 'sigmoid': lambda z: 0.5 * (1 + np.tanh(0.5 * z)),
               'hard_sigmoid': lambda z: np.clip(0.2 * z + 0.5, 0, 1), 'relu': lambda z: np.maximum(z, 0),
               'linear': lambda z: z, 'softsign': lambda z: z / (1 + np.abs(z))}


def _slope(name, a):
    """The activation's slope from its output a (SLOPES without z)."""
    return SLOPES[name](None, np.asarray(a, dtype=float), {})


def explains(step):
    """Sequences with masked steps are not written out (a masked step carries the state
    over), nor GRUs with reset_after."""
    facts = step.forward_step.facts
    return not facts.get('masked steps') and not facts.get('reset after')


def _facts(step):
    forward = step.forward_step.facts
    if not explains(step):
        raise ValueError(f"Layer {step.layer} ({step.op}): the chain rule per entry is not shown for "
                         f"sequences with masked steps ({forward['masked steps']} here).")
    return forward, step.facts


def _steps_of_x(step):
    """x_t for each step in the order processed: (T, n, d)."""
    steps = went_in(step, 'x').transpose(1, 0, 2)
    return steps[::-1] if step.forward_step.facts.get('go_backwards') else steps


def gate_gradients(step, j):
    """dz_t[n, j] for every step t and sample n, (T, n), and the factors it is made of
    ((T, n) arrays whose product it is) with their names."""
    forward, backward = _facts(step)
    dh = np.asarray(backward['dL/dh'], dtype=float)
    g, inner = forward['activation'], forward['inner activation']
    if step.op == 'simple_rnn':
        h = np.asarray(forward['h'], dtype=float)[..., j]
        return [dh[..., j], _slope(g, h)], ['dL/dh', "g'"]
    if step.op == 'gru':
        return _gru_gate_gradients(step, forward, dh, j)
    units = dh.shape[-1]
    gate, unit = divmod(j, units)
    value = {name: np.asarray(forward[name], dtype=float)[..., unit] for name in ('i', 'f', 'c~', 'o', 'c')}
    dc = np.asarray(backward['dL/dc'], dtype=float)[..., unit]
    if gate == 0:
        return [dc, value['c~'], _slope(inner, value['i'])], ['dL/dc', 'c~', "σ'(i)"]
    if gate == 1:
        previous = _previous(forward, 'c', 'c_0')[..., unit]
        return [dc, previous, _slope(inner, value['f'])], ['dL/dc', 'c_{t-1}', "σ'(f)"]
    if gate == 2:
        return [dc, value['i'], _slope(g, value['c~'])], ['dL/dc', 'i', "g'(c~)"]
    return [dh[..., unit], ACTIVATIONS[g](value['c']), _slope(inner, value['o'])], ['dL/dh', 'g(c)', "σ'(o)"]


def _gru_gate_gradients(step, forward, dh, j):
    units = dh.shape[-1]
    gate, unit = divmod(j, units)
    z, r, candidate = (np.asarray(forward[name], dtype=float) for name in ('z', 'r', 'h~'))
    inner, g = forward['inner activation'], forward['activation']
    previous = _previous(forward, 'h', 'h_0')
    if gate == 0:
        return ([dh[..., unit], (previous - candidate)[..., unit], _slope(inner, z[..., unit])],
                ['dL/dh', '(h_{t-1} - h~)', "σ'(z)"])
    grad_candidate = dh * (1 - z) * _slope(g, candidate)
    if gate == 2:
        return [dh[..., unit], 1 - z[..., unit], _slope(g, candidate[..., unit])], ['dL/dh', '(1 - z)', "g'(h~)"]
    kernel_h = went_in(step, 'U')[:, 2 * units:]
    grad_reset_h = grad_candidate @ kernel_h.T                                   # dL/d(r ⊙ h_{t-1})
    return ([grad_reset_h[..., unit], _dropped(forward, previous)[..., unit], _slope(inner, r[..., unit])],
            ["(dz_h~·U_hᵀ)", 'h_{t-1}', "σ'(r)"])


def _dropped(forward, h):
    """h ⊙ m_U, as the recurrent kernel sees it (h itself without dropout_U)."""
    return h * np.asarray(forward['recurrent mask'], dtype=float)[None] if 'recurrent mask' in forward else h


def _previous(forward, name, first):
    """The state each step starts from, (T, n, units): the initial one, then steps 1..T-1's."""
    states = np.asarray(forward[name], dtype=float)
    return np.concatenate([np.asarray(forward[first], dtype=float)[None], states[:-1]])


def weight_entry(step, i, j):
    """dL/dW_ij = Σ_t Σ_n x_t[n,i]·dz_t[n,j]: terms (x, factors of dz), one per step and sample."""
    x = _steps_of_x(step)[..., i]
    factors, names = gate_gradients(step, j)
    positions = list(np.ndindex(*x.shape))
    terms = [(x[p],) + tuple(f[p] for f in factors) for p in positions]
    return EntrySum('W', (i, j), terms, [f't={t}, n={n}' for t, n in positions],
                    f'dL/dW[{i},{j}] = Σ_t Σ_n x_t[n,{i}]·' + '·'.join(names) + f'  (column {j})',
                    sent(step, 'W')[i, j])


def recurrent_entry(step, i, j):
    """dL/dU_ij = Σ_t Σ_n (h_{t-1} ⊙ m_U)[n,i]·dz_t[n,j]: terms (h_{t-1}·m_U, factors of dz)."""
    forward = step.forward_step.facts
    h = _dropped(forward, _previous(forward, 'h', 'h_0'))
    if step.op == 'gru' and j // h.shape[-1] == 2:                  # U_h multiplies r_t ⊙ h_{t-1}
        h = h * np.asarray(forward['r'], dtype=float)
    h = h[..., i]
    factors, names = gate_gradients(step, j)
    positions = list(np.ndindex(*h.shape))
    dropped = '⊙m_U' if 'recurrent mask' in forward else ''
    return EntrySum('U', (i, j), [(h[p],) + tuple(f[p] for f in factors) for p in positions],
                    [f't={t}, n={n}' for t, n in positions],
                    f'dL/dU[{i},{j}] = Σ_t Σ_n (h_(t-1){dropped})[n,{i}]·' + '·'.join(names) + f'  (column {j})',
                    sent(step, 'U')[i, j])


def bias_entry(step, j):
    """dL/db_j = Σ_t Σ_n dz_t[n,j]."""
    factors, names = gate_gradients(step, j)
    positions = list(np.ndindex(*factors[0].shape))
    return EntrySum('b', (j,), [tuple(f[p] for f in factors) for p in positions],
                    [f't={t}, n={n}' for t, n in positions],
                    f'dL/db[{j}] = Σ_t Σ_n ' + '·'.join(names) + f'  (column {j})', sent(step, 'b')[j])


RULES = {name: {'W': weight_entry, 'U': recurrent_entry, 'b': bias_entry} for name in ('simple_rnn', 'lstm', 'gru')}
