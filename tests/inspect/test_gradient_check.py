"""``teachnet.inspect.gradient_check`` passes a right backward and FLAGS a wrong one: a
checker that cannot fail would let every bug through. The wrong backwards are in
tests/wrong_backwards.py."""
import numpy as np
import pytest

from teachnet.backend import array_module as am
from teachnet.inspect.gradient_check import gradient_check
from teachnet.layers import LSTM, Dense, Dropout
from teachnet.models import Sequential
from wrong_backwards import (dropout_forgetting_its_mask, kernel_gradient_one_percent_off,
                             lstm_forgetting_its_recurrent_mask)


def _dense(**options):
    layer = Dense(3, input_dim=4, bias_initializer='uniform', **options)
    Sequential([layer])
    return layer


def _model_with_dropout():
    model = Sequential([Dense(6, input_dim=4, activation='tanh'), Dropout(0.5), Dense(2)])
    model.compile(optimizer='sgd', loss='mse')
    return model


def _data(rng, n=5):
    return rng.standard_normal((n, 4)), rng.standard_normal((n, 2))


def test_a_right_backward_passes():
    rng = np.random.default_rng(0)
    report = gradient_check(_dense(), rng.standard_normal((5, 4)), max_checks=None)
    assert report.passed and report.max_error < 1e-8, str(report)


def test_one_weight_gradient_one_percent_off_is_flagged(monkeypatch):
    kernel_gradient_one_percent_off(monkeypatch)
    layer = _dense()
    report = gradient_check(layer, np.random.default_rng(1).standard_normal((5, 4)), max_checks=None)
    kernel, bias = (p.name for p in layer.params)
    assert not report.passed
    assert report[kernel] == pytest.approx(0.01 / 1.01, rel=1e-4)       # exactly the error put in
    assert report[bias] < 1e-8                                          # and nowhere else
    assert 'FAILED' in str(report)


def test_one_percent_off_is_flagged_in_a_model(monkeypatch):
    kernel_gradient_one_percent_off(monkeypatch)
    x, y = _data(np.random.default_rng(2))
    report = gradient_check(_model_with_dropout(), x, y, max_checks=None)
    assert not report.passed and report.max_error == pytest.approx(0.01 / 1.01, rel=1e-4), str(report)


def test_dropout_is_checked_in_training_mode_with_the_masks_held_fixed():
    x, y = _data(np.random.default_rng(3))
    report = gradient_check(_model_with_dropout(), x, y, max_checks=None, training=True)
    assert report.passed and report.max_error < 1e-8, str(report)


def test_a_dropout_backward_without_its_mask_is_flagged_in_training_mode(monkeypatch):
    dropout_forgetting_its_mask(monkeypatch)
    x, y = _data(np.random.default_rng(4))
    model = _model_with_dropout()
    assert gradient_check(model, x, y, max_checks=None).passed          # test mode cannot see it
    report = gradient_check(model, x, y, max_checks=None, training=True)
    assert not report.passed and report.max_error > 1e-2, str(report)


def _lstm_with_recurrent_dropout():
    layer = LSTM(3, dropout_U=0.5, return_sequences=True, input_shape=(4, 2))
    Sequential([layer])
    return layer


def test_lstm_recurrent_dropout_passes_in_training_mode():
    x = np.random.default_rng(5).standard_normal((3, 4, 2))
    report = gradient_check(_lstm_with_recurrent_dropout(), x, training=True)
    assert report.passed, str(report)


def test_an_lstm_backward_without_its_recurrent_mask_is_flagged_in_training_mode(monkeypatch):
    lstm_forgetting_its_recurrent_mask(monkeypatch)
    x = np.random.default_rng(5).standard_normal((3, 4, 2))
    layer = _lstm_with_recurrent_dropout()
    assert gradient_check(layer, x).passed                              # test mode cannot see it
    report = gradient_check(layer, x, training=True)
    assert not report.passed and report.max_error > 1e-3, str(report)


def test_a_check_in_training_mode_leaves_later_dropout_masks_as_they_were():
    x, y = _data(np.random.default_rng(6))
    model = _model_with_dropout()
    am.seed(11)
    expected = am.to_numpy(am.random_uniform((4, 5), dtype='float64'))
    am.seed(11)
    gradient_check(model, x, y, max_checks=10, training=True)
    np.testing.assert_array_equal(am.to_numpy(am.random_uniform((4, 5), dtype='float64')), expected)
