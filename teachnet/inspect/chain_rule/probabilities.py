"""Softmax and the losses after it: entries whose sum runs over the classes k.

Softmax mixes a row: every output a_k depends on every input z_j, so::

    dL/dz_nj = Σ_k g_nk · a_nk·(δ_kj - a_nj)         (the Jacobian's column j, weighted by g)

Categorical crossentropy first makes the row sum to 1 (q = p/Σp, then clipped to [ε, 1-ε];
where a clip bites the slope is 0), then L_n = -Σ_k y_nk·log q_nk, so with g_n = dL/dL_n::

    dL/dp_nj = Σ_k (g_n/Σp) · (-y_nk/q_nk) · (δ_kj - q_nk)

After a softmax (Σp = 1) the two sums together give the famous dL/dz_nj = g_n·(a_nj - y_nj).
Binary crossentropy and the mean squared error treat each unit alone, one term each::

    binary:  dL/dp_nj = (g_n/u) · (p_nj - y_nj) / (p_nj·(1 - p_nj))
    mse:     dL/dp_nj = (g_n/u) · 2·(p_nj - y_nj)                    (u units per row)
"""
import numpy as np

from teachnet.backend import array_module as am
from teachnet.inspect.chain_rule.entry_sum import EntrySum, entry_text
from teachnet.inspect.chain_rule.step_arrays import arriving, came_out, sent, went_in


def softmax_entry(step, *index):
    """dL/dz_nj = Σ_k g_nk·a_nk·(δ_kj - a_nj): terms (g_nk, a_nk·(δ_kj - a_nj)), one per class k."""
    g, a = arriving(step), came_out(step)
    *row, j = index
    row = tuple(row)
    terms = [(g[row + (k,)], a[row + (k,)] * ((k == j) - a[index])) for k in range(a.shape[-1])]
    where = ','.join(map(str, row))
    return EntrySum('input 0', index, terms, [f'k={k}' for k in range(a.shape[-1])],
                    f'dL/dz[{where},{j}] = Σ_k g[{where},k]·a[{where},k]·(δ_k{j} - a[{where},{j}])',
                    sent(step, 'input 0')[index])


def _predictions(step):
    """(y, p, g per row) of a loss step: the targets, the predictions and dL/dL_n."""
    return went_in(step, 'input 0'), went_in(step, 'input 1'), arriving(step)


def crossentropy_entry(step, *index):
    """dL/dp_nj = Σ_k (g_n/Σp)·(-y_nk/q_nk)·(δ_kj - q_nk), one term per class k."""
    y, p, g = _predictions(step)
    *row, j = index
    row = tuple(row)
    eps = am.epsilon()
    total = p[row].sum()
    q = p[row] / total
    slope = np.where((q >= eps) & (q <= 1 - eps), -y[row] / np.clip(q, eps, 1 - eps), 0.0)
    terms = [(g[row] / total, slope[k], (k == j) - q[k]) for k in range(len(q))]
    where = ','.join(map(str, row))
    return EntrySum('input 1', index, terms, [f'k={k}' for k in range(len(q))],
                    f'dL/dp[{where},{j}] = Σ_k (g[{where}]/Σp)·(-y[{where},k]/q[{where},k])·(δ_k{j} - q[{where},k])',
                    sent(step, 'input 1')[index])


def binary_crossentropy_entry(step, *index):
    """dL/dp_nj = (g_n/u)·(p - y)/(p·(1 - p)): one term (0 where p was clipped)."""
    y, p, g = _predictions(step)
    eps, row = am.epsilon(), index[:-1]
    unclipped = eps <= p[index] <= 1 - eps
    slope = (p[index] - y[index]) / (p[index] * (1 - p[index])) if unclipped else 0.0
    return EntrySum('input 1', index, [(g[row] / p.shape[-1], slope)], ['(p - y)/(p·(1 - p))'],
                    f'dL/dp{entry_text(index)} = (g/u)·(p - y)/(p·(1 - p))', sent(step, 'input 1')[index])


def squared_error_entry(step, *index):
    """dL/dp_nj = (g_n/u)·2·(p - y): one term."""
    y, p, g = _predictions(step)
    row = index[:-1]
    return EntrySum('input 1', index, [(g[row] / p.shape[-1], 2 * (p[index] - y[index]))], ['2·(p - y)'],
                    f'dL/dp{entry_text(index)} = (g/u)·2·(p - y)', sent(step, 'input 1')[index])


RULES = {'softmax': {'input 0': softmax_entry},
         'categorical_crossentropy': {'input 1': crossentropy_entry},
         'binary_crossentropy': {'input 1': binary_crossentropy_entry},
         'mean_squared_error': {'input 1': squared_error_entry}}
