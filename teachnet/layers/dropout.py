"""Dropout: while training, zero each unit with probability p (see teachnet.ops.dropout)."""
from teachnet.layers.base import Layer
from teachnet.ops.dropout import dropout


class Dropout(Layer):
    """Randomly sets a fraction ``p`` of input units to 0 at each update during training,
    scaling the others by 1/(1-p); does nothing at test time.

    # Arguments
        p (Keras 2: rate): the fraction of units to drop, in [0, 1).
    """

    supports_masking = True

    def __init__(self, p=None, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.p = p
        if not isinstance(self.p, (int, float)) or not 0 <= self.p < 1:
            raise ValueError(f"Dropout layer {self.name}: p (rate) must be a number in [0, 1), got {self.p!r}.")
        if noise_shape is not None or seed is not None:
            raise ValueError(f"Dropout layer {self.name}: noise_shape and seed are not supported; "
                             "seed everything with teachnet.set_seed.")

    def call(self, x, training=False):
        if training and self.p > 0:
            return dropout(x, self.p)
        return x

    def get_config(self):
        config = super().get_config()
        config['p'] = self.p
        return config
