"""Embedding and Masking, checked against NumPy; the embedding's scatter-add against np.add.at."""
import functools

import numpy as np
import pytest

from teachnet.backend import array_module as am
from teachnet.backend import indexing
from teachnet.inspect.gradient_check import gradient_check
from teachnet.layers import Dense, Flatten
from teachnet.layers.embeddings import Embedding, Masking
from teachnet.layers.lstm import LSTM
from teachnet.models import Sequential, model_from_json
from teachnet.ops.embedding import embedding_lookup
from teachnet.ops.tape import Tape
from teachnet.ops.tensor import Tensor

from .harness import layer_test


def lookup_reference(x, weights):
    return weights[0][x]


@pytest.mark.parametrize('vocabulary, dim, length', [(10, 4, 5), (12, 1, 3), (30, 6, 7)])
def test_embedding_harness(vocabulary, dim, length):
    result = layer_test(functools.partial(Embedding, vocabulary, dim, input_length=length), (length,),
                        reference=lookup_reference, input_dtype='int32', input_range=vocabulary,
                        expected_output_shape=(length, dim))
    [W] = result.layer.get_weights()
    assert W.shape == (vocabulary, dim)
    assert np.abs(W).max() <= 0.05          # 'uniform' is U(-0.05, 0.05)


@pytest.mark.parametrize('shape, vocabulary', [((50,), 7), ((6, 40), 5), ((3, 4, 25), 300), ((0,), 4)])
def test_scatter_add_rows_equals_add_at(shape, vocabulary):
    rng = np.random.default_rng(sum(shape))
    ids = rng.integers(0, vocabulary, size=shape)
    ids.reshape(-1)[: ids.size // 3] = 0                  # padding: one id repeated many times
    values = rng.standard_normal(shape + (3,))
    expected = np.zeros((vocabulary, 3))
    np.add.at(expected, ids.reshape(-1), values.reshape(-1, 3))
    got, named = indexing.scatter_add_rows(vocabulary, am.to_device(ids.reshape(-1)),
                                           am.to_device(values.reshape(-1, 3)))
    np.testing.assert_allclose(am.to_numpy(got), expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(am.to_numpy(named), np.unique(ids))     # sorted, each row once


@pytest.mark.parametrize('count', [0, 1, 9, 400])
def test_sum_rows_by_id_gives_the_named_rows_of_the_full_sum(count):
    rng = np.random.default_rng(count)
    ids = rng.integers(0, 30, size=count)
    values = rng.standard_normal((count, 4))
    full, _ = indexing.scatter_add_rows(30, am.to_device(ids), am.to_device(values))
    named, sums = indexing.sum_rows_by_id(am.to_device(ids), am.to_device(values))
    np.testing.assert_array_equal(am.to_numpy(named), np.unique(ids))
    np.testing.assert_array_equal(am.to_numpy(sums), am.to_numpy(full)[np.unique(ids)])
    assert sums.shape == (len(np.unique(ids)), 4)


def test_scatter_add_rows_gives_the_same_bits_every_time():
    """Thousands of repeats of a few ids, in float32: a sum whose order varied (atomic
    additions on a GPU) would round differently from one run to the next."""
    rng = np.random.default_rng(7)
    ids = am.to_device(rng.integers(0, 6, size=20000))
    values = am.to_device(rng.standard_normal((20000, 16)).astype('float32'))
    runs = [am.to_numpy(indexing.scatter_add_rows(6, ids, values)[0]) for _ in range(5)]
    for run in runs[1:]:
        np.testing.assert_array_equal(run, runs[0])
    expected = np.zeros((6, 16))
    np.add.at(expected, am.to_numpy(ids), am.to_numpy(values).astype('float64'))
    np.testing.assert_allclose(runs[0], expected, rtol=1e-4, atol=1e-3)


def test_embedding_backward_adds_repeated_ids():
    rng = np.random.default_rng(0)
    ids = np.array([[1, 1, 1, 0], [3, 1, 0, 0]])
    W = rng.standard_normal((5, 2))
    g = rng.standard_normal((2, 4, 2))
    weight = Tensor(am.to_device(W), requires_grad=True)
    with Tape() as tape:
        out = embedding_lookup(am.to_device(ids), weight)
    tape.backward(out, am.to_device(g))
    expected = np.zeros_like(W)
    np.add.at(expected, ids.reshape(-1), g.reshape(-1, 2))
    np.testing.assert_allclose(am.to_numpy(weight.grad), expected, rtol=1e-12)
    np.testing.assert_allclose(am.to_numpy(out.data), W[ids])


@pytest.mark.backend_independent
def test_ids_out_of_range_are_named():
    model = Sequential([Embedding(10, 3, input_length=2, name='words')])
    with pytest.raises(ValueError, match=r'words.*\[0, 9\].*12'):
        model.predict(np.array([[1, 12]]))
    with pytest.raises(ValueError, match=r'words.*-1'):
        model.predict(np.array([[-1, 2]]))


def test_mask_zero_marks_padding_and_reaches_the_lstm():
    ids = np.array([[0, 0, 3, 4], [5, 6, 7, 0]])
    embedding = Embedding(8, 3, input_length=4, mask_zero=True)
    model = Sequential([embedding, LSTM(2)])
    np.testing.assert_array_equal(am.to_numpy(embedding(ids).mask), ids != 0)
    out = model.predict(ids)
    # the padding changes nothing: [0, 0, 3, 4] reads as [3, 4], [5, 6, 7, 0] as [5, 6, 7]
    np.testing.assert_allclose(out[0], _unpadded(model, ids[:1, 2:]), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(out[1], _unpadded(model, ids[1:, :3]), rtol=1e-5, atol=1e-6)


def _unpadded(model, ids):
    plain = Sequential([Embedding(8, 3, input_length=ids.shape[1]), LSTM(2)])
    plain.set_weights(model.get_weights())
    return plain.predict(ids)[0]


def test_masked_model_gradients():
    rng = np.random.default_rng(1)
    ids = rng.integers(1, 6, size=(3, 5))
    ids[0, :2] = 0
    ids[2, 3:] = 0
    model = Sequential([Embedding(6, 3, input_length=5, mask_zero=True), LSTM(2, return_sequences=True)])
    model.compile(optimizer='sgd', loss='mse')
    report = gradient_check(model, ids, rng.standard_normal((3, 5, 2)))
    assert report.passed, str(report)


def test_embedding_dropout_drops_whole_words():
    model = Sequential([Embedding(50, 4, input_length=30, dropout=0.5, init='one'), Flatten(), Dense(1)])
    ids = np.tile(np.arange(10), 3)[None]
    out = model.layers[0](ids, training=True).numpy()[0]
    dropped = np.all(out == 0, axis=1)
    assert 0 < dropped.sum() < 30
    for word in range(10):                 # one decision per word, the same at every place
        assert len(set(dropped[ids[0] == word])) == 1
    np.testing.assert_allclose(out[~dropped], 2.0)
    np.testing.assert_allclose(model.layers[0](ids).numpy(), 1.0)


@pytest.mark.backend_independent
def test_keras2_names_and_config():
    layer = Embedding(input_dim=20, output_dim=4, embeddings_initializer='zero', input_length=6,
                      mask_zero=True, name='k2')
    model = Sequential([layer])
    assert not layer.get_weights()[0].any()
    assert model.input_shape == (None, 6) and model.output_shape == (None, 6, 4)
    rebuilt = model_from_json(model.to_json())
    assert rebuilt.layers[0].get_config() == layer.get_config()
    with pytest.raises(ValueError, match='emb_bad'):
        Embedding(0, 3, name='emb_bad')


def masking_reference(mask_value):
    def reference(x, weights):
        return x * np.any(x != mask_value, axis=-1, keepdims=True)
    return reference


@pytest.mark.parametrize('mask_value', [0., 1.5])
def test_masking(mask_value):
    x = np.random.default_rng(2).standard_normal((3, 4, 2))
    x[0, 1] = mask_value
    x[2, :2] = mask_value
    # central differences would unmask the padded steps they nudge: gradients on unpadded data
    layer_test(functools.partial(Masking, mask_value), (4, 2), reference=masking_reference(mask_value))
    result = layer_test(functools.partial(Masking, mask_value), (4, 2), reference=masking_reference(mask_value),
                        input_data=x, check_gradients=False)
    out = result.layer(x)
    expected_mask = np.ones((3, 4), bool)
    expected_mask[0, 1] = expected_mask[2, :2] = False
    np.testing.assert_array_equal(am.to_numpy(out.mask), expected_mask)
    assert result.layer.get_config()['mask_value'] == mask_value


@pytest.mark.backend_independent
def test_a_layer_without_masking_refuses_a_mask():
    with pytest.raises(ValueError, match='flatten'):
        Sequential([Embedding(5, 2, input_length=3, mask_zero=True), Flatten(name='flatten_m')]).predict(
            np.array([[1, 2, 0]]))
