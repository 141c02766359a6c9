"""Gates and gradients through time of every recurrent layer: wrapped, in branches, in graphs, stateful."""
import numpy as np
import pytest

from teachnet.backend import array_module as am
from teachnet.inspect import gates, gradients_through_time, recurrent_calls, recurrent_layers
from teachnet.layers import GRU, LSTM, Bidirectional, Dense, Input, Merge, SimpleRNN, TimeDistributed
from teachnet.models import Model, Sequential

from guide_models import shared_encoder_model


def sequences(shape, seed=0):
    return np.random.RandomState(seed).randn(*shape)


def standalone(layer, input_shape, go_backwards=False):
    """A model of one fresh layer of ``layer``'s kind and settings, with its weights, outside any wrapper."""
    config = {**layer.get_config(), 'name': 'alone', 'go_backwards': go_backwards, 'stateful': False}
    config.pop('batch_input_shape', None)
    copy = type(layer).from_config({**config, 'input_shape': input_shape})
    model = Sequential([copy])
    copy.set_weights(layer.get_weights())
    return model


def test_every_recurrent_layer_is_listed_by_the_name_the_inspect_functions_take():
    left = Sequential([LSTM(3, input_shape=(4, 2), name='left_lstm')])
    right = Sequential([Bidirectional(GRU(2), input_shape=(4, 2), name='bi')])
    merged = Sequential([Merge([left, right], mode='concat'), Dense(1)])
    assert list(recurrent_layers(merged)) == ['left_lstm', 'bi/forward', 'bi/backward']
    inside = recurrent_layers(merged)
    assert inside['bi/backward'].go_backwards and not inside['bi/forward'].go_backwards
    a = Input(shape=(3, 4, 2))
    out = TimeDistributed(SimpleRNN(2), name='td')(a)
    assert list(recurrent_layers(Model(input=a, output=out))) == ['td']
    x = [sequences((2, 4, 2)), sequences((2, 4, 2), 1)]
    assert gates(merged, x, 'bi/backward')['h'].shape == (4, 2, 2)
    assert gates(merged, x, 'left_lstm')['c'].shape == (4, 2, 3)


def test_the_backward_direction_is_the_wrapped_layer_alone_on_the_reversed_sequence():
    """Bidirectional's 'backward' layer reads x_T ... x_1: its gates at timestep t are those
    of the same layer (same weights) reading the reversed sequence forwards."""
    am.seed(1)
    x = sequences((3, 5, 2))
    model = Sequential([Bidirectional(LSTM(4), input_shape=(5, 2), name='bi'), Dense(1)])
    inside = recurrent_layers(model)
    backward, forward = gates(model, x, 'bi/backward'), gates(model, x, 'bi/forward')
    expected_backward = gates(standalone(inside['bi/backward'], (5, 2)), x[:, ::-1])
    expected_forward = gates(standalone(inside['bi/forward'], (5, 2)), x)
    for name in ('i', 'f', 'c~', 'o', 'c', 'h'):
        np.testing.assert_allclose(backward[name], expected_backward[name], rtol=1e-5, atol=1e-6, err_msg=name)
        np.testing.assert_allclose(forward[name], expected_forward[name], rtol=1e-5, atol=1e-6, err_msg=name)
    assert not np.allclose(backward['h'], forward['h'])
    np.testing.assert_allclose(gates(model, x)['h'], forward['h'])          # the first: the forward one


def test_the_backward_directions_gradient_through_time():
    """Without a loss, backward starts from the sum of the outputs: with merge_mode='concat'
    each half of dL/d(output) is ones, so the backward direction's dL/dh_t is that of the
    wrapped layer alone (go_backwards=True) under the same rule."""
    am.seed(2)
    x = sequences((2, 6, 3))
    model = Sequential([Bidirectional(LSTM(3), input_shape=(6, 3), name='bi')])
    backward = recurrent_layers(model)['bi/backward']
    single = standalone(backward, (6, 3), go_backwards=True)
    for state in ('h', 'c'):
        np.testing.assert_allclose(gradients_through_time(model, x, None, 'bi/backward', state=state),
                                   gradients_through_time(single, x, None, state=state), rtol=1e-5, atol=1e-7)
    dh = gradients_through_time(model, x, None, 'bi/backward')
    np.testing.assert_allclose(dh[-1], 1.0, rtol=1e-6)       # its last step (after x_1) is its output


def test_a_recurrent_layer_inside_time_distributed_sees_every_sample_and_outer_step():
    am.seed(3)
    x = sequences((2, 3, 4, 2))                                 # 2 samples, 3 outer steps, 4 inner steps
    model = Sequential([TimeDistributed(GRU(2), input_shape=(3, 4, 2), name='td')])
    seen = gates(model, x, 'td')
    single = standalone(recurrent_layers(model)['td'], (4, 2))
    expected = gates(single, x.reshape(6, 4, 2))                # row r: sample r // 3, outer step r % 3
    for name in seen:
        np.testing.assert_allclose(seen[name], expected[name], rtol=1e-5, atol=1e-6, err_msg=name)
    assert gradients_through_time(model, x, None, 'td').shape == (4, 6, 2)


def test_a_functional_model_with_a_bidirectional_layer():
    am.seed(4)
    a = Input(shape=(5, 2))
    h = Bidirectional(SimpleRNN(3, return_sequences=True), name='bi')(a)
    model = Model(input=a, output=Dense(1)(LSTM(2, name='top')(h)))
    model.compile('sgd', 'mse')
    x, y = sequences((3, 5, 2)), sequences((3, 1), 5)
    assert list(recurrent_layers(model)) == ['bi/forward', 'bi/backward', 'top']
    assert gradients_through_time(model, x, y, 'bi/backward').shape == (5, 3, 3)
    assert gates(model, x, 'top')['f'].shape == (5, 3, 2)


@pytest.mark.parametrize('wrap', [False, True])
def test_inspecting_a_stateful_model_leaves_its_states_as_they_were(wrap):
    am.seed(5)
    layer = LSTM(3, stateful=True, batch_input_shape=(2, 4, 2), name='memory')
    model = Sequential([Bidirectional(layer, name='memory') if wrap else layer, Dense(1)])
    model.compile('sgd', 'mse')
    name = 'memory/forward' if wrap else 'memory'
    first, second = sequences((2, 4, 2), 6), sequences((2, 4, 2), 7)
    model.predict(first, batch_size=2)                          # the states now carry `first`
    carried = [am.to_numpy(s).copy() for s in recurrent_layers(model)[name].states]
    assert np.abs(carried[0]).max() > 0
    seen = gates(model, second, name)
    gradients_through_time(model, second, np.ones((2, 1)), name)
    for kept, now in zip(carried, recurrent_layers(model)[name].states):
        np.testing.assert_array_equal(am.to_numpy(now), kept)
    output = model.predict(second, batch_size=2)                # continues from `first`, as before
    inside = recurrent_layers(model)[name]
    np.testing.assert_allclose(am.to_numpy(inside.states[0]), seen['h'][-1], rtol=1e-5, atol=1e-6)
    assert output.shape == (2, 1)


def test_a_bidirectional_layer_named_alone_is_refused_with_its_two_names():
    model = Sequential([Bidirectional(LSTM(2), input_shape=(3, 2), name='bi')])
    with pytest.raises(ValueError, match=r"'bi' is a Bidirectional.*'bi/forward' or 'bi/backward'"):
        gates(model, np.ones((1, 3, 2)), 'bi')
    with pytest.raises(ValueError, match=r"no recurrent layer .* named 'nope'.*'bi/forward', 'bi/backward'"):
        gradients_through_time(model, np.ones((1, 3, 2)), None, 'nope')


def test_a_shared_recurrent_layer_is_inspected_one_call_at_a_time():
    am.seed(8)
    model, encoder = shared_encoder_model(steps=4)
    x, y = [sequences((2, 4, 2), 8), sequences((2, 4, 2), 9)], np.ones((2, 1))
    assert recurrent_calls(model, x, 'enc') == 2
    single = standalone(encoder, (4, 2))
    for call in (0, 1):
        np.testing.assert_allclose(gates(model, x, 'enc', node_index=call)['c'], gates(single, x[call])['c'],
                                   rtol=1e-5, atol=1e-6)
    first, second = (gradients_through_time(model, x, y, 'enc', node_index=call) for call in (0, 1))
    assert first.shape == second.shape == (4, 2, 3) and not np.allclose(first, second)
    with pytest.raises(ValueError, match=r"'enc' is shared: it runs 2 times.*node_index=0 to 1"):
        gates(model, x, 'enc')
    with pytest.raises(ValueError, match='node_index must be 0 to 1; got 2'):
        gradients_through_time(model, x, y, 'enc', node_index=2)
