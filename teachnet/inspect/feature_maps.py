"""Feature maps: what any layer of a model computes for an input.

A convolution layer turns an image into feature maps, one per filter: where the filter's
pattern appears, its map lights up. Looking at them layer after layer shows what the
network has learned to look for::

    maps = feature_maps(model, x_test[:1], 'convolution2d_1')   # (1, 32, 98, 98)
    plt.imshow(maps[0, 5])                                        # the 6th filter's map

It works for any layer, not only convolutions: the output of a Dense, an Activation or a
pooling layer comes back the same way.
"""
from teachnet.backend import array_module as am
from teachnet.inspect.layer_outputs import caught_outputs
from teachnet.ops.tape import no_tape


def _all_layers(model):
    """Every layer of ``model``, looking inside nested models and merges, in order."""
    for layer in getattr(model, 'layers', ()):
        yield layer
        inner = getattr(layer, 'layers', None)
        if inner:
            yield from _all_layers(layer)


def find_layer(model, layer_name):
    """The layer called ``layer_name`` in ``model`` (or in a model nested inside it)."""
    layers = list(_all_layers(model))
    for layer in layers:
        if getattr(layer, 'name', None) == layer_name:
            return layer
    names = ', '.join(repr(getattr(layer, 'name', '?')) for layer in layers)
    raise ValueError(f"Model {getattr(model, 'name', model)!r} has no layer named {layer_name!r}; "
                     f"its layers are: {names}.")


def feature_maps(model, x, layer_name, batch_size=32):
    """The output of the layer ``layer_name`` when ``model`` runs on ``x``, as a host NumPy array.

    The model runs in test mode (no dropout), nothing is recorded and no weight changes.
    The layer's outputs are caught as the model runs, so any layer of any model works,
    including one inside a branch of a Merge.

    # Arguments
        model: a built model (compiled or not).
        x: the input data, as for ``model.predict``.
        layer_name: the name of the layer to look at (``model.summary()`` lists them).
        batch_size: how many samples to run at once.

    # Returns
        An array with the layer's output shape, one entry per sample of ``x``; for a
        channels-first convolution (samples, filters, rows, cols).
    """
    layer = find_layer(model, layer_name)
    caught = []

    def keep(layer, output):
        caught.append(am.host.array(am.to_numpy(output.data), copy=True))   # a copy of what it is now

    with caught_outputs([layer], keep), no_tape():      # on this one layer only, while it runs
        model.predict(x, batch_size=batch_size)
    if not caught:
        raise ValueError(f"Layer {layer_name!r} did not run when model {model.name!r} ran on the input.")
    return caught[0] if len(caught) == 1 else am.host.concatenate(caught, axis=0)
