"""Mistakes students make, and what teachnet says back.

Every mistake must raise a clear error: a ValueError or TypeError whose message names the
layer or argument, what was expected and what was received. And a mistake must cost
nothing: after the failed call the model has the same weights, the same layers and the
same compilation, and still fits and predicts.
"""
import numpy as np
import pytest

import teachnet
from teachnet.layers import Activation, Dense, Dropout, Permute, RepeatVector, Reshape
from teachnet.models import Sequential, model_from_json
from teachnet.optimizers import SGD

pytestmark = pytest.mark.backend_independent     # every check here runs on host data

FEATURES, CLASSES, SAMPLES = 4, 3, 12


@pytest.fixture
def setup():
    """A small compiled classifier that has trained one epoch, and its data."""
    teachnet.set_seed(0)
    rng = np.random.default_rng(0)
    x = rng.random((SAMPLES, FEATURES)).astype('float32')
    y = np.eye(CLASSES)[np.arange(SAMPLES) % CLASSES].astype('float32')
    model = Sequential([Dense(8, input_dim=FEATURES, activation='relu', name='hidden'),
                        Dense(CLASSES, activation='softmax', name='output')])
    model.compile(optimizer='rmsprop', loss='categorical_crossentropy', metrics=['accuracy'])
    model.fit(x, y, nb_epoch=1, batch_size=4, verbose=0)
    return model, x, y


def state_of(model):
    return ([w.copy() for w in model.get_weights()], [layer.name for layer in model.layers],
            model.optimizer, model.loss, list(model.metrics_names))


def assert_mistake(setup, mistake, error_type, *fragments):
    """``mistake(model, x, y)`` raises ``error_type`` with every fragment in its message,
    and leaves the model as it was and able to train and predict."""
    model, x, y = setup
    weights, names, optimizer, loss, metrics_names = state_of(model)
    with pytest.raises(error_type) as caught:
        mistake(model, x, y)
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} missing from the message: {message}"
    after_weights, after_names, after_optimizer, after_loss, after_metrics = state_of(model)
    assert all(np.array_equal(a, b) for a, b in zip(weights, after_weights)) and len(weights) == len(after_weights)
    assert (after_names, after_optimizer, after_loss, after_metrics) == (names, optimizer, loss, metrics_names)
    history = model.fit(x, y, nb_epoch=1, batch_size=4, verbose=0)
    assert np.isfinite(history.history['loss'][0])
    assert model.predict(x).shape == (SAMPLES, CLASSES)
    return message


# ----------------------------------------------------------------------------- building

def test_first_layer_without_input_shape():
    with pytest.raises(ValueError) as caught:
        Sequential([Dense(32, name='first')])
    message = str(caught.value)
    assert 'first' in message and 'input_shape' in message and 'input_dim' in message


def test_input_shape_given_as_a_number_or_a_string(setup):
    for wrong, shown in ((dict(input_shape=784), '784'), (dict(input_dim='784'), "'784'")):
        with pytest.raises(ValueError) as caught:
            Dense(32, name='first', **wrong)
        message = str(caught.value)
        assert 'first' in message and 'input_shape' in message and 'positive integers' in message
        assert shown in message


def test_adding_something_that_is_not_a_layer(setup):
    message = assert_mistake(setup, lambda m, x, y: m.add('relu'), TypeError, 'layer', "'relu'", 'str')
    assert 'Dense(32)' in message
    assert_mistake(setup, lambda m, x, y: m.add(Activation), TypeError, 'layer', 'type')


@pytest.mark.parametrize('units', [0, -3, 2.5])
def test_dense_with_a_bad_number_of_units(units):
    with pytest.raises(ValueError) as caught:
        Dense(units, name='tiny')
    message = str(caught.value)
    assert 'tiny' in message and 'output_dim' in message and 'positive integer' in message and repr(units) in message


def test_reshape_to_the_wrong_size(setup):
    assert_mistake(setup, lambda m, x, y: m.add(Reshape((2, 2), name='reshaper')), ValueError,
                   'reshaper', f'({CLASSES} values per sample)', '(2, 2)', '(4 values)')


def test_permute_with_the_wrong_number_of_axes(setup):
    assert_mistake(setup, lambda m, x, y: m.add(Permute((2, 1), name='swap')), ValueError,
                   'swap', '2 non-batch axes', f'(None, {CLASSES})')


def test_repeat_vector_on_a_sequence():
    model = Sequential([Dense(4, input_shape=(2, 3))])
    with pytest.raises(ValueError) as caught:
        model.add(RepeatVector(2, name='repeat'))
    message = str(caught.value)
    assert 'repeat' in message and '(batch, features)' in message and '(None, 2, 4)' in message
    assert len(model.layers) == 1 and model.predict(np.ones((5, 2, 3))).shape == (5, 2, 4)


def test_duplicate_layer_name(setup):
    assert_mistake(setup, lambda m, x, y: m.add(Dense(2, name='hidden')), ValueError,
                   "'hidden'", 'unique')


def test_adding_the_same_layer_twice(setup):
    assert_mistake(setup, lambda m, x, y: m.add(m.layers[-1]), ValueError, 'output', 'already in model')


def test_dropout_that_drops_everything():
    for keyword in ('p', 'rate'):
        with pytest.raises(ValueError) as caught:
            Dropout(**{keyword: 1.0}, name='drop')
        message = str(caught.value)
        assert 'drop' in message and '[0, 1)' in message and '1.0' in message


def test_unknown_keyword_argument_to_a_layer():
    with pytest.raises(TypeError) as caught:
        Dense(3, input_dim=4, activaton='relu')
    message = str(caught.value)
    assert 'Dense' in message and 'activaton' in message


def test_unknown_activation_name():
    for make in (lambda: Dense(3, activation='rleu'), lambda: Activation('rleu')):
        with pytest.raises(ValueError) as caught:
            make()
        message = str(caught.value)
        assert "'rleu'" in message and "'relu'" in message


# ----------------------------------------------------------------------------- compiling

def test_fit_before_compile():
    model = Sequential([Dense(2, input_dim=3, name='lonely')])
    before = model.get_weights()
    with pytest.raises(RuntimeError) as caught:
        model.fit(np.ones((4, 3)), np.ones((4, 2)), verbose=0)
    assert 'compile' in str(caught.value)
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))
    model.compile('sgd', 'mse')
    model.fit(np.ones((4, 3)), np.ones((4, 2)), verbose=0)


def test_unknown_optimizer_name(setup):
    assert_mistake(setup, lambda m, x, y: m.compile('sdg', 'mse'), ValueError, "'sdg'", "'sgd'", 'optimizer')


def test_unknown_loss_name(setup):
    assert_mistake(setup, lambda m, x, y: m.compile('sgd', 'mean_square_error'), ValueError,
                   "'mean_square_error'", 'mean_squared_error', 'loss')


def test_unknown_metric_name(setup):
    assert_mistake(setup, lambda m, x, y: m.compile('adam', 'mse', metrics=['acuracy']),
                   ValueError, "'acuracy'", "'accuracy'", 'metric')
    assert setup[0].loss == 'categorical_crossentropy'      # the failed compile changed nothing


def test_metrics_given_as_a_string(setup):
    assert_mistake(setup, lambda m, x, y: m.compile('sgd', 'mse', metrics='accuracy'), TypeError,
                   'metrics', "['accuracy']", "'accuracy'")


def test_optimizer_with_a_bad_learning_rate(setup):
    assert_mistake(setup, lambda m, x, y: m.compile(SGD(lr='fast'), 'mse'), TypeError, 'SGD', 'lr', "'fast'")


# ----------------------------------------------------------------------------- the data

def test_x_with_the_wrong_number_of_features(setup):
    assert_mistake(setup, lambda m, x, y: m.fit(np.ones((SAMPLES, 5)), y, verbose=0), ValueError,
                   'hidden', f'(None, {FEATURES})', f'({SAMPLES}, 5)')
    assert_mistake(setup, lambda m, x, y: m.predict(np.ones((2, 5))), ValueError, 'hidden', '(2, 5)')


def test_x_with_the_wrong_number_of_dimensions(setup):
    assert_mistake(setup, lambda m, x, y: m.fit(x[..., None], y, verbose=0), ValueError,
                   'hidden', f'(None, {FEATURES})', f'({SAMPLES}, {FEATURES}, 1)')
    assert_mistake(setup, lambda m, x, y: m.predict(x[0]), ValueError, 'hidden', f'({FEATURES},)')


def test_x_and_y_with_different_sample_counts(setup):
    assert_mistake(setup, lambda m, x, y: m.fit(x, y[:-1], verbose=0), ValueError,
                   f'{SAMPLES} input samples', f'{SAMPLES - 1} target samples')


def test_categorical_crossentropy_with_integer_labels(setup):
    labels = (np.arange(SAMPLES) % CLASSES).reshape(-1, 1)
    assert_mistake(setup, lambda m, x, y: m.fit(x, labels, verbose=0), ValueError,
                   'categorical_crossentropy', f'({SAMPLES}, 1)', f'(samples, {CLASSES})', 'to_categorical',
                   'sparse_categorical_crossentropy')


def test_targets_with_the_wrong_number_of_classes(setup):
    assert_mistake(setup, lambda m, x, y: m.fit(x, np.eye(5)[np.arange(SAMPLES) % 5], verbose=0), ValueError,
                   'output', f'(None, {CLASSES})', f'({SAMPLES}, 5)')


def test_sparse_class_ids_out_of_range(setup):
    def mistake(model, x, y):
        model.compile('rmsprop', 'sparse_categorical_crossentropy')
        model.fit(x, np.full(SAMPLES, 7), verbose=0)
    model, x, y = setup
    weights = model.get_weights()
    with pytest.raises(ValueError) as caught:
        mistake(model, x, y)
    assert 'output' in str(caught.value) and f'0..{CLASSES - 1}' in str(caught.value) and '7' in str(caught.value)
    assert all(np.array_equal(a, b) for a, b in zip(weights, model.get_weights()))
    model.fit(x, np.arange(SAMPLES) % CLASSES, verbose=0)


def test_strings_as_x(setup):
    words = np.array([['a', 'b', 'c', 'd']] * SAMPLES)
    assert_mistake(setup, lambda m, x, y: m.fit(words, y, verbose=0), TypeError, 'x', 'numbers', '<U1')
    assert_mistake(setup, lambda m, x, y: m.predict([['a', 'b', 'c', 'd']]), TypeError, 'x', 'numbers')


def test_missing_targets(setup):
    assert_mistake(setup, lambda m, x, y: m.fit(x, verbose=0), ValueError, 'fit', 'y')
    assert_mistake(setup, lambda m, x, y: m.evaluate(x, None, verbose=0), ValueError, 'evaluate', 'y')


# ----------------------------------------------------------------------------- fit's arguments

@pytest.mark.parametrize('batch_size', [0, -1, 2.5])
def test_bad_batch_size(setup, batch_size):
    assert_mistake(setup, lambda m, x, y: m.fit(x, y, batch_size=batch_size, verbose=0), ValueError,
                   'batch_size', 'positive integer', repr(batch_size))


def test_bad_number_of_epochs(setup):
    assert_mistake(setup, lambda m, x, y: m.fit(x, y, nb_epoch='3', verbose=0), ValueError,
                   'nb_epoch', 'integer', "'3'")


@pytest.mark.parametrize('fraction', [1.5, 1.0, -0.2])
def test_validation_split_outside_0_1(setup, fraction):
    assert_mistake(setup, lambda m, x, y: m.fit(x, y, validation_split=fraction, verbose=0), ValueError,
                   'validation_split', '[0, 1)', repr(fraction))


def test_malformed_validation_data(setup):
    assert_mistake(setup, lambda m, x, y: m.fit(x, y, validation_data=x, verbose=0), ValueError,
                   'validation_data', '(x_val, y_val)', 'ndarray')
    assert_mistake(setup, lambda m, x, y: m.fit(x, y, validation_data=(x,), verbose=0), ValueError,
                   'validation_data', '(x_val, y_val)', '1 items')
    assert_mistake(setup, lambda m, x, y: m.fit(x, y, validation_data=(x[:, :2], y), verbose=0), ValueError,
                   'validation x', f'(None, {FEATURES})', f'({SAMPLES}, 2)')


def test_unknown_keyword_argument_to_fit(setup):
    assert_mistake(setup, lambda m, x, y: m.fit(x, y, nb_epochs=2, verbose=0), TypeError, 'fit', 'nb_epochs')


def test_verbose_out_of_range(setup):
    assert_mistake(setup, lambda m, x, y: m.fit(x, y, verbose=3), ValueError, 'verbose', '0, 1 or 2', '3')


def test_shuffle_and_callbacks_of_the_wrong_kind(setup):
    assert_mistake(setup, lambda m, x, y: m.fit(x, y, shuffle='yes', verbose=0), ValueError,
                   'shuffle', "'batch'", "'yes'")
    assert_mistake(setup, lambda m, x, y: m.fit(x, y, callbacks=print, verbose=0), TypeError,
                   'callbacks', 'list', 'print')


def test_class_weight_missing_a_class(setup):
    assert_mistake(setup, lambda m, x, y: m.fit(x, y, class_weight={0: 1.0, 1: 2.0}, verbose=0), ValueError,
                   'class_weight', '[2]')
    assert_mistake(setup, lambda m, x, y: m.fit(x, y, class_weight=[1.0, 2.0, 3.0], verbose=0), TypeError,
                   'class_weight', 'dict', 'list')


def test_sample_weight_of_the_wrong_shape(setup):
    assert_mistake(setup, lambda m, x, y: m.fit(x, y, sample_weight=np.ones(SAMPLES - 2), verbose=0), ValueError,
                   'sample_weight', f'({SAMPLES},)', f'({SAMPLES - 2},)')
    assert_mistake(setup, lambda m, x, y: m.fit(x, y, sample_weight=np.ones((SAMPLES, 3)), verbose=0),
                   ValueError, 'sample_weight', f'({SAMPLES},)', f'({SAMPLES}, 3)')


# ----------------------------------------------------------------------------- weights and saving

def test_set_weights_with_the_wrong_count(setup):
    assert_mistake(setup, lambda m, x, y: m.set_weights(m.get_weights()[:3]), ValueError, '4 weight arrays', '3')
    assert_mistake(setup, lambda m, x, y: m.layers[0].set_weights([np.zeros((FEATURES, 8))]), ValueError,
                   'hidden', '2 weight arrays', 'received 1')


def test_set_weights_with_a_wrong_shape(setup):
    def one_wrong(model, x, y):
        weights = [np.zeros_like(w) for w in model.get_weights()]     # all would be changed...
        weights[2] = np.zeros((8, CLASSES + 1))                       # ...but one does not fit
        model.set_weights(weights)
    assert_mistake(setup, one_wrong, ValueError, 'output', 'output/kernel', f'(8, {CLASSES})', f'(8, {CLASSES + 1})')


def test_training_never_changes_the_arrays_given_to_set_weights(setup):
    """set_weights takes copies, as Keras does: a student's saved list stays what it was."""
    model, x, y = setup
    given = model.get_weights()                     # float32 host arrays, the model's own dtype
    kept = [w.copy() for w in given]
    model.set_weights(given)
    model.fit(x, y, nb_epoch=1, batch_size=4, verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(given, kept))
    assert not all(np.array_equal(a, b) for a, b in zip(model.get_weights(), kept))     # it did train


def test_model_from_json_on_garbage():
    for garbage, fragment in (('not json', 'to_json'), ('[1, 2]', 'list'), ('{"class_name": "Graph"}', "'Graph'")):
        with pytest.raises(ValueError) as caught:
            model_from_json(garbage)
        assert 'model' in str(caught.value) and fragment in str(caught.value)
