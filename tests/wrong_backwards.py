"""Deliberately wrong backward passes, to show that the gradient checkers fail when they
should. Each function takes pytest's ``monkeypatch`` and breaks one op until the test ends.
"""
import numpy as np

from teachnet.backend import array_module as am
from teachnet.layers.lstm import LSTM
from teachnet.ops.dropout import Dropout as DropoutOp
from teachnet.ops.linear import Linear
from teachnet.ops.recurrent_lstm import LSTMSequence


def kernel_gradient_one_percent_off(monkeypatch):
    """Linear's backward (Dense's z = x·W + b) with the largest entry of dL/dW 1% too
    large: against the whole array's scale, a relative error of 0.01 / 1.01."""
    right = Linear.backward

    def wrong(self, g):
        grads = list(right(self, g))
        kernel = am.to_numpy(grads[1]).copy()
        kernel.flat[np.argmax(np.abs(kernel))] *= 1.01
        grads[1] = am.to_device(kernel)
        return tuple(grads)
    monkeypatch.setattr(Linear, 'backward', wrong)


def dropout_forgetting_its_mask(monkeypatch):
    """Dropout's backward passing g through unmasked: dL/dx = g instead of g ⊙ m. Right
    in test mode, where no mask is drawn; wrong in training mode."""
    monkeypatch.setattr(DropoutOp, 'backward', lambda self, g: (g,))


class LSTMForgettingTheRecurrentMask(LSTMSequence):
    """The LSTM op whose loop back through time leaves out the recurrent dropout mask
    (what deleting ``scratch *= self.recurrent_mask`` does)."""

    def backprop(self, grad_h):
        kept, self.recurrent_mask = self.recurrent_mask, None
        try:
            return super().backprop(grad_h)
        finally:
            self.recurrent_mask = kept


def lstm_forgetting_its_recurrent_mask(monkeypatch):
    monkeypatch.setattr(LSTM, 'sequence_op', LSTMForgettingTheRecurrentMask)
