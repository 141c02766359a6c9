"""The states that stateful recurrent layers carry from one batch to the next.

A recurrent layer built with ``stateful=True`` starts each batch from the states h (and c)
that the previous batch ended with, so one training step depends on those states as much
as on the weights. ``carried_states(model)`` copies them as host arrays, named as
``recurrent_layers`` names the layers (inside Bidirectional and TimeDistributed wrappers
and nested models too); ``with restored_states(model, states):`` runs a computation from
them, and afterwards the layers carry again what they carried before (``kept_states``).
A model without stateful layers has none: {}.
"""
import numpy as np

from teachnet.backend import array_module as am
from teachnet.inspect.kept_states import kept_states, stateful_layers


def carried_states(model):
    """{layer name: [state, ...]} as host copies (h, and c for an LSTM), each (batch, units)."""
    return {name: [np.array(am.to_numpy(state), copy=True) for state in layer.states]
            for name, layer in stateful_layers(model).items() if all(state is not None for state in layer.states)}


class restored_states(kept_states):
    """Context manager: inside, each stateful layer named in ``states`` carries those
    states; on exit every stateful layer carries what it carried before."""

    def __init__(self, model, states):
        super().__init__(model)
        self.named, self.states = stateful_layers(model), states or {}

    def __enter__(self):
        super().__enter__()
        for name, states in self.states.items():
            self.named[name].reset_states(states)
        return self
