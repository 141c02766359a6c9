"""The guide's recurrent programs, as written (smaller sizes), train; an LSTM reads digits.

Every program runs with the guide's own layers and arguments; the data are small and
learnable, so "the loss falls" is a real check that the whole chain (embedding, masks,
recurrent backward, wrappers, optimizer) learns.
"""
import numpy as np
import pytest

import teachnet
from teachnet.layers import Activation, Dense, Dropout
from teachnet.layers.embeddings import Embedding
from teachnet.layers.gru import GRU
from teachnet.layers.lstm import LSTM
from teachnet.layers.wrappers import TimeDistributed
from teachnet.models import Sequential
from teachnet.optimizers import Adam
from teachnet.utils.np_utils import to_categorical


def _falls(history, factor=0.9):
    losses = history.history['loss']
    return losses[-1] < factor * losses[0]


def test_sequence_classification_with_an_lstm():
    teachnet.set_seed(1)
    max_features, maxlen = 20, 6
    rng = np.random.default_rng(1)
    X_train = rng.integers(1, max_features, size=(256, maxlen))
    Y_train = (X_train[:, -1] < 10).astype('float32')             # is the last word one of the first ten?
    model = Sequential()
    model.add(Embedding(max_features, 16, input_length=maxlen))
    model.add(LSTM(output_dim=16, activation='sigmoid', inner_activation='hard_sigmoid'))
    model.add(Dropout(0.5))
    model.add(Dense(1))
    model.add(Activation('sigmoid'))
    model.compile(loss='binary_crossentropy', optimizer='rmsprop', metrics=['accuracy'])
    history = model.fit(X_train, Y_train, batch_size=16, nb_epoch=15, verbose=0)
    loss, accuracy = model.evaluate(X_train, Y_train, batch_size=16, verbose=0)
    assert _falls(history, 0.8) and accuracy >= 0.95


def _learnable_sequences(rng, samples, timesteps, data_dim, nb_classes):
    x = rng.random((samples, timesteps, data_dim))
    y = to_categorical(np.argmax(x.mean(axis=1)[:, :nb_classes], axis=1), nb_classes)
    return x, y


def test_stacked_lstms():
    teachnet.set_seed(2)
    data_dim, timesteps, nb_classes = 16, 8, 10
    rng = np.random.default_rng(2)
    x_train, y_train = _learnable_sequences(rng, 256, timesteps, data_dim, nb_classes)
    x_val, y_val = _learnable_sequences(rng, 64, timesteps, data_dim, nb_classes)
    model = Sequential()
    model.add(LSTM(32, return_sequences=True, input_shape=(timesteps, data_dim)))
    model.add(LSTM(32, return_sequences=True))
    model.add(LSTM(32))
    model.add(Dense(10, activation='softmax'))
    model.compile(loss='categorical_crossentropy', optimizer='rmsprop', metrics=['accuracy'])
    history = model.fit(x_train, y_train, batch_size=64, nb_epoch=5, validation_data=(x_val, y_val), verbose=0)
    assert _falls(history, 0.99)
    assert len(history.history['val_loss']) == 5


def test_stateful_stacked_lstms():
    teachnet.set_seed(3)
    data_dim, timesteps, nb_classes, batch_size = 16, 8, 10, 32
    rng = np.random.default_rng(3)
    x_train, y_train = _learnable_sequences(rng, batch_size * 8, timesteps, data_dim, nb_classes)
    x_val, y_val = _learnable_sequences(rng, batch_size * 3, timesteps, data_dim, nb_classes)
    model = Sequential()
    model.add(LSTM(32, return_sequences=True, stateful=True, batch_input_shape=(batch_size, timesteps, data_dim)))
    model.add(LSTM(32, return_sequences=True, stateful=True))
    model.add(LSTM(32, stateful=True))
    model.add(Dense(10, activation='softmax'))
    model.compile(loss='categorical_crossentropy', optimizer='rmsprop', metrics=['accuracy'])
    history = model.fit(x_train, y_train, batch_size=batch_size, nb_epoch=5, validation_data=(x_val, y_val),
                        verbose=0)
    assert _falls(history, 0.995)
    assert set(history.history) >= {'loss', 'acc', 'val_loss', 'val_acc'}


def test_captioning_language_model():
    max_caption_len, vocab_size = 16, 10000
    language_model = Sequential()
    language_model.add(Embedding(vocab_size, 256, input_length=max_caption_len))
    language_model.add(GRU(output_dim=128, return_sequences=True))
    language_model.add(TimeDistributed(Dense(128)))
    assert language_model.output_shape == (None, 16, 128)
    assert language_model.predict(np.arange(32).reshape(2, 16)).shape == (2, 16, 128)

    teachnet.set_seed(4)                    # the same program, small, trained on a learnable task
    rng = np.random.default_rng(4)
    vocabulary, length = 12, 6
    small = Sequential()
    small.add(Embedding(vocabulary, 16, input_length=length))
    small.add(GRU(output_dim=16, return_sequences=True))
    small.add(TimeDistributed(Dense(vocabulary)))
    small.add(Activation('softmax'))
    small.compile(loss='categorical_crossentropy', optimizer='rmsprop')
    captions = rng.integers(0, vocabulary, size=(128, length))
    say_each_word = to_categorical(captions.reshape(-1), vocabulary).reshape(128, length, vocabulary)
    history = small.fit(captions, say_each_word, batch_size=16, nb_epoch=8, verbose=0)
    assert _falls(history, 0.95)


def test_a_character_model_learns_text():
    teachnet.set_seed(5)
    text = 'the cat sat on the mat. ' * 12
    chars = sorted(set(text))
    index = {c: i for i, c in enumerate(chars)}
    maxlen = 5
    starts = range(0, len(text) - maxlen)
    X = np.zeros((len(starts), maxlen, len(chars)), dtype='float32')
    y = np.zeros((len(starts), len(chars)), dtype='float32')
    for sample, start in enumerate(starts):
        for t, char in enumerate(text[start:start + maxlen]):
            X[sample, t, index[char]] = 1
        y[sample, index[text[start + maxlen]]] = 1
    model = Sequential([LSTM(24, input_shape=(maxlen, len(chars))), Dense(len(chars)), Activation('softmax')])
    model.compile(loss='categorical_crossentropy', optimizer=Adam(lr=0.01))
    history = model.fit(X, y, batch_size=32, nb_epoch=8, verbose=0)
    assert history.history['loss'][-1] < 0.5 * history.history['loss'][0]


@pytest.mark.backend_independent
def test_an_lstm_reads_digits_row_by_row():
    """sklearn's 8x8 digits, each image a sequence of 8 rows of 8 pixels: >= 90% on held-out digits."""
    from sklearn.datasets import load_digits
    teachnet.set_seed(0)
    digits = load_digits()
    images, labels = (digits.images / 16.).astype('float32'), digits.target
    order = np.random.RandomState(0).permutation(len(labels))
    images, labels = images[order], labels[order]
    x_train, y_train, x_test, y_test = images[:1400], labels[:1400], images[1400:], labels[1400:]
    model = Sequential([LSTM(64, input_shape=(8, 8)), Dense(10, activation='softmax')])
    model.compile(optimizer=Adam(lr=0.005), loss='categorical_crossentropy', metrics=['accuracy'])
    model.fit(x_train, to_categorical(y_train, 10), batch_size=32, nb_epoch=8, verbose=0)
    accuracy = np.mean(model.predict(x_test).argmax(axis=1) == y_test)
    assert accuracy >= 0.90, f'test accuracy {accuracy:.3f}'
