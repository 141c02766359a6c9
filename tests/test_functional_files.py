"""Functional models: config, JSON and HDF5 round trips, and the mistakes users make."""
import json

import numpy as np
import pytest

import teachnet
from teachnet.layers import Input, Dense, concatenate
from teachnet.models import Model, load_model, model_from_json


@pytest.fixture(autouse=True)
def seeded():
    teachnet.set_seed(11)


def graph_model():
    """Two inputs, a shared layer, a nested model and two outputs: every feature of the graph."""
    inner_in = Input(shape=(4,))
    inner = Model(inner_in, Dense(3, activation='tanh')(inner_in), name='encoder')
    a, b = Input(shape=(4,), name='a'), Input(shape=(4,), name='b')
    shared = Dense(5, activation='relu', name='shared')
    joined = concatenate([shared(a), shared(b), inner(a)], name='joined')
    main = Dense(1, activation='sigmoid', name='main')(joined)
    aux = Dense(2, name='aux')(shared(b))
    return Model([a, b], [main, aux], name='graph')


def data():
    rng = np.random.default_rng(12)
    return [rng.random((6, 4)), rng.random((6, 4))], [rng.integers(0, 2, (6, 1)), rng.random((6, 2))]


def assert_same_predictions(model, copy, x):
    for p, q in zip(model.predict(x), copy.predict(x)):
        np.testing.assert_allclose(p, q, rtol=1e-6)


def test_config_keeps_the_graph_in_keras1_layout():
    config = graph_model().get_config()
    assert config['input_layers'] == [['a', 0, 0], ['b', 0, 0]]
    assert config['output_layers'] == [['main', 0, 0], ['aux', 0, 0]]
    specs = {spec['name']: spec for spec in config['layers']}
    assert specs['shared']['inbound_nodes'] == [[['a', 0, 0]], [['b', 0, 0]], [['b', 0, 0]]]   # three calls
    assert specs['aux']['inbound_nodes'] == [[['shared', 2, 0]]]
    assert specs['joined']['inbound_nodes'] == [[['shared', 0, 0], ['shared', 1, 0], ['encoder', 0, 0]]]
    assert specs['encoder']['class_name'] == 'Model' and specs['a']['class_name'] == 'InputLayer'


def test_json_round_trip_gives_the_same_predictions():
    model = graph_model()
    copy = model_from_json(model.to_json())
    assert isinstance(copy, Model) and [l.name for l in copy.layers] == [l.name for l in model.layers]
    assert json.loads(copy.to_json()) == json.loads(model.to_json())
    copy.set_weights(model.get_weights())
    assert_same_predictions(model, copy, data()[0])


def test_save_and_load_model_keep_graph_weights_and_compile(tmp_path):
    model = graph_model()
    model.compile(optimizer='rmsprop', loss={'main': 'binary_crossentropy', 'aux': 'mse'},
                  loss_weights={'main': 1.0, 'aux': 0.5}, metrics={'main': ['accuracy']})
    x, y = data()
    model.train_on_batch(x, y)
    model.save(tmp_path / 'graph.h5')
    copy = load_model(tmp_path / 'graph.h5')
    assert_same_predictions(model, copy, x)
    assert copy.metrics_names == model.metrics_names
    np.testing.assert_allclose(copy.train_on_batch(x, y), model.train_on_batch(x, y), rtol=1e-5)


def test_save_weights_and_load_weights(tmp_path):
    model, other = graph_model(), graph_model()
    model.save_weights(tmp_path / 'w.h5')
    other.load_weights(tmp_path / 'w.h5')
    assert_same_predictions(model, other, data()[0])


# ---------------------------------------------------------------------------------- mistakes

def test_layer_called_on_an_incompatible_shape_names_the_layer_and_both_shapes():
    layer = Dense(3, name='encoder_dense')
    layer(Input(shape=(4,)))
    with pytest.raises(ValueError, match=r'encoder_dense.*\(None, 4\).*\(None, 5\)'):
        layer(Input(shape=(5,)))


def test_merge_of_incompatible_shapes_names_the_tensors_and_shapes():
    with pytest.raises(ValueError, match=r"\(None, 3, 2\).*\(None, 4, 5\)"):
        concatenate([Input(shape=(3, 2)), Input(shape=(4, 5))])


def test_output_not_connected_to_the_inputs():
    a, b = Input(shape=(2,), name='first'), Input(shape=(2,), name='second')
    out = Dense(1)(concatenate([a, b]))
    with pytest.raises(ValueError, match='not connected.*second'):
        Model(input=a, output=out)


def test_model_inputs_must_be_input_tensors():
    x = Input(shape=(2,))
    h = Dense(2)(x)
    with pytest.raises(ValueError, match='Input'):
        Model(h, Dense(1)(h))
    with pytest.raises(TypeError, match='symbolic tensor'):
        Model(x, np.zeros((1, 2)))


def test_wrong_number_of_input_arrays():
    model = graph_model()
    with pytest.raises(ValueError, match=r"2 inputs \(a, b\).*one array"):
        model.predict(data()[0][0])
    with pytest.raises(ValueError, match=r"2 inputs.*list of 3"):
        model.predict(data()[0] + data()[0][:1])


def test_dict_with_unknown_names():
    model = graph_model()
    model.compile(optimizer='sgd', loss=['binary_crossentropy', 'mse'])
    x, y = data()
    with pytest.raises(ValueError, match="'mian'.*main, aux"):
        model.fit(x, {'mian': y[0], 'aux': y[1]}, verbose=0)
    with pytest.raises(ValueError, match="'c'"):
        model.predict({'a': x[0], 'c': x[1]})
    with pytest.raises(ValueError, match="'mian'.*not an output"):
        model.compile(optimizer='sgd', loss={'mian': 'mse', 'aux': 'mse'})
    with pytest.raises(ValueError, match='2 output.*list of 3'):
        model.compile(optimizer='sgd', loss=['mse'] * 3)


def test_plain_layer_called_on_a_list_of_tensors():
    with pytest.raises(TypeError, match='takes one tensor.*concatenate'):
        Dense(2)([Input(shape=(2,)), Input(shape=(2,))])
