"""Activation: apply a nonlinearity f elementwise (softmax: over the last axis)."""
from teachnet import activations
from teachnet.layers.base import Layer


class Activation(Layer):
    """Applies an activation function to its input: a = f(z).

    # Arguments
        activation: 'linear', 'relu', 'tanh', 'sigmoid', 'hard_sigmoid', 'softmax',
            'softplus', 'softsign', 'elu', or a function of a tensor.

    # Input shape / Output shape
        Any; the output has the input's shape.
    """

    supports_masking = True

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)

    def call(self, x, training=False):
        return self.activation(x)

    def get_config(self):
        config = super().get_config()
        config['activation'] = activations.serialize(self.activation)
        return config
