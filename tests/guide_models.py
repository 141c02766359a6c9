"""The guide's small models and learnable data, shared by the tests of its programs."""
import numpy as np

from teachnet.layers import LSTM, Activation, Dense, Dropout, Input, Merge
from teachnet.models import Model, Sequential
from teachnet.utils.np_utils import to_categorical


def linear_rule_data(samples=300, features=20, classes=10, seed=0):
    """x ~ U(-1, 1); class = argmax(x·R + c) for a fixed random R, c: learnable, not trivial."""
    rng = np.random.default_rng(seed)
    rule, offset = rng.normal(size=(features, classes)), rng.normal(size=classes)
    x = rng.uniform(-1, 1, (samples, features)).astype('float32')
    scores = x @ rule + 0.2 * offset
    return x, to_categorical(scores.argmax(axis=1), classes)


def binary_rule_data(samples=300, features=20, seed=1):
    """x ~ U(-1, 1); label = 1 when x·r > 0 for a fixed random r; shape (samples, 1)."""
    rng = np.random.default_rng(seed)
    rule = rng.normal(size=features)
    x = rng.uniform(-1, 1, (samples, features)).astype('float32')
    return x, (x @ rule > 0).astype('float32').reshape(-1, 1)


def guide_mlp(activation_in_dense=False, dropout=0.5):
    """Section 6's MLP for multi-class softmax classification (init='uniform')."""
    model = Sequential()
    if activation_in_dense:
        model.add(Dense(64, input_dim=20, init='uniform', activation='relu'))
        model.add(Dropout(dropout))
        model.add(Dense(64, init='uniform', activation='relu'))
        model.add(Dropout(dropout))
    else:
        model.add(Dense(64, input_dim=20, init='uniform'))
        model.add(Activation('tanh'))
        model.add(Dropout(dropout))
        model.add(Dense(64, init='uniform'))
        model.add(Activation('tanh'))
        model.add(Dropout(dropout))
    model.add(Dense(10, init='uniform'))
    model.add(Activation('softmax'))
    return model


def small_softmax(optimizer='rmsprop', metrics=('accuracy',), hidden=16):
    model = Sequential([Dense(hidden, input_dim=20), Activation('relu'), Dense(10), Activation('softmax')])
    model.compile(optimizer=optimizer, loss='categorical_crossentropy', metrics=list(metrics))
    return model


def small_binary(metrics=('accuracy',), optimizer='rmsprop'):
    model = Sequential([Dense(8, input_dim=20, activation='tanh'), Dense(1, activation='sigmoid')])
    model.compile(optimizer=optimizer, loss='binary_crossentropy', metrics=list(metrics))
    return model


def shared_encoder_model(steps, features=2, units=3):
    """One LSTM ('enc') that reads two sequences (two calls of the same layer), its two
    final states concatenated into a Dense(1); compiled with SGD and mse."""
    a, b = Input(shape=(steps, features)), Input(shape=(steps, features))
    encoder = LSTM(units, name='enc')
    model = Model(input=[a, b], output=Dense(1)(Merge(mode='concat')([encoder(a), encoder(b)])))
    model.compile('sgd', 'mse')
    return model, encoder


def two_branch_merge_trace():
    """A trace of Merge([Dense(3) on 2 features, Dense(3) on 4 features], 'concat') -> Dense(1),
    on a batch of 2; returns (trace, left branch's Dense, right branch's Dense)."""
    from teachnet.backend import array_module as am
    am.seed(2)
    left, right = Sequential([Dense(3, input_dim=2)]), Sequential([Dense(3, input_dim=4)])
    model = Sequential([Merge([left, right], mode='concat'), Dense(1)])
    model.compile('sgd', 'mse')
    return model.trace([np.ones((2, 2)), np.ones((2, 4))], np.ones((2, 1))), left.layers[0], right.layers[0]


def weights_equal(a, b):
    return len(a) == len(b) and all(np.array_equal(u, v) for u, v in zip(a, b))
