"""The linear op z = x·W + b: every entry of its three gradients.

With g = dL/dz arriving (one row per sample n, or per sample and timestep)::

    dL/dW_ij = Σ_n x_ni · g_nj        each sample's input i times its gradient at unit j
    dL/dx_ni = Σ_j g_nj · W_ij        every unit j that input i feeds
    dL/db_j  = Σ_n g_nj               the bias is added to every sample

x and W come from the forward step of the same op; their sums are the entries
``step.input('W')[i, j]``, ``step.input('x')[n, i]`` and ``step.input('b')[j]`` that
backward sent.
"""
import numpy as np

from teachnet.inspect.chain_rule.entry_sum import EntrySum
from teachnet.inspect.chain_rule.step_arrays import arriving, sent, went_in


def _rows(array):
    """The array as rows (every leading position) by its last axis, and each row's label."""
    positions = list(np.ndindex(*array.shape[:-1]))
    labels = [f'n={p[0]}' if len(p) == 1 else 'n,t=' + ','.join(map(str, p)) for p in positions]
    return array.reshape(-1, array.shape[-1]), labels


def weight_sum(step, i, j):
    """dL/dW_ij = Σ_n x_ni·g_nj: the terms (x_ni, g_nj), one per sample n."""
    x, labels = _rows(went_in(step, 'x'))
    g, _ = _rows(arriving(step))
    return EntrySum('W', (i, j), [(x[n, i], g[n, j]) for n in range(len(x))], labels,
                    f'dL/dW[{i},{j}] = Σ_n x[n,{i}]·g[n,{j}]', sent(step, 'W')[i, j])


def input_sum(step, *index):
    """dL/dx_ni = Σ_j g_nj·W_ij: the terms (g_nj, W_ij), one per unit j."""
    w, g = went_in(step, 'W'), arriving(step)
    *row, i = index
    row = tuple(row)
    where = ','.join(map(str, row))
    return EntrySum('x', index, [(g[row + (j,)], w[i, j]) for j in range(w.shape[1])],
                    [f'j={j}' for j in range(w.shape[1])],
                    f'dL/dx[{where},{i}] = Σ_j g[{where},j]·W[{i},j]', sent(step, 'x')[index])


def bias_sum(step, j):
    """dL/db_j = Σ_n g_nj: one term g_nj per sample n (the bias's local derivative is 1)."""
    g, labels = _rows(arriving(step))
    return EntrySum('b', (j,), [(g[n, j],) for n in range(len(g))], labels,
                    f'dL/db[{j}] = Σ_n g[n,{j}]', sent(step, 'b')[j])


RULES = {'linear': {'W': weight_sum, 'x': input_sum, 'b': bias_sum}}
