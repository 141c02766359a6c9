"""The ``K`` face: ``import teachnet.backend as K`` gives differentiable Keras backend
functions and the helpers around them."""
import numpy as np
import pytest

import teachnet.backend as K
from teachnet.backend import array_module as am
from teachnet.inspect.numerical import check_function
from teachnet.ops import functions
from teachnet.ops.tape import Tape
from teachnet.ops.tensor import Tensor

SHAPES = [(4, 3), (2, 5, 3), (6, 1)]


def test_the_keras_names_are_there():
    for name in ['mean', 'square', 'sqrt', 'clip', 'argmax', 'dot', 'sum', 'abs', 'log', 'exp',
                 'maximum', 'minimum', 'equal', 'cast', 'batch_flatten', 'concatenate', 'softmax',
                 'relu', 'sigmoid', 'tanh', 'l2_normalize', 'batch_dot', 'variable', 'eval',
                 'get_value', 'set_value', 'int_shape', 'ndim', 'floatx', 'epsilon']:
        assert callable(getattr(K, name)), name
    assert K.epsilon() == 1e-7 and K.floatx() == 'float32'


def test_private_names_do_not_leak():
    assert not any(name.startswith('_') for name in functions.__all__)
    assert not hasattr(K, '_array') and not hasattr(K, 'Tensor')


@pytest.mark.parametrize('shape', SHAPES, ids=str)
def test_a_custom_mse_loss_differentiates(shape):
    rng = np.random.default_rng(1)
    y_true, y_pred = rng.standard_normal(shape), rng.standard_normal(shape)

    def mse(y_true, y_pred):
        return K.mean(K.square(y_pred - y_true), axis=-1)

    loss = mse(Tensor(am.to_device(y_true)), Tensor(am.to_device(y_pred))).numpy()
    np.testing.assert_allclose(loss, np.mean((y_pred - y_true) ** 2, axis=-1))
    assert max(check_function(mse, y_true, y_pred)) < 1e-6
    with Tape() as tape:
        prediction = Tensor(am.to_device(y_pred), requires_grad=True)
        total = K.sum(mse(am.to_device(y_true), prediction))
    tape.backward(total)
    np.testing.assert_allclose(am.to_numpy(prediction.grad), 2 * (y_pred - y_true) / shape[-1])


@pytest.mark.parametrize('shape', SHAPES, ids=str)
def test_a_custom_crossentropy_with_clip_and_log_differentiates(shape):
    rng = np.random.default_rng(2)
    y_true = rng.random(shape)
    y_pred = rng.uniform(0.1, 0.9, size=shape)

    def crossentropy(y_true, y_pred):
        y_pred = K.clip(y_pred, K.epsilon(), 1 - K.epsilon())
        return -K.sum(y_true * K.log(y_pred), axis=-1)

    expected = -np.sum(y_true * np.log(y_pred), axis=-1)
    result = crossentropy(Tensor(am.to_device(y_true)), Tensor(am.to_device(y_pred)))
    np.testing.assert_allclose(result.numpy(), expected)
    assert max(check_function(crossentropy, y_true, y_pred)) < 1e-6


def test_a_metric_with_comparisons_and_cast():
    y_true = np.array([[0.0, 1.0], [1.0, 0.0], [0.0, 1.0]])
    y_pred = np.array([[0.2, 0.8], [0.3, 0.7], [0.9, 0.1]])
    accuracy = K.mean(K.cast(K.equal(K.argmax(y_true), K.argmax(y_pred)), K.floatx()))
    np.testing.assert_allclose(K.eval(accuracy), 1 / 3, rtol=1e-6)
    assert K.dtype(accuracy) == 'float32'


def test_variable_copies_and_needs_a_gradient():
    host = np.arange(6.0).reshape(2, 3)
    v = K.variable(host, name='w')
    host[0, 0] = 100.0
    assert v.requires_grad and v.name == 'w' and K.dtype(v) == 'float32'
    assert K.get_value(v)[0, 0] == 0.0
    assert K.int_shape(v) == (2, 3) == K.shape(v) and K.ndim(v) == 2
    same_device = K.variable(v.data, dtype='float32')
    assert same_device.data is not v.data


def test_eval_returns_an_independent_host_array():
    v = K.variable(np.ones(3))
    values = K.eval(v)
    values[0] = 5.0
    assert isinstance(values, np.ndarray) and K.eval(v)[0] == 1.0


def test_set_value_writes_in_place_and_checks_the_shape():
    v = K.variable(np.zeros((2, 2)), name='kernel')
    data = v.data
    K.set_value(v, np.ones((2, 2)))
    assert v.data is data
    np.testing.assert_array_equal(K.get_value(v), np.ones((2, 2)))
    with pytest.raises(ValueError, match=r"'kernel'.*\(2, 2\).*\(3,\)"):
        K.set_value(v, np.ones(3))


def test_constants_zeros_ones_and_likes():
    c = K.constant(2.5, shape=(2, 3))
    assert not c.requires_grad and K.dtype(c) == 'float32'
    np.testing.assert_array_equal(K.eval(c), np.full((2, 3), 2.5))
    np.testing.assert_array_equal(K.eval(K.constant([1, 2])), [1.0, 2.0])
    assert K.zeros((2, 1)).requires_grad and K.eval(K.ones((3,))).tolist() == [1, 1, 1]
    x = K.variable(np.ones((2, 2)), dtype='float64')
    assert K.dtype(K.zeros_like(x)) == 'float64' and K.eval(K.ones_like(x)).sum() == 4
    assert not K.zeros_like(x).requires_grad
    floats = K.cast_to_floatx([1, 2])
    assert isinstance(floats, np.ndarray) and floats.dtype == np.float32


def test_tensor_methods_resolve():
    x = Tensor(am.to_device(np.arange(6.0).reshape(2, 3)))
    np.testing.assert_array_equal(x.T.numpy(), np.arange(6.0).reshape(2, 3).T)
    np.testing.assert_array_equal(x.reshape(3, 2).numpy(), np.arange(6.0).reshape(3, 2))
    np.testing.assert_array_equal(x[1].numpy(), [3.0, 4.0, 5.0])
    np.testing.assert_array_equal(abs(-x).numpy(), x.numpy())
    assert float(x.sum()) == 15.0 and float(x.mean()) == 2.5
    np.testing.assert_array_equal((x >= 3.0).numpy(), [[False] * 3, [True] * 3])
    np.testing.assert_array_equal((x < 1.0).numpy(), [[True, False, False], [False] * 3])
