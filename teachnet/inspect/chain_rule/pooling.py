"""Pooling: max pooling sends a window's gradient to its winner, average pooling shares it.

y_w = max over window w of x, so dy_w/dx is 1 for the element that won window w and 0 for
the others. An input element gets the gradient of every window it won (one, unless windows
overlap) and nothing otherwise::

    dL/dx[n,c,r,q] = Σ_{windows w that x[n,c,r,q] won} g[n,c,w]

The op keeps each window's winner (``winners``: the flat spatial index r·cols + q in x, or
the step of a 1-D pooling), so the sum is read straight off the trace.

Average pooling, y_w = (1/n_w) Σ_{x in window w} x with n_w the window's real (unpadded)
elements, shares each window's gradient out evenly::

    dL/dx[n,c,r,q] = Σ_{windows w holding x[n,c,r,q]} g[n,c,w] · 1/n_w
"""
import itertools
import numpy as np

from teachnet.inspect.chain_rule.entry_sum import EntrySum, entry_text
from teachnet.inspect.chain_rule.step_arrays import arriving, kept, sent
from teachnet.ops.pooling import output_length, padding_amounts


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


def _windows_along(length, size, stride, padding):
    """For one spatial axis: each window's (first, last + 1) positions in x, unpadded."""
    count = output_length(length, size, padding, stride)
    before, _ = padding_amounts(length, size, padding, stride)
    return [(max(w * stride - before, 0), min(w * stride - before + size, length)) for w in range(count)]


def share_entry(step, *index):
    """dL/dx entry of average pooling: one term (g, 1/n_w) per window holding it."""
    axes, g = tuple(kept(step, 'spatial_axes')), arriving(step)
    x_shape = np.shape(step.input('x'))
    spans = [_windows_along(x_shape[a], size, stride, kept(step, 'padding'))
             for a, size, stride in zip(axes, kept(step, 'pool_size'), kept(step, 'strides'))]
    terms, labels = [], []
    for window in itertools.product(*[range(len(s)) for s in spans]):
        ranges = [s[w] for s, w in zip(spans, window)]
        if all(first <= index[a] < last for a, (first, last) in zip(axes, ranges)):
            place = list(index)
            for a, w in zip(axes, window):
                place[a] = w
            size = int(np.prod([last - first for first, last in ranges]))
            terms.append((g[tuple(place)], 1.0 / size))
            labels.append('window ' + entry_text(window))
    return EntrySum('x', index, terms, labels,
                    f'dL/dx{entry_text(index)} = Σ over the windows holding it of g·1/n', sent(step, 'x')[index])


RULES = {name: {'x': winner_entry} for name in ('max_pool1d', 'max_pool2d', 'max_pool3d')}
RULES.update({name: {'x': share_entry} for name in ('avg_pool1d', 'avg_pool2d', 'avg_pool3d')})
