"""Lambda: any function written with backend (K) functions becomes a layer that trains."""
import functools

import numpy as np
import pytest

import teachnet
import teachnet.backend as K
from teachnet.backend import array_module as am
from teachnet.inspect.gradient_check import gradient_check
from teachnet.layers import Dense, Lambda
from teachnet.models import Sequential, model_from_json
from teachnet.ops.tape import Tape
from teachnet.ops.tensor import Tensor
from teachnet.optimizers import SGD

from .harness import layer_test

SHAPES = [(4,), (3, 5), (2, 3, 4)]


def squash(x):
    """A K-function of a tensor: x² tanh(x) + 1."""
    return K.square(x) * K.tanh(x) + 1.0


def row_norms(x):
    """√(Σ x² + 1) over the last axis: one number per row (the last axis goes)."""
    return K.sqrt(K.sum(K.square(x), axis=-1) + 1.0)


def scale(x, factor=1.0):
    return x * factor


def halves(x):
    """The first half of the last axis: a slice changes the shape."""
    return x[..., :x.shape[-1] // 2]


def _factory(function, **settings):
    return functools.partial(Lambda, function, **settings)


@pytest.mark.parametrize('input_shape', SHAPES, ids=str)
def test_elementwise_lambda(input_shape):
    result = layer_test(_factory(squash), input_shape, reference=lambda x, weights: x ** 2 * np.tanh(x) + 1,
                        expected_output_shape=input_shape, custom_objects={'squash': squash})
    assert result.layer.get_config()['function'] == 'squash'


@pytest.mark.parametrize('input_shape', SHAPES, ids=str)
@pytest.mark.parametrize('how', ['probed', 'tuple', 'function'])
def test_output_shape_given_by_tuple_function_or_probe(input_shape, how):
    expected = input_shape[:-1]
    settings = {'probed': {}, 'tuple': {'output_shape': expected},
                'function': {'output_shape': lambda shape: tuple(shape[:-1])}}[how]
    result = layer_test(_factory(row_norms, **settings), input_shape, expected_output_shape=expected,
                        reference=lambda x, weights: np.sqrt(np.sum(x ** 2, axis=-1) + 1),
                        custom_objects={'row_norms': row_norms})
    assert result.layer.output_shape == (None,) + expected


@pytest.mark.parametrize('input_shape', [(4,), (3, 6), (2, 2, 8)], ids=str)
def test_a_slicing_lambda(input_shape):
    half = input_shape[-1] // 2
    layer_test(_factory(halves), input_shape, expected_output_shape=input_shape[:-1] + (half,),
               reference=lambda x, weights: x[..., :half], custom_objects={'halves': halves})


@pytest.mark.parametrize('factor', [0.5, 2.0, -3.0])
def test_arguments_reach_the_function_and_the_config(factor):
    result = layer_test(_factory(scale, arguments={'factor': factor}), (3,),
                        reference=lambda x, weights: factor * x, custom_objects={'scale': scale})
    assert result.layer.get_config()['arguments'] == {'factor': factor}


@pytest.mark.parametrize('shape', [(8, 3, 4), (6, 5, 2), (10, 2, 3)], ids=str)
def test_a_k_function_lambda_trains(shape):
    """Dense -> Lambda(tanh z + 0.1 z²) -> Dense: backward goes through the lambda to the first Dense."""
    batch, inputs, units = shape
    teachnet.set_seed(batch)
    rng = np.random.default_rng(batch)
    x, y = rng.standard_normal((batch, inputs)), rng.uniform(-1, 1, (batch, 1))
    model = Sequential([Dense(units, input_dim=inputs), Lambda(lambda z: K.tanh(z) + 0.1 * K.square(z)),
                        Dense(1)])
    model.compile(optimizer=SGD(lr=0.05), loss='mse')
    assert gradient_check(model, x, y).passed
    first_kernel = model.get_weights()[0]
    losses = [model.train_on_batch(x, y) for _ in range(30)]
    assert not np.allclose(model.get_weights()[0], first_kernel), 'no gradient reached the first Dense'
    assert losses[-1] < losses[0]


@pytest.mark.parametrize('input_shape', SHAPES, ids=str)
def test_gradient_of_the_input_flows_through(input_shape):
    """L = Σ squash(x): dL/dx = 2x tanh(x) + x² (1 - tanh² x), x reaching L along two paths."""
    layer = Lambda(squash, input_shape=input_shape)
    Sequential([layer])
    x_host = np.random.default_rng(1).standard_normal((2,) + input_shape)
    x = Tensor(am.to_device(x_host), requires_grad=True)
    with Tape() as tape:
        output = layer(x, training=True)
    tape.backward(output, am.xp().ones(output.shape, dtype=output.data.dtype))
    expected = 2 * x_host * np.tanh(x_host) + x_host ** 2 * (1 - np.tanh(x_host) ** 2)
    np.testing.assert_allclose(am.to_numpy(x.grad), expected, rtol=1e-10)
    trace = layer.trace(x_host)
    assert [step.op for step in trace.forward][-1] == 'add'
    assert len(trace.backward) == len(trace.forward)


@pytest.mark.backend_independent
def test_function_is_needed_to_load_the_model():
    model = Sequential([Lambda(squash, input_shape=(3,))])
    with pytest.raises(ValueError, match='squash'):
        model_from_json(model.to_json())
    with pytest.raises(TypeError, match='lambda_bad'):
        Lambda('not a function', name='lambda_bad')


@pytest.mark.backend_independent
def test_a_function_that_fails_on_the_probe_asks_for_output_shape():
    def broken(x):
        raise RuntimeError('nope')
    with pytest.raises(ValueError, match='output_shape'):
        Sequential([Lambda(broken, input_shape=(3,), name='lambda_broken')])
