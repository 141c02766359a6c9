"""Activation lookup by name: what ``Dense(..., activation='relu')`` resolves."""
import numpy as np
import pytest

from teachnet import activations
from teachnet.backend import array_module as am
from teachnet.ops.tensor import Tensor

NAMES = ['linear', 'relu', 'tanh', 'sigmoid', 'hard_sigmoid', 'softmax', 'softplus',
         'softsign', 'elu']

REFERENCES = {
    'linear': lambda x: x,
    'relu': lambda x: np.maximum(x, 0),
    'tanh': np.tanh,
    'sigmoid': lambda x: 1 / (1 + np.exp(-x)),
    'hard_sigmoid': lambda x: np.clip(0.2 * x + 0.5, 0, 1),
    'softmax': lambda x: np.exp(x) / np.exp(x).sum(axis=-1, keepdims=True),
    'softplus': lambda x: np.log(1 + np.exp(x)),
    'softsign': lambda x: x / (1 + np.abs(x)),
    'elu': lambda x: np.where(x > 0, x, np.exp(x) - 1),
}


@pytest.mark.parametrize('name', NAMES)
def test_get_by_name_computes_the_named_function(name):
    x = np.linspace(-3, 3, 12).reshape(3, 4)
    function = activations.get(name)
    assert function is getattr(activations, name)
    result = function(Tensor(am.to_device(x))).numpy()
    np.testing.assert_allclose(result, REFERENCES[name](x), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize('name', NAMES)
def test_serialize_gives_back_the_name(name):
    assert activations.serialize(activations.get(name)) == name
    assert activations.deserialize(name) is activations.get(name)


def test_none_is_linear_and_a_callable_passes_through():
    assert activations.get(None) is activations.linear
    assert activations.serialize(None) == 'linear'

    def my_activation(x):
        return x * 2

    assert activations.get(my_activation) is my_activation
    assert activations.serialize(my_activation) == 'my_activation'


def test_unknown_name_lists_the_valid_ones():
    with pytest.raises(ValueError) as error:
        activations.get('relu6')
    message = str(error.value)
    assert "'relu6'" in message
    assert all(repr(name) in message for name in NAMES)


def test_a_non_callable_is_a_type_error():
    with pytest.raises(TypeError, match='int'):
        activations.get(3)
