"""What a model made of layers (Sequential, Model) answers by asking each of its layers."""
from teachnet.layers.weight_lists import set_weights_of_parts


class LayerContainer:
    """Weights, regularizers and states of ``self.layers``, in layer order.

    The model classes add what differs between them: ``params`` (a functional model counts
    a shared layer's weights once), ``trainable_weights`` and ``count_params``."""

    @property
    def weights(self):
        return self.params

    @property
    def regularizers(self):
        """(parameter, regularizer) pairs of every layer (for a model used as a layer)."""
        return [pair for layer in self.layers for pair in layer.regularizers]

    def get_weights(self):
        """All layers' weights, layer after layer, as host NumPy arrays."""
        return [w for layer in self.layers for w in layer.get_weights()]

    def set_weights(self, weights):
        """Set every layer's weights from one list (as ``get_weights`` returns it); all counts
        and shapes are checked before any weight changes."""
        set_weights_of_parts(f'Model {self.name}', self.layers, weights)

    def reset_states(self):
        """Zero the states of every stateful recurrent layer."""
        for layer in self.layers:
            layer.reset_states()
