"""Writes the Keras 3 weight files in this folder, with Keras 3 itself (not run by the tests).

Each model is built in Keras 3, given random weights (so that biases are not zeros and
every gate counts), saved with ``model.save_weights('<name>.weights.h5')``, and run on a
fixed input; the inputs and Keras 3's predictions go to ``predictions.npz`` (``<name>_x``,
``<name>_y``). ``tests/saving/test_keras3_recurrent_files.py`` loads each file into the
same model written with teachnet and checks that teachnet predicts what Keras 3 predicted.

To write them again (Keras 3.15.1 with the JAX backend made the committed files)::

    python3 -m venv /tmp/k3 && /tmp/k3/bin/pip install keras jax
    cd tests/saving/keras3_files && /tmp/k3/bin/python make_files.py
"""
import os

os.environ.setdefault('KERAS_BACKEND', 'jax')

import keras                      # noqa: E402
import numpy as np                # noqa: E402
from keras import layers          # noqa: E402


def models():
    """name -> a Keras 3 model on sequences of 4 timesteps with 3 features."""
    def sequential(*stack):
        return keras.Sequential([keras.Input((4, 3)), *stack])
    return {
        'lstm': sequential(layers.LSTM(5), layers.Dense(2)),
        'gru': sequential(layers.GRU(5), layers.Dense(2)),                      # reset_after=True
        'gru_reset_before': sequential(layers.GRU(5, reset_after=False), layers.Dense(2)),
        'simple_rnn': sequential(layers.SimpleRNN(5, return_sequences=True),
                                 layers.TimeDistributed(layers.Dense(2))),
        'bidirectional': sequential(layers.Bidirectional(layers.LSTM(5, return_sequences=True)),
                                    layers.TimeDistributed(layers.Dense(2))),
    }


def main():
    rng = np.random.default_rng(12)
    outputs = {}
    for name, model in models().items():
        model.set_weights([rng.normal(0, 0.5, w.shape).astype('float32') for w in model.get_weights()])
        model.save_weights(f'{name}.weights.h5')
        x = rng.normal(size=(2, 4, 3)).astype('float32')
        outputs[f'{name}_x'] = x
        outputs[f'{name}_y'] = np.asarray(model.predict(x, verbose=0))
    np.savez('predictions.npz', **outputs)


if __name__ == '__main__':
    main()
