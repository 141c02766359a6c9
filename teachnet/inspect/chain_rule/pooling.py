"""Max pooling: only the winner of a window gets its gradient.

y_w = max over window w of x, so dy_w/dx is 1 for the element that won window w and 0 for
the others. An input element gets the gradient of every window it won (one, unless windows
overlap) and nothing otherwise::

    dL/dx[n,c,r,q] = Σ_{windows w that x[n,c,r,q] won} g[n,c,w]

The op keeps each window's winner (``winners``: the flat spatial index r·cols + q in x, or
the step of a 1-D pooling), so the sum is read straight off the trace.
"""
import numpy as np

from teachnet.inspect.chain_rule.entry_sum import EntrySum, entry_text
from teachnet.inspect.chain_rule.step_arrays import arriving, kept, sent


def winner_entry(step, *index):
    """dL/dx entry: one term g per window this element won (no term: it won none)."""
    axes = tuple(kept(step, 'spatial_axes'))
    winners, g = np.asarray(kept(step, 'winners')), arriving(step)
    x_shape = np.shape(step.input('x'))
    flat = np.ravel_multi_index(tuple(index[a] for a in axes), tuple(x_shape[a] for a in axes))
    same_sample = tuple(slice(None) if axis in axes else index[axis] for axis in range(len(index)))
    won = np.argwhere(winners[same_sample] == flat)
    terms = [(g[same_sample][tuple(w)],) for w in won]
    labels = ['window ' + entry_text(w) for w in won]
    return EntrySum('x', index, terms, labels,
                    f'dL/dx{entry_text(index)} = Σ over the windows it won of g', sent(step, 'x')[index])


RULES = {name: {'x': winner_entry} for name in ('max_pool1d', 'max_pool2d', 'max_pool3d')}
