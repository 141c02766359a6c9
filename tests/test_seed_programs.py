"""The programs of the Keras 1 Sequential guide (SEED_API.md sections 1, 2, 4, 5, 6's MLPs)
run as written, with ``teachnet`` for ``keras``, and learn.

The data are learnable: labels come from a fixed random linear rule of the inputs, so a
model that trains must beat chance by a wide margin. Expected numbers (weighted losses,
summary counts, shapes) are computed here with plain NumPy, independently of teachnet.
"""
import json

import numpy as np
import pytest

import teachnet
import teachnet.backend as K
from teachnet.callbacks import EarlyStopping
from teachnet.layers import Activation, Dense, Dropout
from teachnet.models import Sequential, model_from_json
from teachnet.optimizers import SGD, Adadelta, Adagrad, Adam, Adamax, Nadam, RMSprop
from teachnet.utils.np_utils import to_categorical

from guide_models import (binary_rule_data, guide_mlp, linear_rule_data, small_binary, small_softmax,
                          weights_equal)


# ----------------------------------------------------------------------------- sections 1, 2

def test_section_1_both_ways_of_building_give_the_same_stack():
    model = Sequential([
        Dense(32, input_dim=784),
        Activation('relu'),
        Dense(10),
        Activation('softmax'),
    ])
    assert [l.output_shape for l in model.layers] == [(None, 32), (None, 32), (None, 10), (None, 10)]
    assert model.input_shape == (None, 784) and model.output_shape == (None, 10)
    assert model.count_params() == 784 * 32 + 32 + 32 * 10 + 10

    model = Sequential()
    model.add(Dense(32, input_dim=784))
    model.add(Activation('relu'))
    assert [l.output_shape for l in model.layers] == [(None, 32), (None, 32)]
    assert model.predict(np.zeros((3, 784))).shape == (3, 32)


@pytest.mark.parametrize('spelling', [dict(input_shape=(784,)), dict(batch_input_shape=(None, 784)),
                                      dict(input_dim=784)])
def test_section_2_three_input_shape_spellings_are_the_same(spelling):
    model = Sequential(); model.add(Dense(32, **spelling))
    assert model.input_shape == (None, 784)
    assert model.output_shape == (None, 32)
    assert [w.shape for w in model.get_weights()] == [(784, 32), (32,)]
    assert model.predict(np.ones((5, 784)), batch_size=2).shape == (5, 32)


def test_only_the_first_layer_needs_its_input_shape():
    model = Sequential([Dense(7, input_shape=(3,)), Dense(5), Activation('tanh'), Dense(2)])
    assert [l.input_shape for l in model.layers] == [(None, 3), (None, 7), (None, 5), (None, 5)]
    assert [w.shape for w in model.get_weights()] == [(3, 7), (7,), (7, 5), (5,), (5, 2), (2,)]


# ----------------------------------------------------------------------------- section 6's MLPs

def test_guide_softmax_mlp_with_nesterov_sgd_learns():
    teachnet.set_seed(3)
    X_all, y_all = linear_rule_data(600)
    X_train, y_train, X_test, y_test = X_all[:400], y_all[:400], X_all[400:], y_all[400:]
    model = guide_mlp()
    sgd = SGD(lr=0.1, decay=1e-6, momentum=0.9, nesterov=True)
    model.compile(loss='categorical_crossentropy', optimizer=sgd, metrics=['accuracy'])
    before = model.evaluate(X_test, y_test, batch_size=16, verbose=0)
    # the guide's rate with momentum 0.9 is bold (an effective step of lr / (1 - μ) = 1):
    # it learns fast, then overshoots, with this little data; a few epochs show the learning
    history = model.fit(X_train, y_train, nb_epoch=4, batch_size=16, verbose=0)
    score = model.evaluate(X_test, y_test, batch_size=16, verbose=0)
    assert history.history['loss'][-1] < 0.85 * history.history['loss'][0]
    assert score[0] < before[0]
    assert history.history['acc'][-1] > 0.35 and score[1] > 0.4   # chance is about 0.1


def test_guide_relu_mlp_with_adadelta_learns():
    teachnet.set_seed(4)
    X, y = linear_rule_data(1000)
    model = guide_mlp(activation_in_dense=True)
    model.compile(loss='categorical_crossentropy', optimizer='adadelta', metrics=['accuracy'])
    # relu units behind U(-0.05, 0.05) weights start with tiny signals: a slow start
    history = model.fit(X[:800], y[:800], nb_epoch=10, batch_size=16, verbose=0)
    loss, acc = model.evaluate(X[800:], y[800:], batch_size=16, verbose=0)
    assert history.history['loss'][-1] < 0.85 * history.history['loss'][0]
    assert acc > 0.3


def test_guide_binary_mlp_learns():
    teachnet.set_seed(5)
    X, y = binary_rule_data(500)
    model = Sequential()
    model.add(Dense(64, input_dim=20, init='uniform', activation='relu'))
    model.add(Dropout(0.5))
    model.add(Dense(64, activation='relu'))
    model.add(Dropout(0.5))
    model.add(Dense(1, activation='sigmoid'))
    model.compile(loss='binary_crossentropy', optimizer='rmsprop', metrics=['accuracy'])
    history = model.fit(X[:400], y[:400], nb_epoch=8, batch_size=16, verbose=0)
    loss, acc = model.evaluate(X[400:], y[400:], batch_size=16, verbose=0)
    assert history.history['loss'][-1] < history.history['loss'][0]
    assert acc > 0.8


def test_section_5_single_sigmoid_unit_learns():
    teachnet.set_seed(6)
    rng = np.random.default_rng(7)
    rule = rng.normal(size=784)
    data = np.random.random((1000, 784))
    labels = ((data - 0.5) @ rule > 0).astype(int).reshape(-1, 1)
    model = Sequential()
    model.add(Dense(1, input_dim=784, activation='sigmoid'))
    model.compile(optimizer='rmsprop', loss='binary_crossentropy', metrics=['accuracy'])
    history = model.fit(data, labels, nb_epoch=10, batch_size=32, verbose=0)
    assert history.history['loss'][-1] < 0.9 * history.history['loss'][0]
    assert history.history['acc'][-1] > 0.65 > history.history['acc'][0]
    # the same program with the guide's random labels still runs end to end
    labels = np.random.randint(2, size=(1000, 1))
    model.fit(data, labels, nb_epoch=1, batch_size=32, verbose=0)


@pytest.mark.backend_independent
def test_the_mlp_learns_sklearn_digits():
    datasets = pytest.importorskip('sklearn.datasets')
    teachnet.set_seed(8)
    digits = datasets.load_digits()
    X = (digits.data / 16).astype('float32')
    y = to_categorical(digits.target, 10)
    model = Sequential([Dense(32, input_dim=64, activation='relu'), Dense(10, activation='softmax')])
    model.compile(optimizer='rmsprop', loss='categorical_crossentropy', metrics=['accuracy'])
    history = model.fit(X[:1200], y[:1200], nb_epoch=8, batch_size=32, verbose=0)
    loss, acc = model.evaluate(X[1200:], y[1200:], verbose=0)
    assert history.history['loss'][-1] < 0.5 * history.history['loss'][0]
    assert acc > 0.85


# ----------------------------------------------------------------------------- summary

def test_summary_lists_layers_shapes_and_parameter_counts(capsys):
    model = Sequential([Dense(32, input_dim=784, name='hidden'), Activation('relu', name='act'),
                        Dense(10, name='out')])
    model.summary()
    text = capsys.readouterr().out
    rows = {line.split()[0]: line for line in text.splitlines() if line.split() and
            line.split()[0] in ('hidden', 'act', 'out')}
    assert set(rows) == {'hidden', 'act', 'out'}
    assert '(Dense)' in rows['hidden'] and '(None, 32)' in rows['hidden'] and '25120' in rows['hidden']
    assert '(Activation)' in rows['act'] and rows['act'].split()[-2] == '0'
    assert '(None, 10)' in rows['out'] and '330' in rows['out']
    total = 784 * 32 + 32 + 32 * 10 + 10
    assert f'Total params: {total:,}' in text
    assert f'Trainable params: {total:,}' in text
    assert 'Non-trainable params: 0' in text


# ----------------------------------------------------------------------------- compile, history, evaluate

def test_history_has_loss_and_metrics_per_epoch_with_validation():
    teachnet.set_seed(9)
    X, y = linear_rule_data(120)
    model = small_softmax()
    history = model.fit(X[:80], y[:80], nb_epoch=3, batch_size=16, verbose=0,
                        validation_data=(X[80:], y[80:]))
    assert set(history.history) == {'loss', 'acc', 'val_loss', 'val_acc'}
    assert all(len(values) == 3 for values in history.history.values())
    assert history.history['accuracy'] == history.history['acc']
    assert history.history['val_accuracy'] == history.history['val_acc']
    assert history.epoch == [0, 1, 2]
    assert model.metrics_names == ['loss', 'acc']
    # the last val_ values are evaluate's numbers on the validation data
    loss, acc = model.evaluate(X[80:], y[80:], verbose=0)
    assert history.history['val_loss'][-1] == pytest.approx(loss, rel=1e-5)
    assert history.history['val_acc'][-1] == pytest.approx(acc)


def test_evaluate_returns_loss_alone_without_metrics():
    X, y = linear_rule_data(50)
    model = Sequential([Dense(10, input_dim=20, activation='softmax')])
    model.compile(optimizer='sgd', loss='mse')
    score = model.evaluate(X, y, verbose=0)
    assert isinstance(score, float)
    expected = np.mean((model.predict(X) - y) ** 2)
    assert score == pytest.approx(expected, rel=1e-5)
    assert model.metrics_names == ['loss']


def guide_false_rates(y_true, y_pred):
    predicted_positive = K.cast(K.greater(y_pred, 0.5), K.floatx())
    false_neg = K.mean(y_true * (1 - predicted_positive))
    false_pos = K.mean((1 - y_true) * predicted_positive)
    return {'false_neg': false_neg, 'false_pos': false_pos}


def mean_pred(y_true, y_pred):
    return K.mean(y_pred)


def test_function_and_dict_metrics_are_logged_by_name_and_evaluated_in_order():
    teachnet.set_seed(10)
    X, y = binary_rule_data(64)
    model = Sequential([Dense(1, input_dim=20, activation='sigmoid')])
    model.compile(optimizer='rmsprop', loss='binary_crossentropy',
                  metrics=['accuracy', mean_pred, guide_false_rates])
    assert model.metrics_names == ['loss', 'acc', 'mean_pred', 'false_neg', 'false_pos']
    history = model.fit(X, y, nb_epoch=2, batch_size=64, verbose=0, validation_data=(X, y))
    for name in model.metrics_names:
        assert len(history.history[name]) == 2 and len(history.history['val_' + name]) == 2
    p = model.predict(X).astype('float64')
    score = model.evaluate(X, y, batch_size=64, verbose=0)
    clipped = np.clip(p, 1e-7, 1 - 1e-7)
    expected = [np.mean(-(y * np.log(clipped) + (1 - y) * np.log(1 - clipped))),
                np.mean(np.round(p) == y), p.mean(),
                np.mean(y * (p <= 0.5)), np.mean((1 - y) * (p > 0.5))]
    assert score == pytest.approx(expected, rel=1e-4, abs=1e-6)


def test_custom_loss_written_with_K_trains():
    def mean_fourth_power(y_true, y_pred):
        return K.mean(K.square(K.square(y_pred - y_true)), axis=-1)

    teachnet.set_seed(11)
    X, y = binary_rule_data(200)
    model = Sequential([Dense(8, input_dim=20, activation='tanh'), Dense(1, activation='sigmoid')])
    model.compile(optimizer=Adam(lr=0.01), loss=mean_fourth_power, metrics=['accuracy'])
    p = model.predict(X).astype('float64')
    assert model.evaluate(X, y, verbose=0)[0] == pytest.approx(np.mean((p - y) ** 4), rel=1e-4)
    history = model.fit(X, y, nb_epoch=6, batch_size=16, verbose=0)
    assert history.history['loss'][-1] < 0.8 * history.history['loss'][0]
    assert history.history['acc'][-1] > 0.75


# ----------------------------------------------------------------------------- predicting, batches

def test_predict_family_shapes_and_values():
    teachnet.set_seed(14)
    X, y = linear_rule_data(37)
    model = small_softmax()
    W1, b1, W2, b2 = [w.astype('float64') for w in model.get_weights()]
    logits = np.maximum(X @ W1 + b1, 0) @ W2 + b2
    expected = np.exp(logits - logits.max(axis=1, keepdims=True))
    expected /= expected.sum(axis=1, keepdims=True)
    probabilities = model.predict(X, batch_size=8)
    assert probabilities.shape == (37, 10) and isinstance(probabilities, np.ndarray)
    np.testing.assert_allclose(probabilities, expected, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(model.predict_proba(X, verbose=0), expected, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(model.predict_on_batch(X), expected, rtol=1e-4, atol=1e-6)
    classes = model.predict_classes(X, verbose=0)
    assert classes.shape == (37,) and np.array_equal(classes, expected.argmax(axis=1))

    binary = small_binary()
    p = binary.predict(X)
    assert p.shape == (37, 1)
    assert np.array_equal(binary.predict_classes(X, verbose=0), (p > 0.5).astype('int32'))
    assert binary.predict_classes(X, verbose=0).shape == (37, 1)


def test_train_and_test_on_batch():
    X, y = linear_rule_data(32)
    model = small_softmax()
    p = np.clip(model.predict(X).astype('float64'), 1e-7, 1 - 1e-7)
    loss = np.mean(-(y * np.log(p)).sum(axis=1))
    acc = np.mean(p.argmax(axis=1) == y.argmax(axis=1))
    assert model.test_on_batch(X, y) == pytest.approx([loss, acc], rel=1e-4)
    before = model.get_weights()
    assert model.train_on_batch(X, y) == pytest.approx([loss, acc], rel=1e-4)   # values before the step
    assert not weights_equal(before, model.get_weights())
    assert model.test_on_batch(X, y)[0] < loss


# ----------------------------------------------------------------------------- callbacks

def test_early_stopping_stops_when_the_loss_stops_improving():
    X, y = linear_rule_data(40)
    model = small_softmax(optimizer=SGD(lr=0.0))        # nothing changes: no improvement at all
    # Without shuffling every epoch sums the same losses in the same order, so the loss
    # repeats to the last bit; a shuffled order could lower it by one rounding step, which
    # EarlyStopping rightly counts as an improvement.
    history = model.fit(X, y, nb_epoch=20, batch_size=40, verbose=0, shuffle=False,
                        callbacks=[EarlyStopping(monitor='loss', patience=2)])
    assert 2 <= len(history.epoch) <= 4


# ----------------------------------------------------------------------------- seeds, optimizers

def train_once(seed):
    teachnet.set_seed(seed)
    X, y = linear_rule_data(64)
    model = guide_mlp(dropout=0.2)
    model.compile(optimizer='adam', loss='categorical_crossentropy', metrics=['accuracy'])
    history = model.fit(X, y, nb_epoch=2, batch_size=16, verbose=0, validation_split=0.25)
    return model.get_weights(), history.history


def test_set_seed_makes_training_bit_identical():
    weights_a, history_a = train_once(21)
    weights_b, history_b = train_once(21)
    assert weights_equal(weights_a, weights_b)
    assert history_a == history_b
    weights_c, _ = train_once(22)
    assert not weights_equal(weights_a, weights_c)


OPTIMIZERS = [('sgd', SGD(lr=0.1)), ('rmsprop', RMSprop()), ('adagrad', Adagrad(lr=0.1)),
              ('adadelta', Adadelta()), ('adam', Adam(lr=0.01)), ('adamax', Adamax(lr=0.01)),
              ('nadam', Nadam(lr=0.01))]


@pytest.mark.parametrize('name, instance', OPTIMIZERS, ids=[name for name, _ in OPTIMIZERS])
def test_every_optimizer_by_name_and_instance_trains(name, instance):
    X, y = linear_rule_data(160)
    for optimizer in (name, type(instance)(**instance.get_config())):
        teachnet.set_seed(23)
        model = small_softmax(optimizer=optimizer)
        start = model.evaluate(X, y, verbose=0)[0]
        model.fit(X, y, nb_epoch=3, batch_size=16, verbose=0)
        assert model.evaluate(X, y, verbose=0)[0] < start, optimizer


@pytest.mark.parametrize('clipping', [dict(clipnorm=1.0), dict(clipvalue=0.5)])
def test_clipnorm_and_clipvalue_are_accepted_and_training_goes_on(clipping):
    teachnet.set_seed(24)
    X, y = linear_rule_data(100)
    model = small_softmax(optimizer=SGD(lr=0.1, **clipping))
    history = model.fit(X, y, nb_epoch=3, batch_size=10, verbose=0)
    assert history.history['loss'][-1] < history.history['loss'][0]


# ----------------------------------------------------------------------------- config round trips

GUIDE_MODELS = {
    'section_1': lambda: Sequential([Dense(32, input_dim=20), Activation('relu'), Dense(10),
                                     Activation('softmax')]),
    'softmax_mlp': guide_mlp,
    'relu_mlp': lambda: guide_mlp(activation_in_dense=True),
    'section_5': lambda: Sequential([Dense(1, input_dim=20, activation='sigmoid')]),
}


@pytest.mark.parametrize('which', sorted(GUIDE_MODELS))
def test_config_and_json_round_trips_give_the_same_outputs(which):
    X, _ = linear_rule_data(10)
    model = GUIDE_MODELS[which]()
    expected = model.predict(X)
    config = model.get_config()
    rebuilt = Sequential.from_config(config)
    from_json = model_from_json(model.to_json())
    assert json.loads(model.to_json())['class_name'] == 'Sequential'
    for copy in (rebuilt, from_json):
        assert [type(l) for l in copy.layers] == [type(l) for l in model.layers]
        assert [l.output_shape for l in copy.layers] == [l.output_shape for l in model.layers]
        assert copy.get_config() == config
        copy.set_weights(model.get_weights())
        np.testing.assert_array_equal(copy.predict(X), expected)
