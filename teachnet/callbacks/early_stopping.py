"""EarlyStopping: end training once the monitored quantity stops improving.

After each epoch the callback compares the monitored value with the best so far
(see ``monitoring``). An improvement resets a counter of disappointing epochs. As
in Keras 1, training stops at the first disappointing epoch that finds the counter
already at ``patience``: with patience p, the run ends on the (p+1)-th epoch in a
row without improvement. Stopping means ``model.stop_training = True``; the
training loop finishes the current epoch and returns.
"""
from teachnet.callbacks.base import Callback
from teachnet.callbacks import monitoring


class EarlyStopping(Callback):
    """Stop training when a monitored quantity has stopped improving.

    # Arguments
        monitor: name of the quantity in the epoch logs, e.g. 'val_loss', 'val_acc'.
        min_delta: the smallest change that counts as an improvement.
        patience: number of epochs without improvement tolerated before stopping.
        verbose: 1 prints the epoch at which training stopped.
        mode: 'min', 'max' or 'auto' (from the name: 'acc' -> max, else min).
    """

    def __init__(self, monitor='val_loss', min_delta=0, patience=0, verbose=0, mode='auto'):
        super(EarlyStopping, self).__init__()
        self.monitor = monitor
        self.min_delta = abs(min_delta)
        self.patience = patience
        self.verbose = verbose
        self.direction = monitoring.resolve_mode('EarlyStopping', monitor, mode)
        self._reset()

    def _reset(self):
        self.wait = 0
        self.stopped_epoch = None
        self.best = monitoring.worst_value(self.direction)

    def on_train_begin(self, logs=None):
        self._reset()   # the same instance may serve several fits

    def on_epoch_end(self, epoch, logs=None):
        current = monitoring.read_monitored('EarlyStopping', self.monitor, logs)
        if current is None:
            return
        if monitoring.improves(self.direction, current, self.best, self.min_delta):
            self.best = current
            self.wait = 0
            return
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            self.model.stop_training = True
        self.wait += 1

    def on_train_end(self, logs=None):
        if self.stopped_epoch is not None and self.verbose > 0:
            print('Epoch %05d: early stopping' % self.stopped_epoch)
