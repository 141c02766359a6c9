"""Embedding: row v of W is looked up wherever the id v appears, so its gradient is the sum
of the gradients arriving at every one of those places::

    y[n,t] = W[ids[n,t]]        dL/dW[v,j] = Σ_{(n,t): ids[n,t] = v} g[n,t,j]

A word that does not appear in the batch gets no term: its row is not changed.
"""
import numpy as np

from teachnet.inspect.chain_rule.entry_sum import EntrySum
from teachnet.inspect.chain_rule.step_arrays import arriving, sent


def row_entry(step, v, j):
    """dL/dW[v,j]: one term g[n,t,j] per place (n, t) that holds the id v."""
    ids, g = np.asarray(step.forward_step.input('ids')), arriving(step)
    places = [tuple(int(k) for k in p) for p in np.argwhere(ids == v)]
    return EntrySum('W', (v, j), [(g[p + (j,)],) for p in places], [f'at {p}' for p in places],
                    f'dL/dW[{v},{j}] = Σ over the places holding id {v} of g[place,{j}]', sent(step, 'W')[v, j])


RULES = {'embedding': {'W': row_entry}}
