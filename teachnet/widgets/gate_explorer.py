"""Inside a recurrent layer, one timestep at a time: ``GateExplorer(model, x)``.

A layer dropdown, a timestep slider and a sample picker; for that sample at that
timestep, each gate's value per unit as a row of coloured cells (LSTM: i, f, c~, o and the
cell state c, then h; GRU: z, r, h~, h; SimpleRNN: h), and the size of the gradient that
reached every step's state, with the current one marked: |dL/dh_t|, and for an LSTM
|dL/dc_t| beside it (the cell's own road back, through the forget gates).

The dropdown lists every recurrent layer of the model, by the names of
``teachnet.inspect.recurrent_layers``: in Merge branches and functional graphs, inside
TimeDistributed ('td', one row per (sample, outer step)) and both directions of a
Bidirectional ('bi/forward', 'bi/backward'). A layer shared in a functional graph (it runs
more than once per run of the model) gets a picker of its call, inspect's ``node_index``.

Timesteps are numbered t = 1 ... T, as in x_1 ... x_T and in the dashboard: timestep t is
the t-th step the layer processed. A layer reading forwards reads x_t at timestep t; with
``go_backwards`` (so in a Bidirectional's 'backward' direction) it reads x_{T+1-t}, the
last input first; the caption says which input the current timestep read.

The numbers are ``teachnet.inspect.gates`` and ``gradients_through_time`` on ``x`` (and
``y``; without it, backward starts from the sum of the outputs), computed when a layer is
chosen; moving a slider only redraws. A stateful model's states are left as they were.
"""
import html

import ipywidgets as widgets
import numpy as np
from matplotlib import colormaps

from teachnet.engine.data import sample_count
from teachnet.inspect.recurrent import gates, gradients_through_time, recurrent_calls
from teachnet.inspect.recurrent_layers import recurrent_layers, require_recurrent_layer
from teachnet.widgets.drawing import format_number, line_chart
from teachnet.widgets.gates import gate_scale
from teachnet.widgets.sync import hold_all

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


def input_step(t, steps, go_backwards):
    """The input x_s read at timestep t (both from 1): s = t, or T + 1 - t reading backwards."""
    return steps + 1 - t if go_backwards else t


class GateExplorer:
    """Gates of the recurrent layer ``layer`` (a name of ``recurrent_layers(model)``; the
    first one when None) on ``x``.

    Drive it as a student does: ``layer.value = 'bi/backward'``, ``timestep.value = t``
    (1 to T), ``sample.value = n``, ``node_index.value = 1`` (the second call of a shared
    layer). ``widget`` is the root (CSS class ``teachnet-explorer``); ``gates`` holds the
    chosen layer's inspected arrays (timesteps, batch, units), ``state_gradient`` |dL/dh_t|
    and ``cell_gradient`` |dL/dc_t| (LSTM; else None), each (timesteps, batch).
    """

    def __init__(self, model, x, layer=None, y=None):
        first = require_recurrent_layer(model, layer)
        self.model, self.x, self.y = model, x, y
        self.layers = recurrent_layers(model)
        self.layer = widgets.Dropdown(options=list(self.layers), value=first, description='layer')
        self.timestep = widgets.IntSlider(value=1, min=1, max=1, description='timestep')
        self.sample = widgets.BoundedIntText(value=0, min=0, max=0, description='sample',
                                             layout=widgets.Layout(width='150px'))
        self.node_index = widgets.BoundedIntText(value=0, min=0, max=0, description='call',
                                                 layout=widgets.Layout(width='150px'))
        self.title, self.reading, self.rows, self.chart = (widgets.HTML() for _ in range(4))
        self.layer.observe(lambda _: self.choose(), names='value')
        self.node_index.observe(lambda _: self._quiet or self.inspect(), names='value')
        for control in (self.timestep, self.sample):
            control.observe(lambda _: self._quiet or self.show(), names='value')
        controls = widgets.HBox([self.layer, self.timestep, self.sample, self.node_index])
        self.widget = widgets.VBox([self.title, controls, self.reading, self.rows, self.chart])
        self.widget.add_class('teachnet-explorer')
        self._quiet = True               # while the controls are fitted to a layer, they redraw nothing
        self.choose()

    def choose(self):
        """A layer was chosen: its calls (shared layers), then inspect it."""
        self.calls = recurrent_calls(self.model, self.x, self.layer.value)
        self._quiet = True
        with self.node_index.hold_sync():
            self.node_index.max, self.node_index.value = self.calls - 1, 0
            self.node_index.layout.display = '' if self.calls > 1 else 'none'
        self.inspect()

    def inspect(self):
        """Inspect the chosen layer and call (once) and fit the controls to its timesteps and rows."""
        name = self.layer.value
        self.gates = gates(self.model, self.x, name, node_index=self.node_index.value)
        self.state_gradient = self._gradient_norms(name, 'h')
        self.cell_gradient = self._gradient_norms(name, 'c') if 'c' in self.gates else None
        steps, rows, _ = self.gates['h'].shape
        self._quiet = True
        with hold_all([self.timestep, self.sample, self.title]):
            self.timestep.max, self.timestep.value = steps, min(self.timestep.value, steps)
            self.sample.max, self.sample.value = rows - 1, min(self.sample.value, rows - 1)
            kind = type(self.layers[name]).__name__
            call = f', call {self.node_index.value} of {self.calls}' if self.calls > 1 else ''
            self.title.value = (f'Gates of <b>{html.escape(name)}</b> ({kind}{call}): each unit at the chosen '
                                'timestep (colour: the gate\'s range)')
        self._quiet = False
        self.show()

    def _gradient_norms(self, name, state):
        dh = gradients_through_time(self.model, self.x, self.y, name, state=state, node_index=self.node_index.value)
        return np.linalg.norm(dh, axis=2)

    def reading_html(self, t, n):
        """Which input the current timestep read, and what a row is inside TimeDistributed."""
        layer = self.layers[self.layer.value]
        steps, rows, _ = self.gates['h'].shape
        s = input_step(t, steps, layer.go_backwards)
        text = f'Timestep {t} of {steps} read input x<sub>{s}</sub>'
        if layer.go_backwards:
            text += (f': this layer reads the sequence backwards, x<sub>{steps}</sub> first, so timestep t '
                     f'reads x<sub>T+1−t</sub>')
        samples = sample_count(self.x)
        if rows != samples:
            outer = rows // samples
            text += (f'. Inside TimeDistributed it runs on every (sample, outer step) pair: row {n} is '
                     f'sample {n // outer}, outer step {n % outer + 1}')
        if layer.stateful:
            text += '. Stateful: timestep 1 starts from the carried states (inspecting leaves them as they were)'
        return f'<small>{text}.</small>'

    def show(self):
        t, n = self.timestep.value, self.sample.value
        steps = np.arange(1, len(self.state_gradient) + 1)
        norms = self.state_gradient[:, n]
        lines = [{'x': steps, 'y': norms, 'label': '|dL/dh_t|'}]
        if self.cell_gradient is not None:
            lines.append({'x': steps, 'y': self.cell_gradient[:, n], 'label': '|dL/dc_t|', 'dashed': True})
        lines.append({'x': [t], 'y': [norms[t - 1]], 'label': f'timestep {t}', 'colour': '#d62728'})
        with hold_all([self.rows, self.reading, self.chart]):
            self.rows.value = ''.join(unit_row_html(name, values[t - 1, n]) for name, values in self.gates.items())
            self.reading.value = self.reading_html(t, n)
            self.chart.value = line_chart(lines, width=420, height=150, log_scale=True,
                                          title=f'gradient reaching each timestep, sample {n}', x_label='timestep')

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = self.widget._repr_mimebundle_(include=include, exclude=exclude) or {}
        bundle['text/plain'] = f'GateExplorer over {self.layer.value}'
        return bundle
