"""The functional API: Input, layers called on tensors, Model with several inputs and outputs.

The examples follow the Keras functional-API guide, rewritten for teachnet; every number is
checked against a plain NumPy formula written here.
"""
import numpy as np
import pytest

import teachnet
from teachnet.inspect.gradient_check import gradient_check
from teachnet.layers import (Input, Dense, merge, concatenate, add, multiply, average, maximum,
                             dot)
from teachnet.models import Model, Sequential
from teachnet.optimizers import SGD
from teachnet.ops.tape import Tape


def dense(x, layer):
    kernel, bias = layer.get_weights()
    return x @ kernel + bias


def relu(z):
    return np.maximum(z, 0)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


@pytest.fixture(autouse=True)
def seeded():
    teachnet.set_seed(3)


def test_input_is_a_symbolic_tensor_and_layers_build_on_it():
    x = Input(shape=(6,), name='pixels')
    assert x.shape == (None, 6) and x.layer.name == 'pixels'
    hidden_layer = Dense(4)
    h = hidden_layer(x)
    assert h.shape == (None, 4) and h.node.inputs == [x]
    assert hidden_layer.built and hidden_layer.get_weights()[0].shape == (6, 4)
    assert Input(batch_shape=(8, 3)).shape == (8, 3)


def test_dense_stack_equals_the_same_sequential():
    x = Input(shape=(5,))
    h = Dense(7, activation='relu')(x)
    y = Dense(3, activation='softmax')(h)
    model = Model(input=x, output=y)
    stack = Sequential([Dense(7, activation='relu', input_dim=5), Dense(3, activation='softmax')])
    stack.set_weights(model.get_weights())
    data = np.random.default_rng(0).random((10, 5))
    np.testing.assert_allclose(model.predict(data), stack.predict(data), rtol=1e-6)
    targets = np.eye(3)[np.arange(10) % 3]
    for m in (model, stack):
        m.compile(optimizer=SGD(lr=0.1), loss='categorical_crossentropy', metrics=['accuracy'])
    assert model.metrics_names == stack.metrics_names == ['loss', 'acc']
    np.testing.assert_allclose(model.train_on_batch(data, targets), stack.train_on_batch(data, targets), rtol=1e-5)
    for a, b in zip(model.get_weights(), stack.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)


def test_two_inputs_with_concatenate_and_keras2_constructor():
    a, b = Input(shape=(3,), name='left'), Input(shape=(2,), name='right')
    left, right, top = Dense(4, activation='relu'), Dense(5), Dense(1, activation='sigmoid')
    model = Model([a, b], top(concatenate([left(a), right(b)])))
    rng = np.random.default_rng(1)
    xa, xb = rng.random((6, 3)), rng.random((6, 2))
    expected = sigmoid(dense(np.concatenate([relu(dense(xa, left)), dense(xb, right)], axis=1), top))
    np.testing.assert_allclose(model.predict([xa, xb]), expected, rtol=1e-5)
    np.testing.assert_allclose(model.predict({'right': xb, 'left': xa}), expected, rtol=1e-5)


def test_two_input_model_learns():
    a, b = Input(shape=(4,)), Input(shape=(4,))
    h = concatenate([Dense(8, activation='tanh')(a), Dense(8, activation='tanh')(b)])
    model = Model(input=[a, b], output=Dense(1)(h))
    model.compile(optimizer='adam', loss='mse')
    rng = np.random.default_rng(2)
    xa, xb = rng.random((64, 4)), rng.random((64, 4))
    y = xa.sum(axis=1, keepdims=True) - xb[:, :1]
    history = model.fit([xa, xb], y, nb_epoch=30, batch_size=16, verbose=0)
    assert history.history['loss'][-1] < 0.3 * history.history['loss'][0]


@pytest.mark.parametrize('function, reference', [
    (add, lambda p, q: p + q), (multiply, lambda p, q: p * q), (average, lambda p, q: (p + q) / 2),
    (maximum, np.maximum), (lambda ts: dot(ts, axes=1), lambda p, q: (p * q).sum(axis=1, keepdims=True)),
    (lambda ts: dot(ts, axes=1, normalize=True), lambda p, q: (p * q).sum(axis=1, keepdims=True)
     / np.linalg.norm(p, axis=1, keepdims=True) / np.linalg.norm(q, axis=1, keepdims=True)),
    (lambda ts: merge(ts, mode='concat', concat_axis=-1), lambda p, q: np.concatenate([p, q], axis=1)),
    (lambda ts: merge(ts, mode='mul'), lambda p, q: p * q),
])
def test_merge_functions(function, reference):
    a, b = Input(shape=(3,)), Input(shape=(3,))
    model = Model([a, b], function([a, b]))
    rng = np.random.default_rng(4)
    p, q = rng.random((5, 3)) + 0.1, rng.random((5, 3)) + 0.1
    np.testing.assert_allclose(model.predict([p, q]), reference(p, q), rtol=1e-5)


def shared_layer_model():
    """The guide's shared layer: one Dense reads two inputs (here it encodes both)."""
    a, b = Input(shape=(3,)), Input(shape=(3,))
    shared = Dense(2)
    model = Model([a, b], concatenate([shared(a), shared(b)]))
    return model, shared


def test_shared_layer_has_one_set_of_weights_and_two_calls():
    model, shared = shared_layer_model()
    assert [layer.name for layer in model.layers].count(shared.name) == 1
    assert len(model.params) == 2 and model.count_params() == 3 * 2 + 2
    assert len(model.layer_nodes(shared)) == 2


def test_shared_kernel_gradient_is_the_sum_of_both_uses():
    model, shared = shared_layer_model()
    rng = np.random.default_rng(5)
    xa, xb, r = rng.random((4, 3)), rng.random((4, 3)), rng.standard_normal((4, 4))
    with Tape() as tape:
        out = model([xa, xb])
        loss = (out * teachnet.ops.tensor.Tensor(teachnet.backend.array_module.to_device(r))).sum()
    tape.backward(loss)
    kernel, bias = shared.params
    # out = [xa·W + b, xb·W + b], so dL/dW = xaᵀ r_left + xbᵀ r_right and dL/db = Σ r_left + Σ r_right
    expected_kernel = xa.T @ r[:, :2] + xb.T @ r[:, 2:]
    expected_bias = r[:, :2].sum(axis=0) + r[:, 2:].sum(axis=0)
    np.testing.assert_allclose(teachnet.backend.array_module.to_numpy(kernel.grad), expected_kernel, rtol=1e-5)
    np.testing.assert_allclose(teachnet.backend.array_module.to_numpy(bias.grad), expected_bias, rtol=1e-5)


def test_shared_layer_gradient_check():
    a, b = Input(shape=(3,)), Input(shape=(3,))
    shared = Dense(4, activation='tanh')
    out = Dense(1, activation='sigmoid')(add([shared(a), shared(b)]))
    model = Model([a, b], out)
    model.compile(optimizer='sgd', loss='binary_crossentropy')
    rng = np.random.default_rng(6)
    report = gradient_check(model, [rng.random((5, 3)), rng.random((5, 3))], rng.integers(0, 2, (5, 1)))
    assert report.passed, str(report)


def two_output_model():
    x = Input(shape=(4,), name='main_input')
    h = Dense(6, activation='tanh')(x)
    main = Dense(1, activation='sigmoid', name='main_output')(h)
    aux = Dense(2, name='aux_output')(h)
    return Model(input=x, output=[main, aux])


@pytest.mark.parametrize('form', ['list', 'dict'])
def test_two_outputs_total_loss_is_the_weighted_sum(form):
    model = two_output_model()
    if form == 'list':
        model.compile(optimizer='sgd', loss=['binary_crossentropy', 'mse'], loss_weights=[1.0, 0.2],
                      metrics=['accuracy'])
    else:
        model.compile(optimizer='sgd', loss={'main_output': 'binary_crossentropy', 'aux_output': 'mse'},
                      loss_weights={'aux_output': 0.2}, metrics={'main_output': ['accuracy']})
    rng = np.random.default_rng(7)
    x, y_main, y_aux = rng.random((8, 4)), rng.integers(0, 2, (8, 1)), rng.random((8, 2))
    p_main, p_aux = model.predict(x)
    p = np.clip(p_main, 1e-7, 1 - 1e-7)
    bce = np.mean(-(y_main * np.log(p) + (1 - y_main) * np.log(1 - p)))
    mse = np.mean((p_aux - y_aux) ** 2)
    acc = np.mean((p_main > 0.5) == y_main)
    targets = [y_main, y_aux] if form == 'list' else {'aux_output': y_aux, 'main_output': y_main}
    results = model.evaluate(x, targets, verbose=0)
    names = ['loss', 'main_output_loss', 'aux_output_loss', 'main_output_acc']
    assert model.metrics_names[:4] == names
    np.testing.assert_allclose(results[:4], [bce + 0.2 * mse, bce, mse, acc], rtol=1e-4)
    history = model.fit(x, targets, nb_epoch=2, verbose=0)
    assert set(names) <= set(history.history)


def test_model_used_as_a_layer():
    inner_in = Input(shape=(3,))
    inner = Model(inner_in, Dense(2, activation='relu')(inner_in))
    x = Input(shape=(3,))
    top = Dense(1)
    outer = Model(x, top(inner(x)))
    data = np.random.default_rng(8).random((5, 3))
    np.testing.assert_allclose(outer.predict(data), dense(inner.predict(data), top), rtol=1e-5)
    assert len(outer.params) == 4
    before = inner.get_weights()[0].copy()
    outer.compile(optimizer=SGD(lr=0.5), loss='mse')
    outer.train_on_batch(data, np.ones((5, 1)))
    assert not np.allclose(inner.get_weights()[0], before)          # training the outer trains the inner


def test_summary_lists_what_each_layer_is_connected_to():
    model, shared = shared_layer_model()
    lines = []
    model.summary(print_fn=lines.append)
    text = lines[0]
    row = next(line for line in text.splitlines() if line.startswith(shared.name))
    assert 'input_' in row and '[0][0]' in row
    merge_row = next(line for line in text.splitlines() if '(Merge)' in line)
    assert f'{shared.name}[0][0]' in merge_row
    following = text.splitlines()[text.splitlines().index(merge_row) + 1]
    assert f'{shared.name}[1][0]' in following
    assert 'Total params: 8' in text


def test_trace_of_a_two_output_model():
    model = two_output_model()
    model.compile(optimizer='sgd', loss=['binary_crossentropy', 'mse'])
    x = np.random.default_rng(9).random((2, 4))
    trace = model.trace(x, [np.ones((2, 1)), np.zeros((2, 2))])
    assert {'main_output', 'aux_output'} <= set(trace.layers())
    assert trace.backward and trace.loss is not None
    untrained = two_output_model().trace(x)
    assert untrained.backward


def test_sequential_model_used_as_a_layer_and_saved(tmp_path):
    encoder = Sequential([Dense(3, activation='relu', input_dim=4)])
    a, b = Input(shape=(4,)), Input(shape=(4,))
    top = Dense(1)
    model = Model([a, b], top(add([encoder(a), encoder(b)])))      # one encoder, shared by both inputs
    rng = np.random.default_rng(10)
    xa, xb = rng.random((5, 4)), rng.random((5, 4))
    np.testing.assert_allclose(model.predict([xa, xb]), dense(encoder.predict(xa) + encoder.predict(xb), top),
                               rtol=1e-5)
    assert model.count_params() == encoder.count_params() + 4
    model.save(tmp_path / 'with_sequential.h5')
    from teachnet.models import load_model
    np.testing.assert_allclose(load_model(tmp_path / 'with_sequential.h5').predict([xa, xb]), model.predict([xa, xb]),
                               rtol=1e-6)
    with pytest.raises(ValueError, match=r'takes input\(s\) of shape \(None, 4\).*\(None, 5\)'):
        encoder(Input(shape=(5,)))
