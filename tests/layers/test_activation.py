"""Activation: a = f(z) for every activation name, against NumPy formulas."""
import functools

import numpy as np
import pytest

import teachnet.backend as K
from teachnet.layers import Activation
from teachnet.models import Sequential

from .harness import layer_test
from .references import NUMPY_ACTIVATIONS, np_softmax

SHAPES = [(5,), (3, 4), (2, 3, 4)]


@pytest.mark.parametrize('name', sorted(NUMPY_ACTIVATIONS))
@pytest.mark.parametrize('input_shape', SHAPES, ids=str)
def test_activation_matches_numpy(name, input_shape):
    f = NUMPY_ACTIVATIONS[name]
    result = layer_test(functools.partial(Activation, name), input_shape, reference=lambda x, weights: f(x),
                        expected_output_shape=input_shape)
    assert result.layer.get_weights() == []
    assert result.layer.get_config()['activation'] == name


@pytest.mark.parametrize('input_shape', SHAPES, ids=str)
def test_softmax_rows_sum_to_one(input_shape):
    layer = Activation('softmax', input_shape=input_shape)
    model = Sequential([layer])
    x = np.random.default_rng(1).standard_normal((4,) + input_shape) * 3
    a = model.predict(x, batch_size=4)
    assert np.all(a > 0)
    np.testing.assert_allclose(a.sum(axis=-1), 1.0, rtol=1e-6)


@pytest.mark.parametrize('scale', [1e2, 1e3, 1e4])
@pytest.mark.parametrize('input_shape', SHAPES[1:], ids=str)
def test_softmax_is_stable_at_large_inputs(scale, input_shape):
    model = Sequential([Activation('softmax', input_shape=input_shape)])
    x = np.random.default_rng(2).standard_normal((3,) + input_shape) * scale
    a = model.predict(x, batch_size=3)
    assert np.all(np.isfinite(a))
    np.testing.assert_allclose(a.sum(axis=-1), 1.0, rtol=1e-6)
    np.testing.assert_allclose(a, np_softmax(x.astype(np.float32).astype(np.float64)), atol=1e-6)


@pytest.mark.parametrize('name', ['sigmoid', 'tanh', 'softplus', 'softsign', 'elu', 'hard_sigmoid'])
@pytest.mark.parametrize('scale', [50.0, 500.0])
def test_saturating_activations_stay_finite(name, scale):
    model = Sequential([Activation(name, input_shape=(6,))])
    x = np.array([[-1.0, -0.5, -0.1, 0.1, 0.5, 1.0]]) * scale
    a = model.predict(x, batch_size=1)
    assert np.all(np.isfinite(a))
    np.testing.assert_allclose(a, NUMPY_ACTIVATIONS[name](x.astype(np.float32).astype(np.float64)),
                               rtol=1e-6, atol=1e-6)


def scaled_tanh(x):
    return K.tanh(x) * 2


@pytest.mark.parametrize('input_shape', SHAPES, ids=str)
def test_activation_given_as_a_function(input_shape):
    layer_test(functools.partial(Activation, scaled_tanh), input_shape,
               reference=lambda x, weights: 2 * np.tanh(x), custom_objects={'scaled_tanh': scaled_tanh})


@pytest.mark.backend_independent
def test_unknown_activation_is_refused():
    with pytest.raises(ValueError, match='relux'):
        Activation('relux')
