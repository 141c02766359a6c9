"""The layers of a convnet that make images: convolutions and pooling, and their filters.

    image_layers(model)                     # ['convolution2d_1', 'maxpooling2d_1', ...]
    maps = sample_maps(model, x, 'convolution2d_1', sample=0)    # (channels, rows, cols)
    kernels = layer_filters(model, 'convolution2d_1')            # (filters, in, rows, cols)

``image_layers`` finds them everywhere ``feature_maps`` looks (Merge branches, functional
graphs, nested models). ``sample_maps`` puts the channel axis first whatever the layer's
data format, so that map k is ``maps[k]``; ``layer_filters`` does the same for the kernel,
stored as (rows, cols, in, out): filter k seen on input channel c is ``kernels[k, c]``.
Pooling layers have no filters (None). A layer shared in a functional graph runs
``feature_maps.layer_calls(model, x, name)`` times per run; ``sample_maps(..., node_index=i)``
picks one call.
"""
from teachnet.backend import array_module as am
from teachnet.inspect.feature_maps import feature_maps
from teachnet.inspect.layer_outputs import all_layers, find_layer
from teachnet.layers.convolutional import _Convolution
from teachnet.layers.pooling import _Pooling

np = am.host


def image_layers(model):
    """Names of every convolution and (non-global) pooling layer of ``model``, in order."""
    return [layer.name for layer in all_layers(model) if isinstance(layer, (_Convolution, _Pooling))]


def _one_sample(x, sample):
    if isinstance(x, dict):
        return {k: v[sample:sample + 1] for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [a[sample:sample + 1] for a in x]
    return x[sample:sample + 1]


def sample_maps(model, x, layer_name, sample=0, node_index=None):
    """The feature maps of sample ``sample`` of ``x`` at ``layer_name``, channels first:
    (channels, rows, cols) for 2-D layers, (channels, steps) for 1-D ones."""
    maps = feature_maps(model, _one_sample(x, sample), layer_name, node_index=node_index)[0]
    layer = find_layer(model, layer_name)
    return maps if getattr(layer, 'data_format', 'channels_last') == 'channels_first' else np.moveaxis(maps, -1, 0)


def layer_filters(model, layer_name):
    """The kernel of a convolution layer as (filters, input channels, *kernel size); None for
    a pooling layer."""
    layer = find_layer(model, layer_name)
    if not isinstance(layer, _Convolution):
        return None
    kernel = np.asarray(layer.get_weights()[0])              # (*kernel size, in, out)
    return np.moveaxis(np.moveaxis(kernel, -1, 0), -1, 1)
