"""The dashboard's gates panel looks inside Bidirectional and TimeDistributed too."""
import numpy as np
import pytest

from teachnet.backend import array_module as am
from teachnet.inspect import gates, gradients_through_time, recurrent_layers
from teachnet.layers import GRU, LSTM, Bidirectional, Dense, Flatten, TimeDistributed
from teachnet.models import Sequential
from teachnet.widgets import Dashboard

from guide_models import shared_encoder_model


def live(**kwargs):
    """A dashboard that samples at every batch (no time throttle) with widgets on."""
    return Dashboard(notebook=True, every=0.0, progress_every=0.0, budget=1e9, **kwargs)


@pytest.mark.parametrize('wrapped, name, gate_names', [
    (lambda: Bidirectional(LSTM(3, name='memory'), input_shape=(5, 2), name='bi'), 'bi/forward',
     ['i', 'f', 'c~', 'o', 'c', 'h']),
    (lambda: TimeDistributed(GRU(3), input_shape=(4, 5, 2), name='td'), 'td', ['z', 'r', 'h~', 'h'])],
    ids=['bidirectional', 'time_distributed'])
def test_a_wrapped_recurrent_layer_gets_its_gate_heatmaps(wrapped, name, gate_names):
    am.seed(7)
    layer = wrapped()
    model = Sequential([layer] + ([Flatten()] if name == 'td' else []) + [Dense(2, activation='softmax')])
    model.compile('adam', 'categorical_crossentropy')
    rng = np.random.RandomState(7)
    x = rng.randn(12, *layer.batch_input_shape[1:])
    y = np.eye(2)[rng.randint(2, size=12)]
    dashboard = live(probe=x[:2], probe_targets=y[:2])
    model.fit(x, y, nb_epoch=1, batch_size=6, verbose=0, callbacks=[dashboard])
    assert dashboard.record.gates_layer == name
    expected = gates(model, x[:1], name)
    assert list(dashboard.views['gates'].pictures) == gate_names
    for gate, values in expected.items():
        np.testing.assert_allclose(dashboard.history['gates'][gate], values[:, 0, :], rtol=1e-6)
    view = dashboard.views['gates']
    assert view.pictures['h'] == view.heatmap('h') and name in view.gates.value
    dh = gradients_through_time(model, x[:1], y[:1], name)
    np.testing.assert_allclose(dashboard.history['state_gradient'], np.linalg.norm(dh[:, 0, :], axis=-1),
                               rtol=1e-5)
    assert dashboard.tabs.titles[-1] == 'Gates'


def test_a_shared_recurrent_layer_shows_its_first_call():
    am.seed(8)
    model, encoder = shared_encoder_model(steps=5)
    rng = np.random.RandomState(8)
    x, y = [rng.randn(8, 5, 2), rng.randn(8, 5, 2)], rng.randn(8, 1)
    dashboard = live(probe=[x[0][:2], x[1][:2]], probe_targets=y[:2])
    model.fit(x, y, nb_epoch=1, batch_size=4, verbose=0, callbacks=[dashboard])
    expected = gates(model, [x[0][:1], x[1][:1]], 'enc', node_index=0)
    np.testing.assert_allclose(dashboard.history['gates']['c'], expected['c'][:, 0, :], rtol=1e-6)


def stateful_fit(dashboard):
    am.seed(9)
    model = Sequential([LSTM(3, stateful=True, batch_input_shape=(2, 4, 2), name='memory'), Dense(1)])
    model.compile('sgd', 'mse')
    rng = np.random.RandomState(9)
    x, y = rng.randn(8, 4, 2), rng.randn(8, 1)
    model.fit(x, y, batch_size=2, nb_epoch=2, verbose=0, shuffle=False, callbacks=[dashboard] if dashboard else [])
    return model, x, y


def test_a_stateful_model_trains_the_same_with_the_dashboard_and_shows_its_gates():
    """The probe runs in batches of the fixed size, and leaves the carried states alone."""
    dashboard = live()
    watched, x, y = stateful_fit(dashboard)
    alone, _, _ = stateful_fit(None)
    for mine, theirs in zip(watched.get_weights(), alone.get_weights()):
        np.testing.assert_allclose(mine, theirs, rtol=1e-6)
    carried = [am.to_numpy(s) for s in recurrent_layers(watched)['memory'].states]
    np.testing.assert_allclose(carried[0], am.to_numpy(recurrent_layers(alone)['memory'].states[0]), rtol=1e-6)
    np.testing.assert_allclose(dashboard.history['gates']['c'], gates(watched, x[:2], 'memory')['c'][:, 0, :],
                               rtol=1e-5)
    assert 'memory' in dashboard.record.activations


def test_the_default_probe_of_a_stateful_model_is_one_whole_batch():
    am.seed(10)
    model = Sequential([GRU(2, stateful=True, batch_input_shape=(20, 3, 2), name='memory'), Dense(1)])
    model.compile('sgd', 'mse')
    rng = np.random.RandomState(10)
    x, y = rng.randn(40, 3, 2), rng.randn(40, 1)
    dashboard = live()
    model.fit(x, y, batch_size=20, nb_epoch=1, verbose=0, shuffle=False, callbacks=[dashboard])
    assert len(dashboard.record.probe) == 20 and sorted(dashboard.record.gates) == ['h', 'h~', 'r', 'z']
    small = live(probe=x[:5])                     # fewer samples than a batch: no probe views, no failure
    model.fit(x, y, batch_size=20, nb_epoch=1, verbose=0, shuffle=False, callbacks=[small])
    assert small.record.probe is None and small.record.gates == {}
