"""Whole convnets: the guide's VGG-like model, and a small one that learns the 8x8 digits."""
import numpy as np
import pytest

import teachnet
from teachnet.layers import Activation, Dense, Dropout, Flatten
from teachnet.layers.convolutional import Convolution2D
from teachnet.layers.pooling import MaxPooling2D
from teachnet.models import Sequential
from teachnet.optimizers import SGD, Adam


def test_the_guides_vgg_like_convnet_builds_and_trains_a_batch():
    teachnet.set_seed(0)
    model = Sequential()
    model.add(Convolution2D(32, 3, 3, border_mode='valid', input_shape=(3, 100, 100)))
    model.add(Activation('relu'))
    model.add(Convolution2D(32, 3, 3))
    model.add(Activation('relu'))
    model.add(MaxPooling2D(pool_size=(2, 2)))
    model.add(Dropout(0.25))
    model.add(Convolution2D(64, 3, 3, border_mode='valid'))
    model.add(Activation('relu'))
    model.add(Convolution2D(64, 3, 3))
    model.add(Activation('relu'))
    model.add(MaxPooling2D(pool_size=(2, 2)))
    model.add(Dropout(0.25))
    model.add(Flatten())
    model.add(Dense(256)); model.add(Activation('relu')); model.add(Dropout(0.5))
    model.add(Dense(10));  model.add(Activation('softmax'))
    model.compile(loss='categorical_crossentropy', optimizer=SGD(lr=0.1, decay=1e-6, momentum=0.9, nesterov=True))

    shapes = [layer.output_shape for layer in model.layers]
    assert shapes[0] == (None, 32, 98, 98) and shapes[2] == (None, 32, 96, 96)
    assert shapes[4] == (None, 32, 48, 48) and shapes[6] == (None, 64, 46, 46) and shapes[8] == (None, 64, 44, 44)
    assert shapes[10] == (None, 64, 22, 22) and shapes[12] == (None, 64 * 22 * 22) and shapes[-1] == (None, 10)
    assert [w.shape for w in model.layers[0].get_weights()] == [(3, 3, 3, 32), (32,)]

    rng = np.random.default_rng(0)
    X_train = rng.random((2, 3, 100, 100)).astype('float32')
    Y_train = np.eye(10, dtype='float32')[[3, 7]]
    before = model.get_weights()
    history = model.fit(X_train, Y_train, batch_size=32, nb_epoch=1, verbose=0)
    assert np.isfinite(history.history['loss'][0])
    after = model.get_weights()
    assert all(not np.array_equal(a, b) for a, b in zip(before, after))     # every weight took a step
    assert model.predict(X_train).shape == (2, 10)


@pytest.mark.backend_independent
def test_a_small_convnet_learns_the_8x8_digits():
    datasets = pytest.importorskip('sklearn.datasets')
    digits = datasets.load_digits()
    images = (digits.images / 16.0).astype('float32')[:, None]          # (1797, 1, 8, 8) in [0, 1]
    labels = np.eye(10, dtype='float32')[digits.target]
    order = np.random.default_rng(0).permutation(len(images))
    train, test = order[:1347], order[1347:]

    teachnet.set_seed(1)
    model = Sequential([
        Convolution2D(32, 3, 3, border_mode='same', activation='relu', input_shape=(1, 8, 8)),
        MaxPooling2D(pool_size=(2, 2)),
        Convolution2D(64, 3, 3, border_mode='same', activation='relu'),
        MaxPooling2D(pool_size=(2, 2)),
        Flatten(),
        Dense(64, activation='relu'),
        Dense(10, activation='softmax'),
    ])
    model.compile(optimizer=Adam(lr=0.003), loss='categorical_crossentropy', metrics=['accuracy'])
    model.fit(images[train], labels[train], batch_size=128, nb_epoch=15, verbose=0)   # 165 steps
    loss, accuracy = model.evaluate(images[test], labels[test], verbose=0)
    assert accuracy >= 0.97, f'test accuracy {accuracy:.3f} on the digits'
