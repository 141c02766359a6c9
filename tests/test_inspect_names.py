"""What the README promises at ``teachnet.inspect`` is there, and is the real thing."""
import numpy as np

import teachnet
import teachnet.inspect
from teachnet.inspect import gates, gradients_through_time
from teachnet.layers import LSTM, Bidirectional, Dense
from teachnet.models import Sequential


def test_readme_inspection_names_are_in_teachnet_inspect():
    for name in ('gradient_check', 'feature_maps', 'gates', 'gradients_through_time', 'trace_model'):
        assert callable(getattr(teachnet.inspect, name)), name


def test_gates_and_gradients_through_time_from_teachnet_inspect():
    teachnet.set_seed(0)
    model = Sequential([LSTM(3, input_shape=(4, 2)), Dense(1)])
    model.compile('sgd', 'mse')
    x, y = np.random.default_rng(0).standard_normal((2, 4, 2)), np.zeros((2, 1))
    seen = gates(model, x)
    assert sorted(seen) == ['c', 'c~', 'f', 'h', 'i', 'o'] and seen['h'].shape == (4, 2, 3)
    last_output = teachnet.inspect.feature_maps(model, x, model.layers[0].name)
    np.testing.assert_allclose(seen['h'][-1], last_output, rtol=1e-5, atol=1e-6)
    assert gradients_through_time(model, x, y).shape == (4, 2, 3)


def test_gates_of_a_recurrent_layer_inside_a_wrapper():
    teachnet.set_seed(1)
    model = Sequential([Bidirectional(LSTM(3), input_shape=(4, 2)), Dense(1)])
    seen = gates(model, np.ones((2, 4, 2)))
    assert seen['h'].shape == (4, 2, 3)
