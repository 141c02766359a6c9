"""The LSTM cell picture is drawn from a wiring table; run as a computation, that table gives
a real LSTM layer's gates and states, so the picture shows what the layer computes."""
import re

import numpy as np

from teachnet.backend import array_module as am
from teachnet.inspect.recurrent import gates
from teachnet.layers import LSTM
from teachnet.models import Sequential
from teachnet.widgets.lstm_cell import NODES, WIRES, lstm_cell_svg, run_wiring


def test_the_drawn_wiring_computes_the_layers_gates_and_states_at_every_step():
    am.seed(5)
    units = 3
    model = Sequential([LSTM(units, input_shape=(4, 2), name='lstm')])
    x = np.random.RandomState(5).randn(2, 4, 2)
    expected = gates(model, x, 'lstm')
    kernel, recurrent_kernel, bias = model.layers[0].get_weights()
    block = {gate: slice(k * units, (k + 1) * units) for k, gate in enumerate(['i', 'f', 'c~', 'o'])}

    def preactivation(gate, x_t, h_prev):
        return x_t @ kernel[:, block[gate]] + h_prev @ recurrent_kernel[:, block[gate]] + bias[block[gate]]

    hard_sigmoid = lambda z: np.clip(0.2 * z + 0.5, 0, 1)
    h, c = np.zeros((2, units)), np.zeros((2, units))
    for t in range(4):
        values = run_wiring({'x': x[:, t], 'h_prev': h, 'c_prev': c}, preactivation, hard_sigmoid, np.tanh)
        for name in ('i', 'f', 'c~', 'o', 'c', 'h'):
            np.testing.assert_allclose(values[name], expected[name][t], atol=1e-6, err_msg=f'{name} at step {t}')
        h, c = values['h_out'], values['c_out']


def test_the_picture_draws_every_node_and_wire_of_the_table_with_the_notebooks_labels():
    svg = lstm_cell_svg()
    wires = re.findall(r'class="teachnet-wire" data-from="([^"]+)" data-to="([^"]+)"', svg)
    assert wires == [(w.source, w.target) for w in WIRES]
    assert svg.count('class="teachnet-gate-box"') == 5                   # σ for i, f, o; g for c~ and g(c)
    assert svg.count('class="teachnet-operation"') == 4                  # three ⊙ and one +
    for base, sub in [('c', 't−1'), ('h', 't−1'), ('x', 't'), ('f', 't'), ('i', 't'), ('c\u0303', 't'),
                      ('o', 't'), ('c', 't'), ('h', 't'), ('g(c', 't')]:
        assert f'>{base}<tspan font-size="9" dy="4">{sub}</tspan>' in svg, (base, sub)
    assert {node.name for node in NODES} >= {'i', 'f', 'c~', 'o', 'c', 'h'}
