"""The gradients view: every layer's |dL/dθ| over time, and one layer's histograms.

On one log-scale chart, one line per layer: gradients that vanish sink towards the bottom,
gradients that explode shoot up, at a glance. Below it, for the layer chosen in the
dropdown, histograms of its current weights and of its latest gradients (all its
parameter arrays together), computed on the device by ``teachnet.inspect``.
"""
import ipywidgets as widgets

from teachnet.inspect.statistics import layer_histograms
from teachnet.widgets.drawing import format_number, histogram_png, line_chart


def _range_label(what, edges):
    if len(edges) == 0:
        return f'{what}: none yet'
    return f'{what}: {format_number(edges[0])} … {format_number(edges[-1])}'


class GradientsPanel:
    """Gradient norms over time (SVG) and weight/gradient histograms (PNG ``Image``s)."""

    def __init__(self, record):
        self.record = record
        names = [layer.name for layer in record.parameter_layers]
        self.chart = widgets.HTML(value='')
        self.layer = widgets.Dropdown(options=names, value=names[0] if names else None, description='layer')
        self.weights = widgets.Image(format='png', layout=widgets.Layout(width='240px', height='80px'))
        self.gradients = widgets.Image(format='png', layout=widgets.Layout(width='240px', height='80px'))
        self.weights_label = widgets.HTML(value='weights')
        self.gradients_label = widgets.HTML(value='gradients')
        histograms = widgets.HBox([widgets.VBox([self.weights_label, self.weights]),
                                   widgets.VBox([self.gradients_label, self.gradients])])
        self.widget = widgets.VBox([self.chart, self.layer, histograms])
        self.parts = [self.chart, self.weights, self.gradients, self.weights_label, self.gradients_label]

    def chart_svg(self):
        lines = []
        for name, series in self.record.sampled['gradient_norm'].items():
            x, y = series.values()
            lines.append({'x': x, 'y': y, 'label': name})
        return line_chart(lines, width=520, height=200, log_scale=True, title='|dL/dθ| per layer', x_label='step')

    def refresh(self):
        self.chart.value = self.chart_svg()
        layer = next((layer for layer in self.record.parameter_layers if layer.name == self.layer.value), None)
        if layer is None:
            return
        found = layer_histograms(layer)
        (w_counts, w_edges), (g_counts, g_edges) = found['weights'], found['gradients']
        self.weights.value = histogram_png(w_counts)
        self.gradients.value = histogram_png(g_counts)
        self.weights_label.value = _range_label(f'{layer.name} weights', w_edges)
        self.gradients_label.value = _range_label(f'{layer.name} gradients', g_edges)

    def html(self):
        return self.chart_svg()
