"""Looking must not change what is looked at: a stateful model's states, kept.

A stateful recurrent layer (``stateful=True``) starts each batch from the states the
previous batch left, h_0 := h_T (and c_0 := c_T), until ``reset_states()``. Running the
model to inspect it would move those states on, and the next ``fit`` or ``predict`` would
continue from the inspected batch instead of from where training left off. So inspection
runs inside ``kept_states(model)``::

    with kept_states(model):
        model.batch_loss(x, training=True)       # starts from the carried states...
    # ...which are back as they were here

The inspected batch still *starts* from the carried states: it shows what the model would
compute next. It must then hold exactly the model's fixed batch size of samples
(``fixed_batch_size(model)``), one per carried state.
"""
from teachnet.inspect.recurrent_layers import recurrent_layers


def stateful_layers(model):
    """{name: layer} of the built stateful recurrent layers of ``model``, named as
    ``recurrent_layers`` names them (inside wrappers, branches and nested models too)."""
    return {name: layer for name, layer in recurrent_layers(model).items() if layer.stateful and layer.built}


class kept_states:
    """Context manager: on leaving, every stateful recurrent layer of ``model`` (inside
    wrappers too) has the states it had on entering."""

    def __init__(self, model):
        self.layers = list(stateful_layers(model).values())

    def __enter__(self):
        self.saved = [[state.copy() for state in layer.states] for layer in self.layers]
        return self

    def __exit__(self, *exc):
        for layer, states in zip(self.layers, self.saved):
            layer.reset_states(states)
        return False


def fixed_batch_size(model):
    """The batch size every batch of a stateful model must have (its ``batch_input_shape``),
    or None when no recurrent layer of ``model`` is stateful."""
    return next((layer.batch_size for layer in stateful_layers(model).values()), None)
