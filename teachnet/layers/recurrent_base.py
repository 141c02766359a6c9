"""Recurrent: what SimpleRNN, LSTM and GRU share.

A recurrent layer reads a batch of sequences (batch, timesteps, input_dim) one timestep
after the other, carrying a state from each step to the next, and returns either the
last state (batch, units) or, with ``return_sequences=True``, the state after every step
(batch, timesteps, units) for a next recurrent layer or a ``TimeDistributed`` layer.

The whole sequence is one op (``teachnet.ops.recurrent``): the input projections of all
timesteps in one matrix product, then a loop over time for the recurrent part. Its trace
shows each gate at every timestep and, after backward, the gradient that reached every
timestep (``teachnet.inspect.recurrent`` reads them as arrays).

Weights, as ``get_weights`` returns them, in Keras 2's layout: ``[kernel (input_dim,
k·units), recurrent_kernel (units, k·units), bias (k·units,)]``, the k gate blocks side by
side. As in Keras 1, initializers draw each gate's block on its own (a (units, units)
orthogonal block per gate for ``inner_init='orthogonal'``).

Masks (from ``Embedding(mask_zero=True)`` or ``Masking``): at a masked timestep the
states are carried over unchanged. ``stateful=True``: the states reached after a batch
are the initial states of the next one, sample i continuing sample i, until
``reset_states()``; the batch size must then be fixed (``batch_input_shape``).

Dropout (only while training), one mask per sequence, the same at every timestep:
``dropout_W`` (Keras 2: ``dropout``) drops input features before x·W, ``dropout_U``
(``recurrent_dropout``) drops units of h_{t-1} before h_{t-1}·U. The same mask serves all
gates (Keras 1 drew one per gate unless ``consume_less='gpu'``).
"""
from teachnet import activations, initializers, regularizers
from teachnet.backend import array_module as am
from teachnet.layers.base import Layer, refuse_constraints
from teachnet.ops.arithmetic import multiply
from teachnet.ops.recurrent_activations import array_activation
from teachnet.utils.shapes import format_shape


def per_gate(initializer, gates):
    """An initializer for a (rows, gates·units) matrix that draws each gate's block
    (rows, units) on its own and puts the blocks side by side."""
    def draw(shape, dim_ordering='tf', rng=None):
        rows, columns = shape
        block = initializers.get(initializer)
        return am.host.concatenate([am.host.asarray(block((rows, columns // gates), dim_ordering='tf'))
                                    for _ in range(gates)], axis=1)
    return draw


def _rate(layer_name, label, value):
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value < 1:
        raise ValueError(f"Layer {layer_name}: {label} must be a number in [0, 1), got {value!r}.")
    return float(value)


class Recurrent(Layer):
    """The base of the recurrent layers (not used on its own).

    # Arguments (Keras 2 names in brackets)
        output_dim (units): the size of the state h.
        init (kernel_initializer): how W starts ('glorot_uniform').
        inner_init (recurrent_initializer): how U starts ('orthogonal').
        activation: g, 'tanh' by default.
        W_regularizer, U_regularizer, b_regularizer (kernel_, recurrent_, bias_regularizer).
        dropout_W (dropout), dropout_U (recurrent_dropout): fractions in [0, 1).
        return_sequences: return every timestep's state (batch, timesteps, units) instead
            of the last one (batch, units).
        go_backwards: read the sequence from its end; the returned sequence is then in
            the order read (last input first), and so is its mask.
        stateful: carry the states from batch to batch (needs ``batch_input_shape``).
        unroll, consume_less (implementation): accepted for compatibility; the
            computation is always the one described in ``teachnet.ops.recurrent``.
        use_bias: whether the layer has b (True).
        input_dim, input_length: with both, the input shape is (input_length, input_dim).

    # Input shape
        (batch, timesteps, input_dim).

    # Output shape
        (batch, units), or (batch, timesteps, units) with ``return_sequences``.
    """
    supports_masking = True
    uses_mask = True
    #: how many blocks of columns the weights have (LSTM: 4 gates, GRU: 3, SimpleRNN: 1)
    gate_count = 1
    #: the op that runs a whole sequence
    sequence_op = None
    #: how many states the cell carries (LSTM: h and c)
    state_count = 1

    def __init__(self, output_dim=None, init='glorot_uniform', inner_init='orthogonal', activation='tanh',
                 W_regularizer=None, U_regularizer=None, b_regularizer=None, dropout_W=0., dropout_U=0.,
                 return_sequences=False, go_backwards=False, stateful=False, unroll=False, consume_less='cpu',
                 bias_initializer='zero', use_bias=True, activity_regularizer=None, return_state=False,
                 W_constraint=None, U_constraint=None, b_constraint=None, **kwargs):
        super().__init__(**kwargs)
        kind = type(self).__name__
        self.output_dim = output_dim
        if not isinstance(self.output_dim, int) or isinstance(self.output_dim, bool) or self.output_dim < 1:
            raise ValueError(f"{kind} layer {self.name}: output_dim (units) must be a positive integer, "
                             f"got {self.output_dim!r}.")
        if return_state:
            raise ValueError(f"{kind} layer {self.name}: return_state=True is not supported; read the "
                             "states with layer.states (stateful layers) or teachnet.inspect.recurrent.gates.")
        refuse_constraints(f"{kind} layer {self.name}", W_constraint=W_constraint, U_constraint=U_constraint,
                           b_constraint=b_constraint)
        self.init = init
        self.inner_init = inner_init
        self.bias_init = bias_initializer
        self.activation = activations.get(activation)
        self.array_activation = array_activation(self.activation, self.name, 'activation')
        self.use_bias = bool(use_bias)
        self.W_regularizer = regularizers.get(W_regularizer)
        self.U_regularizer = regularizers.get(U_regularizer)
        self.b_regularizer = regularizers.get(b_regularizer)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.dropout_W = _rate(self.name, 'dropout_W (dropout)', dropout_W)
        self.dropout_U = _rate(self.name, 'dropout_U (recurrent_dropout)', dropout_U)
        self.return_sequences, self.go_backwards = bool(return_sequences), bool(go_backwards)
        self.stateful, self.unroll = bool(stateful), bool(unroll)
        self.consume_less = consume_less
        self.states = [None] * self.state_count

    def input_shape_from_dim(self, input_dim, input_length):
        return (input_length, input_dim)

    # ------------------------------------------------------------------ shapes and weights
    def check_input(self, input_shape):
        super().check_input(input_shape)
        kind = type(self).__name__
        if len(input_shape) != 3 or input_shape[-1] is None:
            raise ValueError(f"{kind} layer {self.name} expects input of shape (batch, timesteps, input_dim) with a "
                             f"known input_dim, got {format_shape(input_shape)}.")
        if self.stateful and input_shape[0] is None:
            raise ValueError(f"{kind} layer {self.name} is stateful, so it needs a fixed batch size: give the first "
                             "layer the full batch_input_shape, e.g. batch_input_shape=(32, timesteps, input_dim).")

    def compute_output_shape(self, input_shape):
        if self.return_sequences:
            return (input_shape[0], input_shape[1], self.output_dim)
        return (input_shape[0], self.output_dim)

    def compute_mask(self, x, mask):
        if not self.return_sequences or mask is None:
            return None
        return mask[:, ::-1] if self.go_backwards else mask

    def build(self, input_shape):
        k, units = self.gate_count, self.output_dim
        self.kernel = self.add_weight((input_shape[-1], k * units), per_gate(self.init, k), 'kernel',
                                      self.W_regularizer)
        self.recurrent_kernel = self.add_weight((units, k * units), per_gate(self.inner_init, k),
                                                'recurrent_kernel', self.U_regularizer)
        self.bias = (self.add_weight(self.bias_shape(), self.bias_values, 'bias', self.b_regularizer)
                     if self.use_bias else None)
        if self.stateful:
            self.batch_size = input_shape[0]
            self._zero_states()

    def bias_shape(self):
        return (self.gate_count * self.output_dim,)

    def bias_values(self, shape, dim_ordering='tf', rng=None):
        """The initial bias: ``bias_initializer`` (zeros) for every gate."""
        return initializers.get(self.bias_init)(shape, dim_ordering='tf')

    # ------------------------------------------------------------------ states
    def reset_states(self, states=None):
        """Set the carried states to zeros (or to ``states``, a list of (batch, units)
        arrays). Only stateful layers carry states; for others this does nothing."""
        if not self.stateful or not self.built:
            return
        shape = (self.batch_size, self.output_dim)
        if states is None:
            self._zero_states()
            return
        states = list(states) if isinstance(states, (list, tuple)) else [states]
        if len(states) != self.state_count or any(tuple(am.host.shape(s)) != shape for s in states):
            raise ValueError(f"Layer {self.name}: reset_states expects {self.state_count} array(s) of shape "
                             f"{shape}, got {[tuple(am.host.shape(s)) for s in states]}.")
        self.states = [am.to_device(am.to_numpy(s), dtype=am.floatx()) for s in states]

    def _zero_states(self):
        shape = (self.batch_size, self.output_dim)
        self.states = [am.xp().zeros(shape, dtype=am.floatx()) for _ in range(self.state_count)]

    def _initial_states(self, batch, dtype):
        if not self.stateful:
            zeros = am.xp().zeros((batch, self.output_dim), dtype=dtype)
            return [zeros] * self.state_count
        if batch != self.batch_size:
            raise ValueError(f"Layer {self.name} is stateful with a fixed batch size of {self.batch_size} "
                             f"(batch_input_shape), but received a batch of {batch} samples.")
        return self.states

    # ------------------------------------------------------------------ running
    def _dropout_mask(self, shape, rate, dtype):
        keep = am.random_keep(shape, rate, dtype=dtype)
        return keep.astype(dtype) * (1. / (1. - rate))

    def op_options(self):
        """Extra settings for the sequence op (GRU: reset_after)."""
        return {}

    def inner_array_activation(self):
        return None

    def call(self, x, training=False, mask=None):
        n, _, features = x.shape
        dtype = x.data.dtype
        if training and self.dropout_W > 0:
            x = multiply(x, self._dropout_mask((n, 1, features), self.dropout_W, dtype))
        recurrent_mask = None
        if training and self.dropout_U > 0:
            recurrent_mask = self._dropout_mask((n, self.output_dim), self.dropout_U, dtype)
        op = self.sequence_op(self.output_dim, self.array_activation, self.inner_array_activation(),
                              initial_states=self._initial_states(n, dtype), mask=mask,
                              go_backwards=self.go_backwards, return_sequences=self.return_sequences,
                              recurrent_mask=recurrent_mask, **self.op_options())
        weights = [self.kernel, self.recurrent_kernel] + ([self.bias] if self.bias is not None else [])
        output = op.apply(x, *weights)
        if self.stateful:
            self.states = [state.copy() for state in op.final_states()]
        return output

    # ------------------------------------------------------------------ config
    def get_config(self):
        config = super().get_config()
        config.update(output_dim=self.output_dim, init=initializers.serialize(self.init),
                      inner_init=initializers.serialize(self.inner_init),
                      activation=activations.serialize(self.activation),
                      W_regularizer=regularizers.serialize(self.W_regularizer),
                      U_regularizer=regularizers.serialize(self.U_regularizer),
                      b_regularizer=regularizers.serialize(self.b_regularizer),
                      activity_regularizer=regularizers.serialize(self.activity_regularizer),
                      dropout_W=self.dropout_W, dropout_U=self.dropout_U,
                      return_sequences=self.return_sequences, go_backwards=self.go_backwards,
                      stateful=self.stateful, unroll=self.unroll, consume_less=self.consume_less)
        if not self.use_bias:
            config['use_bias'] = False
        if self.bias_init not in ('zero', 'zeros'):
            config['bias_initializer'] = initializers.serialize(self.bias_init)
        return config
