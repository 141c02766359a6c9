"""Dense: z = x·W + b, then f(z), checked by the layer harness against NumPy."""
import functools

import numpy as np
import pytest

from teachnet.initializers import RandomUniform
from teachnet.inspect.gradient_check import gradient_check
from teachnet.layers import Dense
from teachnet.models import Sequential, model_from_json
from teachnet.optimizers import SGD
from teachnet.regularizers import l1, l2

from .harness import layer_test
from .references import NUMPY_ACTIVATIONS

# (input shape of one sample, units): 2-D input, then 3-D and 4-D input (last axis transformed)
SHAPES = [((4,), 3), ((3, 5), 2), ((2, 3, 4), 1), ((6,), 5)]


def dense_reference(activation='linear', bias=True):
    f = NUMPY_ACTIVATIONS[activation]

    def reference(x, weights):
        z = np.einsum('...k,kj->...j', x, weights[0])        # Σ_k x_k W_kj, whatever the leading axes
        if bias:
            z = z + weights[1]
        return f(z)
    return reference


@pytest.mark.parametrize('input_shape, units', SHAPES, ids=str)
def test_dense_with_bias(input_shape, units):
    result = layer_test(functools.partial(Dense, units, bias_initializer='uniform'), input_shape,
                        reference=dense_reference(), expected_output_shape=input_shape[:-1] + (units,))
    W, b = result.layer.get_weights()
    assert W.shape == (input_shape[-1], units) and b.shape == (units,)


@pytest.mark.parametrize('input_shape, units', SHAPES[:3], ids=str)
@pytest.mark.parametrize('spelling', ['keras1', 'keras2'])
def test_dense_without_bias(input_shape, units, spelling):
    no_bias = {'bias': False} if spelling == 'keras1' else {'use_bias': False}
    result = layer_test(functools.partial(Dense, units, **no_bias), input_shape,
                        reference=dense_reference(bias=False))
    assert [w.shape for w in result.layer.get_weights()] == [(input_shape[-1], units)]
    assert result.layer.get_config()['bias'] is False


@pytest.mark.parametrize('activation', sorted(NUMPY_ACTIVATIONS))
@pytest.mark.parametrize('input_shape, units', SHAPES[:3], ids=str)
def test_dense_activations(activation, input_shape, units):
    if activation == 'softmax' and units == 1:
        units = 3
    result = layer_test(functools.partial(Dense, units, activation=activation, bias_initializer='uniform'),
                        input_shape, reference=dense_reference(activation))
    assert result.layer.get_config()['activation'] == activation


@pytest.mark.parametrize('input_shape, units', SHAPES[:3], ids=str)
def test_keras1_and_keras2_names_build_the_same_layer(input_shape, units):
    keras1 = Dense(output_dim=units, init='uniform', W_regularizer=l2(0.01), b_regularizer=l1(0.02),
                   bias=True, input_shape=input_shape)
    keras2 = Dense(units=units, kernel_initializer='uniform', kernel_regularizer=l2(0.01),
                   bias_regularizer=l1(0.02), use_bias=True, input_shape=input_shape)
    for layer in (keras1, keras2):
        Sequential([layer])
    config1, config2 = keras1.get_config(), keras2.get_config()
    del config1['name'], config2['name']
    assert config1 == config2
    assert config1['output_dim'] == units and config1['init'] == 'uniform'
    assert [w.shape for w in keras1.get_weights()] == [w.shape for w in keras2.get_weights()]
    assert [r.l2 for _, r in keras2.regularizers] == [0.01, 0.0]
    assert [r.l1 for _, r in keras2.regularizers] == [0.0, 0.02]


@pytest.mark.parametrize('units', [1, 7, 40])
def test_uniform_init_is_within_bounds(units):
    layer = Dense(units, init='uniform', input_dim=50)
    Sequential([layer])
    W, b = layer.get_weights()
    assert np.all(np.abs(W) <= 0.05)
    assert np.abs(W).max() > 0.04                  # spread over the whole interval, not near 0
    assert abs(W.mean()) < 5 * (0.05 / np.sqrt(3)) / np.sqrt(W.size)     # five standard errors of U(-a, a)
    np.testing.assert_array_equal(b, 0.0)


@pytest.mark.parametrize('input_dim, units', [(1, 1), (4, 3), (20, 8)])
def test_input_dim_means_input_shape(input_dim, units):
    by_dim, by_shape = Dense(units, input_dim=input_dim), Dense(units, input_shape=(input_dim,))
    by_batch_shape = Dense(units, batch_input_shape=(None, input_dim))
    models = [Sequential([layer]) for layer in (by_dim, by_shape, by_batch_shape)]
    for model in models:
        assert model.input_shape == (None, input_dim)
        assert model.output_shape == (None, units)


def _one_sgd_step(regularizer, W, b, x, y, lr):
    model = Sequential([Dense(W.shape[1], input_dim=W.shape[0], W_regularizer=regularizer)])
    model.compile(optimizer=SGD(lr=lr), loss='mse')
    model.set_weights([W, b])
    loss = model.evaluate(x, y, batch_size=len(x), verbose=0)
    model.train_on_batch(x, y)
    return model, loss


@pytest.mark.parametrize('shape', [(3, 4, 2), (5, 3, 3), (2, 6, 1)], ids=str)
@pytest.mark.parametrize('kind', ['l2', 'l1'])
def test_W_regularizer_adds_to_loss_and_gradient(shape, kind):
    batch, inputs, units = shape
    rng = np.random.default_rng(sum(shape))
    W, b = rng.uniform(-1, 1, (inputs, units)), rng.uniform(-1, 1, units)
    x, y = rng.standard_normal((batch, inputs)), rng.standard_normal((batch, units))
    strength, lr = 0.1, 0.05
    regularizer = l2(strength) if kind == 'l2' else l1(strength)

    model, loss = _one_sgd_step(regularizer, W, b, x, y, lr)
    error = x @ W + b - y
    mse = np.mean(error ** 2)
    penalty = strength * (np.sum(W ** 2) if kind == 'l2' else np.sum(np.abs(W)))
    assert loss == pytest.approx(mse + penalty, rel=1e-5)

    dmse_dW = x.T @ (2 * error) / error.size
    dpenalty_dW = strength * (2 * W if kind == 'l2' else np.sign(W))
    new_W, new_b = model.get_weights()
    np.testing.assert_allclose(new_W, W - lr * (dmse_dW + dpenalty_dW), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(new_b, b - lr * (2 * error).sum(axis=0) / error.size, rtol=1e-4, atol=1e-6)

    report = gradient_check(model, x, y)
    assert report.passed, str(report)


@pytest.mark.backend_independent
def test_bad_arguments_name_the_layer():
    with pytest.raises(ValueError, match='dense_bad'):
        Dense(0, name='dense_bad')
    with pytest.raises(ValueError, match='dense_flat'):
        Sequential([Dense(3, input_shape=(), name='dense_flat')])
    with pytest.raises(TypeError, match='Dense'):
        Dense(3, units_typo=4)


def tenths(shape, dim_ordering=None):
    """A user's initializer: every weight 0.1."""
    return np.full(shape, 0.1)


@pytest.mark.parametrize('init', ['uniform', 'tenths', 'random_uniform_instance'])
def test_initializers_survive_to_json(init):
    chosen = {'uniform': 'uniform', 'tenths': tenths, 'random_uniform_instance': RandomUniform(-0.2, 0.2)}[init]
    model = Sequential([Dense(4, input_dim=3, init=chosen, bias_initializer=chosen)])
    rebuilt = model_from_json(model.to_json(), custom_objects={'tenths': tenths})
    for W in (model.get_weights()[0], rebuilt.get_weights()[0]):
        if init == 'tenths':
            np.testing.assert_allclose(W, 0.1)
        else:
            limit = 0.05 if init == 'uniform' else 0.2
            assert np.all(np.abs(W) <= limit) and np.abs(W).max() > limit / 4
    assert rebuilt.get_weights()[1].any()          # the bias initializer came back too


KERAS2_CONFIG = {'name': 'dense_k2', 'trainable': True, 'batch_input_shape': [None, 4], 'dtype': 'float32',
                 'units': 3, 'activation': 'relu', 'use_bias': True,
                 'kernel_initializer': {'class_name': 'VarianceScaling',
                                        'config': {'scale': 1.0, 'mode': 'fan_avg', 'distribution': 'uniform',
                                                   'seed': None}},
                 'bias_initializer': {'class_name': 'Zeros', 'config': {}},
                 'kernel_regularizer': None, 'bias_regularizer': None, 'activity_regularizer': None,
                 'kernel_constraint': None, 'bias_constraint': None}


@pytest.mark.parametrize('units', [1, 3, 8])
def test_a_keras2_config_loads(units):
    layer = Dense.from_config({**KERAS2_CONFIG, 'units': units})
    model = Sequential([layer])
    assert model.output_shape == (None, units)
    W, b = layer.get_weights()
    limit = np.sqrt(6 / (4 + units))                         # glorot uniform: fan_avg, uniform
    assert np.all(np.abs(W) <= limit) and not b.any()
    x = np.random.default_rng(units).standard_normal((2, 4))
    np.testing.assert_allclose(model.predict(x), np.maximum(x @ W, 0), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize('input_shape, units', [((4,), 3), ((6,), 5), ((3, 5), 2)], ids=str)
def test_dense_with_dx_turned_around(monkeypatch, input_shape, units):
    """dL/dx as (W·gᵀ)ᵀ, which big products take: the same checks (central differences
    included) with the switch at 0 operations, so that every 2-D product takes it."""
    from teachnet.ops import linear
    turned = []

    def spy(g, kernel):
        turned.append(g.ndim == 2)
        return gradient_of_input(g, kernel)
    gradient_of_input = linear.gradient_of_input
    monkeypatch.setattr(linear, 'TURNED_PRODUCT_FLOPS', 0)
    monkeypatch.setattr(linear, 'gradient_of_input', spy)
    layer_test(functools.partial(Dense, units, bias_initializer='uniform'), input_shape,
               reference=dense_reference(), expected_output_shape=input_shape[:-1] + (units,))
    assert turned and all(turned) == (len(input_shape) == 1)


def test_the_turned_dx_is_g_times_w_transposed():
    """(W·gᵀ)ᵀ against g·Wᵀ on a product big enough to take it (the guide's convnet's Dense)."""
    from teachnet.backend import array_module as am
    from teachnet.ops.linear import TURNED_PRODUCT_FLOPS, gradient_of_input
    rng = np.random.default_rng(0)
    g, kernel = rng.standard_normal((32, 256)), rng.standard_normal((1600, 256))
    assert 2 * g.size * kernel.shape[0] >= TURNED_PRODUCT_FLOPS
    turned = am.to_numpy(gradient_of_input(am.to_device(g), am.to_device(kernel)))
    np.testing.assert_allclose(turned, g @ kernel.T, rtol=1e-12, atol=1e-12)
