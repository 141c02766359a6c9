"""Layers that only move numbers around: Flatten, Reshape, Permute, RepeatVector.

None of them has weights, and their backward passes only move gradients back to where
the numbers came from (a reshape back, an inverse permutation, a sum over the copies).
"""
import math

from teachnet.layers.base import Layer
from teachnet.ops import functions as F
from teachnet.utils.shapes import format_shape


def _known(shape, layer, what):
    if any(d is None for d in shape[1:]):
        raise ValueError(f"Layer {layer.name} ({type(layer).__name__}) needs the {what} of its input to be "
                         f"known, got input shape {format_shape(shape)}.")


class Flatten(Layer):
    """Flattens each sample into a vector: (batch, d1, d2, ...) -> (batch, d1·d2·...).

    A channels-first image (batch, channels, rows, cols) is flattened in (channels, rows,
    cols) order, as Keras 1 does.
    """

    def check_input(self, input_shape):
        super().check_input(input_shape)
        _known(input_shape, self, 'all non-batch dimensions')

    def compute_output_shape(self, input_shape):
        return (input_shape[0], math.prod(input_shape[1:]))

    def call(self, x, training=False):
        return F.batch_flatten(x)


class Reshape(Layer):
    """Reshapes each sample to ``target_shape`` (one entry may be -1, inferred).

    # Arguments
        target_shape: the new shape of one sample, without the batch axis.
    """

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        self.target_shape = tuple(target_shape)
        if sum(1 for d in self.target_shape if d == -1) > 1:
            raise ValueError(f"Reshape layer {self.name}: at most one dimension of target_shape may be -1, "
                             f"got {self.target_shape}.")

    def compute_output_shape(self, input_shape):
        _known(input_shape, self, 'shape')
        size = math.prod(input_shape[1:])
        known = math.prod(d for d in self.target_shape if d != -1)
        if -1 in self.target_shape:
            if known == 0 or size % known:
                raise ValueError(f"Reshape layer {self.name} cannot reshape input {format_shape(input_shape)} "
                                 f"({size} values per sample) to {self.target_shape}.")
            shape = tuple(size // known if d == -1 else d for d in self.target_shape)
        else:
            if known != size:
                raise ValueError(f"Reshape layer {self.name} cannot reshape input {format_shape(input_shape)} "
                                 f"({size} values per sample) to {self.target_shape} ({known} values).")
            shape = self.target_shape
        return (input_shape[0],) + shape

    def call(self, x, training=False):
        return F.reshape(x, (x.shape[0],) + self.output_shape[1:])

    def get_config(self):
        config = super().get_config()
        config['target_shape'] = self.target_shape
        return config


class Permute(Layer):
    """Permutes the non-batch axes: ``Permute((2, 1))`` swaps the two axes of each sample.

    # Arguments
        dims: a permutation of 1..ndim (1-based: the batch axis 0 never moves).
    """

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        self.dims = tuple(dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError(f"Permute layer {self.name}: dims must be a permutation of 1..{len(self.dims)}, "
                             f"got {self.dims}.")

    def check_input(self, input_shape):
        super().check_input(input_shape)
        if len(input_shape) != len(self.dims) + 1:
            raise ValueError(f"Permute layer {self.name} with dims {self.dims} expects input with "
                             f"{len(self.dims)} non-batch axes, got {format_shape(input_shape)}.")

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + tuple(input_shape[d] for d in self.dims)

    def call(self, x, training=False):
        return F.permute_dimensions(x, (0,) + self.dims)

    def get_config(self):
        config = super().get_config()
        config['dims'] = self.dims
        return config


class RepeatVector(Layer):
    """Repeats each input vector n times: (batch, features) -> (batch, n, features).

    # Arguments
        n: the number of repetitions.
    """

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(n, int) or isinstance(n, bool) or n < 1:
            raise ValueError(f"RepeatVector layer {self.name}: n must be a positive integer, got {n!r}.")
        self.n = n

    def check_input(self, input_shape):
        super().check_input(input_shape)
        if len(input_shape) != 2:
            raise ValueError(f"RepeatVector layer {self.name} expects input of shape (batch, features), "
                             f"got {format_shape(input_shape)}.")

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n, input_shape[1])

    def call(self, x, training=False):
        return F.repeat(x, self.n)

    def get_config(self):
        config = super().get_config()
        config['n'] = self.n
        return config
