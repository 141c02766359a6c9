"""Mistakes made while training, and what teachnet says back.

Data holding NaN or ±∞, a loss that blows up, two names for the number of epochs that
disagree, a list of arrays for a model with one input: each gets a message that says what
is wrong, where, and what to do, and leaves the model able to train.
"""
import numpy as np
import pytest

import teachnet
import teachnet.backend as K
from teachnet.callbacks import Callback, LambdaCallback
from teachnet.engine.divergence import NonFiniteLossError
from teachnet.engine.functional import Model
from teachnet.layers import Dense, Input, Lambda
from teachnet.models import Sequential
from teachnet.optimizers import SGD
from test_user_mistakes import assert_mistake, setup  # noqa: F401  (setup: the fixture)

host_only = pytest.mark.backend_independent     # checks of host data and arguments: run once


def with_value(array, index, value):
    spoilt = array.copy()
    spoilt[index] = value
    return spoilt


# ----------------------------------------------------------------------------- NaN and ∞ in the data

@host_only
@pytest.mark.parametrize('call', ['fit', 'evaluate', 'train_on_batch', 'test_on_batch', 'predict'])
def test_nan_in_x_is_refused_naming_the_sample_and_position(setup, call):
    def mistake(model, x, y):
        spoilt = with_value(x, (5, 2), np.nan)
        if call == 'predict':
            return model.predict(spoilt)
        return getattr(model, call)(spoilt, y, **({'verbose': 0} if call in ('fit', 'evaluate') else {}))
    message = assert_mistake(setup, mistake, ValueError, 'x holds NaN at sample 5, position (2,)',
                             '1 NaN and 0 infinite', 'np.nan_to_num')
    assert 'isfinite' in message


@host_only
def test_infinity_in_y_and_validation_data_is_refused(setup):
    assert_mistake(setup, lambda m, x, y: m.fit(x, with_value(y, (3, 1), -np.inf), verbose=0),
                   ValueError, 'y holds -Inf at sample 3, position (1,)')
    assert_mistake(setup, lambda m, x, y: m.fit(x, y, verbose=0, validation_data=(with_value(x, (0, 0), np.inf), y)),
                   ValueError, 'validation x holds Inf at sample 0, position (0,)')
    assert_mistake(setup, lambda m, x, y: m.fit(x, y, verbose=0, validation_data=(x, with_value(y, (2, 0), np.nan))),
                   ValueError, 'validation y holds NaN at sample 2, position (0,)')
    assert_mistake(setup, lambda m, x, y: m.fit(x, y, verbose=0, sample_weight=with_value(np.ones(len(x)), 7, np.nan)),
                   ValueError, 'sample_weight holds NaN at sample 7')


@host_only
def test_nan_in_one_input_of_a_functional_model_names_that_input():
    teachnet.set_seed(0)
    a, b = Input(shape=(3,), name='left'), Input(shape=(2,), name='right')
    model = Model(input=[a, b], output=Dense(1)(Dense(4)(b)))
    model.compile('sgd', 'mse')
    left, right, y = np.ones((6, 3)), np.ones((6, 2)), np.ones((6, 1))
    with pytest.raises(ValueError, match=r'x\[1\] \(for right\) holds NaN at sample 4, position \(1,\)'):
        model.fit([left, with_value(right, (4, 1), np.nan)], y, verbose=0)
    with pytest.raises(ValueError, match=r'y holds NaN at sample 0'):
        model.train_on_batch([left, right], with_value(y, (0, 0), np.nan))
    assert np.isfinite(model.fit([left, right], y, verbose=0).history['loss'][0])


@host_only
def test_nan_in_a_generator_batch_names_the_batch(setup):
    model, x, y = setup

    def batches():
        yield x[:4], y[:4]
        while True:
            yield with_value(x[:4], (1, 3), np.nan), y[:4]
    with pytest.raises(ValueError, match=r'batch 1 of the generator: x holds NaN at sample 1, position \(3,\)'):
        model.fit_generator(batches(), steps_per_epoch=2, verbose=0)


# ----------------------------------------------------------------------------- a loss that is not finite

def exponential_model():
    """hidden -> exp -> output: exp overflows to ∞ once the hidden outputs pass ~88."""
    teachnet.set_seed(0)
    model = Sequential([Dense(4, input_dim=4, name='hidden'),
                        Lambda(lambda t: K.exp(t), name='exponential'),
                        Dense(1, name='output')])
    model.compile(SGD(lr=0.01), 'mse')
    rng = np.random.default_rng(0)
    return model, rng.random((12, 4)).astype('float32'), rng.random((12, 1)).astype('float32')


class Ends(Callback):
    def on_train_begin(self, logs=None):
        self.ended = False

    def on_train_end(self, logs=None):
        self.ended = True


def test_a_layer_whose_output_overflows_stops_fit_and_keeps_the_last_finite_weights():
    model, x, y = exponential_model()
    kept = {}

    def blow_up_after_epoch_2(epoch, logs):
        if epoch == 1:                       # finite, but large enough for exp to overflow
            model.layers[0].set_weights([w * 1e3 for w in model.layers[0].get_weights()])
            kept['weights'] = model.get_weights()
    ends = Ends()
    with np.errstate(over='ignore', invalid='ignore'), pytest.raises(NonFiniteLossError) as caught:
        model.fit(x, y, nb_epoch=5, batch_size=4, shuffle=False, verbose=0,
                  callbacks=[LambdaCallback(on_epoch_end=blow_up_after_epoch_2), ends])
    error = caught.value
    message = str(error)
    for fragment in ('Model ', 'the loss became nan at epoch 3/5, batch 1/3', 'exponential',
                     'the last finite step', 'keeps the 2 epoch(s) that finished'):
        assert fragment in message, f"{fragment!r} missing from the message: {message}"
    assert (error.epoch, error.batch, error.layer) == (2, 0, 'exponential')
    assert error.history is model.history and error.history.epoch == [0, 1]
    assert len(error.history.history['loss']) == 2 and ends.ended
    for kept_weight, weight in zip(kept['weights'], model.get_weights()):
        np.testing.assert_array_equal(kept_weight, weight)
    # and the named layer is the first whose output is not finite, layer by layer
    outputs, value = [], x[:4]
    with np.errstate(over='ignore', invalid='ignore'):
        for layer in model.layers:
            value = K.to_numpy(layer(value).data)
            outputs.append(np.isfinite(value).all())
    assert outputs == [True, False, False]
    model.layers[0].set_weights([w / 1e3 for w in model.layers[0].get_weights()])
    assert np.isfinite(model.fit(x, y, nb_epoch=1, verbose=0).history['loss'][0])


def test_a_loss_that_grows_to_infinity_says_the_loss_function_made_it():
    teachnet.set_seed(0)
    rng = np.random.default_rng(0)
    x, y = rng.random((12, 4)).astype('float32'), rng.random((12, 1)).astype('float32')
    model = Sequential([Dense(8, input_dim=4, activation='relu'), Dense(1)])
    model.compile(SGD(lr=3.0), 'mse')                 # far too high: the loss grows each epoch
    with np.errstate(over='ignore'), pytest.raises(NonFiniteLossError) as caught:
        model.fit(x, y, nb_epoch=50, batch_size=4, shuffle=False, verbose=0)
    error = caught.value
    assert error.layer is None and 'the loss function made it' in str(error) and 'learning rate' in str(error)
    assert len(error.history.history['loss']) == error.epoch > 1
    assert all(np.isfinite(w).all() for w in model.get_weights())


def test_train_on_batch_refuses_the_update_of_a_non_finite_loss():
    model, x, y = exponential_model()
    model.layers[0].set_weights([w * 1e3 for w in model.layers[0].get_weights()])
    weights = model.get_weights()
    with np.errstate(over='ignore', invalid='ignore'), pytest.raises(NonFiniteLossError, match='exponential') as caught:
        model.train_on_batch(x, y)
    assert caught.value.history is None and 'this batch' in str(caught.value)
    for before, after in zip(weights, model.get_weights()):
        np.testing.assert_array_equal(before, after)


# ----------------------------------------------------------------------------- arguments

@host_only
def test_nb_epoch_and_epochs_must_agree(setup):
    assert_mistake(setup, lambda m, x, y: m.fit(x, y, nb_epoch=1, epochs=2, verbose=0), ValueError,
                   'fit', 'nb_epoch=1', 'epochs=2', 'only one')
    model, x, y = setup
    assert len(model.fit(x, y, nb_epoch=2, epochs=2, verbose=0).history['loss']) == 2
    batches = iter(lambda: (x, y), None)
    assert_mistake(setup, lambda m, x, y: m.fit_generator(batches, steps_per_epoch=1, nb_epoch=3, epochs=1,
                                                          verbose=0), ValueError, 'fit_generator', 'nb_epoch=3')


@host_only
def test_a_list_of_arrays_for_a_model_with_one_input(setup):
    model, x, y = setup
    message = assert_mistake(setup, lambda m, x, y: m.fit([x, x], y, verbose=0), ValueError,
                             f'Model {model.name} has one input (hidden)', 'a list of 2 arrays')
    assert '(2, 12, 4)' not in message
    assert_mistake(setup, lambda m, x, y: m.train_on_batch(x, [y, y]), ValueError,
                   'has one output (output)', 'y is a list of 2 arrays')


@host_only
def test_a_list_of_arrays_for_a_functional_model_with_one_input():
    teachnet.set_seed(0)
    features = Input(shape=(4,), name='features')
    model = Model(input=features, output=Dense(1, name='score')(features), name='scorer')
    model.compile('sgd', 'mse')
    x, y = np.ones((6, 4)), np.ones((6, 1))
    with pytest.raises(ValueError, match=r'Model scorer has one input \(features\), but x is a list of 3 arrays'):
        model.predict([x, x, x])
    assert model.predict([x]).shape == (6, 1)
