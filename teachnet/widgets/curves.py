"""The curves view: loss and each metric over the run, train and validation.

One small SVG chart per quantity (loss, acc, ...): the per-batch values (pale, as kept by
the decimated series), a smoothed line through them (a moving average), and the epoch
values, training solid and validation dashed. A linear/log toggle sets the y axis.
"""
import ipywidgets as widgets
import numpy as np

from teachnet.widgets.drawing import line_chart
from teachnet.widgets.looks import SharedLooks


def moving_average(y, window):
    """The mean of each ``window`` consecutive values, the first ones over what exists so
    far (so the result is as long as ``y``)."""
    y = np.asarray(y, dtype=float)
    if window <= 1 or len(y) < 2:
        return y
    sums = np.cumsum(np.concatenate([[0.0], y]))
    ends = np.arange(1, len(y) + 1)
    starts = np.maximum(0, ends - window)
    return (sums[ends] - sums[starts]) / (ends - starts)


def names(record):
    """Quantities to chart: each logged name, without its 'val_' twin."""
    logged = list(record.batch) + [n for n in record.epoch if n not in record.batch]
    return [n for n in logged if not n.startswith('val_')]


def chart(record, name, log_scale=False):
    """The SVG chart of one quantity of a ``TrainingRecord``."""
    lines = []
    if name in record.batch:
        x, y = record.batch[name].values()
        lines.append({'x': x, 'y': y, 'label': f'{name} per batch', 'colour': '#1f77b4', 'faint': True})
        lines.append({'x': x, 'y': moving_average(y, max(1, len(y) // 25)), 'label': f'{name} (smoothed)',
                      'colour': '#1f77b4'})
    if name in record.epoch:
        x, y = record.epoch[name].values()
        lines.append({'x': x, 'y': y, 'label': f'{name} per epoch', 'colour': '#ff7f0e'})
    if 'val_' + name in record.epoch:
        x, y = record.epoch['val_' + name].values()
        lines.append({'x': x, 'y': y, 'label': f'val_{name}', 'colour': '#d62728', 'dashed': True})
    return line_chart(lines, width=360, height=170, log_scale=log_scale, title=name, x_label='step')


def curves_html(record, log_scale=False):
    """Every quantity's chart, side by side, as HTML."""
    charts = ''.join(chart(record, name, log_scale) for name in names(record))
    return f'<div style="display:flex;flex-wrap:wrap;gap:6px">{charts}</div>'


class CurvesPanel:
    """Charts of the batch and epoch series of a ``TrainingRecord``.

    # Attributes
        widget: the view; ``scale`` the linear/log ``ToggleButtons``; ``charts`` the ``HTML``.
    """

    def __init__(self, record, looks=None):
        looks = looks or SharedLooks()
        self.record = record
        self.scale = looks.make(widgets.ToggleButtons, options=['linear', 'log'], value='linear',
                                style={'button_width': '60px'})
        self.charts = looks.make(widgets.HTML, value='')
        self.widget = looks.make(widgets.VBox, children=[self.scale, self.charts])
        self.parts = [self.charts]

    def refresh(self):
        self.charts.value = curves_html(self.record, self.scale.value == 'log')
