"""CSVLogger: one row per epoch in a CSV file, ready for a spreadsheet or pandas.

The columns are 'epoch' then the logged names in sorted order, fixed by the first
epoch. Each row is flushed to disk as soon as it is written, so a crash loses
nothing that was already logged.
"""
import csv
import os

from teachnet.callbacks.base import Callback


def _cell(value):
    """A log value as a CSV cell: text as is, sequences as "[a, b, c]", numbers as they print."""
    if isinstance(value, str):
        return value
    if getattr(value, 'ndim', None) == 0:
        return value.item()
    if hasattr(value, '__iter__'):
        return '[%s]' % ', '.join(str(item) for item in value)
    return value


class CSVLogger(Callback):
    """Stream the epoch logs to a CSV file.

    # Arguments
        filename: path of the CSV file, e.g. 'run/log.csv'.
        separator: the string between two cells.
        append: True adds rows to an existing file (without repeating its header);
            False starts the file afresh.
    """

    def __init__(self, filename, separator=',', append=False):
        super(CSVLogger, self).__init__()
        self.filename = filename
        self.separator = separator
        self.append = append
        self.keys = None
        self.csv_file = None
        self.writer = None

    def on_train_begin(self, logs=None):
        has_content = (self.append and os.path.exists(self.filename)
                       and os.path.getsize(self.filename) > 0)
        self.write_header = not has_content
        self.csv_file = open(self.filename, 'a' if self.append else 'w', newline='')
        self.keys = None
        self.writer = None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.writer is None:
            self.keys = sorted(logs)
            self.writer = csv.writer(self.csv_file, delimiter=self.separator)
            if self.write_header:
                self.writer.writerow(['epoch'] + self.keys)
        self.writer.writerow([epoch] + [_cell(logs.get(key, '')) for key in self.keys])
        self.csv_file.flush()

    def on_train_end(self, logs=None):
        if self.csv_file is not None:
            self.csv_file.close()
        self.csv_file = None
        self.writer = None

    def __getstate__(self):
        # An open file cannot be pickled or copied; a copy starts without one.
        state = dict(self.__dict__)
        state['csv_file'] = None
        state['writer'] = None
        return state
