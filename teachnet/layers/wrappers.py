"""Wrappers: layers that apply another layer in a new way.

* ``TimeDistributed(layer)`` applies the same layer, with the same weights, to every
  timestep of a sequence: (batch, timesteps, ...) is seen as batch·timesteps samples,
  the layer runs once on all of them, and the result is cut back into sequences.
      TimeDistributed(Dense(8)):  y[i, t] = x[i, t]·W + b      for every sample i and step t
* ``Bidirectional(layer)`` runs a recurrent layer over the sequence twice, once forwards
  and once backwards (two sets of weights), and merges what both read:
      y = merge(forward(x_1..x_T), backward(x_T..x_1))
  so the output at step t knows both the past and the future of the sequence.
"""
from teachnet.layers.registry import deserialize, register
from teachnet.layers.base import Layer
from teachnet.layers.recurrent_base import Recurrent
from teachnet.ops.arithmetic import add, multiply
from teachnet.ops.shapes import concatenate, getitem, reshape
from teachnet.ops.tape import located
from teachnet.utils.shapes import format_shape


def _spec(layer):
    return {'class_name': type(layer).__name__, 'config': layer.get_config()}


@register
class TimeDistributed(Layer):
    """Applies ``layer`` to every temporal slice of its input.

    # Arguments
        layer: the layer to apply (Dense, Activation, Dropout, a convolution...).

    # Input shape
        (batch, timesteps, ...): ``layer`` receives (batch·timesteps, ...).

    # Output shape
        (batch, timesteps) + the layer's output shape without its batch axis.

    # Example
        model.add(GRU(128, return_sequences=True, input_shape=(16, 256)))
        model.add(TimeDistributed(Dense(128)))     # (None, 16, 128)

    Weights: the wrapped layer's.
    """
    supports_masking = True

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise TypeError(f"TimeDistributed wraps a layer, such as TimeDistributed(Dense(8)), "
                            f"got {layer!r} of type {type(layer).__name__}.")
        super().__init__(**kwargs)
        self.layer = layer

    def check_input(self, input_shape):
        super().check_input(input_shape)
        if len(input_shape) < 3:
            raise ValueError(f"TimeDistributed layer {self.name} expects input of shape (batch, timesteps, ...), "
                             f"got {format_shape(input_shape)}.")

    def _inner_shape(self, input_shape):
        return (None,) + tuple(input_shape[2:])

    def build(self, input_shape):
        self.layer.ensure_built(self._inner_shape(input_shape))
        self.params = self.layer.params
        self.regularizers = self.layer.regularizers

    def compute_output_shape(self, input_shape):
        inner = self.layer.compute_output_shape(self._inner_shape(input_shape))
        return (input_shape[0], input_shape[1]) + tuple(inner[1:])

    def call(self, x, training=False):
        n, t = x.shape[:2]
        rows = reshape(x, (n * t,) + tuple(x.shape[2:]))            # every timestep a sample
        with located(wrapped=self.layer.name):
            y = self.layer.call(rows, training, None) if self.layer.uses_mask else self.layer.call(rows, training)
        return reshape(y, (n, t) + tuple(y.shape[1:]))

    def reset_states(self):
        self.layer.reset_states()

    def get_config(self):
        config = super().get_config()
        config['layer'] = _spec(self.layer)
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        return cls(deserialize(config.pop('layer')), **config)


_MERGE_MODES = ('concat', 'sum', 'mul', 'ave')


@register
class Bidirectional(Layer):
    """Bidirectional wrapper for a recurrent layer: one copy reads the sequence forwards,
    another (with its own weights) backwards, and their outputs are merged.

    # Arguments
        layer: a SimpleRNN, LSTM or GRU (its settings are copied for both directions).
        merge_mode: how to merge the two outputs: 'concat' (default: units doubled),
            'sum', 'mul' or 'ave'.

    # Input shape
        (batch, timesteps, input_dim).

    # Output shape
        the layer's output shape, with twice the units for 'concat'. With
        ``return_sequences``, step t of the backward output is the backward layer's state
        after reading x_T ... x_t, so both halves describe the same timestep t.

    # Example
        model.add(Bidirectional(LSTM(10, return_sequences=True), input_shape=(5, 10)))

    Weights: the forward layer's, then the backward layer's.
    """
    supports_masking = True
    uses_mask = True

    def __init__(self, layer, merge_mode='concat', **kwargs):
        if not isinstance(layer, Recurrent):
            raise TypeError(f"Bidirectional wraps a recurrent layer (SimpleRNN, LSTM, GRU), got {layer!r}.")
        if 'input_shape' not in kwargs and 'batch_input_shape' not in kwargs and layer.batch_input_shape:
            kwargs['batch_input_shape'] = layer.batch_input_shape
        super().__init__(**kwargs)
        if merge_mode not in _MERGE_MODES:
            raise ValueError(f"Bidirectional layer {self.name}: merge_mode must be one of "
                             f"{', '.join(repr(m) for m in _MERGE_MODES)}, got {merge_mode!r}"
                             + (" (None, two separate outputs, needs a model with several outputs)."
                                if merge_mode is None else "."))
        self.layer, self.merge_mode = layer, merge_mode
        config = layer.get_config()
        config.pop('batch_input_shape', None)
        self.forward_layer = type(layer).from_config({**config, 'name': f'forward_{layer.name}'})
        self.backward_layer = type(layer).from_config({**config, 'name': f'backward_{layer.name}',
                                                       'go_backwards': not layer.go_backwards})
        self.return_sequences = layer.return_sequences

    def build(self, input_shape):
        for direction in (self.forward_layer, self.backward_layer):
            direction.check_input(input_shape)
            direction.ensure_built(input_shape)
        self.params = self.forward_layer.params + self.backward_layer.params
        self.regularizers = self.forward_layer.regularizers + self.backward_layer.regularizers

    def check_input(self, input_shape):
        super().check_input(input_shape)
        self.forward_layer.check_input(input_shape)

    def compute_output_shape(self, input_shape):
        shape = tuple(self.forward_layer.compute_output_shape(input_shape))
        if self.merge_mode == 'concat':
            return shape[:-1] + (2 * shape[-1],)
        return shape

    def compute_mask(self, x, mask):
        return mask if self.return_sequences else None

    def call(self, x, training=False, mask=None):
        with located(direction='forward'):
            forward = self.forward_layer.call(x, training, mask)
        with located(direction='backward'):
            backward = self.backward_layer.call(x, training, mask)
            if self.return_sequences:           # back to the input's time order
                backward = getitem(backward, (slice(None), slice(None, None, -1)))
        if self.merge_mode == 'concat':
            return concatenate([forward, backward], axis=-1)
        if self.merge_mode == 'sum':
            return add(forward, backward)
        if self.merge_mode == 'mul':
            return multiply(forward, backward)
        return multiply(add(forward, backward), 0.5)

    def reset_states(self):
        self.forward_layer.reset_states()
        self.backward_layer.reset_states()

    def get_config(self):
        config = super().get_config()
        config.update(layer=_spec(self.layer), merge_mode=self.merge_mode)
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        return cls(deserialize(config.pop('layer')), **config)
