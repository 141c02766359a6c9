"""fit_generator / evaluate_generator / predict_generator on the same steps as fit."""
import warnings

import numpy as np
import pytest

import teachnet
from teachnet.layers import Dense, Flatten
from teachnet.models import Sequential
from teachnet.optimizers import Adam
from teachnet.preprocessing.image import ImageDataGenerator


def problem(count=96, seed=0):
    """Images (count, 1, 3, 3) whose class is whether their pixel sum is above average."""
    rng = np.random.default_rng(seed)
    x = rng.random((count, 1, 3, 3)).astype('float32')
    labels = (x.sum(axis=(1, 2, 3)) > 4.5).astype(int)
    return x, np.eye(2, dtype='float32')[labels]


def model(optimizer='adam'):
    teachnet.set_seed(1)
    net = Sequential([Flatten(input_shape=(1, 3, 3)), Dense(8, activation='tanh'), Dense(2, activation='softmax')])
    net.compile(optimizer, 'categorical_crossentropy', metrics=['accuracy'])
    return net


def batches(x, y, batch_size=16, weights=None):
    """A plain Python generator looping forever over the data in order."""
    while True:
        for start in range(0, len(x), batch_size):
            stop = start + batch_size
            yield (x[start:stop], y[start:stop]) if weights is None else (
                x[start:stop], y[start:stop], weights[start:stop])


def test_fit_generator_on_flow_lowers_the_loss():
    x, y = problem()
    net = model(optimizer=Adam(lr=0.03))
    history = net.fit_generator(ImageDataGenerator().flow(x, y, batch_size=16, seed=0),
                                samples_per_epoch=len(x), nb_epoch=10, verbose=0)
    losses = history.history['loss']
    assert len(losses) == 10 and losses[-1] < 0.6 * losses[0]
    assert set(history.history) >= {'loss', 'acc'}


def test_keras1_and_keras2_names_run_the_same_training():
    x, y = problem()
    keras1 = model().fit_generator(batches(x, y), samples_per_epoch=96, nb_epoch=2, verbose=0)
    keras2 = model().fit_generator(batches(x, y), steps_per_epoch=6, epochs=2, verbose=0)
    np.testing.assert_allclose(keras1.history['loss'], keras2.history['loss'], rtol=1e-6)
    by_length = model().fit_generator(ImageDataGenerator().flow(x, y, batch_size=16, shuffle=False),
                                      epochs=2, verbose=0)
    np.testing.assert_allclose(by_length.history['loss'], keras1.history['loss'], rtol=1e-6)


def test_epoch_loss_is_the_sample_mean_of_the_batches_seen():
    x, y = problem(40)
    net = model()
    net.optimizer.lr = 0.     # no learning: every batch sees the same weights
    history = net.fit_generator(batches(x, y, batch_size=16), steps_per_epoch=3, nb_epoch=1, verbose=0)
    assert history.history['loss'][0] == pytest.approx(net.evaluate(x, y, verbose=0)[0], rel=1e-5)


def test_fit_generator_with_sample_weights_and_validation():
    x, y = problem()
    weights = np.ones(len(x), 'float32')
    history = model().fit_generator(batches(x, y, weights=weights), samples_per_epoch=96, nb_epoch=2, verbose=0,
                                    validation_data=(x[:32], y[:32]))
    assert len(history.history['val_loss']) == 2 and 'val_acc' in history.history
    history = model().fit_generator(batches(x, y), steps_per_epoch=6, epochs=1, verbose=0,
                                    validation_data=batches(x[:32], y[:32]), validation_steps=2)
    history2 = model().fit_generator(batches(x, y), steps_per_epoch=6, epochs=1, verbose=0,
                                     validation_data=batches(x[:32], y[:32]), nb_val_samples=32)
    assert history.history['val_loss'] == pytest.approx(history2.history['val_loss'])


def test_evaluate_and_predict_generator_match_evaluate_and_predict():
    x, y = problem(50)
    net = model()
    net.fit(x, y, nb_epoch=2, batch_size=16, verbose=0)
    expected = net.evaluate(x, y, batch_size=16, verbose=0)
    assert net.evaluate_generator(batches(x, y, 16), val_samples=50) == pytest.approx(expected, rel=1e-5)
    assert net.evaluate_generator(batches(x, y, 16), steps=4) == pytest.approx(expected, rel=1e-5)
    flow = ImageDataGenerator().flow(x, y, batch_size=16, shuffle=False)
    assert net.evaluate_generator(flow) == pytest.approx(expected, rel=1e-5)
    predicted = net.predict(x, verbose=0)
    np.testing.assert_allclose(net.predict_generator(batches(x, y, 16), steps=4), predicted, rtol=1e-5)
    only_x = (x[i:i + 25] for i in (0, 25))
    np.testing.assert_allclose(net.predict_generator(only_x, val_samples=50), predicted, rtol=1e-5)


def test_samples_per_epoch_that_batches_overshoot_warns():
    x, y = problem(32)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        model().fit_generator(batches(x, y, 16), samples_per_epoch=40, nb_epoch=1, verbose=0)
    assert any('samples_per_epoch' in str(w.message) for w in caught)


@pytest.mark.backend_independent
def test_generator_mistakes_are_clear():
    x, y = problem(32)
    net = model()
    with pytest.raises(ValueError, match='samples_per_epoch.*steps_per_epoch'):
        net.fit_generator(batches(x, y), nb_epoch=1, verbose=0)
    with pytest.raises(ValueError, match=r'tuples \(x, y\).*ndarray of shape \(16, 1, 3, 3\)'):
        net.fit_generator((x[i:i + 16] for i in range(0, 32, 16)), steps_per_epoch=2, verbose=0)
    with pytest.raises(ValueError, match='batch 0 of the generator.*expects x of shape'):
        net.fit_generator(batches(np.zeros((32, 4)), y), steps_per_epoch=2, verbose=0)
    with pytest.raises(ValueError, match='stopped after 2 batch'):
        net.fit_generator(iter([(x[:16], y[:16]), (x[16:], y[16:])]), steps_per_epoch=2, nb_epoch=2, verbose=0)
    with pytest.raises(TypeError, match='datagen.flow'):
        net.fit_generator(ImageDataGenerator(), steps_per_epoch=2, verbose=0)
    with pytest.raises(ValueError, match='nb_val_samples'):
        net.fit_generator(batches(x, y), steps_per_epoch=2, validation_data=batches(x, y), verbose=0)
    with pytest.raises(ValueError, match='not both'):
        net.evaluate_generator(batches(x, y), val_samples=32, steps=2)
    with pytest.raises(TypeError, match='unexpected keyword'):
        net.fit_generator(batches(x, y), steps_per_epoch=2, nb_epochs=3)


def test_callbacks_see_each_batch_and_can_stop_training():
    from teachnet.callbacks import Callback

    class StopAfterThreeBatches(Callback):
        def on_train_begin(self, logs=None):
            self.sizes = []

        def on_batch_end(self, batch, logs=None):
            self.sizes.append(logs['size'])
            if len(self.sizes) == 3:
                self.model.stop_training = True

    x, y = problem(40)
    stopper = StopAfterThreeBatches()
    history = model().fit_generator(batches(x, y, 16), samples_per_epoch=40, nb_epoch=5, verbose=0,
                                    callbacks=[stopper], initial_epoch=1)
    assert stopper.sizes == [16, 16, 8] and len(history.history['loss']) == 1
    assert stopper.params['nb_sample'] == 40 and stopper.params['nb_epoch'] == 5


def test_predict_generator_gives_what_predict_gives_for_a_model_with_two_outputs():
    from teachnet.engine.functional import Model
    from teachnet.layers import Input
    teachnet.set_seed(0)
    image = Input(shape=(1, 3, 3))
    hidden = Dense(4, activation='tanh')(Flatten()(image))
    two = Model(input=image, output=[Dense(2)(hidden), Dense(1)(hidden)])
    x, _ = problem(40)
    drawn = two.predict_generator((x[start:start + 16] for start in (0, 16, 32)), steps=3)
    expected = two.predict(x)
    assert [a.shape for a in drawn] == [(40, 2), (40, 1)]
    for got, want in zip(drawn, expected):
        np.testing.assert_allclose(got, want, rtol=1e-6)
