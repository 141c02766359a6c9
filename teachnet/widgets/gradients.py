"""The gradients view: every layer's |dL/dθ| over time, and one layer's histograms.

On one log-scale chart, one line per layer: gradients that vanish sink towards the bottom,
gradients that explode shoot up, at a glance. Below it, for the layer chosen in the
dropdown above, histograms of its current weights and of its latest gradients (all its
parameter arrays together), computed on the device by ``teachnet.inspect``.
"""
import html

import ipywidgets as widgets

from teachnet.inspect.statistics import layer_histograms
from teachnet.widgets.drawing import format_number, histogram_svg, line_chart
from teachnet.widgets.looks import SharedLooks


def _range_label(what, edges):
    if len(edges) == 0:
        return f'{what}: none yet'
    return f'{what}: {format_number(edges[0])} … {format_number(edges[-1])}'


def gradient_norms_svg(record):
    """Every layer's sampled |dL/dθ| over the steps, on one log-scale SVG chart."""
    lines = [{'x': series.values()[0], 'y': series.values()[1], 'label': name}
             for name, series in record.sampled['gradient_norm'].items()]
    return line_chart(lines, width=520, height=200, log_scale=True, title='|dL/dθ| per layer', x_label='step')


def histograms_html(layer):
    """Side by side: the histogram of ``layer``'s weights and of its gradients, each under
    the range of its values."""
    found = layer_histograms(layer)
    cells = []
    for what, colour in (('weights', '#1f77b4'), ('gradients', '#d62728')):
        counts, edges = found[what]
        label = html.escape(_range_label(f'{layer.name} {what}', edges))
        cells.append(f'<div><small>{label}</small><br>{histogram_svg(counts, colour=colour)}</div>')
    return f'<div style="display:flex;gap:16px">{"".join(cells)}</div>'


class GradientsPanel:
    """A dropdown choosing a layer, then one ``HTML``: the gradient norms of every layer over
    time (an SVG chart) and the chosen layer's weight and gradient histograms."""

    def __init__(self, record, looks=None):
        looks = looks or SharedLooks()
        self.record = record
        names = [layer.name for layer in record.parameter_layers]
        self.layer = looks.make(widgets.Dropdown, options=names, value=names[0] if names else None,
                                description='histograms of', style={'description_width': 'initial'})
        self.view = looks.make(widgets.HTML, value='')
        self.widget = looks.make(widgets.VBox, children=[self.layer, self.view])
        self.parts = [self.view]

    def refresh(self):
        layer = next((layer for layer in self.record.parameter_layers if layer.name == self.layer.value), None)
        self.view.value = gradient_norms_svg(self.record) + (histograms_html(layer) if layer is not None else '')
