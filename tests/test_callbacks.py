"""Callbacks, driven by hand the way the training loop drives them.

A fake model records what callbacks do to it (stop_training, lr, saves); expected
values are computed here from the definitions, not taken from the code under test.
"""
import csv
import pickle

import numpy as np
import pytest

from teachnet.callbacks import (BaseLogger, Callback, CallbackList, CSVLogger, EarlyStopping,
                                History, LambdaCallback, LearningRateScheduler, ModelCheckpoint,
                                ReduceLROnPlateau, TerminateOnNaN)

from callback_fakes import FakeModel, prepared

pytestmark = pytest.mark.backend_independent


def run_epochs(callback, monitor, values, model=None):
    """Feed one monitored value per epoch; return the model and the first stopping epoch."""
    cbs, model = prepared([callback], model)
    cbs.on_train_begin()
    stopped = None
    for epoch, value in enumerate(values):
        cbs.on_epoch_begin(epoch)
        cbs.on_epoch_end(epoch, {monitor: value})
        if model.stop_training and stopped is None:
            stopped = epoch
    cbs.on_train_end()
    return model, stopped


# ---------------------------------------------------------------- CallbackList

class Recorder(Callback):
    def __init__(self, name, journal):
        super(Recorder, self).__init__()
        self.name, self.journal = name, journal

    def on_train_begin(self, logs=None):
        self.journal.append((self.name, 'train_begin'))

    def on_train_end(self, logs=None):
        self.journal.append((self.name, 'train_end'))

    def on_epoch_begin(self, epoch, logs=None):
        self.journal.append((self.name, 'epoch_begin', epoch))

    def on_epoch_end(self, epoch, logs=None):
        self.journal.append((self.name, 'epoch_end', epoch))

    def on_batch_begin(self, batch, logs=None):
        self.journal.append((self.name, 'batch_begin', batch))

    def on_batch_end(self, batch, logs=None):
        self.journal.append((self.name, 'batch_end', batch))


def test_callback_list_calls_every_hook_in_list_order():
    journal = []
    cbs, model = prepared([Recorder('a', journal), Callback(), Recorder('b', journal)])
    assert all(c.model is model for c in cbs)
    assert all(c.params['nb_epoch'] == 3 for c in cbs)
    cbs.on_train_begin()
    cbs.on_epoch_begin(0)
    cbs.on_batch_begin(0, {'batch': 0, 'size': 4})
    cbs.on_batch_end(0, {'batch': 0, 'size': 4, 'loss': 1.0})
    cbs.on_epoch_end(0)
    cbs.on_train_end()
    assert journal == [('a', 'train_begin'), ('b', 'train_begin'),
                       ('a', 'epoch_begin', 0), ('b', 'epoch_begin', 0),
                       ('a', 'batch_begin', 0), ('b', 'batch_begin', 0),
                       ('a', 'batch_end', 0), ('b', 'batch_end', 0),
                       ('a', 'epoch_end', 0), ('b', 'epoch_end', 0),
                       ('a', 'train_end'), ('b', 'train_end')]


def test_callback_list_passes_the_same_logs_dict_along():
    cbs, _ = prepared([BaseLogger(), History()])
    cbs.on_train_begin()
    cbs.on_epoch_begin(0)
    cbs.on_batch_end(0, {'batch': 0, 'size': 2, 'loss': 3.0, 'acc': 0.5})
    epoch_logs = {}
    cbs.on_epoch_end(0, epoch_logs)
    assert epoch_logs == {'loss': 3.0, 'acc': 0.5}      # the engine's own dict was filled
    assert cbs.callbacks[1].history == {'loss': [3.0], 'acc': [0.5]}


def test_callback_list_sees_hooks_added_after_construction():
    journal = []
    cbs, _ = prepared([Callback()])
    cbs.append(Recorder('late', journal))
    cbs.on_batch_end(5, {})
    assert journal == [('late', 'batch_end', 5)]


def test_callback_list_rejects_non_callbacks():
    with pytest.raises(TypeError, match='Callback'):
        CallbackList([lambda logs: None])


# ---------------------------------------------------------------- BaseLogger and History

def test_base_logger_weights_batches_by_size():
    sizes, losses, accs = [4, 4, 2], [1.0, 2.0, 4.0], [0.5, 0.25, 1.0]
    cbs, _ = prepared([BaseLogger()], metrics=['loss', 'acc'])
    cbs.on_train_begin()
    cbs.on_epoch_begin(0)
    for i, (n, loss, acc) in enumerate(zip(sizes, losses, accs)):
        cbs.on_batch_begin(i, {'batch': i, 'size': n})
        cbs.on_batch_end(i, {'batch': i, 'size': n, 'loss': loss, 'acc': acc, 'other': 9.0})
    logs = {'val_loss': 7.0}
    cbs.on_epoch_end(0, logs)
    expected_loss = np.average(losses, weights=sizes)
    expected_acc = np.average(accs, weights=sizes)
    assert logs['loss'] == pytest.approx(expected_loss)
    assert logs['acc'] == pytest.approx(expected_acc)
    assert logs['val_loss'] == 7.0
    assert 'batch' not in logs and 'size' not in logs and 'other' not in logs
    # a new epoch starts from zero
    cbs.on_epoch_begin(1)
    cbs.on_batch_end(0, {'batch': 0, 'size': 3, 'loss': 5.0, 'acc': 0.0})
    logs = {}
    cbs.on_epoch_end(1, logs)
    assert logs['loss'] == pytest.approx(5.0)


def test_history_records_epochs_and_answers_to_keras2_names():
    cbs, _ = prepared([History()])
    history = cbs.callbacks[0]
    cbs.on_train_begin()
    rows = [{'loss': 0.9, 'acc': 0.5, 'val_loss': 1.0, 'val_acc': 0.4},
            {'loss': 0.7, 'acc': 0.6, 'val_loss': 0.8, 'val_acc': 0.55}]
    for epoch, row in enumerate(rows):
        cbs.on_epoch_begin(epoch)
        cbs.on_epoch_end(epoch, dict(row))
    cbs.on_train_end()
    assert history.epoch == [0, 1]
    assert sorted(history.history.keys()) == ['acc', 'loss', 'val_acc', 'val_loss']
    assert history.history['loss'] == [0.9, 0.7]
    assert history.history['accuracy'] == [0.5, 0.6]
    assert history.history['val_accuracy'] == [0.4, 0.55]
    assert 'accuracy' in history.history and 'val_accuracy' in history.history
    assert history.history.get('accuracy') == [0.5, 0.6]
    assert history.history.get('nothing', 'default') == 'default'
    with pytest.raises(KeyError):
        history.history['mae']
    copy = pickle.loads(pickle.dumps(history))
    assert copy.history['accuracy'] == [0.5, 0.6]


def test_history_without_accuracy_has_no_alias():
    history = History()
    history.on_train_begin()
    history.on_epoch_end(0, {'loss': 1.0})
    assert 'accuracy' not in history.history
    assert history.history.get('val_accuracy') is None


def test_history_is_reset_by_a_new_training():
    history = History()
    history.on_train_begin()
    history.on_epoch_end(0, {'loss': 1.0})
    history.on_train_begin()
    assert history.epoch == [] and dict(history.history) == {}


# ---------------------------------------------------------------- EarlyStopping

def test_early_stopping_patience_zero_stops_at_first_disappointment():
    _, stopped = run_epochs(EarlyStopping(patience=0), 'val_loss', [1.0, 0.9, 0.95, 0.8])
    assert stopped == 2


def test_early_stopping_patience_counts_epochs_without_improvement():
    # patience 2: the 3rd epoch in a row without improvement stops (Keras 1 counting)
    values = [1.0, 0.9, 0.95, 0.92, 0.91, 0.5]
    _, stopped = run_epochs(EarlyStopping(patience=2), 'val_loss', values)
    assert stopped == 4
    # an improvement in between resets the count
    values = [1.0, 0.95, 0.96, 0.94, 0.97, 0.98, 0.99]
    _, stopped = run_epochs(EarlyStopping(patience=1), 'val_loss', values)
    assert stopped == 5


def test_early_stopping_min_delta():
    # improvements smaller than min_delta do not count
    values = [1.0, 0.95, 0.85]
    _, stopped = run_epochs(EarlyStopping(min_delta=0.1), 'val_loss', values)
    assert stopped == 1
    _, stopped = run_epochs(EarlyStopping(min_delta=0.01), 'val_loss', values)
    assert stopped is None


def test_early_stopping_modes():
    rising = [0.5, 0.6, 0.7, 0.65]
    assert run_epochs(EarlyStopping(monitor='val_acc'), 'val_acc', rising)[1] == 3
    assert run_epochs(EarlyStopping(monitor='val_acc', mode='min'), 'val_acc', rising)[1] == 1
    assert run_epochs(EarlyStopping(monitor='val_loss', mode='max'), 'val_loss', rising)[1] == 3
    with pytest.raises(ValueError, match='EarlyStopping.*mode'):
        EarlyStopping(mode='biggest')


def test_early_stopping_warns_when_monitor_is_missing():
    with pytest.warns(RuntimeWarning, match='val_loss'):
        _, stopped = run_epochs(EarlyStopping(), 'loss', [1.0, 2.0])
    assert stopped is None


def test_early_stopping_can_be_reused(capsys):
    callback = EarlyStopping(patience=0, verbose=1)
    assert run_epochs(callback, 'val_loss', [1.0, 2.0])[1] == 1
    assert 'Epoch 00001: early stopping' in capsys.readouterr().out
    assert run_epochs(callback, 'val_loss', [3.0, 2.0])[1] is None


# ---------------------------------------------------------------- ModelCheckpoint

def test_model_checkpoint_formats_the_file_name():
    callback = ModelCheckpoint('w.{epoch:02d}-{val_loss:.2f}.h5')
    cbs, model = prepared([callback])
    cbs.on_train_begin()
    cbs.on_epoch_end(3, {'val_loss': 0.4567, 'loss': 0.3})
    assert model.saved == [('model', 'w.03-0.46.h5', True)]


def test_model_checkpoint_weights_only_and_period():
    callback = ModelCheckpoint('w{epoch}.h5', save_weights_only=True, period=2)
    cbs, model = prepared([callback])
    for epoch in range(5):
        cbs.on_epoch_end(epoch, {'val_loss': 1.0})
    assert model.saved == [('weights', 'w1.h5', True), ('weights', 'w3.h5', True)]


def test_model_checkpoint_save_best_only():
    callback = ModelCheckpoint('best.h5', save_best_only=True)
    cbs, model = prepared([callback])
    for epoch, value in enumerate([0.5, 0.6, 0.4, 0.4]):
        cbs.on_epoch_end(epoch, {'val_loss': value})
    assert len(model.saved) == 2
    callback = ModelCheckpoint('best{epoch}.h5', monitor='val_acc', save_best_only=True)
    cbs, model = prepared([callback])
    for epoch, value in enumerate([0.5, 0.6, 0.4, 0.7]):
        cbs.on_epoch_end(epoch, {'val_acc': value})
    assert [path for _, path, _ in model.saved] == ['best0.h5', 'best1.h5', 'best3.h5']


def test_model_checkpoint_errors_and_warnings():
    cbs, model = prepared([ModelCheckpoint('w-{val_loss:.2f}.h5')])
    with pytest.raises(ValueError, match='val_loss'):
        cbs.on_epoch_end(0, {'loss': 1.0})
    cbs, model = prepared([ModelCheckpoint('best.h5', save_best_only=True)])
    with pytest.warns(RuntimeWarning, match='val_loss'):
        cbs.on_epoch_end(0, {'loss': 1.0})
    assert model.saved == []


# ---------------------------------------------------------------- learning rate

def test_learning_rate_scheduler_sets_lr_each_epoch():
    cbs, model = prepared([LearningRateScheduler(lambda epoch: 0.1 * 0.5 ** epoch)])
    seen = []
    for epoch in range(4):
        cbs.on_epoch_begin(epoch)
        seen.append(model.optimizer.lr)
    assert seen == pytest.approx([0.1, 0.05, 0.025, 0.0125])
    assert all(type(lr) is float for lr in seen)


@pytest.mark.parametrize('value', [1, np.float32(0.5), np.array(0.25)])
def test_learning_rate_scheduler_accepts_numbers(value):
    cbs, model = prepared([LearningRateScheduler(lambda epoch: value)])
    cbs.on_epoch_begin(0)
    assert type(model.optimizer.lr) is float and model.optimizer.lr == float(value)


@pytest.mark.parametrize('value', ['0.1', None, [0.1, 0.2], True])
def test_learning_rate_scheduler_rejects_non_numbers(value):
    cbs, _ = prepared([LearningRateScheduler(lambda epoch: value)])
    with pytest.raises(ValueError, match='LearningRateScheduler'):
        cbs.on_epoch_begin(0)


def test_learning_rate_scheduler_needs_an_lr():
    model = FakeModel()
    model.optimizer = object()
    cbs, _ = prepared([LearningRateScheduler(lambda epoch: 0.1)], model)
    with pytest.raises(ValueError, match='lr'):
        cbs.on_epoch_begin(0)


def lr_after_each_epoch(callback, values, lr=1.0):
    cbs, model = prepared([callback], FakeModel(lr))
    cbs.on_train_begin()
    rates, logged = [], []
    for epoch, value in enumerate(values):
        logs = {'val_loss': value}
        cbs.on_epoch_end(epoch, logs)
        rates.append(model.optimizer.lr)
        logged.append(logs['lr'])
    return rates, logged


def test_reduce_lr_on_plateau_patience_and_factor():
    # flat loss: the first reduction on the 3rd flat epoch, then every 2nd (Keras 1 counting)
    rates, logged = lr_after_each_epoch(ReduceLROnPlateau(factor=0.5, patience=2), [1.0] * 6)
    assert rates == pytest.approx([1, 1, 1, 0.5, 0.5, 0.25])
    assert logged == pytest.approx([1, 1, 1, 1, 0.5, 0.5])      # the rate the epoch ran with
    # steady improvement: never reduced
    rates, _ = lr_after_each_epoch(ReduceLROnPlateau(patience=0), [5, 4, 3, 2, 1])
    assert rates == [1.0] * 5


def test_reduce_lr_on_plateau_epsilon():
    # changes below epsilon are not improvements
    rates, _ = lr_after_each_epoch(ReduceLROnPlateau(factor=0.5, patience=0, epsilon=0.1),
                                   [1.0, 0.95, 0.8])
    assert rates == pytest.approx([1.0, 0.5, 0.5])


def test_reduce_lr_on_plateau_cooldown():
    rates, _ = lr_after_each_epoch(ReduceLROnPlateau(factor=0.5, patience=2, cooldown=1),
                                   [1.0] * 7)
    assert rates == pytest.approx([1, 1, 1, 0.5, 0.5, 0.5, 0.25])


def test_reduce_lr_on_plateau_min_lr():
    rates, _ = lr_after_each_epoch(ReduceLROnPlateau(factor=0.1, patience=0, min_lr=0.05),
                                   [1.0] * 5)
    assert rates == pytest.approx([1.0, 0.1, 0.05, 0.05, 0.05])


def test_reduce_lr_on_plateau_checks_its_arguments():
    with pytest.raises(ValueError, match='factor'):
        ReduceLROnPlateau(factor=1.5)
    with pytest.warns(RuntimeWarning, match='val_loss'):
        cbs, model = prepared([ReduceLROnPlateau(patience=0)])
        cbs.on_epoch_end(0, {'loss': 1.0})


# ---------------------------------------------------------------- TerminateOnNaN

@pytest.mark.parametrize('bad', [float('nan'), float('inf'), np.float32('-inf')])
def test_terminate_on_nan(capsys, bad):
    cbs, model = prepared([TerminateOnNaN()])
    cbs.on_batch_end(0, {'batch': 0, 'size': 4, 'loss': 0.5})
    assert not model.stop_training
    cbs.on_batch_end(1, {'batch': 1, 'size': 4, 'loss': bad})
    assert model.stop_training
    assert 'Batch 1: Invalid loss, terminating training' in capsys.readouterr().out


# ---------------------------------------------------------------- CSVLogger

def read_rows(path, separator=','):
    with open(path, newline='') as handle:
        return list(csv.reader(handle, delimiter=separator))


def log_epochs(path, rows, **kwargs):
    cbs, _ = prepared([CSVLogger(str(path), **kwargs)])
    cbs.on_train_begin()
    for epoch, row in enumerate(rows):
        cbs.on_epoch_end(epoch, dict(row))
    cbs.on_train_end()


def test_csv_logger_writes_a_row_per_epoch_and_flushes(tmp_path):
    path = tmp_path / 'log.csv'
    cbs, _ = prepared([CSVLogger(str(path))])
    cbs.on_train_begin()
    cbs.on_epoch_end(0, {'val_loss': 0.75, 'loss': 0.5, 'acc': 0.25})
    # still training: the row is already on disk
    assert read_rows(path) == [['epoch', 'acc', 'loss', 'val_loss'], ['0', '0.25', '0.5', '0.75']]
    pickle.dumps(cbs.callbacks[0])          # an open file does not block pickling
    cbs.on_epoch_end(1, {'val_loss': 0.5, 'loss': 0.25, 'acc': 0.5})
    cbs.on_train_end()
    assert read_rows(path)[2] == ['1', '0.5', '0.25', '0.5']


def test_csv_logger_append_and_overwrite(tmp_path):
    path = tmp_path / 'log.csv'
    log_epochs(path, [{'loss': 1.0}])
    log_epochs(path, [{'loss': 0.5}], append=True)
    assert read_rows(path) == [['epoch', 'loss'], ['0', '1.0'], ['0', '0.5']]
    log_epochs(path, [{'loss': 0.25}])
    assert read_rows(path) == [['epoch', 'loss'], ['0', '0.25']]
    new_path = tmp_path / 'new.csv'
    log_epochs(new_path, [{'loss': 2.0}], append=True)
    assert read_rows(new_path) == [['epoch', 'loss'], ['0', '2.0']]


def test_csv_logger_separator(tmp_path):
    path = tmp_path / 'log.tsv'
    log_epochs(path, [{'b': 2.0, 'a': 1.0}], separator='\t')
    assert path.read_text() == 'epoch\ta\tb\n0\t1.0\t2.0\n'


# ---------------------------------------------------------------- LambdaCallback

def test_lambda_callback_calls_the_given_functions():
    calls = []
    callback = LambdaCallback(on_epoch_end=lambda epoch, logs: calls.append(('epoch', epoch)),
                              on_batch_begin=lambda batch, logs: calls.append(('batch', batch)),
                              on_train_end=lambda logs: calls.append('end'))
    cbs, _ = prepared([callback])
    cbs.on_train_begin()
    cbs.on_epoch_begin(0)
    cbs.on_batch_begin(0, {})
    cbs.on_batch_end(0, {})
    cbs.on_epoch_end(0, {})
    cbs.on_train_end()
    assert calls == [('batch', 0), ('epoch', 0), 'end']
    with pytest.raises(TypeError, match='on_batch_end'):
        LambdaCallback(on_batch_end='print')
