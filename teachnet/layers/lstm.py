"""LSTM: the long short-term memory layer (Hochreiter & Schmidhuber, 1997).

Four gates decide at every timestep what to write into a memory cell c, what to keep of
it and what to show as the output h:

    i = σ(x_t W_i + h_{t-1} U_i + b_i)     f = σ(x_t W_f + h_{t-1} U_f + b_f)
    c~ = g(x_t W_c + h_{t-1} U_c + b_c)    o = σ(x_t W_o + h_{t-1} U_o + b_o)
    c_t = f ⊙ c_{t-1} + i ⊙ c~             h_t = o ⊙ g(c_t)

σ is ``inner_activation`` (Keras 1: hard_sigmoid), g is ``activation`` (tanh). The
forget gate's bias starts at 1 (``forget_bias_init='one'``), so that at first the cell
remembers rather than forgets. One timestep, forward and backward, written plainly:
``teachnet/layers/reference_cells/lstm_cell.py``. Backward through time is derived in
``teachnet.ops.recurrent_lstm``; the gates and the gradients through time can be read
with ``teachnet.inspect.recurrent``.
"""
from teachnet import activations, initializers
from teachnet.backend import array_module as am
from teachnet.layers.registry import register
from teachnet.layers.recurrent_base import Recurrent
from teachnet.ops.recurrent_activations import array_activation
from teachnet.ops.recurrent_lstm import LSTMSequence


@register
class LSTM(Recurrent):
    """Long short-term memory layer.

    # Arguments
        output_dim (Keras 2: units): the size of h and c.
        init (kernel_initializer), inner_init (recurrent_initializer): see ``Recurrent``.
        forget_bias_init: the forget gate's initial bias ('one'); Keras 2's
            ``unit_forget_bias=True`` means the same, False means ``bias_initializer``.
        activation: g ('tanh'). inner_activation (recurrent_activation): σ ('hard_sigmoid').
        W_regularizer, U_regularizer, b_regularizer, dropout_W, dropout_U, return_sequences,
        go_backwards, stateful, input_dim, input_length: see ``Recurrent``.

    # Input shape
        (batch, timesteps, input_dim).

    # Output shape
        (batch, units), or (batch, timesteps, units) with ``return_sequences=True``.

    # Example
        model.add(LSTM(32, input_shape=(10, 64)))
        model.add(LSTM(output_dim=128, activation='sigmoid', inner_activation='hard_sigmoid'))

    Weights: ``[kernel (input_dim, 4·units), recurrent_kernel (units, 4·units),
    bias (4·units,)]``, gate blocks in the order i, f, c, o.
    """
    gate_count = 4
    state_count = 2
    sequence_op = LSTMSequence

    def __init__(self, output_dim=None, init='glorot_uniform', inner_init='orthogonal', forget_bias_init='one',
                 activation='tanh', inner_activation='hard_sigmoid', W_regularizer=None, U_regularizer=None,
                 b_regularizer=None, dropout_W=0., dropout_U=0., **kwargs):
        super().__init__(output_dim, init=init, inner_init=inner_init, activation=activation,
                         W_regularizer=W_regularizer, U_regularizer=U_regularizer, b_regularizer=b_regularizer,
                         dropout_W=dropout_W, dropout_U=dropout_U, **kwargs)
        # None (Keras 2's unit_forget_bias=False): the forget gate's bias starts as the others do
        self.forget_bias_init = self.bias_init if forget_bias_init is None else forget_bias_init
        self.inner_activation = activations.get(inner_activation)
        self.array_inner_activation = array_activation(self.inner_activation, self.name, 'inner_activation')

    def inner_array_activation(self):
        return self.array_inner_activation

    def bias_values(self, shape, dim_ordering='tf', rng=None):
        """b_i, b_c, b_o from ``bias_initializer`` (zeros); b_f from ``forget_bias_init`` (ones)."""
        units = self.output_dim
        blocks = [initializers.get(self.bias_init)((units,), dim_ordering='tf') for _ in range(4)]
        blocks[1] = initializers.get(self.forget_bias_init)((units,), dim_ordering='tf')
        return am.host.concatenate([am.host.asarray(block) for block in blocks])

    def get_config(self):
        config = super().get_config()
        config.update(forget_bias_init=initializers.serialize(self.forget_bias_init),
                      inner_activation=activations.serialize(self.inner_activation))
        return config
