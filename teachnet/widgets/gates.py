"""The gates view: inside an RNN on the probe sequence, or a convnet's feature maps.

For the first LSTM, GRU or SimpleRNN layer, wrapped ones too (named as
``teachnet.inspect.recurrent_layers`` names them: in a Bidirectional 'bi' its forward
direction 'bi/forward'; inside TimeDistributed, row 0 is the probe sample's first outer
step), one heatmap per gate for the first probe sample, units down and timesteps across
(LSTM: i, f, c~, o, c, h; GRU: z, r, h~, h; SimpleRNN: h), and |dL/dh_t| per timestep t
(t = 1 ... T, as in the gate explorer): how much gradient reaches each step from the
loss, which shows how far back the layer can learn. The values are exactly those of
``teachnet.inspect.recurrent.gates`` and ``gradients_through_time`` for that sample.

For a convnet, the first conv layers' feature maps of the probe image, tiled in a grid.
"""
import base64
import html

import ipywidgets as widgets
import numpy as np

from teachnet.widgets.drawing import heatmap_png, line_chart, maps_png
from teachnet.widgets.looks import SharedLooks

GATE_RANGES = {'i': (0, 1), 'f': (0, 1), 'o': (0, 1), 'z': (0, 1), 'r': (0, 1),
               'c~': (-1, 1), 'h~': (-1, 1), 'h': (-1, 1)}


def gate_scale(name, values):
    """How to colour a gate: (low, high, colour map). Sigmoid gates on [0, 1] in viridis,
    tanh ones on [-1, 1] in a diverging map, the cell state c on its own symmetric range."""
    low, high = GATE_RANGES.get(name, (None, None))
    if low is None:
        bound = float(np.max(np.abs(values))) or 1.0
        low, high = -bound, bound
    return low, high, 'viridis' if low == 0 else 'RdBu_r'


def png_img(png, width):
    """PNG bytes as an ``<img>`` for an HTML widget's value (the picture inline, base64)."""
    return f'<img src="data:image/png;base64,{base64.b64encode(png).decode()}" style="width:{width}px">'


class GatesPanel:
    """Gate heatmaps, |dL/dh_t| (SVG) and feature maps, in three HTML widgets.

    One HTML holds every gate's heatmap (an inline PNG) under its name and mean, another
    the |dL/dh_t| chart, a third the feature maps: three widgets to build per fit instead
    of two per gate. ``pictures`` keeps the PNG bytes last drawn, by gate or layer name."""

    def __init__(self, record, looks=None):
        looks = looks or SharedLooks()
        self.record = record
        self.gate_names = _gate_names(record.recurrent_layers[0]) if record.gates_layer is not None else []
        self.pictures = {}
        self.title = (f'Gates of <b>{html.escape(record.gates_layer)}</b> on the first probe sample: '
                      'units ↓, timesteps →') if record.gates_layer is not None else ''
        self.gates = looks.make(widgets.HTML, value=self.title)
        self.state_gradient = looks.make(widgets.HTML, value='')
        self.maps = looks.make(widgets.HTML, value='')
        children = ([self.gates, self.state_gradient] if record.gates_layer is not None else []) + \
            ([self.maps] if record.conv_layers else [])
        self.widget = looks.make(widgets.VBox, children=children)
        self.parts = children

    def heatmap(self, name):
        """The PNG of one gate: its (timesteps, units) values drawn units down, time across."""
        values = self.record.gates[name]
        low, high, cmap = gate_scale(name, values)
        return heatmap_png(values.T, cmap=cmap, vmin=low, vmax=high)

    def refresh(self):
        record = self.record
        cells = []
        for name in self.gate_names:
            if name in record.gates:
                self.pictures[name] = self.heatmap(name)
                cells.append(f'<div style="display:inline-block;margin:2px 6px" class="teachnet-gate-map">'
                             f'<b>{html.escape(name)}</b> <small>mean {np.mean(record.gates[name]):.2f}</small>'
                             f'<br>{png_img(self.pictures[name], 150)}</div>')
        if cells:
            self.gates.value = f'{self.title}<div style="display:flex;flex-wrap:wrap">{"".join(cells)}</div>'
        if record.state_gradient is not None:
            steps = np.arange(1, len(record.state_gradient) + 1)
            self.state_gradient.value = line_chart(
                [{'x': steps, 'y': record.state_gradient, 'label': '|dL/dh_t|'}], width=420, height=150,
                log_scale=True, title='|dL/dh_t| per timestep (probe sample)', x_label='timestep')
        blocks = []
        for layer in record.conv_layers:
            if layer.name in record.maps:
                self.pictures[layer.name] = maps_png(record.maps[layer.name])
                blocks.append(f'<div>Feature maps of <b>{html.escape(layer.name)}</b> (first probe image)<br>'
                              f'{png_img(self.pictures[layer.name], 360)}</div>')
        if blocks:
            self.maps.value = ''.join(blocks)


def _gate_names(layer):
    kind = type(layer).__name__
    if kind == 'LSTM':
        return ['i', 'f', 'c~', 'o', 'c', 'h']
    if kind == 'GRU':
        return ['z', 'r', 'h~', 'h']
    return ['h']
