"""save_model / load_model: architecture, weights, compile settings and optimizer state in
one file, and training that goes on exactly where it stopped."""
import json

import h5py
import numpy as np
import pytest

import teachnet
import teachnet.backend as K
from teachnet.layers import Activation, Dense, Lambda
from teachnet.models import Sequential, load_model
from teachnet.optimizers import SGD, Adam
from teachnet.saving import save_model

RNG = np.random.default_rng(0)
X = RNG.random((8, 3)).astype('float32')
Y = np.eye(2, dtype='float32')[RNG.integers(0, 2, size=8)]
BATCHES = [(X[i:i + 4], Y[i:i + 4]) for i in (0, 4, 0, 4, 0)]


def small_model(seed=1, optimizer=None, **compile_args):
    teachnet.set_seed(seed)
    model = Sequential([Dense(4, input_dim=3), Activation('tanh'), Dense(2), Activation('softmax')])
    if optimizer is not None:
        model.compile(optimizer=optimizer, **compile_args)
    return model


def assert_same_weights(a, b):
    assert len(a) == len(b)
    for left, right in zip(a, b):
        np.testing.assert_array_equal(left, right)


def test_round_trip_rebuilds_architecture_weights_and_compile_settings(tmp_path):
    model = small_model(optimizer=SGD(lr=0.1, momentum=0.9, decay=0.01, nesterov=True),
                        loss='categorical_crossentropy', metrics=['accuracy'])
    model.train_on_batch(*BATCHES[0])
    model.save(tmp_path / 'model.h5')
    loaded = load_model(tmp_path / 'model.h5')
    assert [type(layer) for layer in loaded.layers] == [type(layer) for layer in model.layers]
    assert loaded.get_config() == model.get_config()
    assert_same_weights(loaded.get_weights(), model.get_weights())
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    assert type(loaded.optimizer) is SGD
    assert loaded.optimizer.get_config() == model.optimizer.get_config()
    assert loaded.metrics_names == model.metrics_names == ['loss', 'acc']
    assert loaded.evaluate(X, Y, verbose=0) == model.evaluate(X, Y, verbose=0)


@pytest.mark.parametrize('optimizer', [lambda: SGD(lr=0.1, momentum=0.9, decay=0.05, nesterov=True),
                                       lambda: Adam(lr=0.01)], ids=['sgd', 'adam'])
def test_training_goes_on_exactly_as_without_saving(tmp_path, optimizer):
    model = small_model(optimizer=optimizer(), loss='categorical_crossentropy')
    for batch in BATCHES[:2]:
        model.train_on_batch(*batch)
    model.save(tmp_path / 'model.h5')
    loaded = load_model(tmp_path / 'model.h5')
    assert loaded.optimizer.iterations == 2
    for batch in BATCHES[2:]:
        assert loaded.train_on_batch(*batch) == model.train_on_batch(*batch)
    assert_same_weights(loaded.get_weights(), model.get_weights())

    # without the optimizer's state the same steps lead elsewhere: the test can fail
    fresh = small_model(optimizer=optimizer(), loss='categorical_crossentropy')
    fresh.load_weights(tmp_path / 'model.h5')
    for batch in BATCHES[2:]:
        fresh.train_on_batch(*batch)
    assert not np.allclose(fresh.get_weights()[0], model.get_weights()[0])


@pytest.mark.backend_independent
def test_file_has_the_keras_model_layout(tmp_path):
    model = small_model(optimizer=Adam(), loss='mse', metrics=['mae'])
    model.train_on_batch(*BATCHES[0])
    save_model(model, tmp_path / 'model.h5')
    with h5py.File(tmp_path / 'model.h5', 'r') as f:
        config = json.loads(f.attrs['model_config'])
        assert config['class_name'] == 'Sequential'
        assert config['config'] == json.loads(model.to_json())['config']
        training = json.loads(f.attrs['training_config'])
        assert training['optimizer_config']['class_name'] == 'Adam'
        assert training['loss'] == 'mse' and training['metrics'] == ['mae']
        assert training['sample_weight_mode'] is None
        assert [n.decode() for n in f['model_weights'].attrs['layer_names']] == [l.name for l in model.layers]
        kernel = model.layers[0].name + '/kernel:0'
        np.testing.assert_array_equal(f['model_weights'][model.layers[0].name][kernel][()], model.get_weights()[0])
        names = [n.decode() for n in f['optimizer_weights'].attrs['weight_names']]
        assert names[0] == 'Adam/iterations:0' and f['optimizer_weights'][names[0]][()] == 1
        assert len(names) == 1 + 2 * 4                     # two slots for each of four parameters
        state = model.optimizer.get_state()
        np.testing.assert_array_equal(f['optimizer_weights'][names[1]][()], state['slots'][names[1].split('/')[1]][0])


def test_without_optimizer_or_compile_the_model_comes_back_uncompiled(tmp_path):
    compiled = small_model(optimizer='rmsprop', loss='mse')
    compiled.save(tmp_path / 'a.h5', include_optimizer=False)
    small_model(seed=2).save(tmp_path / 'b.h5')
    for name, source in (('a.h5', compiled), ('b.h5', None)):
        with h5py.File(tmp_path / name, 'r') as f:
            assert 'training_config' not in f.attrs and 'optimizer_weights' not in f
        loaded = load_model(tmp_path / name)
        assert loaded.optimizer is None
    assert_same_weights(load_model(tmp_path / 'a.h5').get_weights(), compiled.get_weights())
    assert load_model(str(tmp_path / 'a.h5'), compile=False).optimizer is None


def my_loss(y_true, y_pred):
    return K.mean(K.square(y_pred - y_true), axis=-1)


def mean_pred(y_true, y_pred):
    return K.mean(y_pred)


def test_functions_of_your_own_come_back_through_custom_objects(tmp_path):
    model = small_model(optimizer='sgd', loss=my_loss, metrics=['accuracy', mean_pred])
    model.save(tmp_path / 'model.h5')
    with pytest.raises(ValueError, match="my_loss.*custom_objects"):
        load_model(tmp_path / 'model.h5')
    with pytest.raises(ValueError, match="mean_pred.*custom_objects"):
        load_model(tmp_path / 'model.h5', custom_objects={'my_loss': my_loss})
    loaded = load_model(tmp_path / 'model.h5', custom_objects={'my_loss': my_loss, 'mean_pred': mean_pred})
    assert loaded.metrics_names == ['loss', 'acc', 'mean_pred']
    np.testing.assert_allclose(loaded.evaluate(X, Y, verbose=0), model.evaluate(X, Y, verbose=0), rtol=1e-6)


def test_a_function_of_your_own_named_like_a_builtin_is_not_replaced(tmp_path):
    def mse(y_true, y_pred):
        return K.mean(K.abs(y_pred - y_true), axis=-1)
    small_model(optimizer='sgd', loss=mse).save(tmp_path / 'model.h5')
    with pytest.raises(ValueError, match="'mse'.*custom_objects"):
        load_model(tmp_path / 'model.h5')


def double(x):
    return x * 2.0


def test_lambda_layer_needs_its_function_in_custom_objects(tmp_path):
    teachnet.set_seed(1)
    model = Sequential([Dense(4, input_dim=3), Lambda(double), Dense(2)])
    model.compile('sgd', 'mse')
    model.save(tmp_path / 'model.h5')
    with pytest.raises(ValueError, match="double.*custom_objects"):
        load_model(tmp_path / 'model.h5')
    loaded = load_model(tmp_path / 'model.h5', custom_objects={'double': double})
    w1, b1, w2, b2 = model.get_weights()
    np.testing.assert_allclose(loaded.predict(X), (2.0 * (X @ w1 + b1)) @ w2 + b2, rtol=1e-5, atol=1e-6)


@pytest.mark.backend_independent
def test_a_weights_file_is_not_a_model(tmp_path):
    small_model().save_weights(tmp_path / 'w.h5')
    with pytest.raises(ValueError, match='holds no model.*load_weights'):
        load_model(tmp_path / 'w.h5')
    with pytest.raises(FileNotFoundError, match='missing.h5'):
        load_model(tmp_path / 'missing.h5')


def test_save_overwrite_false_and_failure_keep_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / 'model.h5'
    first = small_model(optimizer='adam', loss='mse')
    first.save(path)
    with pytest.raises(FileExistsError):
        small_model(seed=2).save(path, overwrite=False)

    def failing_write(*args, **kwargs):
        raise RuntimeError('crash while writing (simulated)')
    monkeypatch.setattr('teachnet.saving.model_file.write_optimizer_state', failing_write)
    with pytest.raises(RuntimeError, match='simulated'):
        small_model(seed=2, optimizer='adam', loss='mse').save(path)
    assert [p.name for p in tmp_path.iterdir()] == ['model.h5']
    assert_same_weights(load_model(path).get_weights(), first.get_weights())
