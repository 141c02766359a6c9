"""Sequential and Model train through one path: a Sequential model is a graph with one
output and one input (or its branches' inputs), and trains as the same functional Model."""
import numpy as np
import pytest

import teachnet
from teachnet.engine.functional import Model
from teachnet.engine.training import Training
from teachnet.layers import Dense, Input
from teachnet.models import Sequential
from teachnet.optimizers import SGD
from teachnet.regularizers import l2

TRAINING_METHODS = ('compile', 'fit', 'evaluate', 'predict', 'predict_on_batch', 'train_on_batch',
                    'test_on_batch', 'batch_loss', 'trace', '_prepare', '_to_device', '_forward_inputs')


@pytest.mark.backend_independent
@pytest.mark.parametrize('model_class', [Sequential, Model])
def test_no_model_class_has_its_own_training_methods(model_class):
    own = [name for name in TRAINING_METHODS if name in vars(model_class)]
    assert own == [] and all(hasattr(Training, name) for name in TRAINING_METHODS)


def twins():
    """A Sequential model and the functional Model of the same layers, with equal weights."""
    teachnet.set_seed(0)
    stack = Sequential([Dense(5, input_dim=4, activation='tanh', W_regularizer=l2(0.01), name='hidden'),
                        Dense(3, activation='softmax', name='label')])
    features = Input(shape=(4,), name='features')
    hidden = Dense(5, activation='tanh', W_regularizer=l2(0.01), name='hidden_twin')(features)
    graph = Model(input=features, output=Dense(3, activation='softmax', name='label_twin')(hidden))
    graph.set_weights(stack.get_weights())
    for model in (stack, graph):
        model.compile(SGD(lr=0.1), 'categorical_crossentropy', metrics=['accuracy'])
    return stack, graph


def test_a_sequential_model_trains_as_the_same_functional_model():
    stack, graph = twins()
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((12, 4)), np.eye(3)[rng.integers(0, 3, 12)]
    histories = [model.fit(x, y, nb_epoch=3, batch_size=4, shuffle=False, verbose=0,
                           validation_data=(x[:4], y[:4])).history for model in (stack, graph)]
    assert histories[0] == histories[1] and stack.metrics_names == graph.metrics_names
    np.testing.assert_array_equal(stack.predict(x), graph.predict(x))
    np.testing.assert_array_equal(stack.predict_on_batch(x), graph.predict_on_batch(x))
    assert stack.evaluate(x, y, verbose=0) == graph.evaluate(x, y, verbose=0)


def test_a_sequential_model_takes_data_and_losses_by_name_as_a_model_does():
    stack, _ = twins()
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((6, 4)), np.eye(3)[rng.integers(0, 3, 6)]
    by_position = stack.test_on_batch(x, y)
    assert stack.test_on_batch({'hidden': x}, {'label': y}) == by_position
    stack.compile(SGD(lr=0.1), {'label': 'categorical_crossentropy'}, loss_weights={'label': 2.0})
    penalty = sum(float(p.data) for _, p in stack.batch_loss(x, y).penalties)
    assert stack.test_on_batch(x, y) == pytest.approx(2 * (by_position[0] - penalty) + penalty, rel=1e-5)
