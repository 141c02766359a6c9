"""The states that stateful recurrent layers carry from one batch to the next.

A recurrent layer built with ``stateful=True`` starts each batch from the states h (and c)
that the previous batch ended with, so one training step depends on those states as much
as on the weights. ``carried_states(model)`` copies them, by layer name, as host arrays
(layers inside Bidirectional and TimeDistributed wrappers and nested models included);
``with restored_states(model, states):`` runs a computation from them, and afterwards the
layers carry again what they carried before. A model without stateful layers has none: {}.
"""
import numpy as np

from teachnet.backend import array_module as am
from teachnet.inspect.layer_outputs import model_layers


def stateful_layers(model):
    """The stateful recurrent layers of ``model``, wrapped ones included."""
    for layer in model_layers(model):
        for inner in (layer, getattr(layer, 'layer', None), getattr(layer, 'forward_layer', None),
                      getattr(layer, 'backward_layer', None)):
            if inner is not None and getattr(inner, 'stateful', False) and getattr(inner, 'states', None):
                yield inner


def carried_states(model):
    """{layer name: [state, ...]} as host copies (h, and c for an LSTM), each (batch, units)."""
    return {layer.name: [np.array(am.to_numpy(state), copy=True) for state in layer.states]
            for layer in stateful_layers(model) if all(state is not None for state in layer.states)}


class restored_states:
    """Context manager: inside, each stateful layer named in ``states`` carries those
    states; on exit every stateful layer carries what it carried before."""

    def __init__(self, model, states):
        self.model, self.states = model, states or {}

    def __enter__(self):
        self.before = carried_states(self.model)
        self._set(self.states)
        return self

    def __exit__(self, *exc_info):
        self._set(self.before)
        return False

    def _set(self, states):
        for layer in stateful_layers(self.model):
            if layer.name in states:
                layer.reset_states(states[layer.name])
