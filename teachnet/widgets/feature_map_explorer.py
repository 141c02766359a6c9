"""A convnet's feature maps and filters, layer by layer: ``FeatureMaps(model, x)``.

A dropdown over every convolution and pooling layer (inside Merge branches and functional
models too) and a sample picker; for the chosen layer and image, its feature maps as a grid
(each map on its own grey scale, the first ``MAX_MAPS``) and, for a convolution, its
filters as seen on the first input channel. The arrays come from
``teachnet.inspect.image_layers``; a layer is computed when it is chosen.
"""
import html

import ipywidgets as widgets

from teachnet.engine.data import sample_count
from teachnet.inspect.image_layers import image_layers, layer_filters, sample_maps
from teachnet.widgets.drawing import MAX_MAPS, maps_png


class FeatureMaps:
    """Drive it as a student does: ``layer.value = 'convolution2d_1'``, ``sample.value = 3``.
    ``maps`` and ``filters`` are the arrays shown now; ``widget`` is the root (CSS class
    ``teachnet-explorer``)."""

    def __init__(self, model, x):
        names = image_layers(model)
        if not names:
            raise ValueError(f"Model {model.name!r} has no convolution or pooling layer; FeatureMaps shows "
                             "those. For any other layer, see teachnet.inspect.feature_maps(model, x, name).")
        self.model, self.x = model, x
        count = sample_count(x)
        self.layer = widgets.Dropdown(options=names, value=names[0], description='layer')
        self.sample = widgets.BoundedIntText(value=0, min=0, max=count - 1, description='image',
                                             layout=widgets.Layout(width='150px'))
        self.caption = widgets.HTML()
        self.maps_image = widgets.Image(format='png', layout=widgets.Layout(max_width='420px'))
        self.filters_caption = widgets.HTML()
        self.filters_image = widgets.Image(format='png', layout=widgets.Layout(max_width='240px'))
        for control in (self.layer, self.sample):
            control.observe(lambda _: self.show(), names='value')
        self.widget = widgets.VBox([widgets.HBox([self.layer, self.sample]), self.caption, self.maps_image,
                                    self.filters_caption, self.filters_image])
        self.widget.add_class('teachnet-explorer')
        self.show()

    def show(self):
        name = self.layer.value
        self.maps = sample_maps(self.model, self.x, name, sample=self.sample.value)
        self.filters = layer_filters(self.model, name)
        shown = min(len(self.maps), MAX_MAPS)
        self.caption.value = (f'Feature maps of <b>{html.escape(name)}</b> for image {self.sample.value}: '
                              f'{shown} of {len(self.maps)}, each of shape {self.maps.shape[1:]}')
        self.maps_image.value = maps_png(list(self.maps))
        if self.filters is None:
            self.filters_caption.value = '<small>A pooling layer has no filters: it keeps the largest '\
                                         '(or the mean) of each window.</small>'
            self.filters_image.layout.display = 'none'
        else:
            self.filters_caption.value = (f'Its {len(self.filters)} filters, each {self.filters.shape[2:]}, '
                                          f'on input channel 0 (of {self.filters.shape[1]})')
            self.filters_image.layout.display = ''
            self.filters_image.value = maps_png([f[0] for f in self.filters])

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = self.widget._repr_mimebundle_(include=include, exclude=exclude) or {}
        bundle['text/plain'] = f'FeatureMaps over {", ".join(self.layer.options)}'
        return bundle
