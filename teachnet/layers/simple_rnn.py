"""SimpleRNN: the fully connected recurrent layer, h_t = g(x_t·W + h_{t-1}·U + b).

The simplest memory: the new state mixes the current input with the previous state
through one weight matrix each. See ``teachnet.ops.recurrent_simple`` for the math of
backward through time, and why gradients vanish or explode in such a layer, and
``teachnet/layers/reference_cells/simple_rnn_cell.py`` for one timestep written plainly.
"""
from teachnet.layers.registry import register
from teachnet.layers.recurrent_base import Recurrent
from teachnet.ops.recurrent_simple import SimpleRNNSequence


@register
class SimpleRNN(Recurrent):
    """Fully connected RNN whose output is fed back as input at the next timestep.

    # Arguments
        output_dim (units), init, inner_init, activation, W_regularizer, U_regularizer,
        b_regularizer, dropout_W, dropout_U: see ``Recurrent``; plus return_sequences,
        go_backwards, stateful, input_dim, input_length and the Keras 2 names.

    # Input shape
        (batch, timesteps, input_dim).

    # Output shape
        (batch, units), or (batch, timesteps, units) with ``return_sequences=True``.

    # Example
        model.add(SimpleRNN(32, input_shape=(10, 8)))

    Weights: ``[kernel (input_dim, units), recurrent_kernel (units, units), bias (units,)]``.
    """
    gate_count = 1
    sequence_op = SimpleRNNSequence

    def __init__(self, output_dim=None, init='glorot_uniform', inner_init='orthogonal', activation='tanh',
                 W_regularizer=None, U_regularizer=None, b_regularizer=None, dropout_W=0., dropout_U=0.,
                 **kwargs):
        super().__init__(output_dim, init=init, inner_init=inner_init, activation=activation,
                         W_regularizer=W_regularizer, U_regularizer=U_regularizer, b_regularizer=b_regularizer,
                         dropout_W=dropout_W, dropout_U=dropout_U, **kwargs)
