"""LambdaCallback: a callback made of plain functions, without writing a class.

    LambdaCallback(on_epoch_end=lambda epoch, logs: print(epoch, logs['loss']))

The functions take the hooks' positional arguments: (epoch, logs) for the epoch
hooks, (batch, logs) for the batch hooks, (logs) for the train hooks. A hook left
as None does nothing.
"""
from teachnet.callbacks.base import Callback

_HOOK_NAMES = ('on_epoch_begin', 'on_epoch_end', 'on_batch_begin', 'on_batch_end',
               'on_train_begin', 'on_train_end')


class LambdaCallback(Callback):
    """Build a callback from functions.

    # Arguments
        on_epoch_begin, on_epoch_end: functions of (epoch, logs).
        on_batch_begin, on_batch_end: functions of (batch, logs).
        on_train_begin, on_train_end: functions of (logs).
    """

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_batch_begin=None,
                 on_batch_end=None, on_train_begin=None, on_train_end=None):
        super(LambdaCallback, self).__init__()
        given = dict(on_epoch_begin=on_epoch_begin, on_epoch_end=on_epoch_end,
                     on_batch_begin=on_batch_begin, on_batch_end=on_batch_end,
                     on_train_begin=on_train_begin, on_train_end=on_train_end)
        for name in _HOOK_NAMES:
            function = given[name]
            if function is None:
                continue            # keep the do-nothing method of Callback
            if not callable(function):
                raise TypeError('LambdaCallback: %s must be a function, got %r.'
                                % (name, function))
            setattr(self, name, function)
