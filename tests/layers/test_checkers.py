"""The layer harness FLAGS a wrong backward: each deliberately wrong op of
tests/wrong_backwards.py makes ``layer_test`` fail, in the mode where the error lives."""
import functools

import pytest

from teachnet.layers import LSTM, Dense, Dropout
from wrong_backwards import (dropout_forgetting_its_mask, kernel_gradient_one_percent_off,
                             lstm_forgetting_its_recurrent_mask)

from .harness import layer_test


def test_one_weight_gradient_one_percent_off(monkeypatch):
    kernel_gradient_one_percent_off(monkeypatch)
    with pytest.raises(AssertionError, match=r'parameter gradients in test mode(.|\n)*FAILED'):
        layer_test(functools.partial(Dense, 3), (4,))


def test_a_dropout_backward_without_its_mask(monkeypatch):
    dropout_forgetting_its_mask(monkeypatch)
    with pytest.raises(AssertionError, match='dL/dx relative error .* in training mode'):
        layer_test(functools.partial(Dropout, 0.5), (6,), deterministic=False)


def test_an_lstm_backward_without_its_recurrent_mask(monkeypatch):
    lstm_forgetting_its_recurrent_mask(monkeypatch)
    with pytest.raises(AssertionError, match='in training mode'):
        layer_test(functools.partial(LSTM, 3, dropout_U=0.5, return_sequences=True), (4, 2), deterministic=False)
