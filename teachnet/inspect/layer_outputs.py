"""Catching what each layer hands on while a model runs.

A model's forward pass calls its layers one after the other; each call returns the
layer's output Tensor. ``caught_outputs`` listens in on those calls without changing
them: for as long as it is active, every output of the chosen layers is handed to a
function of yours, in the order the layers ran::

    seen = []
    with caught_outputs(model_layers(model), lambda layer, output: seen.append(layer.name)):
        model.predict(x[:1])
    seen        # ['dense_1', 'activation_1', 'dense_2', ...]

``feature_maps`` keeps one layer's output this way; ``activation_statistics`` reduces
every layer's output to a few numbers.

How: the one method that computes a layer's output is replaced, on that layer only, by one
that also hands the output on; the original comes back afterwards. A layer computes its
output in ``call``, a Merge in ``merge_tensors``, a model used as a layer in ``forward``.
"""
from teachnet.layers.merge import Merge, is_model


def output_method(layer):
    """The name of the method that computes ``layer``'s output."""
    if isinstance(layer, Merge):
        return 'merge_tensors'
    return 'forward' if is_model(layer) else 'call'


def model_layers(model):
    """Every layer that computes something in ``model``, in the order they run: the layers
    of nested models and of a Merge's branches are listed themselves (before the Merge),
    the models holding them are not."""
    for layer in getattr(model, 'layers', ()):
        if getattr(layer, 'layers', None):                  # a model used as a layer
            yield from model_layers(layer)
            continue
        for branch in getattr(layer, 'branches', ()):       # a Merge: its branches first
            if getattr(branch, 'layers', None):
                yield from model_layers(branch)
            else:
                yield branch
        yield layer


def _inside(container):
    """What sits directly inside a model (its layers) or a Merge (its branches)."""
    if isinstance(container, Merge):
        return container.branches
    return getattr(container, 'layers', None) or ()


def all_layers(model):
    """Every layer of ``model`` once, in order, looking inside nested models and Merge
    branches: the models and Merges themselves too, each before what it holds (to find a
    layer by name). ``model_layers`` lists only the layers that compute, in the order they run."""
    seen, found = set(), []

    def walk(container):
        for layer in _inside(container):
            if id(layer) not in seen:
                seen.add(id(layer))
                found.append(layer)
                walk(layer)
    walk(model)
    return found


def find_layer(model, layer_name):
    """The layer called ``layer_name`` in ``model`` (or in a model or Merge nested inside it)."""
    layers = all_layers(model)
    for layer in layers:
        if getattr(layer, 'name', None) == layer_name:
            return layer
    names = ', '.join(repr(getattr(layer, 'name', '?')) for layer in layers)
    raise ValueError(f"Model {getattr(model, 'name', model)!r} has no layer named {layer_name!r}; "
                     f"its layers are: {names}.")


class caught_outputs:
    """Context manager: while active, each call of one of ``layers`` also runs
    ``catch(layer, output)`` with the Tensor the layer returns (the output itself is
    passed on unchanged). On leaving, the layers are exactly as they were."""

    def __init__(self, layers, catch):
        self.layers = list(layers)
        self.catch = catch

    def __enter__(self):
        self.restore = []
        for layer in self.layers:
            name = output_method(layer)
            original, had_own = getattr(layer, name), name in vars(layer)
            setattr(layer, name, self._catching(layer, original))      # on this instance only
            self.restore.append((layer, name, original, had_own))
        return self

    def _catching(self, layer, original):
        def catching(*args, **kwargs):
            output = original(*args, **kwargs)
            self.catch(layer, output)
            return output
        return catching

    def __exit__(self, *exc_info):
        for layer, name, original, had_own in self.restore:
            if had_own:
                setattr(layer, name, original)
            else:
                delattr(layer, name)
        return False
