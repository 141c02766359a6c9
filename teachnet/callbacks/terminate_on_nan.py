"""TerminateOnNaN: stop as soon as the loss stops being a finite number.

Once a loss is NaN (0/0, ∞ - ∞) or ±∞, every gradient computed from it is too, and
the weights become NaN at the next step: there is nothing more to learn.

``fit`` itself already stops on such a loss, before that batch's update, with a
``NonFiniteLossError`` that names the first layer whose output was not finite
(``teachnet.engine.divergence``); this callback stays for Keras code that lists it.
"""
import math

from teachnet.callbacks.base import Callback


class TerminateOnNaN(Callback):
    """Set ``model.stop_training = True`` when a batch loss is NaN or infinite."""

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get('loss')
        if loss is None:
            return
        loss = float(loss)
        if math.isnan(loss) or math.isinf(loss):
            print('Batch %d: Invalid loss, terminating training' % batch)
            self.model.stop_training = True
