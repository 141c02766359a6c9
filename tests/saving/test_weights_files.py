"""save_weights / load_weights: the file layout, files written as Keras writes them, and
the promises (all-or-nothing loading, atomic saving, clear errors)."""
import os

import h5py
import numpy as np
import pytest

import teachnet
from teachnet.layers import Activation, Dense, Dropout
from teachnet.models import Sequential
from teachnet.saving import load_weights, save_weights


def mlp(seed, names=None, hidden=5):
    """A tiny version of the guide's MLP: Dense, tanh, Dropout, Dense, softmax."""
    teachnet.set_seed(seed)
    names = names or [None, None]
    return Sequential([Dense(hidden, input_dim=3, name=names[0]), Activation('tanh'), Dropout(0.5),
                       Dense(2, name=names[1]), Activation('softmax')])


def reference_mlp(x, w1, b1, w2, b2):
    """The same MLP in plain NumPy (inference: dropout does nothing)."""
    logits = np.tanh(x @ w1 + b1) @ w2 + b2
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


X = np.random.default_rng(0).random((6, 3)).astype('float32')


def assert_same_weights(a, b):
    assert len(a) == len(b)
    for left, right in zip(a, b):
        np.testing.assert_array_equal(left, right)


# ----------------------------------------------------------------------------- round trip and layout
def test_round_trip_gives_identical_weights_and_predictions(tmp_path):
    source, target = mlp(1), mlp(2)
    path = tmp_path / 'w.h5'
    source.save_weights(path)
    assert not np.allclose(source.predict(X), target.predict(X))
    target.load_weights(str(path))
    assert_same_weights(target.get_weights(), source.get_weights())
    np.testing.assert_array_equal(target.predict(X), source.predict(X))
    np.testing.assert_allclose(target.predict(X), reference_mlp(X, *source.get_weights()), rtol=1e-5, atol=1e-6)


@pytest.mark.backend_independent
def test_file_has_the_keras_layout(tmp_path):
    model = mlp(1)
    path = tmp_path / 'w.h5'
    save_weights(model, path)
    names = [layer.name for layer in model.layers]
    with h5py.File(path, 'r') as f:
        assert [n.decode() for n in f.attrs['layer_names']] == names
        assert f.attrs['keras_version'] and f.attrs['backend']
        assert sorted(f.keys()) == sorted(names)
        weights = model.get_weights()
        dense_1, dense_2 = model.layers[0].name, model.layers[3].name
        for layer_name, arrays in ((dense_1, weights[:2]), (dense_2, weights[2:])):
            weight_names = [n.decode() for n in f[layer_name].attrs['weight_names']]
            assert weight_names == [f'{layer_name}/kernel:0', f'{layer_name}/bias:0']
            for name, array in zip(weight_names, arrays):
                np.testing.assert_array_equal(f[layer_name][name][()], array)
        for weightless in names[1:3] + names[4:]:
            assert len(f[weightless].attrs['weight_names']) == 0
            assert len(f[weightless].keys()) == 0


def write_keras1_mlp(path, arrays):
    """The guide's MLP as Keras 1.2.2 writes it: every layer listed, Theano-era names."""
    layers = ['dense_1', 'activation_1', 'dropout_1', 'dense_2', 'activation_2', 'dropout_2',
              'dense_3', 'activation_3']
    with h5py.File(path, 'w') as f:
        f.attrs['layer_names'] = [name.encode('utf8') for name in layers]
        f.attrs['keras_version'] = b'1.2.2'
        f.attrs['backend'] = b'theano'
        for name in layers:
            group = f.create_group(name)
            if name.startswith('dense'):
                group.attrs['weight_names'] = [f'{name}_W'.encode(), f'{name}_b'.encode()]
                W, b = arrays[name]
                group.create_dataset(f'{name}_W', data=W)
                group.create_dataset(f'{name}_b', data=b)
            else:
                group.attrs['weight_names'] = []      # Keras 1 stores an empty list


def test_keras_1_file_of_the_guide_mlp_loads(tmp_path):
    rng = np.random.default_rng(3)
    arrays = {'dense_1': (rng.normal(size=(20, 64)), rng.normal(size=64)),
              'dense_2': (rng.normal(size=(64, 64)) * 0.1, rng.normal(size=64)),
              'dense_3': (rng.normal(size=(64, 10)) * 0.1, rng.normal(size=10))}
    arrays = {k: tuple(a.astype('float32') for a in v) for k, v in arrays.items()}
    path = tmp_path / 'weight_file.h5'
    write_keras1_mlp(path, arrays)
    model = Sequential()
    model.add(Dense(64, input_dim=20, init='uniform')); model.add(Activation('tanh')); model.add(Dropout(0.5))
    model.add(Dense(64, init='uniform')); model.add(Activation('tanh')); model.add(Dropout(0.5))
    model.add(Dense(10, init='uniform')); model.add(Activation('softmax'))
    model.load_weights(path)
    expected = [a for name in ('dense_1', 'dense_2', 'dense_3') for a in arrays[name]]
    assert_same_weights(model.get_weights(), expected)
    x = rng.random((4, 20)).astype('float32')
    h = np.tanh(np.tanh(x @ expected[0] + expected[1]) @ expected[2] + expected[3])
    logits = h @ expected[4] + expected[5]
    softmax = np.exp(logits - logits.max(1, keepdims=True))
    np.testing.assert_allclose(model.predict(x), softmax / softmax.sum(1, keepdims=True), rtol=1e-4, atol=1e-6)


def test_keras_2_chunked_layer_names_and_model_weights_group(tmp_path):
    source = mlp(1)
    path = tmp_path / 'model.h5'
    with h5py.File(path, 'w') as f:            # a whole-model file, layer_names split in two chunks
        group = f.create_group('model_weights')
        names = [layer.name for layer in source.layers]
        group.attrs['layer_names0'] = [n.encode() for n in names[:2]]
        group.attrs['layer_names1'] = [n.encode() for n in names[2:]]
        for layer in source.layers:
            layer_group = group.create_group(layer.name)
            weight_names = [f'{layer.name}/w{i}:0' for i in range(len(layer.params))]
            layer_group.attrs['weight_names'] = [n.encode() for n in weight_names]
            for name, array in zip(weight_names, layer.get_weights()):
                layer_group.create_dataset(name, data=array)
    target = mlp(2)
    target.load_weights(path)
    assert_same_weights(target.get_weights(), source.get_weights())


def write_keras3(path, source, container='layers', keys=None):
    keys = keys or ['dense', 'activation', 'dropout', 'dense_1', 'activation_1']
    with h5py.File(path, 'w') as f:
        f.create_group('vars')
        f.create_group('optimizer/vars')
        for key, layer in zip(keys, source.layers):
            variables = f.create_group(f'{container}/{key}/vars')
            for index, array in enumerate(layer.get_weights()):
                variables.create_dataset(str(index), data=array)


def test_keras_3_layout_loads(tmp_path):
    source, target = mlp(1), mlp(2)
    write_keras3(tmp_path / 'k3.weights.h5', source)
    target.load_weights(tmp_path / 'k3.weights.h5')
    assert_same_weights(target.get_weights(), source.get_weights())


def test_keras_3_layout_with_layer_names_under_checkpoint_dependencies(tmp_path):
    source, target = mlp(1, names=['first', 'second']), mlp(2, names=['first', 'second'])
    write_keras3(tmp_path / 'k3.h5', source, '_layer_checkpoint_dependencies',
                 [layer.name for layer in source.layers])
    target.load_weights(tmp_path / 'k3.h5')
    assert_same_weights(target.get_weights(), source.get_weights())


def test_keras_3_file_of_another_architecture_is_refused(tmp_path):
    source, target = mlp(1), mlp(2, hidden=4)
    write_keras3(tmp_path / 'k3.h5', source)
    before = target.get_weights()
    with pytest.raises(ValueError, match=r"\(3, 4\).*'vars/0' of layer 'dense'.*\(3, 5\)"):
        target.load_weights(tmp_path / 'k3.h5')
    assert_same_weights(target.get_weights(), before)


# ----------------------------------------------------------------------------- by name
def test_by_name_loads_only_matching_layers(tmp_path):
    source = mlp(1, names=['shared', 'old_head'])
    source.save_weights(tmp_path / 'w.h5')
    teachnet.set_seed(2)
    target = Sequential([Dense(5, input_dim=3, name='shared'), Activation('tanh'), Dense(2, name='new_head'),
                         Dense(2, name='extra')])
    before = target.get_weights()
    target.load_weights(tmp_path / 'w.h5', by_name=True)
    after = target.get_weights()
    assert_same_weights(after[:2], source.get_weights()[:2])
    assert_same_weights(after[2:], before[2:])


def test_by_name_shape_mismatch_errors_and_changes_nothing(tmp_path):
    mlp(1, names=['a', 'b'], hidden=5).save_weights(tmp_path / 'w.h5')
    teachnet.set_seed(2)
    target = Sequential([Dense(5, input_dim=3, name='x'), Dense(2, name='b'), Dense(2, name='a')])
    before = target.get_weights()                  # 'b' fits, 'a' does not: neither is loaded
    with pytest.raises(ValueError, match=r"Layer a .*\(2, 2\).*\(3, 5\)"):
        target.load_weights(tmp_path / 'w.h5', by_name=True)
    assert_same_weights(target.get_weights(), before)


# ----------------------------------------------------------------------------- refusals
def test_too_many_layers_in_file_is_refused_and_changes_nothing(tmp_path):
    teachnet.set_seed(1)
    Sequential([Dense(5, input_dim=3), Dense(5), Dense(2)]).save_weights(tmp_path / 'w.h5')
    target = mlp(2)
    before = target.get_weights()
    with pytest.raises(ValueError, match='3 layer.*2 layer'):
        target.load_weights(tmp_path / 'w.h5')
    assert_same_weights(target.get_weights(), before)


def test_shape_mismatch_in_a_later_layer_leaves_earlier_layers_unchanged(tmp_path):
    teachnet.set_seed(1)
    Sequential([Dense(5, input_dim=3), Dense(3)]).save_weights(tmp_path / 'w.h5')
    target = mlp(2)
    before = target.get_weights()
    second = target.layers[3].name
    with pytest.raises(ValueError, match=rf"Layer {second} .*\(5, 2\).*\(5, 3\)"):
        target.load_weights(tmp_path / 'w.h5')
    assert_same_weights(target.get_weights(), before)


def test_failed_save_keeps_the_old_file_and_leaves_no_temporary_file(tmp_path, monkeypatch):
    path = tmp_path / 'w.h5'
    original = mlp(1)
    original.save_weights(path)
    calls = []
    real_create = h5py.Group.create_dataset

    def failing_create(self, *args, **kwargs):
        calls.append(args[0])
        if len(calls) == 2:
            raise OSError('disk full (simulated)')
        return real_create(self, *args, **kwargs)

    monkeypatch.setattr(h5py.Group, 'create_dataset', failing_create)
    with pytest.raises(OSError, match='simulated'):
        mlp(2).save_weights(path)
    monkeypatch.undo()
    assert os.listdir(tmp_path) == ['w.h5']
    reloaded = mlp(3)
    reloaded.load_weights(path)
    assert_same_weights(reloaded.get_weights(), original.get_weights())


def test_overwrite_false_refuses_an_existing_file(tmp_path):
    path = tmp_path / 'w.h5'
    first = mlp(1)
    first.save_weights(path)
    with pytest.raises(FileExistsError, match='w.h5'):
        mlp(2).save_weights(path, overwrite=False)
    mlp(2).save_weights(tmp_path / 'other.h5', overwrite=False)      # a new name is fine
    target = mlp(3)
    target.load_weights(path)
    assert_same_weights(target.get_weights(), first.get_weights())
    assert sorted(os.listdir(tmp_path)) == ['other.h5', 'w.h5']


@pytest.mark.backend_independent
def test_missing_file_names_the_path(tmp_path):
    with pytest.raises(FileNotFoundError, match='nowhere.h5'):
        load_weights(mlp(1), tmp_path / 'nowhere.h5')


@pytest.mark.backend_independent
def test_file_that_is_not_hdf5_is_refused(tmp_path):
    path = tmp_path / 'weights.h5'
    path.write_bytes(b'\x80\x04K\x01.')                        # a pickle, which is never run
    with pytest.raises(ValueError, match='not an HDF5 file'):
        mlp(1).load_weights(path)


@pytest.mark.backend_independent
def test_hdf5_file_of_another_kind_is_refused(tmp_path):
    with h5py.File(tmp_path / 'data.h5', 'w') as f:
        f.create_dataset('x', data=np.zeros(3))
    with pytest.raises(ValueError, match="not one of saved weights.*'x'"):
        mlp(1).load_weights(tmp_path / 'data.h5')


@pytest.mark.backend_independent
def test_weights_that_are_not_numbers_are_refused(tmp_path):
    source = mlp(1)
    path = tmp_path / 'w.h5'
    source.save_weights(path)
    name = source.layers[0].name
    with h5py.File(path, 'a') as f:
        del f[name][f'{name}/bias:0']
        f[name].create_dataset(f'{name}/bias:0', data=np.array([b'a'] * 5))
    target = mlp(2)
    before = target.get_weights()
    with pytest.raises(ValueError, match='expected numbers'):
        target.load_weights(path)
    assert_same_weights(target.get_weights(), before)
