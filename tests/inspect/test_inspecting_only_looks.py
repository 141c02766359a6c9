"""Inspecting only looks: a shared layer's calls are counted, a stateful model's states are kept
by feature_maps, gradient_check and trace."""
import numpy as np

from teachnet.backend import array_module as am
from teachnet.inspect import feature_maps, gradient_check, layer_calls, recurrent_layers
from teachnet.layers import LSTM, Dense, Input, merge
from teachnet.models import Model, Sequential


def test_layer_calls_counts_how_often_a_layer_runs_per_run_of_the_model():
    a, b = Input(shape=(3,)), Input(shape=(3,))
    shared = Dense(2, name='shared')
    model = Model(input=[a, b], output=Dense(1, name='top')(merge([shared(a), shared(b)], mode='sum')))
    x = [np.ones((4, 3)), np.zeros((4, 3))]
    assert layer_calls(model, x, 'shared') == 2 and layer_calls(model, x, 'top') == 1


def test_feature_maps_of_a_stateful_model_leave_its_states_as_they_were():
    am.seed(3)
    model = Sequential([LSTM(3, stateful=True, return_sequences=True, batch_input_shape=(2, 4, 2), name='memory'),
                        Dense(1, name='out')])
    x = np.random.RandomState(3).randn(2, 4, 2)
    first = model.predict(x, batch_size=2)
    layer = recurrent_layers(model)['memory']
    carried = [am.to_numpy(state).copy() for state in layer.states]
    seen = feature_maps(model, x, 'memory', batch_size=2)
    np.testing.assert_allclose(feature_maps(model, x, 'memory', batch_size=2), seen)    # both from the same states
    for before, now in zip(carried, layer.states):
        np.testing.assert_array_equal(am.to_numpy(now), before)
    second = model.predict(x, batch_size=2)                    # continues from the first run, as before
    assert not np.allclose(second, first)


def test_a_gradient_check_of_a_stateful_model_starts_every_evaluation_from_the_carried_states():
    """Each central difference compares L at θ ± h from the same states; a check that let the
    states move on between evaluations would compare different functions and fail."""
    am.seed(4)
    model = Sequential([LSTM(3, stateful=True, batch_input_shape=(2, 4, 2), name='memory'), Dense(1)])
    model.compile('sgd', 'mse')
    x, y = np.random.RandomState(4).randn(2, 4, 2), np.ones((2, 1))
    model.predict(x, batch_size=2)
    carried = [am.to_numpy(state).copy() for state in recurrent_layers(model)['memory'].states]
    report = gradient_check(model, x, y, max_checks=6)
    assert report.passed, str(report)
    for before, now in zip(carried, recurrent_layers(model)['memory'].states):
        np.testing.assert_array_equal(am.to_numpy(now), before)


def test_a_trace_of_a_stateful_model_starts_from_the_carried_states_and_leaves_them():
    am.seed(5)
    model = Sequential([LSTM(3, stateful=True, batch_input_shape=(2, 4, 2), name='memory'), Dense(1)])
    model.compile('sgd', 'mse')
    x, y = np.random.RandomState(5).randn(2, 4, 2), np.ones((2, 1))
    model.predict(x, batch_size=2)
    layer = recurrent_layers(model)['memory']
    carried = [am.to_numpy(state).copy() for state in layer.states]
    first, second = model.trace(x, y), model.trace(x, y)
    np.testing.assert_array_equal(first.loss, second.loss)          # both from the same carried states
    for before, now in zip(carried, layer.states):
        np.testing.assert_array_equal(am.to_numpy(now), before)
    np.testing.assert_allclose(first.loss, model.test_on_batch(x, y), rtol=1e-6)    # which the model goes on from
