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
import ipywidgets as widgets
import numpy as np

from teachnet.widgets.drawing import heatmap_png, line_chart, maps_png

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


class GatesPanel:
    """Gate heatmaps (``Image``s keyed by gate name), |dL/dh_t| (SVG) and feature maps."""

    def __init__(self, record):
        self.record = record
        self.images, self.labels, children = {}, {}, []
        if record.gates_layer is not None:
            names = _gate_names(record.recurrent_layers[0])
            for name in names:
                self.images[name] = widgets.Image(format='png', layout=widgets.Layout(width='150px'))
                self.labels[name] = widgets.HTML(value=f'<b>{name}</b>')
            grid = widgets.HBox([widgets.VBox([self.labels[n], self.images[n]]) for n in names],
                                layout=widgets.Layout(flex_flow='row wrap'))
            children += [widgets.HTML(value=f'Gates of <b>{record.gates_layer}</b> on the first probe '
                                            'sample: units ↓, timesteps →'), grid]
        self.state_gradient = widgets.HTML(value='')
        if record.gates_layer is not None:
            children.append(self.state_gradient)
        self.maps = {}
        for layer in record.conv_layers:
            self.maps[layer.name] = widgets.Image(format='png', layout=widgets.Layout(width='360px'))
            children += [widgets.HTML(value=f'Feature maps of <b>{layer.name}</b> (first probe image)'),
                         self.maps[layer.name]]
        self.widget = widgets.VBox(children)
        self.parts = list(self.images.values()) + list(self.labels.values()) + [self.state_gradient] + \
            list(self.maps.values())

    def heatmap(self, name):
        """The PNG of one gate: its (timesteps, units) values drawn units down, time across."""
        values = self.record.gates[name]
        low, high, cmap = gate_scale(name, values)
        return heatmap_png(values.T, cmap=cmap, vmin=low, vmax=high)

    def refresh(self):
        record = self.record
        for name, image in self.images.items():
            if name in record.gates:
                values = record.gates[name]
                image.value = self.heatmap(name)
                self.labels[name].value = (f'<b>{name}</b> <small>mean {np.mean(values):.2f}</small>')
        if record.state_gradient is not None:
            steps = np.arange(1, len(record.state_gradient) + 1)
            self.state_gradient.value = line_chart(
                [{'x': steps, 'y': record.state_gradient, 'label': '|dL/dh_t|'}], width=420, height=150,
                log_scale=True, title='|dL/dh_t| per timestep (probe sample)', x_label='timestep')
        for name, image in self.maps.items():
            if name in record.maps:
                image.value = maps_png(record.maps[name])


def _gate_names(layer):
    kind = type(layer).__name__
    if kind == 'LSTM':
        return ['i', 'f', 'c~', 'o', 'c', 'h']
    if kind == 'GRU':
        return ['z', 'r', 'h~', 'h']
    return ['h']
