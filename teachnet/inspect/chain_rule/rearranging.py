"""Ops that only move numbers: flatten, reshape, permute. Each input entry lands in exactly
one output place, so its gradient is the ONE gradient that arrived there::

    y = reshape(x)          dL/dx[idx] = g[the same place in reading order]
    y = permute(x, π)       dL/dx[idx] = g[idx permuted: y's axis a is x's axis π_a]

The sum has a single term: the chain rule of a permutation is the permutation itself.
"""
import numpy as np

from teachnet.inspect.chain_rule.entry_sum import EntrySum, entry_text
from teachnet.inspect.chain_rule.step_arrays import arriving, kept, sent


def reshape_entry(step, *index):
    """dL/dx[idx] = g[out], out the place x[idx] has in y (the same reading-order position)."""
    g, x_shape = arriving(step), np.shape(step.input('input 0'))
    place = np.unravel_index(np.ravel_multi_index(index, x_shape), g.shape)
    place = tuple(int(p) for p in place)
    return EntrySum('input 0', index, [(g[place],)], [f'y{entry_text(place)}'],
                    f'dL/dx{entry_text(index)} = g{entry_text(place)}', sent(step, 'input 0')[index])


def permute_entry(step, *index):
    """dL/dx[idx] = g[idx[π_0], idx[π_1], ...]."""
    pattern = kept(step, 'pattern')
    place = tuple(index[axis] for axis in pattern)
    g = arriving(step)
    return EntrySum('input 0', index, [(g[place],)], [f'y{entry_text(place)}'],
                    f'dL/dx{entry_text(index)} = g{entry_text(place)}', sent(step, 'input 0')[index])


RULES = {'reshape': {'input 0': reshape_entry}, 'batch_flatten': {'input 0': reshape_entry},
         'flatten': {'input 0': reshape_entry}, 'expand_dims': {'input 0': reshape_entry},
         'squeeze': {'input 0': reshape_entry}, 'permute_dimensions': {'input 0': permute_entry}}
