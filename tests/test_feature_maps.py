"""feature_maps on any layer of any model: Merge branches, the Merge itself, functional
graphs (shared layers, merges, models used as layers), against plain NumPy."""
import numpy as np
import pytest

import teachnet
from teachnet.inspect import feature_maps
from teachnet.layers import Dense, Input, Merge, concatenate
from teachnet.models import Model, Sequential

rng = np.random.default_rng(5)
X_LEFT, X_RIGHT = rng.standard_normal((7, 3)), rng.standard_normal((7, 3))


def dense(layer, x):
    W, b = layer.get_weights()
    return x @ W + b


def merge_model():
    """Two Sequential branches, concatenated by a Merge, then a Dense head."""
    teachnet.set_seed(1)
    left = Sequential([Dense(4, input_dim=3, name='left_dense')], name='left')
    right = Sequential([Dense(4, input_dim=3, name='right_dense')], name='right')
    return Sequential([Merge([left, right], mode='concat', name='joined'), Dense(2, name='head')])


def test_layer_inside_a_merge_branch():
    model = merge_model()
    inner = model.layers[0].branches[1].layers[0]
    maps = feature_maps(model, [X_LEFT, X_RIGHT], 'right_dense', batch_size=3)
    np.testing.assert_allclose(maps, dense(inner, X_RIGHT), rtol=1e-5, atol=1e-6)


def test_the_merge_layer_and_a_whole_branch():
    model = merge_model()
    left, right = (branch.layers[0] for branch in model.layers[0].branches)
    joined = np.concatenate([dense(left, X_LEFT), dense(right, X_RIGHT)], axis=1)
    np.testing.assert_allclose(feature_maps(model, [X_LEFT, X_RIGHT], 'joined'), joined, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(feature_maps(model, [X_LEFT, X_RIGHT], 'left'), joined[:, :4], rtol=1e-5, atol=1e-6)
    assert 'merge_tensors' not in vars(model.layers[0])           # the layers are left as they were
    assert 'forward' not in vars(model.layers[0].branches[0])


def test_merge_of_layer_branches():
    teachnet.set_seed(2)
    a, b = Dense(2, input_dim=3, name='a'), Dense(2, input_dim=3, name='b')
    model = Sequential([Merge([a, b], mode='sum', name='total')])
    np.testing.assert_allclose(feature_maps(model, [X_LEFT, X_RIGHT], 'b'), dense(b, X_RIGHT), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(feature_maps(model, [X_LEFT, X_RIGHT], 'total'),
                               model.predict([X_LEFT, X_RIGHT]), rtol=1e-6)


def test_functional_graph_with_a_nested_model_and_a_merge():
    teachnet.set_seed(3)
    encoder = Sequential([Dense(4, input_dim=3, name='inner')], name='encoder')
    first, second = Input(shape=(3,)), Input(shape=(3,))
    joined = concatenate([encoder(first), Dense(4, name='side')(second)], name='both')
    model = Model([first, second], Dense(1, name='out')(joined))
    inner, side = encoder.layers[0], model.get_layer('side')
    expected = np.concatenate([dense(inner, X_LEFT), dense(side, X_RIGHT)], axis=1)
    np.testing.assert_allclose(feature_maps(model, [X_LEFT, X_RIGHT], 'inner'), expected[:, :4], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(feature_maps(model, [X_LEFT, X_RIGHT], 'encoder'), expected[:, :4], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(feature_maps(model, [X_LEFT, X_RIGHT], 'both', batch_size=2), expected,
                               rtol=1e-5, atol=1e-6)


def test_shared_layer_shows_the_call_asked_for():
    teachnet.set_seed(4)
    first, second = Input(shape=(3,)), Input(shape=(3,))
    shared = Dense(2, name='shared')
    model = Model([first, second], concatenate([shared(first), shared(second)]))
    for node_index, x in enumerate((X_LEFT, X_RIGHT)):
        maps = feature_maps(model, [X_LEFT, X_RIGHT], 'shared', batch_size=4, node_index=node_index)
        np.testing.assert_allclose(maps, dense(shared, x), rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="'shared' is shared: it runs 2 times.*node_index=0 to 1"):
        feature_maps(model, [X_LEFT, X_RIGHT], 'shared')
    with pytest.raises(ValueError, match="node_index must be 0 to 1; got 2"):
        feature_maps(model, [X_LEFT, X_RIGHT], 'shared', node_index=2)
    assert model.predict([X_LEFT, X_RIGHT]).shape == (7, 4)              # still usable


def test_unknown_layer_lists_the_layers_inside_branches_too():
    with pytest.raises(ValueError, match="no layer named 'nope'.*'left_dense'.*'right_dense'.*'head'"):
        feature_maps(merge_model(), [X_LEFT, X_RIGHT], 'nope')
