"""The gate explorer shows the inspected gates of the chosen layer, sample and timestep."""
import numpy as np

from teachnet.backend import array_module as am
from teachnet.inspect import gates, gradients_through_time, recurrent_layers
from teachnet.layers import Bidirectional, Dense, GRU, Input, LSTM, Merge, SimpleRNN, TimeDistributed
from teachnet.models import Model, Sequential
from teachnet.widgets import GateExplorer
from teachnet.widgets.drawing import format_number

from guide_models import shared_encoder_model


def sequences(seed=2, shape=(3, 5, 2)):
    rng = np.random.RandomState(seed)
    return rng.randn(*shape), rng.randn(shape[0], 2)


def shown(values, html):
    """Every value of one gate's row, as the explorer writes it, is in ``html``."""
    return all(f'>{format_number(v)}<' in html for v in values)


def test_the_sliders_pick_the_gate_values_of_that_sample_and_timestep():
    am.seed(2)
    model = Sequential([LSTM(4, input_shape=(5, 2), name='lstm'), Dense(2)])
    model.compile('sgd', 'mse')
    x, y = sequences()
    explorer = GateExplorer(model, x, y=y)
    assert 'teachnet-explorer' in explorer.widget._dom_classes
    expected = gates(model, x, 'lstm')
    assert list(explorer.gates) == ['i', 'f', 'c~', 'o', 'c', 'h']
    assert (explorer.timestep.min, explorer.timestep.max) == (1, 5)       # t = 1 ... T, as x_1 ... x_T
    explorer.timestep.value, explorer.sample.value = 3, 2
    assert shown(expected['f'][2, 2], explorer.rows.value)                # timestep 3 is index 2
    assert not shown(expected['f'][3, 2], explorer.rows.value)
    assert explorer.rows.value.count('teachnet-gate') == 6
    assert 'Timestep 3 of 5 read input x<sub>3</sub>' in explorer.reading.value
    norms = np.linalg.norm(gradients_through_time(model, x, y, 'lstm'), axis=2)[:, 2]
    cells = np.linalg.norm(gradients_through_time(model, x, y, 'lstm', state='c'), axis=2)[:, 2]
    np.testing.assert_allclose(explorer.state_gradient[:, 2], norms)
    np.testing.assert_allclose(explorer.cell_gradient[:, 2], cells)
    assert 'timestep 3' in explorer.chart.value and 'sample 2' in explorer.chart.value
    assert '|dL/dh_t|' in explorer.chart.value and '|dL/dc_t|' in explorer.chart.value
    top = max(norms.max(), cells.max())
    assert f'>{format_number(top)}<' in explorer.chart.value              # the top of sample 2's curves
    before = explorer.rows.value
    explorer.timestep.value = 1
    assert explorer.rows.value != before and 'timestep 1' in explorer.chart.value
    assert shown(expected['i'][0, 2], explorer.rows.value)


def test_a_gru_has_no_cell_gradient():
    am.seed(1)
    model = Sequential([GRU(3, input_shape=(5, 2)), Dense(1)])
    explorer = GateExplorer(model, sequences(1)[0])
    assert explorer.cell_gradient is None and '|dL/dc_t|' not in explorer.chart.value


def test_both_directions_of_a_bidirectional_layer_and_the_backward_reading_order():
    am.seed(3)
    model = Sequential([Bidirectional(GRU(3, return_sequences=True), input_shape=(5, 2), name='bi'),
                        TimeDistributed(Dense(1))])
    model.compile('sgd', 'mse')
    x, _ = sequences(3)
    explorer = GateExplorer(model, x)
    assert list(explorer.layer.options) == ['bi/forward', 'bi/backward'] and explorer.layer.value == 'bi/forward'
    explorer.timestep.value = 2
    assert shown(gates(model, x, 'bi/forward')['z'][1, 0], explorer.rows.value)
    assert 'read input x<sub>2</sub>' in explorer.reading.value and 'backwards' not in explorer.reading.value
    explorer.layer.value = 'bi/backward'
    backward = gates(model, x, 'bi/backward')
    np.testing.assert_allclose(explorer.gates['h'], backward['h'])
    assert shown(backward['z'][1, 0], explorer.rows.value)                # timestep 2 of the backward layer...
    assert 'Timestep 2 of 5 read input x<sub>4</sub>' in explorer.reading.value     # ...read x_4
    assert 'backwards' in explorer.reading.value
    np.testing.assert_allclose(explorer.state_gradient,
                               np.linalg.norm(gradients_through_time(model, x, None, 'bi/backward'), axis=2))


def test_inside_time_distributed_a_row_is_a_sample_and_an_outer_step():
    am.seed(4)
    x = np.random.RandomState(4).randn(2, 3, 4, 2)             # 2 samples of 3 outer steps of 4 steps
    model = Sequential([TimeDistributed(SimpleRNN(2), input_shape=(3, 4, 2), name='td')])
    explorer = GateExplorer(model, x)
    assert explorer.sample.max == 5 and explorer.timestep.max == 4
    explorer.sample.value = 2
    assert 'row 2 is sample 0, outer step 3' in explorer.reading.value
    assert shown(gates(model, x, 'td')['h'][0, 2], explorer.rows.value)


def test_a_stateful_model_is_inspected_from_its_carried_states_and_left_as_it_was():
    am.seed(5)
    model = Sequential([LSTM(3, stateful=True, batch_input_shape=(2, 4, 2), name='memory'), Dense(1)])
    model.compile('sgd', 'mse')
    x = np.random.RandomState(5).randn(2, 4, 2)
    model.predict(x, batch_size=2)
    layer = recurrent_layers(model)['memory']
    carried = [am.to_numpy(state).copy() for state in layer.states]
    explorer = GateExplorer(model, x, y=np.ones((2, 1)))
    explorer.timestep.value = 4
    for before, now in zip(carried, layer.states):
        np.testing.assert_array_equal(am.to_numpy(now), before)
    assert 'Stateful' in explorer.reading.value
    np.testing.assert_allclose(explorer.gates['h'], gates(model, x, 'memory')['h'])


def test_every_recurrent_layer_of_a_functional_model_and_of_merge_branches_can_be_chosen():
    am.seed(6)
    a = Input(shape=(5, 2))
    model = Model(input=a, output=Dense(1)(LSTM(3, name='l')(Bidirectional(SimpleRNN(2, return_sequences=True),
                                                                           name='bi')(a))))
    model.compile('sgd', 'mse')
    x, _ = sequences(4)
    explorer = GateExplorer(model, x, layer='l', y=np.ones((3, 1)))
    assert list(explorer.layer.options) == ['bi/forward', 'bi/backward', 'l']
    np.testing.assert_allclose(explorer.gates['c'], gates(model, x, 'l')['c'])
    assert explorer.state_gradient.shape == (5, 3)
    explorer.layer.value = 'bi/backward'
    assert list(explorer.gates) == ['h'] and explorer.cell_gradient is None
    left = Sequential([LSTM(3, input_shape=(5, 2), name='left')])
    right = Sequential([GRU(2, input_shape=(5, 2), name='right')])
    merged = Sequential([Merge([left, right], mode='concat'), Dense(1)])
    explorer = GateExplorer(merged, [x, x], layer='right')
    assert list(explorer.layer.options) == ['left', 'right'] and list(explorer.gates) == ['z', 'r', 'h~', 'h']


def test_a_shared_recurrent_layer_gets_a_picker_of_its_call():
    am.seed(7)
    model, encoder = shared_encoder_model(steps=5)
    x, y = [sequences(7)[0], sequences(8)[0]], np.ones((3, 1))
    explorer = GateExplorer(model, x, y=y)
    assert explorer.calls == 2 and explorer.node_index.layout.display == ''
    np.testing.assert_allclose(explorer.gates['c'], gates(model, x, 'enc', node_index=0)['c'])
    explorer.timestep.value = 3
    explorer.node_index.value = 1
    second = gates(model, x, 'enc', node_index=1)
    np.testing.assert_allclose(explorer.gates['c'], second['c'])
    assert shown(second['f'][2, 0], explorer.rows.value) and 'call 1 of 2' in explorer.title.value
    np.testing.assert_allclose(
        explorer.cell_gradient, np.linalg.norm(gradients_through_time(model, x, y, 'enc', 'c', node_index=1), axis=2))
    single = GateExplorer(Sequential([LSTM(2, input_shape=(5, 2))]), x[0])
    assert single.calls == 1 and single.node_index.layout.display == 'none'
