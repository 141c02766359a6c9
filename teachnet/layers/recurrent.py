"""The recurrent layers in one place, as Keras 1's ``keras.layers.recurrent`` had them.

    from teachnet.layers.recurrent import LSTM, GRU, SimpleRNN

Each lives in its own module (``simple_rnn``, ``lstm``, ``gru``), on the shared base
``recurrent_base.Recurrent``; their sequence ops are in ``teachnet.ops.recurrent*``.
"""
from teachnet.layers.recurrent_base import Recurrent
from teachnet.layers.simple_rnn import SimpleRNN
from teachnet.layers.lstm import LSTM
from teachnet.layers.gru import GRU

__all__ = ['Recurrent', 'SimpleRNN', 'LSTM', 'GRU']
