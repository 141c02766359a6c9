"""ModelCheckpoint: save the model (or its weights) at the end of epochs.

The file name may hold format fields filled from the epoch index and the epoch logs:
``'weights.{epoch:02d}-{val_loss:.2f}.hdf5'`` becomes ``'weights.03-0.41.hdf5'``.
With ``save_best_only`` a file is written only when the monitored quantity improves
on the best seen so far, so a fixed name always holds the best model.
"""
from teachnet.callbacks.base import Callback
from teachnet.callbacks import monitoring


class ModelCheckpoint(Callback):
    """Save the model after every ``period`` epochs.

    # Arguments
        filepath: where to save; may contain '{epoch}' and '{<log name>}' fields.
        monitor: quantity compared when ``save_best_only`` is set.
        verbose: 1 prints a line for every save (or skipped save).
        save_best_only: save only when ``monitor`` improves on its best value.
        save_weights_only: call ``model.save_weights(path)`` instead of ``model.save(path)``.
        mode: 'min', 'max' or 'auto' (from the name: 'acc' -> max, else min).
        period: number of epochs between two checkpoints.
    """

    def __init__(self, filepath, monitor='val_loss', verbose=0, save_best_only=False,
                 save_weights_only=False, mode='auto', period=1):
        super(ModelCheckpoint, self).__init__()
        self.filepath = filepath
        self.monitor = monitor
        self.verbose = verbose
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.period = period
        self.direction = monitoring.resolve_mode('ModelCheckpoint', monitor, mode)
        self.best = monitoring.worst_value(self.direction)
        self.epochs_since_last_save = 0

    def format_path(self, epoch, logs):
        """The file name for this epoch: ``filepath`` with its fields filled in."""
        fields = dict(logs or {})
        fields['epoch'] = epoch
        try:
            return self.filepath.format(**fields)
        except KeyError as missing:
            raise ValueError('ModelCheckpoint: filepath %r asks for %s, which is not in the '
                             'epoch logs (available: epoch, %s).'
                             % (self.filepath, missing, ', '.join(sorted(logs or {}))))

    def on_epoch_end(self, epoch, logs=None):
        self.epochs_since_last_save += 1
        if self.epochs_since_last_save < self.period:
            return
        self.epochs_since_last_save = 0
        path = self.format_path(epoch, logs)
        if not self.save_best_only:
            if self.verbose > 0:
                print('Epoch %05d: saving model to %s' % (epoch, path))
            self._save(path)
            return
        current = monitoring.read_monitored('ModelCheckpoint', self.monitor, logs)
        if current is None:
            return
        if monitoring.improves(self.direction, current, self.best):
            if self.verbose > 0:
                print('Epoch %05d: %s improved from %0.5f to %0.5f, saving model to %s'
                      % (epoch, self.monitor, self.best, current, path))
            self.best = current
            self._save(path)
        elif self.verbose > 0:
            print('Epoch %05d: %s did not improve' % (epoch, self.monitor))

    def _save(self, path):
        if self.save_weights_only:
            self.model.save_weights(path, overwrite=True)
        else:
            self.model.save(path, overwrite=True)
