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
"""


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
            original_call, had_own_call = layer.call, 'call' in vars(layer)
            layer.call = self._catching(layer, original_call)      # on this instance only
            self.restore.append((layer, original_call, had_own_call))
        return self

    def _catching(self, layer, original_call):
        def catching_call(*args, **kwargs):
            output = original_call(*args, **kwargs)
            self.catch(layer, output)
            return output
        return catching_call

    def __exit__(self, *exc_info):
        for layer, original_call, had_own_call in self.restore:
            if had_own_call:
                layer.call = original_call
            else:
                del layer.call
        return False
