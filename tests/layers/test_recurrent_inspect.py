"""Gates you can see: per-timestep gate values and gradients through time, from the tape."""
import numpy as np
import pytest

from teachnet.inspect.recurrent import gates, gradients_through_time
from teachnet.layers import Dense
from teachnet.layers.gru import GRU
from teachnet.layers.lstm import LSTM
from teachnet.layers.simple_rnn import SimpleRNN
from teachnet.models import Sequential

from .references import NUMPY_ACTIVATIONS as F


def lstm_gates_reference(x, W, U, b):
    """i, f, c~, o, c, h at every step, (T, n, units), by a plain loop."""
    n, T = x.shape[:2]
    units = U.shape[0]
    h, c = np.zeros((n, units)), np.zeros((n, units))
    seen = {name: [] for name in ('i', 'f', 'c~', 'o', 'c', 'h')}
    for t in range(T):
        z = x[:, t] @ W + h @ U + b
        i, f, candidate, o = (F['hard_sigmoid'](z[:, :units]), F['hard_sigmoid'](z[:, units:2 * units]),
                              np.tanh(z[:, 2 * units:3 * units]), F['hard_sigmoid'](z[:, 3 * units:]))
        c = f * c + i * candidate
        h = o * np.tanh(c)
        for name, value in zip(seen, (i, f, candidate, o, c, h)):
            seen[name].append(value)
    return {name: np.stack(values) for name, values in seen.items()}


def test_lstm_gates_per_timestep():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 5, 2))
    model = Sequential([LSTM(4, input_shape=(5, 2), bias_initializer='uniform'), Dense(1)])
    seen = gates(model, x)
    expected = lstm_gates_reference(x, *[w.astype(np.float64) for w in model.layers[0].get_weights()])
    assert sorted(seen) == sorted(expected)
    for name in expected:
        assert seen[name].shape == (5, 3, 4)
        np.testing.assert_allclose(seen[name], expected[name], rtol=1e-5, atol=1e-6, err_msg=name)
    same = gates(model.layers[0], x)                      # a layer on its own gives the same
    np.testing.assert_allclose(same['f'], seen['f'])


@pytest.mark.parametrize('cls, names', [(GRU, ['h', 'h~', 'r', 'z']), (SimpleRNN, ['h'])])
def test_other_cells_name_their_gates(cls, names):
    x = np.random.default_rng(1).standard_normal((2, 3, 2))
    model = Sequential([cls(4, return_sequences=True, input_shape=(3, 2))])
    seen = gates(model, x)
    assert sorted(seen) == names
    np.testing.assert_allclose(seen['h'], model.predict(x).transpose(1, 0, 2), rtol=1e-6)


def test_gradient_through_time_of_a_linear_rnn_is_a_matrix_power():
    """h_t = x_t W + h_{t-1} U, so dL/dh_t = dL/dh_T · (Uᵀ)^(T-1-t): it shrinks or grows
    geometrically, the vanishing/exploding gradient in its purest form."""
    rng = np.random.default_rng(2)
    T = 6
    x = rng.standard_normal((2, T, 3))
    model = Sequential([SimpleRNN(4, activation='linear', input_shape=(T, 3)), Dense(1)])
    model.compile(optimizer='sgd', loss='mse')
    y = rng.standard_normal((2, 1))
    gradient = gradients_through_time(model, x, y)
    W_rnn, U, b = [w.astype(np.float64) for w in model.layers[0].get_weights()]
    W_dense, b_dense = [w.astype(np.float64) for w in model.layers[1].get_weights()]
    h = np.zeros((2, 4))
    for t in range(T):
        h = x[:, t] @ W_rnn + h @ U + b
    last = (2 * (h @ W_dense + b_dense - y) / y.size) @ W_dense.T        # dL/dh_T for the mse
    for t in range(T):
        expected = last @ np.linalg.matrix_power(U.T, T - 1 - t)
        np.testing.assert_allclose(gradient[t], expected, rtol=1e-4, atol=1e-7)


def test_lstm_gradients_through_time_and_the_trace():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 4, 3))
    layer = LSTM(5, return_sequences=True, input_shape=(4, 3))
    model = Sequential([layer])
    model.compile(optimizer='sgd', loss='mse')
    y = rng.standard_normal((2, 4, 5))
    dh = gradients_through_time(model, x, y)
    dc = gradients_through_time(model, x, y, state='c')
    assert dh.shape == dc.shape == (4, 2, 5)
    out = model.predict(x)
    np.testing.assert_allclose(dh[-1], (2 * (out - y) / y.size)[:, -1], rtol=1e-4, atol=1e-7)
    trace = layer.trace(x)
    [forward], [backward] = trace.forward, trace.backward
    assert {'i', 'f', 'c~', 'o', 'c', 'h'} <= set(forward.facts)
    assert forward.facts['f'].shape == (4, 2, 5)
    assert backward.facts['dL/dh'].shape == (4, 2, 5)
    text = str(trace)
    assert 'f (4, 2, 5)' in text and 'dL/dh (4, 2, 5)' in text
    with pytest.raises(ValueError, match='no_such_layer'):
        gates(model, x, 'no_such_layer')
    with pytest.raises(ValueError, match="dL/dq"):
        gradients_through_time(model, x, y, state='q')
