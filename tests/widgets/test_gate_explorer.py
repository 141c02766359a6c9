"""The gate explorer shows the inspected gates of the chosen sample and timestep."""
import numpy as np

from teachnet.backend import array_module as am
from teachnet.inspect.recurrent import gates, gradients_through_time
from teachnet.layers import Bidirectional, Dense, GRU, Input, LSTM, TimeDistributed
from teachnet.models import Model, Sequential
from teachnet.widgets import GateExplorer
from teachnet.widgets.drawing import format_number


def sequences(seed=2):
    rng = np.random.RandomState(seed)
    return rng.randn(3, 5, 2), rng.randn(3, 2)


def test_the_sliders_pick_the_gate_values_of_that_sample_and_timestep():
    am.seed(2)
    model = Sequential([LSTM(4, input_shape=(5, 2), name='lstm'), Dense(2)])
    model.compile('sgd', 'mse')
    x, y = sequences()
    explorer = GateExplorer(model, x, y=y)
    assert 'teachnet-explorer' in explorer.widget._dom_classes
    expected = gates(model, x, 'lstm')
    assert list(explorer.gates) == ['i', 'f', 'c~', 'o', 'c', 'h']
    explorer.timestep.value, explorer.sample.value = 3, 2
    for value in expected['f'][3, 2]:
        assert format_number(value) in explorer.rows.value
    assert explorer.rows.value.count('teachnet-gate') == 6
    norms = np.linalg.norm(gradients_through_time(model, x, y, 'lstm'), axis=2)[:, 2]
    np.testing.assert_allclose(explorer.state_gradient[:, 2], norms)
    assert 'timestep 3' in explorer.chart.value and 'sample 2' in explorer.chart.value
    assert f'>{format_number(norms.max())}<' in explorer.chart.value          # the top of sample 2's curve
    before = explorer.rows.value
    explorer.timestep.value = 0
    assert explorer.rows.value != before and 'timestep 0' in explorer.chart.value


def test_it_looks_inside_bidirectional_and_time_distributed():
    am.seed(3)
    model = Sequential([Bidirectional(GRU(3, return_sequences=True), input_shape=(5, 2), name='bi'),
                        TimeDistributed(Dense(1))])
    model.compile('sgd', 'mse')
    x, _ = sequences(3)
    explorer = GateExplorer(model, x, layer='bi/forward')
    assert list(explorer.gates) == ['z', 'r', 'h~', 'h'] and explorer.gates['h'].shape == (5, 3, 3)
    explorer.timestep.value = 4
    for value in explorer.gates['z'][4, 0]:
        assert format_number(value) in explorer.rows.value


def test_it_works_on_a_functional_model():
    am.seed(4)
    a = Input(shape=(5, 2))
    model = Model(input=a, output=Dense(1)(LSTM(3, name='l')(a)))
    model.compile('sgd', 'mse')
    x, _ = sequences(4)
    explorer = GateExplorer(model, x, layer='l', y=np.ones((3, 1)))
    np.testing.assert_allclose(explorer.gates['c'], gates(model, x, 'l')['c'])
    assert explorer.state_gradient.shape == (5, 3)
