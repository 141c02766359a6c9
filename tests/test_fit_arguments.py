"""fit's arguments as Keras 1 defines them: nb_epoch/epochs, batch_size, validation_split,
shuffle, initial_epoch, class_weight and sample_weight (expected losses computed by hand)."""
import numpy as np
import pytest

import teachnet
import teachnet.backend as K
from teachnet.callbacks import Callback
from teachnet.optimizers import SGD

from guide_models import binary_rule_data, linear_rule_data, small_binary, small_softmax


# ----------------------------------------------------------------------------- fit's arguments

@pytest.mark.parametrize('epochs_argument', ['nb_epoch', 'epochs'])
def test_nb_epoch_and_epochs_both_set_the_number_of_epochs(epochs_argument):
    X, y = linear_rule_data(40)
    model = small_softmax()
    history = model.fit(X, y, batch_size=20, verbose=0, **{epochs_argument: 3})
    assert history.epoch == [0, 1, 2]


def test_batch_size_sets_the_number_of_updates():
    X, y = linear_rule_data(50)
    model = small_softmax()
    sizes = []

    class BatchSizes(Callback):
        def on_batch_end(self, batch, logs=None):
            sizes.append(logs['size'])

    model.fit(X, y, nb_epoch=1, batch_size=16, verbose=0, callbacks=[BatchSizes()])
    assert sizes == [16, 16, 16, 2]
    assert model.optimizer.iterations == 4


def test_verbose_1_shows_epochs_and_a_progress_bar(capsys):
    X, y = linear_rule_data(40)
    model = small_softmax()
    model.fit(X, y, nb_epoch=3, batch_size=20, verbose=1)
    out = capsys.readouterr().out
    assert 'Epoch 1/3' in out and 'Epoch 3/3' in out
    assert '40/40 [' in out and '=' in out and 'loss:' in out and 'acc:' in out


def test_verbose_2_shows_one_line_per_epoch_without_bar(capsys):
    X, y = linear_rule_data(40)
    model = small_softmax()
    model.fit(X, y, nb_epoch=2, batch_size=20, verbose=2)
    out = capsys.readouterr().out
    assert 'Epoch 1/2' in out and 'Epoch 2/2' in out
    assert '[' not in out and out.count('loss:') == 2


def test_verbose_0_prints_nothing(capsys):
    X, y = linear_rule_data(40)
    model = small_softmax()
    model.fit(X, y, nb_epoch=2, batch_size=20, verbose=0)
    model.evaluate(X, y, verbose=0)
    model.predict(X, verbose=0)
    assert capsys.readouterr().out == ''


def test_validation_split_holds_out_the_last_fraction():
    X, y = linear_rule_data(100)
    model = small_softmax()
    history = model.fit(X, y, nb_epoch=1, batch_size=100, verbose=0, validation_split=0.2, shuffle=False)
    assert len(history.history['val_loss']) == 1
    loss, acc = model.evaluate(X[80:], y[80:], verbose=0)
    assert history.history['val_loss'][0] == pytest.approx(loss, rel=1e-5)
    assert history.history['val_acc'][0] == pytest.approx(acc)
    # the training loss was computed on the first 80 samples only (one batch, before the step)
    assert history.history['loss'][0] != pytest.approx(loss, rel=1e-3)


def batches_seen(model, X, y, **fit_kwargs):
    """The first column of each batch, in the order the model saw them."""
    seen = []
    step = model._train_step

    def recording_step(inputs, targets, weights, params):
        seen.append(np.array(K.eval(inputs[0])[:, 0]))
        return step(inputs, targets, weights, params)

    model._train_step = recording_step
    model.fit(X, y, verbose=0, **fit_kwargs)
    return seen


def test_shuffle_false_true_and_batch():
    X, y = linear_rule_data(40)
    X[:, 0] = np.arange(40)
    model = small_softmax()
    plain = batches_seen(model, X, y, nb_epoch=1, batch_size=10, shuffle=False)
    assert [list(b) for b in plain] == [list(range(i, i + 10)) for i in range(0, 40, 10)]
    teachnet.set_seed(12)
    shuffled = np.concatenate(batches_seen(model, X, y, nb_epoch=1, batch_size=10, shuffle=True))
    assert sorted(shuffled) == list(range(40)) and list(shuffled) != list(range(40))
    teachnet.set_seed(13)
    by_batch = batches_seen(model, X, y, nb_epoch=2, batch_size=10, shuffle='batch')
    assert sorted(np.concatenate(by_batch)) == sorted(list(range(40)) * 2)
    for batch in by_batch:      # whole batches move, their contents stay together and in order
        assert list(batch) == list(range(int(batch[0]), int(batch[0]) + 10)) and batch[0] % 10 == 0
    assert [b[0] for b in by_batch] != [0, 10, 20, 30] * 2


def test_initial_epoch_resumes_counting():
    X, y = linear_rule_data(40)
    model = small_softmax()
    history = model.fit(X, y, nb_epoch=5, initial_epoch=3, batch_size=20, verbose=0)
    assert history.epoch == [3, 4]
    assert len(history.history['loss']) == 2


def weighted_bce(y, p, weights):
    """Keras 1's weighted objective: mean(ℓ·w) / mean(w ≠ 0), ℓ the per-sample loss."""
    p = np.clip(p.astype('float64'), 1e-7, 1 - 1e-7)
    per_sample = -(y * np.log(p) + (1 - y) * np.log(1 - p)).mean(axis=-1)
    return np.mean(per_sample * weights) / np.mean(weights != 0)


def test_sample_weight_weights_the_loss_as_keras_1():
    X, y = binary_rule_data(32)
    model = small_binary(metrics=())
    weights = np.linspace(0, 3, 32)
    weights[5] = 0
    expected = weighted_bce(y, model.predict(X), weights)
    assert model.test_on_batch(X, y, sample_weight=weights) == pytest.approx(expected, rel=1e-5)
    assert model.evaluate(X, y, sample_weight=weights, verbose=0, batch_size=32) == pytest.approx(expected, rel=1e-5)
    model.compile(optimizer=SGD(lr=0.0), loss='binary_crossentropy')
    history = model.fit(X, y, sample_weight=weights, nb_epoch=1, batch_size=32, verbose=0, shuffle=False)
    assert history.history['loss'][0] == pytest.approx(expected, rel=1e-5)


def test_class_weight_weights_each_sample_by_its_class():
    X, y = binary_rule_data(32)
    model = small_binary(metrics=())
    model.compile(optimizer=SGD(lr=0.0), loss='binary_crossentropy')
    class_weight = {0: 0.5, 1: 4.0}
    weights = np.where(y[:, 0] == 1, 4.0, 0.5)
    expected = weighted_bce(y, model.predict(X), weights)
    history = model.fit(X, y, class_weight=class_weight, nb_epoch=1, batch_size=32, verbose=0)
    assert history.history['loss'][0] == pytest.approx(expected, rel=1e-5)
    assert model.train_on_batch(X, y, class_weight=class_weight) == pytest.approx(expected, rel=1e-5)
    # one-hot targets find their class by argmax
    Xc, yc = linear_rule_data(30)
    softmax = small_softmax(optimizer=SGD(lr=0.0), metrics=())
    class_weight = {c: c + 1.0 for c in range(10)}
    p = np.clip(softmax.predict(Xc).astype('float64'), 1e-7, 1 - 1e-7)
    per_sample = -(yc * np.log(p)).sum(axis=1)
    weights = yc.argmax(axis=1) + 1.0
    history = softmax.fit(Xc, yc, class_weight=class_weight, nb_epoch=1, batch_size=30, verbose=0)
    assert history.history['loss'][0] == pytest.approx(np.mean(per_sample * weights), rel=1e-4)


def test_nested_lists_of_numbers_are_data_for_a_one_input_model():
    """x and y as plain Python lists (one row per sample) train and predict as arrays do."""
    from teachnet.layers import Dense
    from teachnet.models import Sequential
    model = Sequential([Dense(1, input_dim=2)])
    model.compile('sgd', 'mse')
    assert model.predict([[1.0, 2.0]]).shape == (1, 1)                      # one sample, as a list
    model.fit([[1.0, 2.0], [3.0, 4.0]], [[1.0], [2.0]], nb_epoch=1, verbose=0)
    assert model.predict([[1.0, 2.0], [3.0, 4.0]]).shape == (2, 1)
