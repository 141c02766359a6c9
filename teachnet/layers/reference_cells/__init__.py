"""Reference cells: each recurrent cell for one timestep, written plainly. Read these first.

The fast ops (``teachnet.ops.recurrent_simple``, ``recurrent_lstm``, ``recurrent_gru``) run
a whole sequence as one op, keep their arrays transposed and time-major, reorder gates and
fold the activations' scales into the weights, all for speed. The cells here do none of
that: batch-major arrays, Keras's gate order, the activations as written in the papers,
forward step and backward step side by side. The tests run the fast ops against them,
unrolled over time with ``through_time``, forward and backward.

    layer                      forward step            backward step
    SimpleRNN                  simple_rnn_step         simple_rnn_step_backward
    LSTM                       lstm_step               lstm_step_backward
    GRU                        gru_step                gru_step_backward
    GRU(reset_after=True)      gru_reset_after_step    gru_reset_after_step_backward

Every step is called as ``step(x_t, states, W, U, b, x_mask, h_mask, *activations)`` and
returns (new states, cache); every backward step as ``step_backward(d_states, cache)`` and
returns (dL/dx_t, dL/d(previous states), (dL/dW, dL/dU, dL/db)). The activations are
``Activation('tanh')``-style pairs of f and f' (``activations``).
"""
from teachnet.layers.reference_cells.activations import Activation  # noqa: F401
from teachnet.layers.reference_cells.gru_cell import gru_step, gru_step_backward  # noqa: F401
from teachnet.layers.reference_cells.gru_reset_after_cell import (  # noqa: F401
    gru_reset_after_step, gru_reset_after_step_backward)
from teachnet.layers.reference_cells.lstm_cell import lstm_step, lstm_step_backward  # noqa: F401
from teachnet.layers.reference_cells.simple_rnn_cell import simple_rnn_step, simple_rnn_step_backward  # noqa: F401
from teachnet.layers.reference_cells.through_time import unroll, unroll_backward  # noqa: F401
