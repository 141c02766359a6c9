"""GRU: the gated recurrent unit (Cho et al., 2014).

Two gates and one state: the update gate z chooses between keeping the old state and
taking a candidate h~, the reset gate r chooses how much of the past the candidate reads:

    z = σ(x_t W_z + h_{t-1} U_z + b_z)        r = σ(x_t W_r + h_{t-1} U_r + b_r)
    h~ = g(x_t W_h + (r ⊙ h_{t-1}) U_h + b_h)
    h_t = z ⊙ h_{t-1} + (1 - z) ⊙ h~

This is Keras 1's formulation (reset before the product with U_h). ``reset_after=True``
gives the Keras 3 / cuDNN one, h~ = g(x_t W_h + b_h + r ⊙ (h_{t-1} U_h + b'_h)), with a
bias of shape (2, 3·units), so that weights from those libraries load and compute the same.
Backward through time is derived in ``teachnet.ops.recurrent_gru``; one timestep, forward
and backward, written plainly: ``teachnet/layers/reference_cells/gru_cell.py`` and
``gru_reset_after_cell.py``.
"""
from teachnet import activations
from teachnet.layers.registry import register
from teachnet.layers.recurrent_base import Recurrent
from teachnet.ops.recurrent_activations import array_activation
from teachnet.ops.recurrent_gru import GRUSequence


@register
class GRU(Recurrent):
    """Gated recurrent unit.

    # Arguments
        output_dim (Keras 2: units): the size of h.
        init, inner_init, activation ('tanh'), inner_activation (recurrent_activation,
        'hard_sigmoid'), W_regularizer, U_regularizer, b_regularizer, dropout_W, dropout_U,
        return_sequences, go_backwards, stateful, input_dim, input_length: see ``Recurrent``.
        reset_after: apply the reset gate after the recurrent product (Keras 3, cuDNN);
            False (Keras 1) by default.

    # Input shape
        (batch, timesteps, input_dim).

    # Output shape
        (batch, units), or (batch, timesteps, units) with ``return_sequences=True``.

    # Example
        model.add(GRU(output_dim=128, return_sequences=True))

    Weights: ``[kernel (input_dim, 3·units), recurrent_kernel (units, 3·units),
    bias (3·units,)]`` (with ``reset_after``: bias (2, 3·units)), gate blocks z, r, h.
    """
    gate_count = 3
    sequence_op = GRUSequence

    def __init__(self, output_dim=None, init='glorot_uniform', inner_init='orthogonal', activation='tanh',
                 inner_activation='hard_sigmoid', W_regularizer=None, U_regularizer=None, b_regularizer=None,
                 dropout_W=0., dropout_U=0., reset_after=False, **kwargs):
        super().__init__(output_dim, init=init, inner_init=inner_init, activation=activation,
                         W_regularizer=W_regularizer, U_regularizer=U_regularizer, b_regularizer=b_regularizer,
                         dropout_W=dropout_W, dropout_U=dropout_U, **kwargs)
        self.inner_activation = activations.get(inner_activation)
        self.array_inner_activation = array_activation(self.inner_activation, self.name, 'inner_activation')
        self.reset_after = bool(reset_after)

    def inner_array_activation(self):
        return self.array_inner_activation

    def bias_shape(self):
        return (2, 3 * self.output_dim) if self.reset_after else (3 * self.output_dim,)

    def op_options(self):
        return {'reset_after': self.reset_after}

    def get_config(self):
        config = super().get_config()
        config['inner_activation'] = activations.serialize(self.inner_activation)
        if self.reset_after:
            config['reset_after'] = True
        return config
