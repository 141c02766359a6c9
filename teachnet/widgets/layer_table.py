"""The layers view: one row per layer, its shape and size, and how healthy it looks now.

    layer     type   output shape   params   act mean  act std  dead/sat.  |θ|    |dL/dθ|   |Δθ|/|θ|
    dense_1   Dense  (None, 512)    401,920  0.21      0.35     12% dead   25.3   1.2e-02   9.8e-04

Activation numbers come from the probe batch; |θ|, |dL/dθ| and |Δθ|/|θ| from the last
sample the dashboard took (the step it measured then). A number outside its healthy range
shows in red (see ``diagnostics`` for the ranges).
"""
import html

import ipywidgets as widgets
import numpy as np

from teachnet.layers.base import format_shape
from teachnet.widgets.diagnostics import EXPLODING_NORM, MOSTLY, UPDATE_RATIO_RANGE
from teachnet.widgets.drawing import format_number
from teachnet.widgets.looks import SharedLooks

COLUMNS = ('layer', 'type', 'output shape', 'params', 'act mean', 'act std', 'dead / saturated',
           '|θ|', '|dL/dθ|', '|Δθ|/|θ|')


def _cell(value, bad=False):
    text = '–' if value is None or (isinstance(value, float) and np.isnan(value)) else value
    text = format_number(text) if isinstance(text, float) else html.escape(str(text))
    style = ' style="color:#c00;font-weight:bold"' if bad else ''
    return f'<td{style}>{text}</td>'


def rows(record):
    """One list of cell values per layer of a ``TrainingRecord`` (``COLUMNS``)."""
    table = []
    for layer in record.layers:
        act = record.activations.get(layer.name)
        par = record.parameters.get(layer.name)
        fraction = None
        if act is not None and np.isfinite(act.dead_fraction):
            fraction = f'{act.dead_fraction:.0%} dead'
        elif act is not None and np.isfinite(act.saturated_fraction):
            fraction = f'{act.saturated_fraction:.0%} saturated'
        table.append([layer.name, type(layer).__name__, format_shape(layer.output_shape), layer.count_params(),
                      act.mean if act else None, act.std if act else None, fraction,
                      par.weight_norm if par else None, par.gradient_norm if par else None,
                      par.update_ratio if par else None])
    return table


def table_html(record):
    """The table as HTML, numbers outside their healthy range in red."""
    low, high = UPDATE_RATIO_RANGE
    body = []
    for row in rows(record):
        act = record.activations.get(row[0])
        fraction_bad = act is not None and max(np.nan_to_num(act.dead_fraction),
                                               np.nan_to_num(act.saturated_fraction)) > MOSTLY
        gradient, ratio = row[8], row[9]
        cells = [_cell(row[0]), _cell(row[1]), _cell(row[2]), _cell(f'{row[3]:,}'),
                 _cell(row[4], act is not None and not act.finite), _cell(row[5]), _cell(row[6], fraction_bad),
                 _cell(row[7]), _cell(gradient, gradient is not None and gradient > EXPLODING_NORM),
                 _cell(ratio, ratio is not None and np.isfinite(ratio) and not low <= ratio <= high)]
        body.append('<tr>' + ''.join(cells) + '</tr>')
    head = ''.join(f'<th style="text-align:left;padding-right:8px">{html.escape(c)}</th>' for c in COLUMNS)
    return (f'<table class="teachnet-layers" style="font-size:12px"><tr>{head}</tr>{"".join(body)}</table>'
            '<small>activations on the probe batch; norms at the last sample</small>')


class LayerTable:
    """An ``HTML`` widget showing ``table_html`` of a ``TrainingRecord``."""

    def __init__(self, record, looks=None):
        self.record = record
        self.table = (looks or SharedLooks()).make(widgets.HTML, value='')
        self.widget = self.table
        self.parts = [self.table]

    def rows(self):
        return rows(self.record)

    def refresh(self):
        self.table.value = table_html(self.record)
