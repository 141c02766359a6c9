"""Dropout: while training, each unit is zeroed with probability p and the others scaled
by 1/(1-p); at test time the layer is the identity."""
import functools

import numpy as np
import pytest

from teachnet.backend import array_module as am
from teachnet.layers import Dense, Dropout
from teachnet.models import Sequential
from teachnet.ops.tape import Tape
from teachnet.ops.tensor import Tensor

from .harness import layer_test

SHAPES = [(6,), (3, 4), (2, 3, 5)]


@pytest.mark.parametrize('p', [0.0, 0.25, 0.5])
@pytest.mark.parametrize('input_shape', SHAPES, ids=str)
def test_dropout_harness(p, input_shape):
    result = layer_test(functools.partial(Dropout, p), input_shape, reference=lambda x, weights: x,
                        deterministic=(p == 0), expected_output_shape=input_shape)
    assert result.layer.get_config()['p'] == p


def _dropped(p, shape, seed=0):
    """(input, training output) for an input of ones."""
    am.seed(seed)
    layer = Dropout(p, input_shape=shape[1:])
    Sequential([layer])
    x = np.ones(shape)
    return x, am.to_numpy(layer(x, training=True).data)


@pytest.mark.parametrize('p', [0.1, 0.3, 0.5, 0.8])
@pytest.mark.parametrize('shape', [(200, 50), (40, 5, 50)], ids=str)
def test_training_drops_about_p_and_scales_the_rest(p, shape):
    x, y = _dropped(p, shape)
    dropped = np.mean(y == 0)
    spread = 4 * np.sqrt(p * (1 - p) / y.size)               # four standard deviations
    assert abs(dropped - p) < spread, f'dropped {dropped:.3f} of the units, expected about {p}'
    np.testing.assert_allclose(y[y != 0], 1 / (1 - p), rtol=1e-6)
    assert y.mean() == pytest.approx(1.0, abs=8 * np.sqrt(p / (1 - p) / y.size))


@pytest.mark.parametrize('shape', [(4, 7), (3, 2, 5), (10, 10)], ids=str)
def test_test_mode_is_the_identity(shape):
    x = np.random.default_rng(3).standard_normal(shape)
    model = Sequential([Dropout(0.9, input_shape=shape[1:])])
    np.testing.assert_allclose(model.predict(x, batch_size=len(x)), x.astype(np.float32))


@pytest.mark.parametrize('shape', [(4, 7), (3, 2, 5), (20, 3)], ids=str)
def test_zero_p_keeps_everything_while_training(shape):
    x, y = _dropped(0.0, shape)
    np.testing.assert_array_equal(y, x)


@pytest.mark.parametrize('p', [0.2, 0.5, 0.7])
@pytest.mark.parametrize('shape', [(5, 8), (2, 3, 4), (30, 2)], ids=str)
def test_gradient_is_the_upstream_gradient_times_the_mask(p, shape):
    rng = np.random.default_rng(4)
    layer = Dropout(p, input_shape=shape[1:])
    Sequential([layer])
    x_host = rng.uniform(0.5, 1.5, shape)                     # never 0, so the mask is y / x
    g_host = rng.standard_normal(shape)
    x = Tensor(am.to_device(x_host), requires_grad=True)
    with Tape() as tape:
        y = layer(x, training=True)
    tape.backward(y, am.to_device(g_host, dtype=y.data.dtype))
    y_host = am.to_numpy(y.data)
    mask = y_host / x_host.astype(np.float32)
    kept = mask != 0
    assert 0 < kept.sum() < kept.size
    np.testing.assert_allclose(mask[kept], 1 / (1 - p), rtol=1e-5)
    np.testing.assert_allclose(am.to_numpy(x.grad), g_host * mask, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize('p', [0.2, 0.5, 0.7])
def test_trace_shows_the_mask(p):
    layer = Dropout(p, input_shape=(6,))
    Sequential([layer])
    x = np.random.default_rng(5).uniform(1, 2, (3, 6))
    [step] = layer.trace(x, training=True).forward
    assert step.op == 'dropout' and step.facts['rate'] == p
    np.testing.assert_allclose(step.output, np.where(step.output != 0, x * (1 / (1 - p)), 0), rtol=1e-6)


@pytest.mark.parametrize('rate', [0.0, 0.3, 0.6])
def test_keras2_rate_is_p(rate):
    keras1, keras2 = Dropout(rate), Dropout(rate=rate)
    assert keras1.p == keras2.p == rate
    assert keras2.get_config()['p'] == rate
    assert Dropout.from_config(keras2.get_config()).p == rate


@pytest.mark.parametrize('p', [-0.1, 1.0, 1.5, 'half'])
def test_bad_p_is_refused_with_the_layer_name(p):
    with pytest.raises(ValueError, match='dropout_bad'):
        Dropout(p, name='dropout_bad')


def test_training_and_prediction_through_a_model():
    """fit uses dropout (training), predict does not: two predicts agree."""
    rng = np.random.default_rng(6)
    x, y = rng.standard_normal((16, 4)), rng.standard_normal((16, 2))
    model = Sequential([Dense(8, input_dim=4), Dropout(0.5), Dense(2)])
    model.compile(optimizer='sgd', loss='mse')
    model.fit(x, y, nb_epoch=1, batch_size=8, verbose=0)
    np.testing.assert_array_equal(model.predict(x), model.predict(x))


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
def test_gradient_is_laid_out_as_the_input(dtype):
    """A channels-first view of channels-last maps, and g in C order (as Flatten's backward
    sends it): dL/dx = g ⊙ m comes back laid out as x, so that the op below runs straight
    through memory, and holds the same numbers."""
    from teachnet.ops.dropout import Dropout as DropoutOp
    rng = np.random.default_rng(6)
    x = am.to_device(rng.uniform(1, 2, (4, 5, 6, 3)).astype(dtype)).transpose(0, 3, 1, 2)
    g = am.to_device(rng.standard_normal((4, 3, 5, 6)).astype(dtype))
    op = DropoutOp(0.4)
    op.forward(x)
    (grad,) = op.backward(g)
    assert am.memory_order(grad) == am.memory_order(x) == (0, 2, 3, 1)
    np.testing.assert_array_equal(am.to_numpy(grad), am.to_numpy(g * op.mask))
