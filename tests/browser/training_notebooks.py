"""The notebooks the browser tests run, as lists of cell sources.

They are written to the server's folder by the tests (``notebook_page.write_notebook``)
rather than kept as ``.ipynb`` files, which nbval would collect and run on its own.

Both train the guide's kind of MLP on the 8x8 digits shipped with scikit-learn (no
download), seeded, with one BLAS thread (set by the test server). The dashboard's run
is paced to last at least ``PACE_SECONDS`` per epoch, so that on a fast or a slow
machine alike the test has time to watch it and to click Stop.
"""

DASHBOARD_EPOCHS = 200
PACE_SECONDS = 0.1

SETUP = '''\
import teachnet
from teachnet.datasets import digits
from teachnet.layers import Activation, Dense
from teachnet.models import Sequential
from teachnet.utils.np_utils import to_categorical

teachnet.set_seed(0)
(x_train, y_train), _ = digits.load_data()
x_train = x_train.reshape(len(x_train), 64)
y_train = to_categorical(y_train, 10)

model = Sequential()
model.add(Dense(32, input_dim=64))
model.add(Activation('relu'))
model.add(Dense(10))
model.add(Activation('softmax'))
model.compile(loss='categorical_crossentropy', optimizer='sgd', metrics=['accuracy'])'''

DASHBOARD = [
    SETUP,
    f'''\
import time

from teachnet.callbacks import LambdaCallback
from teachnet.widgets import Dashboard

# Every epoch lasts at least {PACE_SECONDS} s, so that there is time to watch and click Stop.
pace = LambdaCallback(on_epoch_end=lambda epoch, logs: time.sleep({PACE_SECONDS}))
history = model.fit(x_train, y_train, nb_epoch={DASHBOARD_EPOCHS}, batch_size=32,
                    validation_split=0.1, verbose=0, callbacks=[Dashboard(), pace])''',
    "print('epochs run:', len(history.epoch))",
]

VERBOSE_FIT = [
    SETUP,
    "history = model.fit(x_train, y_train, nb_epoch=3, batch_size=32, verbose=1)",
    "print('epochs run:', len(history.epoch))",
]

EXPLORERS = [
    SETUP,
    "model.trace(x_train[:4], y_train[:4]).explore()",
    '''\
import numpy as np
from teachnet.layers import LSTM, Bidirectional
from teachnet.widgets import GateExplorer

rnn = Sequential([Bidirectional(LSTM(4), input_shape=(6, 2), name='bi'), Dense(1)])
rnn.compile(loss='mse', optimizer='sgd')
sequences = np.random.RandomState(0).randn(3, 6, 2)
GateExplorer(rnn, sequences, y=np.ones((3, 1)))''',
    '''\
from teachnet.layers import Convolution2D, Flatten
from teachnet.widgets import FeatureMaps

convnet = Sequential([Convolution2D(4, 3, 3, input_shape=(8, 8, 3), dim_ordering='tf', name='colour'),
                      Flatten(), Dense(1)])
FeatureMaps(convnet, np.random.RandomState(1).rand(2, 8, 8, 3))''',
    "print('explorers shown')",
]
