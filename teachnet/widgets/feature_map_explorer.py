"""A convnet's feature maps and filters, layer by layer: ``FeatureMaps(model, x)``.

A dropdown over every convolution and pooling layer (inside Merge branches, functional
graphs and nested models too) and an image picker; for the chosen layer and image, its
feature maps as a grid (each map on its own grey scale, the first ``MAX_MAPS``) and, for a
convolution, its filters: one input channel at a time (red positive, blue negative, one
scale for all), or for three input channels as red, green and blue; a channel picker
chooses (``teachnet.widgets.filters`` says why these two pictures). A layer shared in a
functional graph (it runs more than once per run of the model) gets a picker of its call,
``node_index`` of ``teachnet.inspect.feature_maps``.

The arrays come from ``teachnet.inspect`` (``image_layers``, ``sample_maps``,
``layer_filters``, ``layer_calls``); a layer is computed when it is chosen.
"""
import html

import ipywidgets as widgets

from teachnet.engine.data import sample_count
from teachnet.inspect.feature_maps import layer_calls
from teachnet.inspect.image_layers import image_layers, layer_filters, sample_maps
from teachnet.widgets.drawing import MAX_MAPS, maps_png
from teachnet.widgets.filters import RGB, filter_views, filters_png
from teachnet.widgets.sync import hold_all


class FeatureMaps:
    """Drive it as a student does: ``layer.value = 'convolution2d_1'``, ``sample.value = 3``,
    ``channel.value = 1`` (or ``filters.RGB``), ``node_index.value = 1`` for a shared layer.
    ``maps`` and ``filters`` are the arrays shown now ((maps, rows, cols) and (filters,
    input channels, rows, cols), None for pooling); ``widget`` is the root (CSS class
    ``teachnet-explorer``).

    # Arguments
        model, x: the model and the images (as for ``predict``).
        layer: the layer shown first (the first conv or pooling layer when None).
        node_index: for a shared ``layer``, which call to show first (0 when None).
    """

    def __init__(self, model, x, layer=None, node_index=None):
        names = image_layers(model)
        if not names:
            raise ValueError(f"Model {model.name!r} has no convolution or pooling layer; FeatureMaps shows "
                             "those. For any other layer, see teachnet.inspect.feature_maps(model, x, name).")
        if layer is not None and layer not in names:
            raise ValueError(f"FeatureMaps(layer={layer!r}): model {model.name!r} has no convolution or pooling "
                             f"layer of that name; they are: {', '.join(names)}.")
        self.model, self.x = model, x
        self.layer = widgets.Dropdown(options=names, value=layer or names[0], description='layer')
        self.sample = widgets.BoundedIntText(value=0, min=0, max=sample_count(x) - 1, description='image',
                                             layout=widgets.Layout(width='150px'))
        self.node_index = widgets.BoundedIntText(value=0, min=0, max=0, description='call',
                                                 layout=widgets.Layout(width='150px'))
        self.channel = widgets.Dropdown(options=[('input channel 0', 0)], value=0, description='filters')
        self.caption, self.filters_caption = widgets.HTML(), widgets.HTML()
        self.maps_image = widgets.Image(format='png', layout=widgets.Layout(max_width='420px'))
        self.filters_image = widgets.Image(format='png', layout=widgets.Layout(max_width='240px'))
        self.layer.observe(lambda _: self.choose(), names='value')
        for control in (self.sample, self.node_index):
            control.observe(lambda _: self.show_maps(), names='value')
        self.channel.observe(lambda _: self.show_filters(), names='value')
        self.widget = widgets.VBox([widgets.HBox([self.layer, self.sample, self.node_index]), self.caption,
                                    self.maps_image, widgets.HBox([self.channel]), self.filters_caption,
                                    self.filters_image])
        self.widget.add_class('teachnet-explorer')
        self._ready = False
        self.choose(node_index or 0)

    def choose(self, node_index=0):
        """Fit the call and channel pickers to the chosen layer, then draw it."""
        name = self.layer.value
        self.calls = layer_calls(self.model, self.x, name)
        if not 0 <= node_index < self.calls:
            raise ValueError(f"FeatureMaps(node_index={node_index}): layer {name!r} runs {self.calls} time(s) "
                             f"each time model {self.model.name!r} runs, so node_index must be 0 to "
                             f"{self.calls - 1}.")
        self.filters = layer_filters(self.model, name)
        self._ready = False
        with hold_all([self.node_index, self.channel]):
            self.node_index.max, self.node_index.value = self.calls - 1, node_index
            self.node_index.layout.display = '' if self.calls > 1 else 'none'
            if self.filters is not None:
                views = filter_views(self.filters)
                self.channel.options = views
                self.channel.value = views[0][1]
            self.channel.layout.display = 'none' if self.filters is None else ''
        self._ready = True
        self.show_maps()
        self.show_filters()

    def show_maps(self):
        if not self._ready:
            return
        name, n = self.layer.value, self.sample.value
        call = self.node_index.value if self.calls > 1 else None
        self.maps = sample_maps(self.model, self.x, name, sample=n, node_index=call)
        shown = min(len(self.maps), MAX_MAPS)
        which = f' (call {call} of {self.calls})' if call is not None else ''
        with hold_all([self.caption, self.maps_image]):
            self.caption.value = (f'Feature maps of <b>{html.escape(name)}</b>{which} for image {n}: '
                                  f'{shown} of {len(self.maps)}, each of shape {self.maps.shape[1:]}')
            self.maps_image.value = maps_png(list(self.maps))

    def show_filters(self):
        if not self._ready:
            return
        with hold_all([self.filters_caption, self.filters_image]):
            if self.filters is None:
                self.filters_caption.value = ('<small>A pooling layer has no filters: it keeps the largest '
                                              '(or the mean) of each window.</small>')
                self.filters_image.layout.display = 'none'
                return
            count, channels = self.filters.shape[:2]
            view = self.channel.value
            seen = ('input channels 0, 1, 2 as red, green and blue (grey: weight 0); for a colour image, '
                    'the colour each filter looks for' if view == RGB else
                    f'the kernel each applies to input channel {view} of {channels} (red +, blue −, white 0)')
            self.filters_caption.value = (f'Its {count} filters, each {self.filters.shape[2:]}'
                                          f'{f", the first {MAX_MAPS}" if count > MAX_MAPS else ""}: {seen}')
            self.filters_image.layout.display = ''
            self.filters_image.value = filters_png(self.filters, view)

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = self.widget._repr_mimebundle_(include=include, exclude=exclude) or {}
        bundle['text/plain'] = f'FeatureMaps over {", ".join(self.layer.options)}'
        return bundle
