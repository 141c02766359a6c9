"""A text progress bar, and the callback that shows it while ``fit`` runs.

With ``verbose=1`` one line is redrawn in place (``'\\r'`` returns to its start):

    320/1000 [========>.....................] - ETA: 1s - loss: 0.6931 - acc: 0.5000

and when the target is reached the last drawing ends with a newline:

    1000/1000 [==============================] - 1s - loss: 0.6925 - acc: 0.5110

With ``verbose=2`` only that final summary is printed, without the bar:

    1s - loss: 0.6925 - acc: 0.5110

Each value shown is a running average over the samples counted so far. An update
that moves the count from c_old to c_new with value v adds weight w = c_new - c_old:

    shown value = Σ w·v / Σ w

Writing to a terminal or a notebook takes far longer than one small training
step, so the line is redrawn at most once every ``interval`` seconds; the final
update is always drawn.
"""
import sys
import time

from teachnet.callbacks.base import Callback

_clock = time.monotonic  # a module name, so a test can replace the clock


def _format_value(value):
    """4 decimals, or scientific notation for magnitudes below 1e-3 (1.2345e-05)."""
    return ' %.4f' % value if abs(value) > 1e-3 else ' %.4e' % value


class Progbar(object):
    """Shows the progress towards ``target`` and running averages of named values.

    # Arguments
        target: total number of steps (samples) expected.
        width: number of characters inside the brackets of the bar.
        verbose: 1 draws the bar while running, 2 prints only the final line,
            0 prints nothing.
        interval: the shortest time, in seconds, between two redraws.

    # Example
        ```python
        bar = Progbar(target=100)
        for step in range(10):
            bar.add(10, values=[('loss', 0.5)])
        ```
    """

    def __init__(self, target, width=30, verbose=1, interval=0.05):
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.sums = {}            # name -> [Σ w·v, Σ w]
        self.names = []           # in order of first appearance
        self.seen_so_far = 0
        self.start = _clock()
        self.last_drawn = None    # clock time of the last redraw
        self.drawn_width = 0      # length of the line on screen, to blank leftovers

    def update(self, current, values=None, force=False):
        """Move the count to ``current`` and add ``values``, a list of (name, value).

        # Arguments
            current: the number of steps done so far.
            values: (name, value) pairs, each weighted by ``current - previous count``.
            force: draw now even if the last redraw is less than ``interval`` old.
        """
        weight = current - self.seen_so_far
        for name, value in values or ():
            if name not in self.sums:
                self.sums[name] = [value * weight, weight]
                self.names.append(name)
            else:
                entry = self.sums[name]
                entry[0] += value * weight
                entry[1] += weight
        self.seen_so_far = current

        finished = current >= self.target
        if self.verbose == 1:
            now = _clock()
            if (force or finished or self.last_drawn is None
                    or now - self.last_drawn >= self.interval):
                self._draw_bar(current, now, finished)
                self.last_drawn = now
        elif self.verbose == 2 and finished:
            sys.stdout.write('%ds' % (_clock() - self.start) + self._averages() + '\n')
            sys.stdout.flush()

    def add(self, n, values=None):
        """Advance the count by ``n`` steps (see ``update``)."""
        self.update(self.seen_so_far + n, values)

    def _averages(self):
        text = ''
        for name in self.names:
            total, weight = self.sums[name]
            text += ' - %s:' % name + _format_value(total / max(1, weight))
        return text

    def _draw_bar(self, current, now, finished):
        digits = len(str(self.target))
        line = '%*d/%*d [' % (digits, current, digits, self.target)
        filled = int(self.width * current / self.target) if self.target else self.width
        filled = min(filled, self.width)
        if filled > 0:
            line += '=' * (filled - 1) + ('=' if finished else '>')
        line += '.' * (self.width - filled) + ']'

        elapsed = now - self.start
        if finished:
            line += ' - %ds' % elapsed
        else:
            seconds_per_step = elapsed / current if current else 0.0
            line += ' - ETA: %ds' % (seconds_per_step * (self.target - current))
        line += self._averages()

        padding = ' ' * max(0, self.drawn_width - len(line))
        self.drawn_width = len(line)
        sys.stdout.write('\r' + line + padding + ('\n' if finished else ''))
        sys.stdout.flush()


class ProgbarLogger(Callback):
    """Prints 'Epoch i/n' and a ``Progbar`` of the samples seen in each epoch.

    ``fit`` adds it when ``verbose`` is 1 or 2. Each batch feeds the bar its values
    (weighted by the batch size). The last batch of an epoch is not drawn on its
    own: at ``on_epoch_end`` the bar receives the last batch's values together with
    the epoch values (the averages, and 'val_*' when validating), and draws the
    final line.
    """

    def __init__(self):
        super(ProgbarLogger, self).__init__()
        self.progbar = None
        self.seen = 0
        self.target = 0
        self.last_batch_values = []

    def on_epoch_begin(self, epoch, logs=None):
        params = self.params or {}
        self.verbose = params.get('verbose', 1)
        self.names = params.get('metrics') or []
        self.target = params.get('nb_sample', params.get('samples'))
        self.seen = 0
        self.last_batch_values = []
        if self.verbose:
            nb_epoch = params.get('nb_epoch', params.get('epochs'))
            print('Epoch %d/%d' % (epoch + 1, nb_epoch))
            self.progbar = Progbar(target=self.target, verbose=self.verbose)

    def on_batch_end(self, batch, logs=None):
        logs = logs or {}
        self.seen += logs.get('size', 0)
        self.last_batch_values = [(name, logs[name]) for name in self.names if name in logs]
        if self.verbose and self.seen < self.target:
            self.progbar.update(self.seen, self.last_batch_values)

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        values = self.last_batch_values + [(name, logs[name]) for name in self.names
                                           if name in logs]
        if self.verbose:
            self.progbar.update(self.seen, values, force=True)
            if self.verbose == 1 and self.seen < self.target:
                print()     # training stopped mid-epoch: end the unfinished bar's line

    def on_train_end(self, logs=None):
        self.progbar = None


def progress_logger(verbose):
    """The progress callback ``fit`` adds for ``verbose`` 1 or 2: inside a notebook kernel
    with ``verbose=1`` a widget bar (``teachnet.widgets.progress.NotebookProgbarLogger``),
    else this module's text bar. ``teachnet.widgets.set_notebook`` or the environment
    variable ``TEACHNET_NOTEBOOK`` overrides the guess."""
    if verbose == 1:
        from teachnet.widgets.notebook import in_notebook
        if in_notebook():
            from teachnet.widgets.progress import NotebookProgbarLogger
            return NotebookProgbarLogger()
    return ProgbarLogger()
