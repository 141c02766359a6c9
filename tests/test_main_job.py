"""The main job (`python -m teachnet`) and models surviving pickling after training."""
import copy
import pickle

import numpy as np
import pytest

import teachnet
from teachnet.__main__ import main
from teachnet.layers import Dense, Dropout
from teachnet.models import Sequential


@pytest.mark.backend_independent
def test_main_job_trains_and_prints_a_trace(capsys):
    assert main(['--epochs', '3']) == 0
    out = capsys.readouterr().out
    assert 'Epoch 3/3' in out
    accuracy = float(out.split('test accuracy ')[1].split('%')[0])
    assert accuracy > 80.0
    assert 'z = x·W + b' in out and 'dL/d(W = dense_3/kernel) (64, 10)' in out


def test_trained_model_pickles_and_copies_with_its_history():
    teachnet.set_seed(3)
    model = Sequential([Dense(4, input_dim=3, activation='relu'), Dropout(0.2), Dense(2, activation='softmax')])
    model.compile('adam', 'categorical_crossentropy', metrics=['accuracy'])
    x = np.random.rand(20, 3)
    y = np.eye(2)[np.random.randint(2, size=20)]
    model.fit(x, y, nb_epoch=2, verbose=1)
    for clone in (pickle.loads(pickle.dumps(model)), copy.deepcopy(model)):
        np.testing.assert_array_equal(clone.predict(x), model.predict(x))
        assert clone.history.history['loss'] == model.history.history['loss']
        clone.fit(x, y, nb_epoch=1, verbose=0)      # still trains
