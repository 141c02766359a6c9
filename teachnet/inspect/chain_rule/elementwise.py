"""Elementwise ops: activations and dropout. Each output entry depends on one input entry
only, so each gradient entry is a sum of ONE term, the gradient arriving times the local
slope::

    a = f(z)        dL/dz_ij = dL/da_ij · f'(z_ij)        (g_ij · f'(z_ij))
    y = x ⊙ m       dL/dx_ij = g_ij · m_ij                 (dropout: the mask, 0 or 1/(1-p))

The slopes, from the forward step's z and a (as the ops compute them):

    relu     1 where a > 0, else 0        tanh      1 - a²       sigmoid   a·(1 - a)
    hard_sigmoid  0.2 where 0 < a < 1     softplus  σ(z)         softsign  1/(1 + |z|)²
    elu      1 where z > 0, else a + α    linear    1

``SLOPES`` holds them by name; the recurrent chain rule reuses the ones computed from a.
"""
import numpy as np

from teachnet.inspect.chain_rule.entry_sum import EntrySum, entry_text
from teachnet.inspect.chain_rule.step_arrays import arriving, came_out, kept, sent, went_in


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))


#: slope f'(z) from (z, a, facts) for each elementwise activation op, by name
SLOPES = {
    'relu': lambda z, a, facts: (a > 0).astype(float),
    'tanh': lambda z, a, facts: 1.0 - a * a,
    'sigmoid': lambda z, a, facts: a * (1.0 - a),
    'hard_sigmoid': lambda z, a, facts: 0.2 * ((a > 0) & (a < 1)),
    'softplus': lambda z, a, facts: _sigmoid(z),
    'softsign': lambda z, a, facts: (1.0 - np.abs(a)) ** 2,                  # 1/(1 + |z|)²
    'elu': lambda z, a, facts: np.where(z > 0, 1.0, a + facts.get('alpha', 1.0)),
    'linear': lambda z, a, facts: np.ones_like(a),
}

#: the slope in symbols, for the formula
SLOPE_SYMBOLS = {'relu': '[z > 0]', 'tanh': '(1 - a²)', 'sigmoid': 'a·(1 - a)', 'hard_sigmoid': '0.2·[0 < a < 1]',
                 'softplus': 'σ(z)', 'softsign': '1/(1 + |z|)²', 'elu': '(1 if z > 0 else a + α)', 'linear': '1'}


def slope_of(step):
    """f'(z) of an activation step, every entry."""
    z, a = went_in(step, 'input 0'), came_out(step)
    if step.op == 'relu' and (step.forward_step.facts.get('alpha') or step.forward_step.facts.get('max_value')):
        alpha, ceiling = step.forward_step.facts.get('alpha') or 0.0, step.forward_step.facts.get('max_value')
        slope = np.where(z > 0, 1.0, alpha)
        return slope if ceiling is None else slope * (z <= ceiling)
    return SLOPES[step.op](z, a, step.forward_step.facts)


def activation_entry(step, *index):
    """dL/dz_ij = g_ij · f'(z_ij): one term (g, f'(z))."""
    g, slope = arriving(step), slope_of(step)
    where = entry_text(index)
    return EntrySum('input 0', index, [(g[index], slope[index])], [f'z{where} = {went_in(step, "input 0")[index]:.4g}'],
                    f'dL/dz{where} = g{where}·{SLOPE_SYMBOLS[step.op]}', sent(step, 'input 0')[index])


def dropout_entry(step, *index):
    """dL/dx_ij = g_ij · m_ij: one term (g, m), m the kept mask (0: dropped)."""
    g, mask = arriving(step), np.asarray(kept(step, 'mask'), dtype=float)
    where = entry_text(index)
    state = 'dropped' if mask[index] == 0 else 'kept'
    return EntrySum('input 0', index, [(g[index], mask[index])], [f'unit {state}'],
                    f'dL/dx{where} = g{where}·m{where}', sent(step, 'input 0')[index])


RULES = {name: {'input 0': activation_entry} for name in SLOPES}
RULES['dropout'] = {'input 0': dropout_entry}
