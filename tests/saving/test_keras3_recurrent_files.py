"""Keras 3 ``.weights.h5`` files of recurrent models, written by Keras 3 itself.

The files in ``keras3_files/`` were made by ``keras3_files/make_files.py`` (Keras 3.15.1,
JAX backend), with Keras 3's predictions for a fixed input in ``predictions.npz``. Keras 3
keeps a recurrent layer's arrays under its cell (``layers/lstm/cell/vars/0..2``), a
Bidirectional's under ``forward_layer/cell`` and ``backward_layer/cell``, a
TimeDistributed's under ``layer``. Each file loads into the same model written with
teachnet, which then predicts what Keras 3 predicted.
"""
import pathlib
import shutil

import h5py
import numpy as np
import pytest

from teachnet.layers import GRU, LSTM, Bidirectional, Dense, SimpleRNN, TimeDistributed
from teachnet.models import Sequential

FILES = pathlib.Path(__file__).parent / 'keras3_files'
SEQUENCES = {'input_shape': (4, 3)}        # 4 timesteps of 3 features


def teachnet_model(name):
    """The model of ``make_files.py`` called ``name``, with Keras 3's settings (sigmoid gates,
    a GRU that resets after the recurrent product unless told otherwise)."""
    if name == 'lstm':
        return Sequential([LSTM(5, inner_activation='sigmoid', **SEQUENCES), Dense(2)])
    if name == 'gru':
        return Sequential([GRU(5, inner_activation='sigmoid', reset_after=True, **SEQUENCES), Dense(2)])
    if name == 'gru_reset_before':
        return Sequential([GRU(5, inner_activation='sigmoid', **SEQUENCES), Dense(2)])
    if name == 'simple_rnn':
        return Sequential([SimpleRNN(5, return_sequences=True, **SEQUENCES), TimeDistributed(Dense(2))])
    if name == 'bidirectional':
        return Sequential([Bidirectional(LSTM(5, return_sequences=True, inner_activation='sigmoid'), **SEQUENCES),
                           TimeDistributed(Dense(2))])
    raise KeyError(name)


def keras3_prediction(name):
    with np.load(FILES / 'predictions.npz') as saved:
        return saved[f'{name}_x'], saved[f'{name}_y']


@pytest.mark.parametrize('name', ['lstm', 'gru', 'gru_reset_before', 'simple_rnn', 'bidirectional'])
def test_keras_3_recurrent_file_loads_and_predicts_as_keras_3(name):
    model = teachnet_model(name)
    model.load_weights(FILES / f'{name}.weights.h5')
    x, expected = keras3_prediction(name)
    np.testing.assert_allclose(model.predict(x), expected, rtol=1e-5, atol=1e-6)


def test_lstm_arrays_come_from_the_cell_in_keras_order():
    model = teachnet_model('lstm')
    model.load_weights(FILES / 'lstm.weights.h5')
    with h5py.File(FILES / 'lstm.weights.h5', 'r') as f:
        cell = [f[f'layers/lstm/cell/vars/{i}'][()] for i in range(3)]
    for loaded, saved in zip(model.layers[0].get_weights(), cell):
        np.testing.assert_array_equal(loaded, saved)


def test_by_name_finds_a_recurrent_layer_called_as_in_the_file():
    model = Sequential([LSTM(5, inner_activation='sigmoid', name='lstm', **SEQUENCES), Dense(2, name='other')])
    before = model.layers[1].get_weights()
    model.load_weights(FILES / 'lstm.weights.h5', by_name=True)
    with h5py.File(FILES / 'lstm.weights.h5', 'r') as f:
        np.testing.assert_array_equal(model.layers[0].get_weights()[1], f['layers/lstm/cell/vars/1'][()])
    np.testing.assert_array_equal(model.layers[1].get_weights()[0], before[0])


@pytest.mark.parametrize('file_name, reset_after', [('gru', False), ('gru_reset_before', True)])
def test_gru_of_the_other_reset_after_is_refused_with_what_to_write(file_name, reset_after):
    model = Sequential([GRU(5, reset_after=reset_after, **SEQUENCES), Dense(2)])
    before = model.get_weights()
    expected = rf"'cell/vars/2' of layer 'gru'.*GRU\(\.\.\., reset_after={not reset_after}\)"
    with pytest.raises(ValueError, match=expected):
        model.load_weights(FILES / f'{file_name}.weights.h5')
    for now, then in zip(model.get_weights(), before):
        np.testing.assert_array_equal(now, then)
    x, _ = keras3_prediction(file_name)
    assert model.predict(x).shape == (2, 2)                  # still usable


def test_arrays_in_a_group_teachnet_does_not_know_are_refused(tmp_path):
    path = tmp_path / 'odd.weights.h5'
    shutil.copy(FILES / 'lstm.weights.h5', path)
    with h5py.File(path, 'a') as f:
        f.move('layers/lstm/cell', 'layers/lstm/mystery_cell')
    model = teachnet_model('lstm')
    with pytest.raises(ValueError, match=r"odd.weights.h5, layer 'lstm': arrays in mystery_cell"):
        model.load_weights(path)
