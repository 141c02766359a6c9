"""Replaying a step of a fit: exactly its batch and its weights, within the memory cap."""
import numpy as np
import pytest

from teachnet.backend import array_module as am
from teachnet.callbacks import LambdaCallback
from teachnet.layers import Activation, Dense
from teachnet.models import Sequential
from teachnet.optimizers import SGD
from teachnet.widgets import Dashboard, StepThrough
from teachnet.widgets.notebook import set_notebook
from teachnet.widgets.replay import StepStore, copies_too_dear


@pytest.fixture(autouse=True)
def copies_always_affordable(monkeypatch):
    """Which steps are kept must not depend on how busy the machine is: the cost rule is
    tested on its own below, so here no copy is ever too dear."""
    monkeypatch.setattr('teachnet.widgets.replay.copies_too_dear', lambda *costs: False)


def trained(replay_every=3, replay_memory=50_000_000, epochs=2):
    am.seed(7)
    model = Sequential([Dense(6, input_dim=5, activation='tanh'), Dense(3), Activation('softmax')])
    model.compile(SGD(lr=0.5), 'categorical_crossentropy')
    rng = np.random.RandomState(7)
    x = rng.randn(40, 5)
    y = np.eye(3)[rng.randint(0, 3, 40)]
    losses, weights = [], []
    spy = LambdaCallback(on_batch_begin=lambda batch, logs: weights.append(model.get_weights()),
                         on_batch_end=lambda batch, logs: losses.append(logs['loss']))
    dashboard = Dashboard(notebook=False, replay_every=replay_every, replay_memory=replay_memory)
    model.fit(x, y, batch_size=8, nb_epoch=epochs, shuffle=True, verbose=0, callbacks=[spy, dashboard])
    return model, dashboard, losses, weights


def test_a_replayed_step_is_that_step_with_its_batch_and_weights(capsys):
    model, dashboard, losses, weights = trained()
    assert dashboard.replays.steps() == [3, 6, 9]
    saved = dashboard.replays[6]
    for kept, before in zip(saved.weights, weights[5]):               # step 6: the 6th batch
        np.testing.assert_array_equal(kept, before)
    final = model.get_weights()
    set_notebook(True)
    try:
        explorer = dashboard.replay(6)
    finally:
        set_notebook(None)
    assert isinstance(explorer, StepThrough) and 'step 6 of the fit' in explorer.trace.title
    np.testing.assert_allclose(float(explorer.trace.loss), losses[5], rtol=1e-5)
    for now, then in zip(model.get_weights(), final):                  # the model is as it was
        np.testing.assert_array_equal(now, then)
    model.set_weights(saved.weights)
    fresh = model.trace(saved.x, saved.targets)
    model.set_weights(final)
    assert len(fresh) == len(explorer.trace)
    for a, b in zip(fresh, explorer.trace):
        assert (a.phase, a.layer, a.op) == (b.phase, b.layer, b.op)
        np.testing.assert_array_equal(a.output, b.output)
    with pytest.raises(KeyError, match='kept steps: 3, 6, 9'):
        dashboard.replay(5)


def test_outside_a_notebook_replay_prints_the_trace(capsys):
    _, dashboard, _, _ = trained(epochs=1)
    set_notebook(False)
    try:
        assert dashboard.replay(3) is None
    finally:
        set_notebook(None)
    assert 'step 3 of the fit' in capsys.readouterr().out


def test_the_memory_cap_holds_and_the_kept_steps_thin_out_evenly():
    store = StepStore(every=1, max_bytes=10_000)
    weights, batch = [np.zeros(100)], [np.zeros(20)]                 # 960 bytes a step
    for step in range(1, 1001):
        if store.wants(step):
            store.add(step, weights, batch, np.zeros(0))
        assert store.nbytes == sum(saved.nbytes for saved in store.saved.values()) <= 10_000
    steps = store.steps()
    assert store.every == 128 and steps == list(range(128, 1001, 128))
    assert len(steps) >= 5
    store.add(store.every * 100, [np.zeros(10_000)], batch, np.zeros(0))   # alone over the cap: not kept
    assert store.steps() == steps and store.every == 128             # and what was kept stays
    store.add(steps[-1], weights, [np.zeros(40)], np.zeros(0))           # a step kept again replaces it
    assert store.nbytes == sum(saved.nbytes for saved in store.saved.values())


def test_a_small_cap_in_the_dashboard_keeps_fewer_steps():
    _, dashboard, _, _ = trained(replay_every=1, replay_memory=3_000)
    assert dashboard.replays.nbytes <= 3_000 and dashboard.replays.every > 1
    assert dashboard.replays.steps()


def test_fit_generator_steps_are_kept_too():
    am.seed(8)
    model = Sequential([Dense(2, input_dim=3)])
    model.compile(SGD(lr=0.1), 'mse')
    rng = np.random.RandomState(8)
    batches = [(rng.randn(4, 3).astype('float32'), rng.randn(4, 2).astype('float32')) for _ in range(6)]

    def generator():
        while True:
            yield from batches

    dashboard = Dashboard(notebook=False, replay_every=2)
    model.fit_generator(generator(), samples_per_epoch=24, nb_epoch=1, verbose=0, callbacks=[dashboard])
    assert dashboard.replays.steps() == [2, 4, 6]
    np.testing.assert_array_equal(dashboard.replays[4].x, batches[3][0])
    np.testing.assert_array_equal(dashboard.replays[4].targets, batches[3][1])


def test_the_finished_dashboard_has_a_slider_over_the_kept_steps_that_opens_one():
    am.seed(9)
    model = Sequential([Dense(3, input_dim=4), Activation('softmax')])
    model.compile(SGD(lr=0.1), 'categorical_crossentropy')
    rng = np.random.RandomState(9)
    x, y = rng.randn(32, 4), np.eye(3)[rng.randint(0, 3, 32)]
    dashboard = Dashboard(notebook=True, replay_every=2)
    model.fit(x, y, batch_size=8, nb_epoch=1, verbose=0, callbacks=[dashboard])
    assert dashboard.replay_slider.options == (2, 4)
    assert dashboard.replay_box.children == ()
    dashboard.replay_slider.value = 4
    dashboard.replay_button.click()
    explorer = dashboard.replay_box.children[0]
    assert 'teachnet-explorer' in explorer._dom_classes
    title = explorer.children[0].value
    assert 'step 4 of the fit' in title
    expected = dashboard.replay_trace(4).loss
    assert f'{float(expected):.6g}' in title


def test_thinning_keeps_every_other_step_and_doubles_the_interval():
    store = StepStore(every=2)
    for step in (2, 4, 6, 8):
        store.add(step, [np.zeros(3)], [np.zeros((1, 3))], np.zeros((1, 1)))
    store.thin()
    assert store.every == 4 and store.steps() == [4, 8]


def test_a_dear_copy_thins_the_store_at_once_until_copies_are_affordable(monkeypatch):
    monkeypatch.setattr('teachnet.widgets.replay.copies_too_dear', copies_too_dear)    # the true rule
    store = StepStore(every=10)
    store.thin_for(copy_cost=0.03, step_cost=0.024)          # 30 ms a copy, 24 ms a step
    assert store.every == 160                                 # 1% of 160 steps: 38 ms >= 30 ms
    store.thin_for(copy_cost=0.03, step_cost=0.024)
    assert store.every == 160
    cheap = StepStore(every=10)
    cheap.thin_for(copy_cost=0.0005, step_cost=0.0001)       # under a millisecond: always affordable
    assert cheap.every == 10


def test_copies_are_too_dear_only_when_large_and_over_one_percent():
    assert copies_too_dear(0.005, 0.03, 10)            # 5 ms against 10 steps of 30 ms: 1.7%
    assert not copies_too_dear(0.005, 0.03, 20)        # the same copy every 20 steps: 0.8%
    assert not copies_too_dear(0.0005, 0.0002, 3)      # a small model's copy: never thinned


def test_a_copy_expected_to_be_dear_is_not_made_even_the_first(monkeypatch):
    """The store is asked before each copy: at a (pretended) rate of 1 kB per second, the
    first copy of even this small model would take half a second, far over 1% of the
    steps between two kept ones, so no step is kept and no copy is made."""
    monkeypatch.setattr('teachnet.widgets.replay.copies_too_dear', copies_too_dear)    # the true rule
    monkeypatch.setattr('teachnet.widgets.replay.FRESH_COPY_RATE', 1e3)
    model, dashboard, losses, _ = trained(replay_every=3)
    assert len(losses) == 10
    assert dashboard.replays.steps() == [] and dashboard.replays.every > 10
    assert dashboard.replays.copy_rate == 1e3                      # nothing was copied to measure


def test_the_expected_cost_of_a_copy_follows_the_measured_rate():
    store = StepStore(every=10)
    first = store.expected_copy_cost(10_000_000)
    assert first > 0.01                              # 10 MB into new memory: over 10 ms
    store.measured_copy(10_000_000, 0.001)           # it took 1 ms: the memory was reused
    assert store.expected_copy_cost(10_000_000) == pytest.approx(0.001)
    assert store.expected_copy_cost(5_000_000) == pytest.approx(0.0005)


def test_a_small_model_keeps_the_same_steps_however_slow_its_copies_seem(monkeypatch):
    """Its weights copy in well under a millisecond even into new memory, so the store
    neither times its copies nor thins for them: a machine so busy that each clock reading
    jumps a second changes nothing (the steps a notebook replays stay the same everywhere)."""
    monkeypatch.setattr('teachnet.widgets.replay.copies_too_dear', copies_too_dear)    # the true rule
    seconds = iter(range(10**6))
    monkeypatch.setattr('teachnet.widgets.dashboard.cpu_clock', lambda: float(next(seconds)))
    model, dashboard, losses, _ = trained(replay_every=3)
    assert dashboard.replays.steps() == [3, 6, 9] and dashboard.replays.every == 3
    assert not dashboard.replays.may_be_dear(sum(w.nbytes for w in model.get_weights()))
    assert dashboard.replays.may_be_dear(10_000_000)             # a large embedding's 10 MB may be


def test_at_most_max_steps_are_kept_and_a_known_length_is_planned_for():
    store = StepStore(every=2, max_steps=4)
    for step in range(2, 21, 2):                 # 10 wanted steps: thinned at the 5th and the 9th
        if store.wants(step):
            store.add(step, [np.zeros(3)], [np.zeros((1, 3))], np.zeros((1, 1)))
    assert store.every == 8 and store.steps() == [8, 16]
    planned = StepStore(every=10, max_steps=64)
    planned.plan(1260)
    assert planned.every == 20                   # 63 steps to keep, none copied in vain
    planned.plan(100)
    assert planned.every == 20


def test_the_dashboard_plans_its_replay_steps_from_the_length_of_the_fit(monkeypatch):
    model, dashboard, losses, _ = trained(replay_every=1)
    assert len(losses) == 10 and dashboard.replays.steps() == list(range(1, 11))
    am.seed(7)
    x, y = np.random.RandomState(7).randn(40, 5), np.eye(3)[np.arange(40) % 3]
    capped = Dashboard(notebook=False, replay_every=1, replay_steps=4)
    copies = []
    add = StepStore.add
    monkeypatch.setattr(StepStore, 'add', lambda store, step, *args: copies.append(step) or add(store, step, *args))
    model.fit(x, y, batch_size=8, nb_epoch=2, verbose=0, callbacks=[capped])
    assert capped.replays.every == 4 and capped.replays.steps() == [4, 8]     # 10 steps planned for 4 ...
    assert copies == [4, 8]                                                   # ... so only those are copied
