"""A replayed step is the step training ran, number for number: the same dropout masks,
the same sample and class weights, so the same loss and the same gradient of every weight."""
import numpy as np
import pytest

from teachnet.backend import array_module as am
from teachnet.callbacks import LambdaCallback
from teachnet.layers import Activation, Dense, Dropout
from teachnet.models import Sequential
from teachnet.optimizers import SGD
from teachnet.widgets import Dashboard


@pytest.fixture(autouse=True)
def copies_always_affordable(monkeypatch):
    monkeypatch.setattr('teachnet.widgets.replay.copies_too_dear', lambda *costs: False)


def dropout_model():
    model = Sequential([Dense(12, input_dim=5, activation='relu'), Dropout(0.5),
                        Dense(3), Activation('softmax')])
    model.compile(SGD(lr=0.3), 'categorical_crossentropy')
    return model


def data(count=48, seed=5):
    rng = np.random.RandomState(seed)
    return rng.randn(count, 5), np.eye(3)[rng.randint(0, 3, count)], rng.uniform(0.1, 3.0, count)


class TrainingSpy:
    """What training computed at each step: the logged loss and dL/dθ of every parameter."""

    def __init__(self, model):
        self.losses, self.gradients = [], []
        self.callback = LambdaCallback(on_batch_end=lambda batch, logs: self.keep(model, logs))

    def keep(self, model, logs):
        self.losses.append(logs['loss'])
        self.gradients.append({p.name: am.to_numpy(p.grad).copy() for p in model.trainable_weights})


def fit_with_dashboard(fit, model, **options):
    spy = TrainingSpy(model)
    dashboard = Dashboard(notebook=False, replay_every=2, **options)
    fit(callbacks=[spy.callback, dashboard])
    return spy, dashboard


def assert_replays_are_exact(spy, dashboard):
    assert dashboard.replays.steps()
    for step in dashboard.replays.steps():
        trace = dashboard.replay_trace(step)
        assert float(trace.loss) == pytest.approx(spy.losses[step - 1], rel=1e-6, abs=1e-7), f'step {step}'
        replayed = trace.parameter_gradients()
        assert set(replayed) == set(spy.gradients[step - 1])
        for name, trained in spy.gradients[step - 1].items():
            np.testing.assert_allclose(replayed[name], trained, rtol=1e-5, atol=1e-7,
                                       err_msg=f'dL/d{name} of step {step}')


def test_a_replayed_step_with_dropout_and_class_weights_is_the_step_training_ran():
    am.seed(11)
    model, (x, y, _) = dropout_model(), data()
    spy, dashboard = fit_with_dashboard(
        lambda callbacks: model.fit(x, y, batch_size=8, nb_epoch=2, verbose=0, callbacks=callbacks,
                                    class_weight={0: 1.0, 1: 4.0, 2: 0.25}), model)
    assert_replays_are_exact(spy, dashboard)
    assert dashboard.replays[2].sample_weights is not None


def test_a_replayed_step_with_sample_weights_is_the_step_training_ran():
    am.seed(12)
    model, (x, y, weights) = dropout_model(), data(seed=6)
    spy, dashboard = fit_with_dashboard(
        lambda callbacks: model.fit(x, y, batch_size=8, nb_epoch=1, verbose=0, callbacks=callbacks,
                                    sample_weight=weights), model)
    assert_replays_are_exact(spy, dashboard)


def test_a_replayed_step_of_fit_generator_with_sample_weights_is_the_step_training_ran():
    am.seed(13)
    model, (x, y, weights) = dropout_model(), data(32, seed=7)

    def batches():
        while True:
            for start in range(0, 32, 8):
                yield x[start:start + 8], y[start:start + 8], weights[start:start + 8]

    spy, dashboard = fit_with_dashboard(
        lambda callbacks: model.fit_generator(batches(), samples_per_epoch=32, nb_epoch=1, verbose=0,
                                              callbacks=callbacks), model)
    assert_replays_are_exact(spy, dashboard)


def test_replaying_draws_nothing_from_the_generators_training_goes_on_with():
    am.seed(14)
    model, (x, y, _) = dropout_model(), data()
    _, dashboard = fit_with_dashboard(
        lambda callbacks: model.fit(x, y, batch_size=8, nb_epoch=1, verbose=0, callbacks=callbacks), model)
    before = am.random_state()
    dashboard.replay_trace(2)
    with am.restored_random_state(before):
        expected = am.to_numpy(am.random_uniform((5,)))
    np.testing.assert_array_equal(am.to_numpy(am.random_uniform((5,))), expected)


def test_a_device_generator_that_cannot_be_copied_is_left_as_it_is(monkeypatch):
    class Uncopyable:
        def __deepcopy__(self, memo):
            raise TypeError('no copies of this generator')

    generator = Uncopyable()
    monkeypatch.setattr(am, '_device_rng', generator)
    state = am.random_state()                                  # training goes on: no error
    with am.restored_random_state(state):
        assert am._device_rng is generator
    assert am._device_rng is generator


def test_a_device_generator_other_than_numpys_is_restored_from_a_copy(monkeypatch):
    """CuPy's generator has no NumPy bit-generator state to read: it is copied whole."""
    class Counter:
        def __init__(self):
            self.drawn = 0

        def random(self):
            self.drawn += 1
            return self.drawn

    generator = Counter()
    monkeypatch.setattr(am, '_device_rng', generator)
    state = am.random_state()
    first = [generator.random(), generator.random()]
    with am.restored_random_state(state):
        assert [am._device_rng.random(), am._device_rng.random()] == first
    assert am._device_rng is generator and generator.random() == 3


def test_a_replayed_step_of_a_model_with_two_outputs_and_their_sample_weights_is_exact():
    from teachnet.layers import Input
    from teachnet.models import Model
    am.seed(15)
    inputs = Input(shape=(5,))
    hidden = Dropout(0.3)(Dense(8, activation='tanh')(inputs))
    model = Model(input=inputs, output=[Dense(3, activation='softmax', name='label')(hidden),
                                         Dense(1, name='size')(hidden)])
    model.compile(SGD(lr=0.1), ['categorical_crossentropy', 'mse'])
    x, y, weights = data(32, seed=8)
    sizes = np.random.RandomState(8).randn(32, 1)
    spy, dashboard = fit_with_dashboard(
        lambda callbacks: model.fit(x, [y, sizes], batch_size=8, nb_epoch=1, verbose=0, callbacks=callbacks,
                                    sample_weight=[weights, np.ones(32)]), model)
    saved = dashboard.replays[2]
    assert isinstance(saved.targets, list) and len(saved.sample_weights) == 2
    assert_replays_are_exact(spy, dashboard)


def test_a_replayed_step_of_a_stateful_lstm_starts_from_the_states_it_carried_then():
    from teachnet.layers import LSTM
    from teachnet.inspect.carried_states import carried_states
    am.seed(16)
    model = Sequential([LSTM(4, batch_input_shape=(4, 3, 2), stateful=True, dropout_U=0.3), Dense(1)])
    model.compile(SGD(lr=0.1), 'mse')
    rng = np.random.RandomState(16)
    x, y = rng.randn(16, 3, 2), rng.randn(16, 1)
    spy, dashboard = fit_with_dashboard(
        lambda callbacks: model.fit(x, y, batch_size=4, nb_epoch=1, shuffle=False, verbose=0,
                                    callbacks=callbacks), model, probe_size=4)    # a stateful probe: one batch
    assert np.abs(dashboard.replays[2].states[model.layers[0].name][0]).sum() > 0
    after = carried_states(model)
    assert_replays_are_exact(spy, dashboard)
    for name, states in carried_states(model).items():                  # replaying left them as they were
        for now, before in zip(states, after[name]):
            np.testing.assert_array_equal(now, before)
