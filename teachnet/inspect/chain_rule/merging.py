"""Merge: several branches into one. Each output entry takes one entry of each branch, so
an entry of branch k's gradient is the gradient arriving at the place it went to, times the
local slope there::

    sum      z = Σ_k x_k          dL/dx_k[idx] = g[idx]
    ave      z = (1/K) Σ_k x_k    dL/dx_k[idx] = g[idx] · 1/K
    mul      z = Π_k x_k          dL/dx_k[idx] = g[idx] · Π_{j≠k} x_j[idx]
    concat   z = [x_1, x_2, …]    dL/dx_k[idx] = g[idx shifted by the branches before k]

The inputs are named after their branches, so these rules apply to every input ('*').
"""
import numpy as np

from teachnet.inspect.chain_rule.entry_sum import EntrySum, entry_text
from teachnet.inspect.chain_rule.step_arrays import arriving, kept, sent, went_in


def _branches(step):
    return [label.split(' = ')[0] for label, _ in step.forward_step.inputs]


def elementwise_entry(step, name, *index):
    """sum, ave and mul: one term, g times the slope of z in x_k."""
    g, others = arriving(step), [b for b in _branches(step) if b != name]
    where = entry_text(index)
    if step.op == 'merge_mul':
        slope = float(np.prod([went_in(step, other)[index] for other in others]))
        symbol = '·'.join(f'{other}{where}' for other in others) or '1'
    else:
        slope = 1.0 / (len(others) + 1) if step.op == 'merge_ave' else 1.0
        symbol = f'1/{len(others) + 1}' if step.op == 'merge_ave' else '1'
    return EntrySum(name, index, [(g[index], slope)], [f'z{where}'], f'dL/d{name}{where} = g{where}·{symbol}',
                    sent(step, name)[index])


def concat_entry(step, name, *index):
    """concat: one term, the gradient at the place x_k[idx] went to."""
    axis = kept(step, 'axis') % len(index)
    before = _branches(step)[:_branches(step).index(name)]
    shift = sum(np.shape(step.forward_step.input(branch))[axis] for branch in before)
    place = list(index)
    place[axis] += shift
    place = tuple(place)
    return EntrySum(name, index, [(arriving(step)[place],)], [f'z{entry_text(place)}'],
                    f'dL/d{name}{entry_text(index)} = g{entry_text(place)}', sent(step, name)[index])


RULES = {op: {'*': elementwise_entry} for op in ('merge_sum', 'merge_ave', 'merge_mul')}
RULES['merge_concat'] = {'*': concat_entry}
