"""One array, shown the way its size calls for.

* a few numbers (at most ``MAX_NUMBERS``): the numbers themselves;
* a matrix or an image: a heatmap (for more than two axes, the first sample's first
  channel, named in the caption);
* anything else that is large (a long vector): a histogram of its values.

``array_view(label, array)`` returns one widget; ``how_shown(array)`` says which of the
three it chose ('numbers', 'heatmap', 'histogram'), so that tests and captions agree.
"""
import html

import ipywidgets as widgets
import numpy as np

from teachnet.inspect.trace import format_array
from teachnet.widgets.drawing import format_number, heatmap_png, histogram_svg

MAX_NUMBERS = 24
HISTOGRAM_BINS = 30


def how_shown(array):
    """'numbers', 'heatmap' or 'histogram': how ``array_view`` shows ``array``."""
    array = np.asarray(array)
    if array.size <= MAX_NUMBERS:
        return 'numbers'
    if array.ndim >= 2 and min(array.shape[-2:]) > 1:
        return 'heatmap'
    return 'histogram'


def _as_matrix(array):
    """A 2-D slice of ``array`` (leading axes at index 0) and the words saying which."""
    index = (0,) * (array.ndim - 2)
    where = f' [{", ".join("0" for _ in index)}, :, :]' if index else ''
    return array[index], where


def _caption(label, array, extra=''):
    array = np.asarray(array, dtype=float)
    finite = array[np.isfinite(array)]
    spread = (f' · min {format_number(finite.min())}, max {format_number(finite.max())}'
              if finite.size else '')
    return widgets.HTML(value=f'<b>{html.escape(label)}</b> <small>shape {tuple(array.shape)}{extra}{spread}</small>')


def array_view(label, array):
    """A widget showing ``array`` (see the module doc), captioned with ``label`` and its shape."""
    if array is None:
        return widgets.HTML(value=f'<b>{html.escape(label)}</b> <small>none</small>')
    array = np.asarray(array)
    how = how_shown(array)
    if how == 'numbers':
        text = html.escape(format_array(array, precision=4, max_items=MAX_NUMBERS))
        return widgets.VBox([_caption(label, array), widgets.HTML(value=f'<pre style="margin:0">{text}</pre>')])
    if how == 'heatmap':
        matrix, where = _as_matrix(np.asarray(array, dtype=float))
        image = widgets.Image(value=heatmap_png(matrix), format='png', layout=widgets.Layout(max_width='240px'))
        return widgets.VBox([_caption(label, array, f', heatmap of{where or " all"}'), image])
    values = np.asarray(array, dtype=float).ravel()
    values = values[np.isfinite(values)]
    counts, edges = np.histogram(values, bins=HISTOGRAM_BINS) if values.size else (np.zeros(1), [0, 1])
    return widgets.VBox([_caption(label, array, ', histogram'), widgets.HTML(value=histogram_svg(counts))])
