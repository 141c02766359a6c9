"""Changing the learning rate between epochs.

The optimizer's step is  w ← w - lr · dL/dw  (plus whatever the optimizer adds).
A large lr makes fast progress early; a smaller one settles into a minimum later.
Two callbacks set ``model.optimizer.lr`` (a plain float) between epochs:

- ``LearningRateScheduler``: lr = schedule(epoch), a function you write.
- ``ReduceLROnPlateau``: lr ← max(lr · factor, min_lr) when the monitored quantity
  has stopped improving.
"""
from teachnet.callbacks.base import Callback
from teachnet.callbacks import monitoring


def _optimizer_lr(owner, model):
    optimizer = getattr(model, 'optimizer', None)
    if optimizer is None or not hasattr(optimizer, 'lr'):
        raise ValueError('%s: the model\'s optimizer must have an "lr" attribute, got %r.'
                         % (owner, optimizer))
    return float(optimizer.lr)


class LearningRateScheduler(Callback):
    """Set the learning rate at the start of each epoch from a schedule.

    # Arguments
        schedule: a function of the epoch index (0, 1, ...) returning the new
            learning rate as a number.

    # Example
        ```python
        # halve the learning rate every 10 epochs
        LearningRateScheduler(lambda epoch: 0.1 * 0.5 ** (epoch // 10))
        ```
    """

    def __init__(self, schedule):
        super(LearningRateScheduler, self).__init__()
        if not callable(schedule):
            raise TypeError('LearningRateScheduler: schedule must be a function of the epoch '
                            'index, got %r.' % (schedule,))
        self.schedule = schedule

    def on_epoch_begin(self, epoch, logs=None):
        _optimizer_lr('LearningRateScheduler', self.model)
        lr = self.schedule(epoch)
        try:
            if isinstance(lr, (str, bytes, bool)):
                raise TypeError(type(lr).__name__)
            lr = float(lr)      # int, float, NumPy scalar or 0-dim array
        except (TypeError, ValueError):
            raise ValueError('LearningRateScheduler: schedule(%d) must return a number '
                             '(the learning rate), got %r of type %s.'
                             % (epoch, lr, type(lr).__name__))
        self.model.optimizer.lr = lr


class ReduceLROnPlateau(Callback):
    """Reduce the learning rate when a monitored quantity has stopped improving.

    A value improves on the best by more than ``epsilon`` (see ``monitoring``), or
    the epoch is counted as a wait. As in Keras 1, the epoch that finds ``patience``
    waits already counted reduces the rate (so the first reduction comes on the
    (patience+1)-th epoch in a row without improvement), and counts as a wait itself:

        lr ← max(lr · factor, min_lr)

    After a reduction, ``cooldown`` epochs pass during which no waits are counted.
    The epoch logs receive the current rate under 'lr'.

    # Arguments
        monitor: name of the quantity in the epoch logs.
        factor: the multiplier of the learning rate, in (0, 1).
        patience: number of epochs without improvement before a reduction.
        verbose: 1 prints a line for each reduction.
        mode: 'min', 'max' or 'auto' (from the name: 'acc' -> max, else min).
        epsilon: the smallest change that counts as an improvement.
        cooldown: epochs to wait after a reduction before counting again.
        min_lr: the learning rate never goes below this.
    """

    def __init__(self, monitor='val_loss', factor=0.1, patience=10, verbose=0, mode='auto',
                 epsilon=1e-4, cooldown=0, min_lr=0):
        super(ReduceLROnPlateau, self).__init__()
        if not 0.0 < factor < 1.0:
            raise ValueError('ReduceLROnPlateau: factor must be between 0 and 1 (the new rate '
                             'is lr * factor), got %r.' % (factor,))
        self.monitor = monitor
        self.factor = factor
        self.patience = patience
        self.verbose = verbose
        self.epsilon = epsilon
        self.cooldown = cooldown
        self.min_lr = min_lr
        self.direction = monitoring.resolve_mode('ReduceLROnPlateau', monitor, mode)
        self._reset()

    def _reset(self):
        self.best = monitoring.worst_value(self.direction)
        self.wait = 0
        self.cooldown_counter = 0

    def in_cooldown(self):
        return self.cooldown_counter > 0

    def on_train_begin(self, logs=None):
        self._reset()

    def on_epoch_end(self, epoch, logs=None):
        if logs is None:
            logs = {}
        lr = _optimizer_lr('ReduceLROnPlateau', self.model)
        logs['lr'] = lr
        current = monitoring.read_monitored('ReduceLROnPlateau', self.monitor, logs)
        if current is None:
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if monitoring.improves(self.direction, current, self.best, self.epsilon):
            self.best = current
            self.wait = 0
        elif not self.in_cooldown():
            if self.wait >= self.patience and lr > self.min_lr * (1 + 1e-4):
                new_lr = max(lr * self.factor, self.min_lr)
                self.model.optimizer.lr = float(new_lr)
                if self.verbose > 0:
                    print('Epoch %05d: reducing learning rate to %s.' % (epoch, new_lr))
                self.cooldown_counter = self.cooldown
                self.wait = 0
            self.wait += 1
