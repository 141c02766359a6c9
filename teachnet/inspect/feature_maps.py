"""Feature maps: what any layer of a model computes for an input.

A convolution layer turns an image into feature maps, one per filter: where the filter's
pattern appears, its map lights up. Looking at them layer after layer shows what the
network has learned to look for::

    maps = feature_maps(model, x_test[:1], 'convolution2d_1')   # (1, 32, 98, 98)
    plt.imshow(maps[0, 5])                                        # the 6th filter's map

It works for any layer, not only convolutions: the output of a Dense, an Activation or a
pooling layer comes back the same way; so does that of a layer inside a branch of a Merge,
of the Merge itself (the joined branches), of a layer of a functional graph, and of a
model used as a layer inside another.

How: while the model runs, ``caught_outputs`` (teachnet.inspect.layer_outputs) hands each
output of that one layer to a function that keeps a host copy.
"""
from teachnet.backend import array_module as am
from teachnet.inspect.kept_states import kept_states
from teachnet.inspect.layer_outputs import caught_outputs, find_layer
from teachnet.ops.tape import no_tape


def _batches(x, batch_size):
    """``x`` (an array, a list of arrays or a dict of arrays) cut into batches of samples."""
    if isinstance(x, dict):
        count = len(next(iter(x.values())))
        return [{k: v[start:start + batch_size] for k, v in x.items()} for start in range(0, count, batch_size)]
    if isinstance(x, (list, tuple)):
        count = len(x[0])
        return [[a[start:start + batch_size] for a in x] for start in range(0, count, batch_size)]
    return [x[start:start + batch_size] for start in range(0, len(x), batch_size)]


def _catch_outputs(model, layer, batch, batch_size):
    """Run ``model`` on one batch; the list of ``layer``'s outputs (one per call, as host copies)."""
    caught = []

    def keep(layer, output):
        if not hasattr(output, 'data'):
            raise ValueError(f"Layer {layer.name!r} gives {len(output)} outputs; feature_maps shows one: "
                             f"ask for the layer that computes the output you want to see.")
        caught.append(am.host.array(am.to_numpy(output.data), copy=True))   # a copy of what it is now

    with caught_outputs([layer], keep), no_tape(), kept_states(model):
        model.predict(batch, batch_size=batch_size)       # one batch: the model runs once
    return caught


def layer_calls(model, x, layer_name):
    """How many times the layer ``layer_name`` runs each time ``model`` runs on (the first
    sample of) ``x``: 1 for most layers, more for a layer shared in a functional graph,
    whose calls ``feature_maps`` tells apart with ``node_index``."""
    return len(_catch_outputs(model, find_layer(model, layer_name), _batches(x, 1)[0], 1))


def feature_maps(model, x, layer_name, batch_size=32, node_index=None):
    """The output of the layer ``layer_name`` when ``model`` runs on ``x``, as a host NumPy array.

    The model runs in test mode (no dropout), nothing is recorded and no weight changes; a
    stateful model's states are left as they were.

    # Arguments
        model: a built model (compiled or not): Sequential, with or without a Merge, or functional.
        x: the input data, as for ``model.predict``.
        layer_name: the name of the layer to look at (``model.summary()`` lists them; the
            layers inside Merge branches and nested models count too).
        batch_size: how many samples to run at once.
        node_index: for a layer shared in a functional graph (called on several inputs),
            which call to show: 0 for the first, 1 for the second...

    # Returns
        An array with the layer's output shape, one entry per sample of ``x``; for a
        channels-first convolution (samples, filters, rows, cols).
    """
    layer = find_layer(model, layer_name)
    batches = _batches(x, batch_size)
    if not batches:
        raise ValueError(f"feature_maps of layer {layer_name!r}: x holds no samples; give at least one.")
    per_batch = [_catch_outputs(model, layer, batch, batch_size) for batch in batches]
    calls = len(per_batch[0])
    if calls == 0:
        raise ValueError(f"Layer {layer_name!r} did not run when model {model.name!r} ran on the input: "
                         f"it is not on the way from the model's inputs to its outputs.")
    if node_index is None and calls > 1:
        raise ValueError(f"Layer {layer_name!r} is shared: it runs {calls} times each time model "
                         f"{model.name!r} runs. Choose which call to show with node_index=0 to {calls - 1}.")
    if node_index is not None and not 0 <= node_index < calls:
        raise ValueError(f"Layer {layer_name!r} runs {calls} time(s) each time model {model.name!r} runs, so "
                         f"node_index must be 0 to {calls - 1}; got {node_index}.")
    return am.host.concatenate([outputs[node_index or 0] for outputs in per_batch], axis=0)
