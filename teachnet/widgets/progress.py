"""The progress view: epoch k of N, samples, time left, running loss, and a Stop button.

The same numbers as Keras's text bar, drawn with core widgets: an ``IntProgress`` bar
over all the batches of the run and one line of text::

    Epoch 3/10 · 12,800/60,000 samples · 0:04 elapsed · ETA 0:21 · loss 0.3121 · acc 0.9102

The loss and metrics are running averages over the epoch so far (each batch weighted by
its size), as Keras shows them; at the end of an epoch its validation values join.

``NotebookProgbarLogger`` is what ``fit(verbose=1)`` shows inside a notebook instead of the
``\\r`` text bar.
"""
import time

import ipywidgets as widgets

from teachnet.callbacks.base import Callback
from teachnet.widgets.looks import SharedLooks
from teachnet.widgets.notebook import clicks_during_run
from teachnet.widgets.sync import hold_all
from teachnet.widgets.throttle import Throttle

_clock = time.perf_counter

STOP_HINT = {
    True: 'Stop ends training after the current batch.',
    None: ('Stop ends training after the current batch where the frontend delivers clicks while a cell '
           'runs (JupyterLab 4.4 or later with ipykernel 7 or later); elsewhere, interrupt the kernel.'),
    False: ('This frontend cannot deliver a click while the cell runs (that needs JupyterLab 4.4 or later '
            'with ipykernel 7 or later): Stop will not work here; interrupt the kernel instead.'),
}


def planned_steps(params):
    """The number of training steps ``fit`` plans (epochs times batches per epoch), from the
    callbacks' ``params``, or None when they do not say."""
    params = params or {}
    epochs = params.get('nb_epoch', params.get('epochs'))
    per_epoch = params.get('steps')
    if per_epoch is None and params.get('nb_sample', params.get('samples')) and params.get('batch_size'):
        per_epoch = -(-params.get('nb_sample', params.get('samples')) // params['batch_size'])
    return epochs * per_epoch if epochs and per_epoch else None


def format_duration(seconds):
    """0:07, 3:25, 1:02:03."""
    seconds = int(round(max(0.0, seconds)))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f'{hours}:{minutes:02d}:{seconds:02d}' if hours else f'{minutes}:{seconds:02d}'


def format_value(value):
    return f'{value:.4f}' if abs(value) > 1e-3 or value == 0 else f'{value:.4e}'


class ProgressPanel:
    """An ``IntProgress`` bar, a text line and (optionally) a Stop button, kept up to date
    from the training callbacks' numbers.

    # Attributes
        widget: the ``HBox`` to display.
        bar: the ``IntProgress`` (value: batches done; max: batches of the whole run).
        text: the ``HTML`` line: epoch, samples, times, running values; under it, with a
            Stop button, ``stop_note``: what Stop does here, or that it was clicked.
        stop_button: the ``Button`` (description 'Stop'; 'Stopping' once clicked, then
            'Stopped', or 'Finished' when training ran to its end), or None.
        stop_requested: True once Stop was clicked (set by the click, read by training).
    """

    def __init__(self, with_stop_button=True, looks=None):
        looks = looks or SharedLooks()
        # Fixed widths that never shrink: a long text line must not squeeze the bar or the button.
        self.bar = looks.make(widgets.IntProgress, value=0, min=0, max=1, description='',
                              layout=widgets.Layout(width='240px', flex='0 0 auto'))
        self.text = looks.make(widgets.HTML, value='waiting for the first batch')
        self.stop_requested = False
        children = [self.bar, self.text]
        self.stop_button = None
        self.stop_note = ''             # under the text line: what Stop does here (``STOP_HINT``)
        if with_stop_button:
            self.stop_button = looks.make(widgets.Button, description='Stop', icon='stop', button_style='warning',
                                          layout=widgets.Layout(width='110px', flex='0 0 auto'))
            self.stop_button.on_click(self._clicked)
            children = [self.bar, self.stop_button, self.text]
        self.widget = looks.make(widgets.HBox, children=children)
        self.parts = [self.bar, self.text, self.stop_button]
        self.values = {}                 # name -> [Σ size·value, Σ size] over the epoch so far
        self.unread = []                 # (batch, logs) of the batches not yet in ``values``
        self.epoch_values = {}
        self.start_time = None
        self.epoch = 0
        self.seen = 0

    def _clicked(self, button):
        # May run on another thread while training runs (JupyterLab >= 4.4): only set a flag.
        self.stop_requested = True

    # ------------------------------------------------------------------ numbers
    def start(self, params):
        params = params or {}
        self.nb_epoch = params.get('nb_epoch', params.get('epochs')) or 1
        self.samples = params.get('nb_sample', params.get('samples')) or 0
        batch_size = params.get('batch_size') or 1
        self.batches_per_epoch = max(1, -(-self.samples // batch_size))
        self.start_time = _clock()
        self.steps_done = 0
        self.first_step = None
        self.bar.max = self.nb_epoch * self.batches_per_epoch

    def epoch_begin(self, epoch):
        self._count_unread()
        self.epoch = epoch
        self.seen = 0
        self.values = {}
        self.epoch_values = {}

    def batch_end(self, batch, logs):
        """Batch ``batch`` of the epoch ended with ``logs``: kept, and counted when the
        numbers are next needed (as ``TrainingRecord.add_batch`` does, for the same reason)."""
        self.unread.append((batch, logs))

    def _count_unread(self):
        """Count the batches not yet read without summing their values: what an epoch's
        batches that were never drawn leave behind once the next epoch begins (its running
        values start anew, and the epoch's own values were in its end's logs)."""
        if self.unread:
            if self.first_step is None:
                self.first_step = self.epoch * self.batches_per_epoch + self.unread[0][0]
            self.steps_done = self.epoch * self.batches_per_epoch + self.unread[-1][0] + 1
            self.unread = []

    def _read_batches(self):
        values = self.values
        for batch, logs in self.unread:
            size = logs.get('size', 0)
            self.seen += size
            self.steps_done = self.epoch * self.batches_per_epoch + batch + 1
            if self.first_step is None:
                self.first_step = self.steps_done - 1
            for name, value in logs.items():
                if name not in ('batch', 'size'):
                    if name in values:
                        total = values[name]
                        total[0] += value * size
                        total[1] += size
                    else:
                        values[name] = [value * size, size]
        self.unread = []

    def epoch_end(self, logs):
        self.epoch_values = {name: value for name, value in (logs or {}).items()
                             if isinstance(value, (int, float))}

    def line(self, finished=False):
        """The text line, as HTML."""
        self._read_batches()
        elapsed = _clock() - self.start_time if self.start_time is not None else 0.0
        parts = [f'Epoch {self.epoch + 1}/{self.nb_epoch}' if self.start_time is not None else 'Epoch -',
                 f'{self.seen:,}/{self.samples:,} samples' if self.start_time is not None else '',
                 f'{format_duration(elapsed)} elapsed']
        run = self.steps_done - (self.first_step or 0)
        remaining = self.bar.max - self.steps_done
        if not finished and run > 0 and remaining > 0:
            parts.append(f'ETA {format_duration(elapsed / run * remaining)}')
        running = {name: total / count for name, (total, count) in self.values.items() if count}
        running.update(self.epoch_values)
        parts += [f'{name} {format_value(value)}' for name, value in running.items()]
        return ' · '.join(part for part in parts if part)

    # ------------------------------------------------------------------ widgets
    def refresh(self, finished=False, status=None):
        """Set the widgets' values (the caller groups this with ``hold_all(self.parts)``).

        ``status``: how training ended, 'done' or 'stopped ...' (the Stop button, an error)."""
        self._read_batches()
        self.bar.value = min(self.steps_done, self.bar.max) if self.start_time is not None else 0
        text = self.line(finished)
        if status is not None:
            text = f'{text} · <b>{status}</b>'
        if self.stop_button is not None:
            if finished:
                stopped = self.stop_requested or (status or '').startswith('stopped')
                self.stop_button.description = 'Stopped' if stopped else 'Finished'
                self.stop_button.icon = 'stop' if stopped else 'check'
                self.stop_button.disabled = True
            elif self.stop_requested:
                self.stop_button.description = 'Stopping'
                self.stop_button.disabled = True
            if self.stop_requested:
                self.stop_note = 'Stop clicked: training ends after the current batch.'
            elif not finished:
                self.stop_note = STOP_HINT[clicks_during_run()]
            else:
                self.stop_note = ''
            if self.stop_note:
                text = f'{text}<br><small>{self.stop_note}</small>'
        self.text.value = text
        if finished:
            self.bar.bar_style = 'danger' if status and 'error' in status.lower() else 'success'


class NotebookProgbarLogger(Callback):
    """``fit(verbose=1)`` in a notebook: one progress widget, updated in place.

    Displayed at the start of training, before the first batch; redrawn at most every
    ``interval`` seconds (batch or epoch end, whichever comes), and once more at the end;
    the last frame stays.
    """

    def __init__(self, interval=0.15):
        super().__init__()
        self.interval = interval
        self.panel = None

    def on_train_begin(self, logs=None):
        from IPython.display import display
        self.panel = ProgressPanel(with_stop_button=False)
        self.panel.widget.add_class('teachnet-progress')
        self.panel.start(self.params)
        self.throttle = Throttle(self.interval, budget=0.02)
        display(self.panel.widget)

    def on_epoch_begin(self, epoch, logs=None):
        self.panel.epoch_begin(epoch)

    def on_batch_end(self, batch, logs=None):
        self.panel.batch_end(batch, logs or {})
        if self.throttle.due():
            self._draw()

    def on_epoch_end(self, epoch, logs=None):
        self.panel.epoch_end(logs)
        if self.throttle.due():
            self._draw()

    def on_train_end(self, logs=None):
        self._draw(finished=True)
        self.panel = None       # the widget stays on screen; the callback lets it go

    def _draw(self, finished=False):
        with self.throttle.measure(), hold_all(self.panel.parts):
            self.panel.refresh(finished=finished)
