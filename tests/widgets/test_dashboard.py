"""The dashboard after a short fit: the widgets' values are the model's true numbers."""
import base64
import copy
import pickle

import numpy as np
import pytest

from teachnet.backend import array_module as am
from teachnet.callbacks import LambdaCallback
from teachnet.engine.divergence import NonFiniteLossError
from teachnet.inspect.recurrent import gates as inspect_gates
from teachnet.inspect.recurrent import gradients_through_time
from teachnet.inspect import feature_maps
from teachnet.layers import Activation, Convolution2D, Dense, Embedding, Flatten, LSTM
from teachnet.models import Sequential
from teachnet.optimizers import SGD
from teachnet.widgets import Dashboard


def mlp(lr=0.05, seed=3):
    am.seed(seed)
    model = Sequential([Dense(16, input_dim=8, activation='relu', name='hidden'),
                        Dense(4, name='scores'), Activation('softmax', name='probabilities')])
    model.compile(SGD(lr=lr), 'categorical_crossentropy', metrics=['accuracy'])
    rng = np.random.RandomState(seed)
    x = rng.randn(96, 8).astype('float32')
    y = np.eye(4)[(x[:, :4].argmax(axis=1))]
    return model, x, y


def live(**kwargs):
    """A dashboard that samples at every batch (no time throttle) with widgets on."""
    return Dashboard(notebook=True, every=0.0, progress_every=0.0, budget=1e9, **kwargs)


def test_progress_curves_and_history_after_a_short_fit():
    model, x, y = mlp()
    dashboard = live()
    logged = LambdaCallback(on_batch_end=lambda batch, logs: logged.losses.append(logs['loss']))
    logged.losses = []
    model.fit(x, y, nb_epoch=3, batch_size=16, verbose=0, validation_split=0.25, callbacks=[dashboard, logged])
    bar = dashboard.progress.bar
    assert bar.value == bar.max == 3 * 5                        # 72 samples: 5 batches per epoch
    assert 'Epoch 3/3' in dashboard.progress.text.value and 'done' in dashboard.progress.text.value
    assert 'teachnet-dashboard' in dashboard.widget._dom_classes
    assert dashboard.progress.stop_button.description == 'Finished' and dashboard.progress.stop_button.disabled
    history = dashboard.history
    np.testing.assert_array_equal(history['batch']['step'], np.arange(1, 16))   # one point per batch
    assert history['batch']['loss'].shape == history['batch']['acc'].shape == (15,)
    np.testing.assert_allclose(history['batch']['loss'], logged.losses)
    np.testing.assert_allclose(history['epoch']['loss'], model.history.history['loss'])
    np.testing.assert_allclose(history['epoch']['val_acc'], model.history.history['val_acc'])
    charts = dashboard.views['curves'].charts.value
    assert charts.count('<svg') == 2 and 'val_loss' in charts
    assert 0 < dashboard.fixed_time <= dashboard.own_time
    assert dashboard.own_time == pytest.approx(dashboard.fixed_time + dashboard.progress_throttle.total
                                               + dashboard.heavy_throttle.total)
    dashboard.views['curves'].scale.value = 'log'                # the toggle redraws the finished view
    assert 'values on a log scale' in dashboard.views['curves'].charts.value


def test_layer_table_and_gradient_norms_are_the_models():
    model, x, y = mlp()
    dashboard = live()
    model.fit(x, y, nb_epoch=1, batch_size=32, verbose=0, callbacks=[dashboard])
    rows = dashboard.views['layers'].rows()
    assert [row[0] for row in rows] == ['hidden', 'scores', 'probabilities']
    true_shapes = [model.predict(x[:5]).shape]
    for row, layer in zip(rows, model.layers):
        assert row[2] == '(None, %s)' % layer.output_shape[1]
        assert row[3] == layer.count_params()
    assert true_shapes[0] == (5, 4)
    for layer in model.layers[:2]:
        grads = [am.to_numpy(p.grad).astype(float) for p in layer.params]
        expected = np.sqrt(sum(np.sum(g * g) for g in grads))
        assert dashboard.record.parameters[layer.name].gradient_norm == pytest.approx(expected, rel=1e-6)
        assert dashboard.history['layers']['gradient_norm'][layer.name][-1] == pytest.approx(expected, rel=1e-6)
    assert '<table class="teachnet-layers"' in dashboard.views['layers'].table.value
    view = dashboard.views['gradients'].view.value               # the norms' chart, then two histograms
    assert view.count('<svg') == 3 and '|dL/dθ| per layer' in view
    assert 'hidden weights' in view and 'hidden gradients' in view


def test_the_update_ratio_is_that_of_the_last_step():
    model, x, y = mlp()
    dashboard = live()
    weights = []                                    # each layer's weights before and after each step
    seen = LambdaCallback(on_batch_begin=lambda batch, logs: weights.append([model.layers[0].get_weights()]),
                          on_batch_end=lambda batch, logs: weights[-1].append(model.layers[0].get_weights()))
    model.fit(x, y, nb_epoch=1, batch_size=32, verbose=0, callbacks=[seen, dashboard])
    before, after = weights[-1]
    step = np.sqrt(sum(np.sum((a - b) ** 2) for a, b in zip(after, before)))
    norm = np.sqrt(sum(np.sum(b ** 2) for b in before))
    assert step > 0
    assert dashboard.record.parameters['hidden'].update_ratio == pytest.approx(step / norm, rel=1e-5)


def test_gate_heatmaps_are_the_inspected_gates_of_the_probe():
    am.seed(5)
    model = Sequential([Embedding(30, 6, input_length=7), LSTM(5, name='memory'), Dense(2, activation='softmax')])
    model.compile('adam', 'categorical_crossentropy')
    rng = np.random.RandomState(5)
    x = rng.randint(30, size=(40, 7))
    y = np.eye(2)[rng.randint(2, size=40)]
    dashboard = live(probe=x[3:5], probe_targets=y[3:5])
    model.fit(x, y, nb_epoch=1, batch_size=20, verbose=0, callbacks=[dashboard])
    expected = inspect_gates(model, x[3:4], 'memory')
    assert sorted(dashboard.record.gates) == sorted(expected) == sorted(['i', 'f', 'c~', 'o', 'c', 'h'])
    for name, values in expected.items():
        np.testing.assert_allclose(dashboard.history['gates'][name], values[:, 0, :], rtol=1e-6)
    view = dashboard.views['gates']
    assert view.pictures['f'] == view.heatmap('f') and base64.b64encode(view.pictures['f']).decode() in view.gates.value
    dh = gradients_through_time(model, x[3:4], y[3:4], 'memory')
    np.testing.assert_allclose(dashboard.history['state_gradient'], np.linalg.norm(dh[:, 0, :], axis=-1), rtol=1e-5)


def test_a_convnet_shows_the_feature_maps_of_its_probe_image():
    am.seed(6)
    model = Sequential([Convolution2D(3, 3, 3, input_shape=(7, 7, 1), dim_ordering='tf', activation='relu',
                                      name='edges'),
                        Flatten(), Dense(2, activation='softmax')])
    model.compile('sgd', 'categorical_crossentropy')
    rng = np.random.RandomState(6)
    x = rng.rand(12, 7, 7, 1).astype('float32')
    y = np.eye(2)[np.arange(12) % 2]
    dashboard = live()
    model.fit(x, y, nb_epoch=1, batch_size=6, verbose=0, shuffle=False, callbacks=[dashboard])
    expected = np.moveaxis(feature_maps(model, x[:1], 'edges')[0], -1, 0)      # channels first
    np.testing.assert_allclose(dashboard.record.maps['edges'], expected, rtol=1e-6)
    assert dashboard.tabs.titles[-1] == 'Feature maps'
    view = dashboard.views['gates']
    assert view.pictures['edges'].startswith(b'\x89PNG') and 'Feature maps of <b>edges</b>' in view.maps.value


def test_a_healthy_model_gets_no_notes():
    model, x, y = mlp(lr=0.05)
    dashboard = live()
    model.fit(x, y, nb_epoch=4, batch_size=16, verbose=0, callbacks=[dashboard])
    assert dashboard.notes == []
    assert 'No problems' in dashboard.diagnostics.value


def test_learning_rate_10_is_called_exploding():
    model, x, y = mlp(lr=10.0)
    dashboard = live()
    model.fit(x * 10, y, nb_epoch=3, batch_size=16, verbose=0, callbacks=[dashboard])
    checks = [note.check for note in dashboard.notes]
    assert 'exploding' in checks and 'large-steps' in checks, dashboard.notes
    assert 'Try:' in dashboard.diagnostics.value


def test_a_nan_weight_stops_training_and_names_the_first_non_finite_layer():
    model, x, y = mlp()
    kernel, bias = model.layers[0].get_weights()
    kernel[2, 1] = np.nan
    model.layers[0].set_weights([kernel, bias])
    dashboard = live()
    with pytest.raises(NonFiniteLossError) as stopped:
        model.fit(x, y, nb_epoch=5, batch_size=16, verbose=0, callbacks=[dashboard])
    assert dashboard.record.step == 0 and len(stopped.value.history.epoch) == 0
    assert dashboard.record.non_finite[0] == 1 and dashboard.record.non_finite[2] == stopped.value.layer == 'hidden'
    note = dashboard.notes[0]
    assert note.check == 'non-finite' and 'hidden' in note.title
    assert 'not finite' in dashboard.progress.text.value


@pytest.mark.filterwarnings('ignore:overflow:RuntimeWarning', 'ignore:invalid value:RuntimeWarning')
def test_a_loss_that_becomes_infinite_during_training_stops_it_with_a_note():
    am.seed(4)
    model = Sequential([Dense(8, input_dim=8, name='first'), Dense(1, name='second')])
    model.compile(SGD(lr=10), 'mse')                 # every step overshoots, more each time: inf, then NaN
    rng = np.random.RandomState(4)
    x = rng.randn(64, 8).astype('float32') * 10
    dashboard = live()
    losses = []
    logged = LambdaCallback(on_batch_end=lambda batch, logs: losses.append(logs['loss']))
    with pytest.raises(NonFiniteLossError) as stopped:
        model.fit(x, x.sum(axis=1, keepdims=True), nb_epoch=50, batch_size=8, verbose=0,
                  callbacks=[logged, dashboard])
    step, loss, layer = dashboard.record.non_finite
    assert step == len(losses) + 1 and np.isfinite(losses).all()      # the batch after the last finite loss
    assert 1 < step < 50 * 8 and not np.isfinite(loss) and loss == stopped.value.loss
    assert len(stopped.value.history.epoch) < 50 and dashboard.record.step == step - 1
    assert dashboard.notes[0].check == 'non-finite' and f'at step {step}' in dashboard.notes[0].title
    assert 'exploding' in [note.check for note in dashboard.notes]


def test_stop_button_click_ends_training_after_the_batch():
    model, x, y = mlp()
    dashboard = live()

    class ClickAfterTwoBatches(Dashboard.__mro__[1]):           # a plain Callback
        def on_batch_end(self, batch, logs=None):
            if batch == 1:
                dashboard.progress.stop_button.click()

    history = model.fit(x, y, nb_epoch=5, batch_size=16, verbose=0,
                        callbacks=[ClickAfterTwoBatches(), dashboard])
    assert dashboard.progress.stop_requested and model.stop_training
    assert dashboard.record.step == 2 and len(history.epoch) == 1
    assert 'Stop button' in dashboard.progress.text.value
    button = dashboard.progress.stop_button
    assert button.description == 'Stopped' and button.disabled
    assert button.layout.flex == '0 0 auto' and button.layout.width == '110px'    # no squeezing to "S…"


def test_the_final_frame_is_drawn_when_training_raises():
    model, x, y = mlp()
    dashboard = live()

    class Failing(Dashboard.__mro__[1]):
        def on_batch_end(self, batch, logs=None):
            if batch == 2:
                raise RuntimeError('boom')

    with pytest.raises(RuntimeError, match='boom'):
        model.fit(x, y, nb_epoch=2, batch_size=16, verbose=0, callbacks=[dashboard, Failing()])
    assert dashboard.finished and 'RuntimeError' in dashboard.progress.text.value
    assert dashboard.progress.bar.bar_style == 'danger' and dashboard.progress.stop_button.description == 'Stopped'
    assert dashboard.views['layers'].rows()[0][8] is not None


def test_fit_generator_gives_the_dashboard_its_probe_and_its_final_frame_on_errors():
    """The first drawn batch is the default probe; an error ends with the final frame drawn."""
    model, x, y = mlp()
    dashboard = live()

    def batches():
        for step in range(4):
            if step == 3:
                raise RuntimeError('the generator broke')
            yield x[16 * step:16 * step + 16], y[16 * step:16 * step + 16]

    with pytest.raises(RuntimeError, match='the generator broke'):
        model.fit_generator(batches(), samples_per_epoch=96, nb_epoch=1, verbose=0, callbacks=[dashboard])
    np.testing.assert_array_equal(dashboard.record.probe, x[:16])
    assert dashboard.finished and 'RuntimeError' in dashboard.progress.text.value


def test_the_model_trained_with_a_dashboard_pickles_copies_and_saves(tmp_path):
    model, x, y = mlp()
    model.fit(x, y, nb_epoch=1, batch_size=32, verbose=0, callbacks=[live()])
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_allclose(restored.predict(x[:3]), model.predict(x[:3]), rtol=1e-6)
    copy.deepcopy(model)
    model.save(str(tmp_path / 'model.h5'))
    assert all('call' not in vars(layer) for layer in model.layers)


def test_outside_a_notebook_it_prints_a_line_per_epoch(capsys):
    model, x, y = mlp()
    dashboard = Dashboard(notebook=False)
    model.fit(x, y, nb_epoch=2, batch_size=32, verbose=0, callbacks=[dashboard])
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith('[dashboard]')]
    assert len(lines) == 2 and 'epoch 2/2' in lines[1] and 'hidden=' in lines[1] and 'scores=' in lines[1]
    assert dashboard.widget is None
    bundle = dashboard._repr_mimebundle_()
    assert 'steps' in bundle['text/plain'] and 'application/vnd.jupyter.widget-view+json' not in bundle
    assert '<svg' in bundle['text/html'] and 'hidden' in bundle['text/html']


def test_the_default_probe_comes_from_the_training_data():
    model, x, y = mlp()
    dashboard = live(probe_size=8)
    model.fit(x, y, nb_epoch=1, batch_size=32, verbose=0, shuffle=False, callbacks=[dashboard])
    np.testing.assert_array_equal(dashboard.record.probe, x[:8])
    np.testing.assert_array_equal(dashboard.record.probe_targets, y[:8])
    assert dashboard.record.activations['hidden'].shape == (8, 16)


def test_panels_can_be_chosen_and_unknown_ones_are_refused():
    model, x, y = mlp()
    dashboard = live(panels=('progress', 'curves'))
    model.fit(x, y, nb_epoch=1, batch_size=32, verbose=0, callbacks=[dashboard])
    assert list(dashboard.views) == ['curves'] and dashboard.diagnostics is None
    with pytest.raises(ValueError, match='unknown panel'):
        Dashboard(panels=('progress', 'sparkles'))


def test_finished_dashboard_has_a_static_summary_for_viewers_without_widgets():
    model, x, y = mlp()
    dashboard = live()
    model.fit(x, y, nb_epoch=1, batch_size=32, verbose=0, callbacks=[dashboard])
    bundle = dashboard._repr_mimebundle_()
    assert 'application/vnd.jupyter.widget-view+json' in bundle
    assert '<svg' in bundle['text/html'] and 'teachnet-layers' in bundle['text/html']
    assert bundle['text/plain'].startswith('teachnet Dashboard: 3 steps')
