"""Mistakes around files, building and inspection, and what teachnet says back.

As in ``test_user_mistakes.py``: each mistake raises a clear error naming what is wrong
and what to do, and leaves the model as it was, able to train and predict.
"""
import numpy as np
import pytest

from teachnet.__main__ import main
from teachnet.inspect import gates, gradients_through_time
from teachnet.models import load_model

from test_user_mistakes import assert_mistake, setup  # noqa: F401  (setup is a fixture)

pytestmark = pytest.mark.backend_independent


def cut_in_half(path):
    data = path.read_bytes()
    path.write_bytes(data[:len(data) // 2])


# ----------------------------------------------------------------------------- files

def test_truncated_weight_file(setup, tmp_path):
    path = tmp_path / 'weights.h5'
    setup[0].save_weights(path)
    cut_in_half(path)
    assert_mistake(setup, lambda model, x, y: model.load_weights(path), OSError,
                   str(path), 'not a complete HDF5 file', 'truncated', 'not HDF5', 'download it again')


def test_truncated_model_file(setup, tmp_path):
    path = tmp_path / 'model.h5'
    setup[0].save(path)
    cut_in_half(path)
    with pytest.raises(OSError, match='model.h5 is not a complete HDF5 file.*truncated'):
        load_model(path)


def test_missing_file_is_named_once(setup, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    message = assert_mistake(setup, lambda model, x, y: model.load_weights('missing.h5'), FileNotFoundError,
                             str(tmp_path / 'missing.h5'), "Check the file's name and folder")
    assert message.count('missing.h5') == 1, message
    with pytest.raises(FileNotFoundError) as caught:
        load_model(tmp_path / 'gone' / 'model.h5')
    assert str(caught.value).count('model.h5') == 1


# ----------------------------------------------------------------------------- building twice

def test_building_a_layer_twice_keeps_one_set_of_weights(setup):
    model, x, y = setup
    hidden = model.layers[0]
    params, weights = list(hidden.params), hidden.get_weights()
    hidden.build(hidden.input_shape)                     # again: nothing new, nothing reset
    assert hidden.params == params and len(model.trainable_weights) == 4
    for now, then in zip(hidden.get_weights(), weights):
        np.testing.assert_array_equal(now, then)
    assert model.count_params() == (4 * 8 + 8) + (8 * 3 + 3)
    model.fit(x, y, nb_epoch=1, batch_size=4, verbose=0)
    assert len(hidden.get_weights()) == 2 and not np.array_equal(hidden.get_weights()[0], weights[0])


def test_building_a_layer_again_for_another_shape(setup):
    assert_mistake(setup, lambda model, x, y: model.layers[0].build((None, 5)), ValueError,
                   'hidden', 'built already', 'hidden/kernel', '(4, 8)', '(5, 8)', 'make a new layer')


# ----------------------------------------------------------------------------- inspection

def test_gates_of_a_model_without_a_recurrent_layer(setup):
    for look in (lambda model, x, y: gates(model, x), lambda model, x, y: gradients_through_time(model, x, y)):
        message = assert_mistake(setup, look, ValueError, 'no recurrent layer', 'LSTM, GRU, SimpleRNN',
                                 'its layers are Dense', 'feature_maps')
        assert 'frozen' not in message


def test_help_is_plain_text(capsys):
    with pytest.raises(SystemExit) as stopped:
        main(['--help'])
    assert stopped.value.code == 0
    text = capsys.readouterr().out
    assert 'usage: python -m teachnet' in text and "guide's MLP" in text and '--epochs' in text
    assert '`' not in text, text
