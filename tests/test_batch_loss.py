"""One computation of a batch: training, evaluation and inspection agree on it.

For models with every kind of regularizer (weights W and U, biases b, activities; l1, l2,
l1l2; on Dense, convolution and recurrent layers), the loss a trace shows equals the loss
``test_on_batch`` reports, and the gradients a trace shows equal the gradients that
``train_on_batch`` applies (read from ``last_step`` and from the parameter change under
plain SGD with lr = 1: θ_new = θ - dL/dθ).
"""
import numpy as np
import pytest

import teachnet
from teachnet.backend import array_module as am
from teachnet.engine.functional import Model
from teachnet.inspect import gradient_check, last_step
from teachnet.layers import (LSTM, GRU, Convolution1D, Convolution2D, Dense, Flatten, Input, SimpleRNN)
from teachnet.layers.merge import Merge
from teachnet.models import Sequential
from teachnet.ops.tape import Tape
from teachnet.optimizers import SGD
from teachnet.regularizers import activity_l1l2, activity_l2, l1, l1l2, l2


def dense_model():
    return Sequential([
        Dense(5, input_dim=4, activation='tanh', W_regularizer=l1(0.01), b_regularizer=l2(0.02),
              activity_regularizer=activity_l1l2(0.01, 0.02)),
        Dense(3, activation='softmax', W_regularizer=l1l2(0.01, 0.01), activity_regularizer=l1(0.05))])


def conv_model():
    return Sequential([
        Convolution2D(2, 3, 3, input_shape=(1, 5, 5), activation='relu', W_regularizer=l2(0.01),
                      b_regularizer=l1(0.02), activity_regularizer=l2(0.03)),
        Flatten(),
        Dense(3, activation='softmax', b_regularizer=l1l2(0.01, 0.01))])


def recurrent_model():
    return Sequential([
        Convolution1D(3, 2, input_shape=(6, 4), W_regularizer=l1(0.01), activity_regularizer=l1(0.02)),
        LSTM(4, return_sequences=True, W_regularizer=l2(0.01), U_regularizer=l1l2(0.01, 0.02),
             b_regularizer=l1(0.01), activity_regularizer=l2(0.02)),
        GRU(3, return_sequences=True, U_regularizer=l1(0.02), activity_regularizer=l1(0.01)),
        SimpleRNN(3, U_regularizer=l2(0.03), W_regularizer=l1(0.01)),
        Dense(3, activation='softmax')])


def merge_model():
    left = Sequential([Dense(3, input_dim=4, activation='tanh', W_regularizer=l2(0.02),
                             activity_regularizer=l1(0.05))])
    right = Sequential([Dense(2, input_dim=2, b_regularizer=l1(0.03), activity_regularizer=l2(0.02))])
    return Sequential([Merge([left, right], mode='concat'),
                       Dense(3, activation='softmax', W_regularizer=l1l2(0.01, 0.02))])


def two_output_model():
    x = Input(shape=(4,), name='features')
    hidden = Dense(5, activation='tanh', W_regularizer=l2(0.02), activity_regularizer=l1(0.05))(x)
    label = Dense(3, activation='softmax', name='label', W_regularizer=l1(0.01))(hidden)
    score = Dense(1, name='score', b_regularizer=l2(0.03), activity_regularizer=l2(0.02))(hidden)
    model = Model(input=x, output=[label, score])
    return model


INPUT_SHAPES = {'dense_model': [(4,)], 'conv_model': [(1, 5, 5)], 'recurrent_model': [(6, 4)],
                'merge_model': [(4,), (2,)], 'two_output_model': [(4,)]}
LOSS_WEIGHTS = [1.0, 0.3]


def _batch(builder, model, rng):
    x = [rng.standard_normal((6,) + shape) for shape in INPUT_SHAPES[builder.__name__]]
    x = x[0] if len(x) == 1 else x
    classes = np.eye(3)[rng.integers(0, 3, 6)]
    y = [classes, rng.standard_normal((6, 1))] if isinstance(model, Model) else classes
    return x, y


BUILDERS = [dense_model, conv_model, recurrent_model, merge_model, two_output_model]


def _compiled(builder, seed=0):
    teachnet.set_seed(seed)
    model = builder()
    loss = ['categorical_crossentropy', 'mse'] if isinstance(model, Model) else 'categorical_crossentropy'
    extra = {'loss_weights': LOSS_WEIGHTS} if isinstance(model, Model) else {}
    model.compile(optimizer=SGD(lr=1.0), loss=loss, **extra)
    return model


def _traced_gradients(trace):
    """dL/dθ of each parameter, added up over the backward steps of the trace."""
    total = {}
    for step in trace.backward:
        for label, grad in step.inputs:
            if ' = ' in label and grad is not None:
                name = label.split(' = ', 1)[1]
                total[name] = total.get(name, 0) + grad
    return total


@pytest.mark.parametrize('builder', BUILDERS, ids=lambda b: b.__name__)
def test_traced_loss_and_gradients_are_those_of_training(builder):
    am.set_floatx('float64')
    model = _compiled(builder)
    x, y = _batch(builder, model, np.random.default_rng(1))
    evaluated = model.test_on_batch(x, y)
    evaluated = evaluated[0] if isinstance(evaluated, list) else evaluated
    trace = model.trace(x, y)
    traced = _traced_gradients(trace)
    before = {p.name: am.to_numpy(p.data).copy() for p in model.trainable_weights}
    trained = model.train_on_batch(x, y)
    trained = trained[0] if isinstance(trained, list) else trained

    assert float(trace.loss) == pytest.approx(evaluated, rel=1e-12)
    assert trained == pytest.approx(evaluated, rel=1e-12)
    applied = last_step(model)
    assert set(applied) == set(before) == set(traced)
    for name, (value, grad) in applied.items():
        np.testing.assert_allclose(am.to_numpy(grad), traced[name], rtol=1e-10, atol=1e-12, err_msg=name)
        np.testing.assert_allclose(before[name] - am.to_numpy(value), traced[name], rtol=1e-9, atol=1e-12,
                                   err_msg=name)


@pytest.mark.parametrize('builder', BUILDERS, ids=lambda b: b.__name__)
def test_every_penalty_is_in_the_batch_loss(builder):
    model = _compiled(builder)
    x, y = _batch(builder, model, np.random.default_rng(2))
    batch = model.batch_loss(x, y)
    names = [name for name, _ in batch.penalties]
    activity = [layer.name for layer in _all_layers(model) if layer.activity_regularizer is not None]
    assert sorted(n[:-len('/activity')] for n in names if n.endswith('/activity')) == sorted(activity)
    assert sorted(n for n in names if not n.endswith('/activity')) == sorted(p.name for p, _ in model.regularizers)
    weights = LOSS_WEIGHTS if isinstance(model, Model) else [1.0]
    weighted = sum(w * float(loss.data) for w, loss in zip(weights, batch.output_losses))
    penalties = sum(float(p.data) for _, p in batch.penalties)
    assert float(batch.loss.data) == pytest.approx(weighted + penalties, rel=1e-5)
    assert penalties > 1e-3


def _all_layers(model):
    layers = []
    for layer in model.layers:
        branches = getattr(layer, 'branches', None)
        if branches:
            layers += [inner for branch in branches for inner in branch.layers]
        elif hasattr(layer, 'activity_regularizer'):
            layers.append(layer)
    return layers


def test_an_activity_penalty_shows_in_traces_and_gradient_checks():
    """The issue's example: a trace showed the loss without the activity penalty."""
    teachnet.set_seed(0)
    model = Sequential([Dense(4, input_dim=3, activity_regularizer=l1(0.05)), Dense(2, activation='softmax')])
    model.compile('sgd', 'categorical_crossentropy')
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((8, 3)), np.eye(2)[np.arange(8) % 2]
    trace = model.trace(x, y)
    assert float(trace.loss) == pytest.approx(model.test_on_batch(x, y), rel=1e-6)
    assert 'l1_penalty' in [step.op for step in trace.layer(model.layers[0].name).backward]
    assert gradient_check(model, x[:4], y[:4]).passed


def test_gradients_through_time_include_the_activity_penalty():
    """dL/dh_T of an LSTM with the activity regularizer activity_l2(l) on its output h_T is
    the gradient from the layers above plus dP/dh_T = 2·(l/N)·h_T (N samples)."""
    from teachnet.inspect.recurrent import gates, gradients_through_time
    am.set_floatx('float64')
    models = []
    for regularizer in (None, activity_l2(0.5)):
        teachnet.set_seed(0)
        model = Sequential([LSTM(3, input_shape=(4, 2), activity_regularizer=regularizer), Dense(2)])
        model.compile('sgd', 'mse')
        models.append(model)
    rng = np.random.default_rng(4)
    x, y = rng.standard_normal((5, 4, 2)), rng.standard_normal((5, 2))
    plain, penalised = (gradients_through_time(model, x, y) for model in models)
    h_last = gates(models[1], x)['h'][-1]
    np.testing.assert_allclose(penalised[-1] - plain[-1], 2 * 0.5 / 5 * h_last, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(penalised[:-1] != plain[:-1], True)


def test_batch_loss_on_a_tape_gives_the_gradients_and_changes_no_weight():
    model = _compiled(dense_model)
    x, y = _batch(dense_model, model, np.random.default_rng(3))
    weights = model.get_weights()
    with Tape() as tape:
        batch = model.batch_loss(x, y, training=True, input_grads=True)
    tape.backward(batch.loss)
    assert all(p.grad is not None for p in model.trainable_weights)
    assert batch.inputs[0].grad.shape == (6, 4)
    assert [o.shape for o in batch.outputs] == [(6, 3)]
    for before, after in zip(weights, model.get_weights()):
        np.testing.assert_array_equal(before, after)
    outputs_only = model.batch_loss(x)
    assert outputs_only.loss is None and outputs_only.output_losses == []


def test_batch_loss_refuses_targets_before_compile_and_bad_data_by_name():
    teachnet.set_seed(0)
    model = dense_model()
    with pytest.raises(RuntimeError, match=f'Model {model.name} must be compiled'):
        model.batch_loss(np.zeros((2, 4)), np.zeros((2, 3)))
    model.compile('sgd', 'mse')
    with pytest.raises(ValueError, match=r'expects x of shape \(None, 4\)'):
        model.batch_loss(np.zeros((2, 5)), np.zeros((2, 3)))
    assert model.batch_loss(np.zeros((2, 4)), np.zeros((2, 3))).loss is not None


def test_last_step_is_empty_of_gradients_before_training():
    model = _compiled(dense_model)
    assert all(grad is None for _, grad in last_step(model).values())


def test_a_layer_that_refuses_its_input_leaves_no_label_on_later_ops():
    """Ops are labelled with the layer running them; a refused call must not leave its label
    behind, or the loss's ops (and a diverging step's culprit) would be put on that layer."""
    from teachnet.layers import Embedding
    from teachnet.ops.tape import current_location
    model = Sequential([Embedding(5, 2, input_length=3, mask_zero=True), Flatten(name='refuses_masks')])
    with pytest.raises(ValueError, match='refuses_masks'):
        model.predict(np.array([[1, 2, 0]]))
    assert current_location() == {}
