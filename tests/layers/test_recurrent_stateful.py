"""Stateful recurrent layers: the states reached after a batch start the next batch."""
import numpy as np
import pytest

from teachnet.layers import Dense
from teachnet.layers.gru import GRU
from teachnet.layers.lstm import LSTM
from teachnet.layers.simple_rnn import SimpleRNN
from teachnet.models import Sequential


def _pair(cls, batch, chunk, features, units, **options):
    """The same layer twice: stateful over chunks of ``chunk`` steps, and plain over all."""
    stateful = Sequential([cls(units, return_sequences=True, stateful=True,
                               batch_input_shape=(batch, chunk, features), **options)])
    plain = Sequential([cls(units, return_sequences=True, input_shape=(None, features), **options)])
    plain.set_weights(stateful.get_weights())
    return stateful, plain


@pytest.mark.parametrize('cls', [SimpleRNN, LSTM, GRU])
def test_consecutive_chunks_equal_the_whole_sequence(cls):
    batch, chunk, chunks, features, units = 3, 4, 3, 2, 5
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, chunk * chunks, features))
    stateful, plain = _pair(cls, batch, chunk, features, units, bias_initializer='uniform')
    whole = plain.predict(x, batch_size=batch)
    pieces = [stateful.predict(x[:, k * chunk:(k + 1) * chunk], batch_size=batch) for k in range(chunks)]
    np.testing.assert_allclose(np.concatenate(pieces, axis=1), whole, rtol=1e-5, atol=1e-6)

    stateful.reset_states()                          # back to zero states: the first chunk again
    np.testing.assert_allclose(stateful.predict(x[:, :chunk], batch_size=batch), whole[:, :chunk],
                               rtol=1e-5, atol=1e-6)


def test_sample_i_continues_sample_i_across_batches():
    """Two batches of 2 sequences in one predict call: batch 2 continues batch 1, row by row."""
    rng = np.random.default_rng(1)
    first, second = rng.standard_normal((2, 3, 2)), rng.standard_normal((2, 3, 2))
    stateful, plain = _pair(LSTM, 2, 3, 2, 4)
    out = stateful.predict(np.concatenate([first, second]), batch_size=2)
    whole = plain.predict(np.concatenate([first, second], axis=1), batch_size=2)
    np.testing.assert_allclose(out[2:], whole[:, 3:], rtol=1e-5, atol=1e-6)


def test_training_carries_states_and_reset_forgets_them():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((4, 3, 2))
    model = Sequential([LSTM(3, stateful=True, batch_input_shape=(2, 3, 2)), Dense(1)])
    model.compile(optimizer='sgd', loss='mse')
    model.fit(x, rng.standard_normal((4, 1)), batch_size=2, nb_epoch=1, verbose=0, shuffle=False)
    h, c = model.layers[0].states
    assert h.shape == (2, 3) and np.abs(np.asarray(c.get() if hasattr(c, 'get') else c)).max() > 0
    model.reset_states()
    assert all(not np.asarray(s.get() if hasattr(s, 'get') else s).any() for s in model.layers[0].states)


@pytest.mark.backend_independent
def test_stateful_mistakes_are_clear():
    with pytest.raises(ValueError, match='lstm_nobatch.*batch_input_shape'):
        Sequential([LSTM(3, stateful=True, input_shape=(4, 2), name='lstm_nobatch')])
    model = Sequential([LSTM(3, stateful=True, batch_input_shape=(4, 5, 2), name='lstm_fixed'), Dense(1)])
    model.compile(optimizer='sgd', loss='mse')
    x, y = np.zeros((8, 5, 2)), np.zeros((8, 1))
    with pytest.raises(ValueError, match='lstm_fixed.*batch_size must be 4, got 3'):
        model.fit(x, y, batch_size=3, nb_epoch=1, verbose=0)
    with pytest.raises(ValueError, match='lstm_fixed.*4'):
        model.fit(np.zeros((6, 5, 2)), np.zeros((6, 1)), batch_size=4, nb_epoch=1, verbose=0)
    with pytest.raises(ValueError, match='lstm_fixed.*6 samples'):
        model.fit(x, y, batch_size=4, nb_epoch=1, verbose=0, validation_data=(x[:6], y[:6]))
    with pytest.raises(ValueError, match='lstm_fixed.*batch_size must be 4'):
        model.predict(x, batch_size=8)
    with pytest.raises(ValueError, match='lstm_fixed.*batch_size must be 4'):
        model.evaluate(x, y, batch_size=32, verbose=0)
    with pytest.raises(ValueError, match='lstm_fixed.*6 samples'):
        model.predict(np.zeros((6, 5, 2)), batch_size=4)
    with pytest.raises(ValueError, match=r'lstm_fixed.*\(8, 5, 2\)'):
        model.predict_on_batch(x)
    assert model.evaluate(x, y, batch_size=4, verbose=0) >= 0
