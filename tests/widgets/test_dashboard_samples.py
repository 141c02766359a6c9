"""When the dashboard samples: mid-run when its throttle says so, and always at the last step,
whose sample the final frame shows instead of measuring again."""
import numpy as np
import pytest

from teachnet.callbacks import LambdaCallback
from teachnet.widgets import Dashboard
from teachnet.widgets.progress import planned_steps
from teachnet.widgets.record import TrainingRecord

from tests.widgets.test_dashboard import mlp


def sampled_steps(dashboard):
    """The steps at which the parameters were measured."""
    return list(dashboard.record.sampled['gradient_norm']['hidden'].values()[0])


def test_the_last_step_is_sampled_and_the_final_frame_shows_that_sample(monkeypatch):
    model, x, y = mlp()
    dashboard = Dashboard(notebook=True, every=1e9)               # no sample is ever due mid-run
    runs = []
    for job in ('add_activations', 'add_parameters'):
        original = getattr(TrainingRecord, job)
        monkeypatch.setattr(TrainingRecord, job, lambda self, *a, _job=job, _f=original: runs.append(_job) or _f(self, *a))
    weights = []
    seen = LambdaCallback(on_batch_begin=lambda batch, logs: weights.append([model.layers[0].get_weights()]),
                          on_batch_end=lambda batch, logs: weights[-1].append(model.layers[0].get_weights()))
    model.fit(x, y, nb_epoch=2, batch_size=32, verbose=0, callbacks=[seen, dashboard])
    assert dashboard.record.step == 6 and sampled_steps(dashboard) == [6]
    assert runs == ['add_parameters', 'add_activations']          # once, at the last step; not again
    before, after = weights[-1]
    step = np.sqrt(sum(np.sum((a - b) ** 2) for a, b in zip(after, before)))
    norm = np.sqrt(sum(np.sum(b ** 2) for b in before))
    assert dashboard.record.parameters['hidden'].update_ratio == pytest.approx(step / norm, rel=1e-5)
    assert dashboard.finished and dashboard.record.activations['hidden'].shape == (16, 16)
    assert dashboard.snapshot is None                             # its copies are freed with the run


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_no_sample_is_started_when_the_run_ends_within_every_seconds(monkeypatch):
    """0.3 s a step, 6 steps: the throttle is due at step 5 (1.2 s in), but the run ends 0.6 s
    later, sooner than ``every``: the sample waits for the last step."""
    clock = FakeClock()
    monkeypatch.setattr('teachnet.widgets.dashboard.wall_clock', clock)
    monkeypatch.setattr('teachnet.widgets.throttle.wall_clock', clock)
    model, x, y = mlp()
    tick = LambdaCallback(on_batch_end=lambda batch, logs: setattr(clock, 'now', clock.now + 0.3))
    dashboard = Dashboard(notebook=True, every=1.0, budget=1e9)
    model.fit(x, y, nb_epoch=1, batch_size=16, verbose=0, callbacks=[tick, dashboard])
    assert sampled_steps(dashboard) == [6]
    longer = Dashboard(notebook=True, every=1.0, budget=1e9)      # 12 steps: step 5 is far from the end
    model.fit(x, y, nb_epoch=2, batch_size=16, verbose=0, callbacks=[tick, longer])
    assert sampled_steps(longer) == [5, 9, 12]                    # (step 13 would be due: past the end)


def test_planned_steps_come_from_fit_and_fit_generator_params():
    assert planned_steps({'nb_epoch': 3, 'nb_sample': 100, 'batch_size': 32}) == 12
    assert planned_steps({'epochs': 2, 'steps': 5, 'samples': 80, 'batch_size': None}) == 10
    assert planned_steps({'nb_epoch': 3}) is None and planned_steps(None) is None
