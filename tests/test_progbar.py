"""Progbar and ProgbarLogger: the Keras 1 progress bar, its throttling and its text."""
import pickle
import re

import numpy as np
import pytest

from teachnet.callbacks import BaseLogger, History, Progbar, ProgbarLogger
from teachnet.callbacks import progbar as progbar_module

from callback_fakes import prepared

pytestmark = pytest.mark.backend_independent


# ---------------------------------------------------------------- Progbar

def final_segment(text):
    return text.split('\r')[-1]


def test_progbar_verbose1_final_line(capsys):
    bar = Progbar(1000, interval=0)
    bar.update(400, [('loss', 0.7), ('acc', 0.5)])
    bar.update(1000, [('loss', 0.65), ('acc', 0.6)])
    out = capsys.readouterr().out
    loss = np.average([0.7, 0.65], weights=[400, 600])
    acc = np.average([0.5, 0.6], weights=[400, 600])
    # (spaces blank what the longer 'ETA' line left on screen)
    expected = (r'1000/1000 \[={30}\] - \d+s - loss: %s - acc: %s *\n'
                % (re.escape('%.4f' % loss), re.escape('%.4f' % acc)))
    assert re.fullmatch(expected, final_segment(out))
    assert out.count('\n') == 1 and out.startswith('\r')


def test_progbar_verbose1_intermediate_line(capsys):
    bar = Progbar(1000, interval=0)
    bar.update(320, [('loss', 0.6931)])
    out = capsys.readouterr().out
    filled = int(30 * 320 / 1000)
    bar_text = '=' * (filled - 1) + '>' + '.' * (30 - filled)
    assert re.fullmatch(r'\r 320/1000 \[%s\] - ETA: \d+s - loss: 0\.6931' % re.escape(bar_text),
                        out)


def test_progbar_small_values_use_scientific_notation(capsys):
    bar = Progbar(10, interval=0)
    bar.add(10, [('loss', 1.25e-5)])
    assert ' - loss: 1.2500e-05\n' in capsys.readouterr().out


def test_progbar_blanks_what_a_shorter_line_leaves(capsys, monkeypatch):
    times = iter([0.0, 100.0, 100.0])       # start, then two updates
    monkeypatch.setattr(progbar_module, '_clock', lambda: next(times))
    bar = Progbar(10, interval=0)
    bar.update(1)       # ETA: 100 s per step * 9 steps = 900s
    first = capsys.readouterr().out
    bar.update(9)       # ETA: 100/9 s per step * 1 step = 11s, one character shorter
    second = capsys.readouterr().out
    assert 'ETA: 900s' in first and 'ETA: 11s' in second
    assert len(second) == len(first) and second.endswith(' ')


def test_progbar_verbose2_prints_only_the_summary(capsys):
    bar = Progbar(100, verbose=2)
    for step in range(1, 11):
        bar.update(10 * step, [('loss', step / 10.0)])
    out = capsys.readouterr().out
    loss = np.mean([step / 10.0 for step in range(1, 11)])
    assert re.fullmatch(r'\d+s - loss: %s\n' % re.escape('%.4f' % loss), out)


def test_progbar_throttles_redraws(capsys, monkeypatch):
    times = iter([0.0, 0.0, 0.01, 0.04, 0.06, 0.08, 0.09])     # start, then one per update
    monkeypatch.setattr(progbar_module, '_clock', lambda: next(times))
    bar = Progbar(60, interval=0.05)
    for step in range(1, 7):
        bar.update(10 * step, [('loss', 1.0)])
    out = capsys.readouterr().out
    drawn = [segment.split(' [')[0].strip() for segment in out.split('\r')[1:]]
    # drawn: the first update, the first one 0.05 s after it, and the last one
    assert drawn == ['10/60', '40/60', '60/60']


def test_progbar_with_a_long_interval_draws_first_and_last(capsys):
    bar = Progbar(1000, interval=3600)
    for step in range(1, 101):
        bar.update(10 * step, [('loss', 0.5)])
    out = capsys.readouterr().out
    assert out.count('\r') == 2 and out.endswith('\n')
    bar = Progbar(1000, interval=3600)
    bar.update(10)
    bar.update(20, force=True)
    assert capsys.readouterr().out.count('\r') == 2


# ---------------------------------------------------------------- ProgbarLogger

def drive_progbar_logger(verbose, sizes, losses, epoch_logs):
    metrics = ['loss', 'val_loss']
    cbs, _ = prepared([BaseLogger(), ProgbarLogger()], metrics=metrics, nb_epoch=2,
                      nb_sample=sum(sizes), verbose=verbose)
    cbs.on_train_begin()
    cbs.on_epoch_begin(0)
    for i, (n, loss) in enumerate(zip(sizes, losses)):
        cbs.on_batch_begin(i, {'batch': i, 'size': n})
        cbs.on_batch_end(i, {'batch': i, 'size': n, 'loss': loss})
    cbs.on_epoch_end(0, dict(epoch_logs))
    cbs.on_train_end()
    return cbs


def test_progbar_logger_verbose1(capsys):
    sizes, losses = [4, 4, 2], [1.0, 0.5, 0.25]
    drive_progbar_logger(1, sizes, losses, {'val_loss': 0.3})
    out = capsys.readouterr().out
    assert out.startswith('Epoch 1/2\n')
    # the last batch is drawn together with the epoch values (BaseLogger's average
    # loss joins the running average with the last batch's weight, as in Keras 1)
    epoch_loss = np.average(losses, weights=sizes)
    shown = np.average(losses + [epoch_loss], weights=sizes + [sizes[-1]])
    expected = (r'10/10 \[={30}\] - \d+s - loss: %s - val_loss: 0\.3000 *\n'
                % re.escape('%.4f' % shown))
    assert re.fullmatch(expected, final_segment(out))


def test_progbar_logger_verbose2(capsys):
    sizes, losses = [5, 5], [1.0, 0.5]
    drive_progbar_logger(2, sizes, losses, {'val_loss': 0.3})
    out = capsys.readouterr().out
    epoch_loss = np.average(losses, weights=sizes)
    shown = np.average(losses + [epoch_loss], weights=sizes + [sizes[-1]])
    assert re.fullmatch(r'Epoch 1/2\n\d+s - loss: %s - val_loss: 0\.3000\n'
                        % re.escape('%.4f' % shown), out)


def test_progbar_logger_ends_the_line_when_training_stops_mid_epoch(capsys):
    cbs, _ = prepared([ProgbarLogger()], metrics=['loss'], nb_sample=10, verbose=1)
    cbs.on_train_begin()
    cbs.on_epoch_begin(0)
    cbs.on_batch_end(0, {'batch': 0, 'size': 4, 'loss': 0.5})
    cbs.on_epoch_end(0, {})          # e.g. TerminateOnNaN stopped after the first batch
    out = capsys.readouterr().out
    assert re.fullmatch(r'Epoch 1/3\n(\r 4/10 \[=+>\.+\] - ETA: \d+s - loss: 0\.5000 *)+\n', out)


def test_callbacks_after_training_pickle_with_the_model():
    cbs = drive_progbar_logger(0, [5, 5], [1.0, 0.5], {'val_loss': 0.3})
    model = cbs.callbacks[0].model
    history = History()
    history.set_model(model)
    model.history = history
    copy = pickle.loads(pickle.dumps(model))
    assert copy.history.model is copy
    pickle.dumps(cbs.callbacks)
