"""Inside a recurrent layer, one timestep at a time: ``GateExplorer(model, x)``.

A timestep slider and a sample picker; for that sample at that timestep, each gate's value
per unit as a row of coloured cells (LSTM: i, f, c~, o and the cell state c, then h; GRU:
z, r, h~, h; SimpleRNN: h), and |dL/dh_t| over all timesteps with the current one marked:
how much gradient reaches each step from the loss.

The numbers are ``teachnet.inspect.gates`` and ``gradients_through_time`` on ``x`` (and
``y``; without it, backward starts from the sum of the outputs), computed once; moving a
slider only redraws. Inside Bidirectional, the forward direction is shown.
"""
import html

import ipywidgets as widgets
import numpy as np
from matplotlib import colormaps

from teachnet.inspect.recurrent import gates, gradients_through_time
from teachnet.widgets.drawing import format_number, line_chart
from teachnet.widgets.gates import gate_scale

CELL = 'display:inline-block;width:42px;text-align:center;font:10px monospace;padding:2px 0;margin:0 1px;'


def _colour(value, low, high, cmap):
    rgba = colormaps[cmap]((value - low) / (high - low) if high > low else 0.5)
    r, g, b = (int(255 * c) for c in rgba[:3])
    ink = 'black' if 0.299 * r + 0.587 * g + 0.114 * b > 140 else 'white'
    return f'background:rgb({r},{g},{b});color:{ink};'


def unit_row_html(name, values):
    """One gate at one timestep: a cell per unit, coloured on the gate's range, its value in it."""
    low, high, cmap = gate_scale(name, values)
    cells = ''.join(f'<span style="{CELL}{_colour(v, low, high, cmap)}">{format_number(v)}</span>'
                    for v in np.asarray(values, dtype=float))
    return (f'<div class="teachnet-gate"><b style="display:inline-block;width:28px">{html.escape(name)}</b>'
            f'{cells}</div>')


class GateExplorer:
    """Gates of ``layer`` (a recurrent layer's name; the first one when None) on ``x``.

    Drive it as a student does: ``timestep.value = t``, ``sample.value = n``. ``widget`` is
    the root (CSS class ``teachnet-explorer``); ``gates`` and ``state_gradient`` hold the
    inspected arrays ((timesteps, batch, units) and (timesteps, batch)).
    """

    def __init__(self, model, x, layer=None, y=None):
        self.gates = gates(model, x, layer)
        self.state_gradient = np.linalg.norm(gradients_through_time(model, x, y, layer), axis=2)
        steps, batch, units = self.gates['h'].shape
        self.layer = layer or 'the first recurrent layer'
        self.timestep = widgets.IntSlider(value=0, min=0, max=steps - 1, description='timestep')
        self.sample = widgets.BoundedIntText(value=0, min=0, max=batch - 1, description='sample',
                                             layout=widgets.Layout(width='150px'))
        self.rows = widgets.HTML()
        self.chart = widgets.HTML()
        for control in (self.timestep, self.sample):
            control.observe(lambda _: self.show(), names='value')
        title = widgets.HTML(value=f'Gates of <b>{html.escape(self.layer)}</b>: each unit at the chosen '
                                   'timestep (colour: the gate\'s range)')
        self.widget = widgets.VBox([title, widgets.HBox([self.timestep, self.sample]), self.rows, self.chart])
        self.widget.add_class('teachnet-explorer')
        self.show()

    def show(self):
        t, n = self.timestep.value, self.sample.value
        self.rows.value = ''.join(unit_row_html(name, values[t, n]) for name, values in self.gates.items())
        steps = np.arange(len(self.state_gradient))
        norms = self.state_gradient[:, n]
        self.chart.value = line_chart(
            [{'x': steps, 'y': norms, 'label': '|dL/dh_t|'},
             {'x': [t], 'y': [norms[t]], 'label': f'timestep {t}', 'colour': '#d62728'}],
            width=420, height=150, log_scale=True, title=f'|dL/dh_t| of sample {n}', x_label='timestep')

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = self.widget._repr_mimebundle_(include=include, exclude=exclude) or {}
        bundle['text/plain'] = f'GateExplorer over {self.layer}'
        return bundle
