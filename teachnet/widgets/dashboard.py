"""The live training dashboard: watch a network learn while ``fit`` runs.

    from teachnet.widgets import Dashboard
    model.fit(x, y, nb_epoch=20, validation_split=0.1, callbacks=[Dashboard()])

In a notebook one widget appears before the first batch and is updated in place:

* **Progress**: epoch k of N, samples, time left, running loss and metrics, and Stop.
* **Curves**: loss and metrics per batch (smoothed) and per epoch, train and validation.
* **Layers**: each layer's output shape and size, activations on a probe batch, dead or
  saturated units, |θ|, |dL/dθ| and the update ratio |Δθ|/|θ|.
* **Gradients**: |dL/dθ| of every layer over time; histograms of one layer's values.
* **Gates**: an RNN's gates and |dL/dh_t| on a probe sequence; a convnet's feature maps.
* **Diagnostics**: plain-language notes when something goes wrong, with what to try.

After ``fit``, ``dashboard.replay(412)`` (or the slider and button under the finished
dashboard) opens the step-through explorer on step 412, from the weights before it and its
batch, which the dashboard kept (see ``teachnet.widgets.replay``). Outside a notebook it
prints one line per epoch: the loss, each layer's gradient norm and any diagnostics.

How it stays cheap
------------------
Every batch it counts the batch and keeps its logged numbers, which join bounded series
when they are next read (see ``TrainingRecord.add_batch``), and every ``replay_every``-th
batch it keeps a copy of the weights and the batch to replay. The progress text is redrawn
at most every ``progress_every`` seconds; the heavy views at most every ``every`` seconds,
and more rarely when their measured cost would exceed ``budget`` of the run's time (see
``Throttle``). For such a *sample*, the parameters are copied (into the last sample's
arrays) before one batch, so that after it |Δθ|/|θ| of that very step is known, and one
probe computation runs (activation statistics, the RNN's gates or the feature maps, in
turn). The last step is always sampled, with every probe computation, and the final frame
shows it; a sample due less than ``every`` seconds before the planned end waits for it.
The widget tree is built once; a refresh only sets trait values, one message per changed
widget. Views in hidden tabs are redrawn when shown, and all of them for the final frame,
which is always drawn, also when training stops on an error.
"""
import math

from teachnet.backend.array_module import one_blas_thread
from teachnet.callbacks.base import Callback
from teachnet.inspect.carried_states import carried_states
from teachnet.inspect.statistics import snapshot_parameters
from teachnet.widgets.diagnostics import diagnose, notes_html, notes_text
from teachnet.widgets.looks import SharedLooks
from teachnet.widgets.notebook import in_notebook, let_clicks_through
from teachnet.widgets.progress import planned_steps
from teachnet.widgets.record import TrainingRecord
from teachnet.widgets.replay import StepStore, replay_panel, replay_trace
from teachnet.widgets.summary import summary_html, summary_text
from teachnet.widgets.sync import hold_all
from teachnet.widgets.throttle import Throttle, wall_clock, cpu_clock

PANELS = ('progress', 'curves', 'layers', 'gradients', 'gates', 'diagnostics')
TAB_TITLES = {'curves': 'Curves', 'layers': 'Layers', 'gradients': 'Gradients', 'gates': 'Gates'}


class Dashboard(Callback):
    """A live view of training, as a callback.

    # Arguments
        probe: a small batch of inputs to watch the layers on (as for ``predict``); by
            default the first ``probe_size`` training samples.
        probe_targets: their targets (for |dL/dh_t|); by default those of the training data.
        panels: which views to show, any of 'progress', 'curves', 'layers', 'gradients',
            'gates' (shown only for RNNs and convnets) and 'diagnostics'.
        every: the shortest time between two refreshes of the heavy views, in seconds.
        progress_every: the same for the progress text.
        budget: the largest fraction of training time the dashboard may take.
        probe_size: how many training samples the default probe takes (for a stateful
            model, at least its fixed batch size).
        notebook: True for widgets, False for text lines; None: widgets inside a
            notebook kernel (see ``teachnet.widgets.notebook.in_notebook``).
        replay_every: keep the weights and batch of every this-many-th step for ``replay``
            (doubled whenever the kept steps would exceed ``replay_memory``, and as often as
            needed when a copy of the weights would take over a millisecond and over 1% of the
            steps between two kept: judged before each copy, so that a large embedding is not
            copied at all in a fit too short to afford it).
        replay_memory: the most bytes the kept steps may take.
        replay_steps: the most steps kept (the interval doubles as for ``replay_memory``,
            and a fit is planned for at its start: 1,260 steps keep every 20th).

    # Stop
        The Stop button ends training after the current batch: its click only sets a flag,
        which the next ``on_batch_end`` turns into ``model.stop_training = True``. A click
        reaches Python during a running cell only in JupyterLab >= 4.4 with ipykernel >= 7
        (the widget messages go to a kernel subshell, another thread). The note under the
        button says what ``teachnet.widgets.notebook.clicks_during_run()`` found: the kernel
        supports subshells and a frontend opened one (Stop works), supports them but none
        was opened yet (Stop works on JupyterLab >= 4.4), or does not (Stop cannot work:
        interrupt the kernel).

    # Attributes
        widget: the root widget (CSS class 'teachnet-dashboard'), or None outside a notebook.
        notes: the diagnostics found so far (``Note``s).
        history: the numbers it plotted, as NumPy arrays (see ``history``).
    """

    def __init__(self, probe=None, probe_targets=None, panels=PANELS, every=1.0, progress_every=0.15,
                 budget=0.03, probe_size=16, notebook=None, replay_every=10, replay_memory=50_000_000,
                 replay_steps=64):
        super().__init__()
        unknown = [p for p in panels if p not in PANELS]
        if unknown:
            raise ValueError(f"Dashboard: unknown panel(s) {', '.join(map(repr, unknown))}; "
                             f"choose from {', '.join(PANELS)}.")
        self.probe, self.probe_targets = probe, probe_targets
        self.panels = tuple(panels)
        self.every, self.progress_every, self.budget = every, progress_every, budget
        self.probe_size = probe_size
        self.notebook = notebook
        self.replay_every, self.replay_memory, self.replay_steps = replay_every, replay_memory, replay_steps
        self.replays = None
        self.widget = None
        self.record = None
        self.notes = []
        self._training_probe = (None, None)

    # ------------------------------------------------------------------ the probe
    def set_training_data(self, inputs, targets):
        """Called by ``fit`` with the training arrays: keep host copies of the first
        ``probe_size`` samples as the default probe (never the arrays themselves)."""
        from teachnet.backend.array_module import to_numpy
        from teachnet.inspect.kept_states import fixed_batch_size
        count = max(self.probe_size, fixed_batch_size(self.model) or 0)     # a stateful model's whole batch
        probe = [to_numpy(a[:count]).copy() for a in inputs]
        self._training_probe = (probe if len(probe) > 1 else probe[0],
                                None if targets is None else to_numpy(targets[:count]).copy())

    # ------------------------------------------------------------------ training begins
    def on_train_begin(self, logs=None):
        start = cpu_clock()
        probe = self.probe if self.probe is not None else self._training_probe[0]
        targets = self.probe_targets if self.probe_targets is not None else (
            self._training_probe[1] if self.probe is None else None)
        self.record = TrainingRecord(self.model, probe, targets)
        self.replays = StepStore(self.replay_every, self.replay_memory, self.replay_steps)
        self.train_start, self.train_wall_start = cpu_clock(), wall_clock()
        self.planned_steps = planned_steps(self.params)
        if self.planned_steps is not None:
            self.replays.plan(self.planned_steps)
        self.notes = []
        self.finished = False
        self.stopped_by_error = None
        self.progress_throttle = Throttle(self.progress_every, self.budget / 3)
        self.heavy_throttle = Throttle(self.every, self.budget)
        self.heavy_throttle.start()                    # the first sample after ``every`` seconds
        self.probe_jobs = self.record.probe_jobs()
        self.probe_turn = 0
        self.before = None
        self.snapshot = None             # the last sample's copies, overwritten by the next
        self.last_sample_step = None     # the step the last sample measured (with |Δθ|)
        self.nb_epoch = (self.params or {}).get('nb_epoch', (self.params or {}).get('epochs'))
        self.use_widgets = in_notebook() if self.notebook is None else self.notebook
        self.progress, self.views, self.diagnostics = None, {}, None
        if self.use_widgets:
            self._build_widgets()
            from IPython.display import display
            display(self)
            let_clicks_through(getattr(self.progress, 'stop_button', None))
        self.fixed_time = cpu_clock() - start

    def _build_widgets(self):
        import ipywidgets as widgets
        from teachnet.widgets.curves import CurvesPanel
        from teachnet.widgets.gates import GatesPanel
        from teachnet.widgets.gradients import GradientsPanel
        from teachnet.widgets.layer_table import LayerTable
        from teachnet.widgets.progress import ProgressPanel
        record = self.record
        self.looks = looks = SharedLooks()         # one layout and style for all the parts
        self.progress = ProgressPanel(with_stop_button=True, looks=looks) if 'progress' in self.panels else None
        if self.progress is not None:
            self.progress.start(self.params)
        views = {'curves': CurvesPanel, 'layers': LayerTable, 'gradients': GradientsPanel, 'gates': GatesPanel}
        has_gates = bool(record.recurrent_layers or record.conv_layers)
        self.views = {name: view(record, looks) for name, view in views.items()
                      if name in self.panels and (name != 'gates' or has_gates)}
        for view in self.views.values():
            view.stale = False
        self.tabs = looks.make(widgets.Tab, children=[view.widget for view in self.views.values()])
        titles = dict(TAB_TITLES, gates='Gates' if record.recurrent_layers else 'Feature maps')
        self.tabs.titles = tuple(titles[name] for name in self.views)
        self.diagnostics = looks.make(widgets.HTML, value=notes_html([])) if 'diagnostics' in self.panels else None
        children = [self.progress.widget] if self.progress is not None else []
        children += [self.tabs] if self.views else []
        children += [self.diagnostics] if self.diagnostics is not None else []
        self.widget = looks.make(widgets.VBox, children=children)
        self.widget.add_class('teachnet-dashboard')
        if 'curves' in self.views:
            self.views['curves'].scale.observe(lambda change: self._redraw('curves'), names='value')
        if 'gradients' in self.views:
            self.views['gradients'].layer.observe(lambda change: self._redraw('gradients'), names='value')
        self.tabs.observe(lambda change: self._tab_shown(), names='selected_index')

    # Callbacks of the widgets themselves run after the cell (or, in JupyterLab >= 4.4, on
    # another thread while it runs): they only mark what to redraw at the next refresh.
    def _redraw(self, name):
        self.views[name].stale = True
        if self.finished:
            self._draw([name])

    def _tab_shown(self):
        if self.finished:
            self._draw([self._shown_view()])

    def _shown_view(self):
        names = list(self.views)
        index = self.tabs.selected_index
        return names[index] if index is not None and 0 <= index < len(names) else None

    # ------------------------------------------------------------------ every batch
    # Each batch runs set_batch_data and on_batch_end, and as little else as it can: with the
    # caches full of training, every call costs microseconds (see ``TrainingRecord.add_batch``).
    def set_batch_data(self, inputs, targets, weights=None):
        """Called by ``fit`` before each batch: keep the batch (with its sample weights, the
        random state its dropout masks are drawn from and the states stateful layers carry
        into it) and the weights before its update when this step is one to replay."""
        step = self.record.step + 1
        if self.replays.wants(step):
            self._keep_for_replay(step, inputs, targets, weights)
        if self.before is None and (step == self.planned_steps
                                    or self.heavy_throttle.due() and not self._ending_soon(step)):
            self._start_sample()

    def _ending_soon(self, step):
        """Whether the run should end within ``every`` seconds, at the pace of its steps so
        far: then the sample waits for the last step, which the final frame shows."""
        if self.planned_steps is None or step <= 1:
            return False
        pace = (wall_clock() - self.train_wall_start) / (step - 1)
        return (self.planned_steps - step + 1) * pace < self.every

    def _keep_for_replay(self, step, inputs, targets, weights):
        """Keep step ``step`` for replay, unless the copy of the weights is expected to cost
        more than 1% of the steps between two kept ones: then keep fewer (``thin_for``). Small
        models are neither timed nor thinned so (``may_be_dear``): their steps never depend
        on the machine."""
        self.replays.make_room()
        if not self.replays.wants(step):
            return
        size = self.record.parameter_bytes
        timed = self.replays.may_be_dear(size)
        if timed and step > 1:
            step_cost = (cpu_clock() - self.train_start) / (step - 1)
            self.replays.thin_for(self.replays.expected_copy_cost(size), step_cost)
            if not self.replays.wants(step):
                return
        states = carried_states(self.model) if self.record.carries_states else {}
        start = cpu_clock() if timed else None
        weights_now = self.model.get_weights()
        if timed:
            self.replays.measured_copy(size, cpu_clock() - start)     # the rate the next copy expects
        self.replays.add(step, weights_now, inputs, targets, weights, states)

    def _start_sample(self):
        """The heavy views are due: copy the parameters before this batch's update, to measure
        its |Δθ|/|θ| after it."""
        self.sample_start = (wall_clock(), cpu_clock())
        self.before = self.snapshot = snapshot_parameters(self.record.parameter_layers, into=self.snapshot)
        self.snapshot_cost = cpu_clock() - self.sample_start[1]

    def on_epoch_begin(self, epoch, logs=None):
        if self.use_widgets and self.progress is not None:
            self.progress.epoch_begin(epoch)

    def on_batch_end(self, batch, logs=None):
        logs = logs or {}
        self.record.add_batch(logs)
        if self.progress is not None:                   # (built only with widgets)
            self.progress.batch_end(batch, logs)
            if self.progress.stop_requested:
                self.model.stop_training = True
            if self.progress_throttle.due():
                self._refresh_progress()
        if self.before is not None:
            start = cpu_clock()
            last = self.record.step == self.planned_steps
            self._sample(self.before, every_probe=last)     # the last step: all that the final frame shows
            self.before, self.last_sample_step = None, self.record.step
            if self.use_widgets and not last:
                self._draw(self._due_views())
            self.heavy_throttle.record(*self.sample_start, cpu_clock() - start + self.snapshot_cost)

    def _sample(self, before=None, every_probe=False):
        """Measure the parameters (|Δθ| against ``before``) and run one probe job (all of
        them when ``every_probe``); then look for problems."""
        record = self.record
        jobs = self.probe_jobs if every_probe else self.probe_jobs[self.probe_turn % len(self.probe_jobs):][:1]
        with one_blas_thread():         # small products: threads would only wait for each other
            record.add_parameters(before)
            for job in jobs:
                job()
        self.probe_turn += 1
        self.notes = diagnose(record, self.notes)

    def _due_views(self):
        """The view on screen, and any whose settings changed since it was drawn."""
        shown = self._shown_view()
        return [name for name, view in self.views.items() if name == shown or view.stale]

    def _refresh_progress(self):
        """Redraw the progress text (its callers ask its throttle first); the Stop button
        stays clickable."""
        with self.progress_throttle.measure(), hold_all(self.progress.parts):
            self.progress.refresh()
            let_clicks_through(self.progress.stop_button)

    # ------------------------------------------------------------------ every epoch
    def on_epoch_end(self, epoch, logs=None):
        self.record.add_epoch(epoch, logs)
        if self.use_widgets:
            if self.progress is not None:
                self.progress.epoch_end(logs)
                if self.progress_throttle.due():      # many short epochs: not every one is drawn
                    self._refresh_progress()
        else:
            start = cpu_clock()
            self._sample()
            print(self.epoch_line(epoch, logs or {}), flush=True)
            self.fixed_time += cpu_clock() - start

    def epoch_line(self, epoch, logs):
        """One line for a terminal: the epoch, its values, each layer's |dL/dθ|, the notes."""
        values = ' '.join(f'{name}={value:.4g}' for name, value in logs.items() if isinstance(value, (int, float)))
        norms = ' '.join(f'{name}={numbers.gradient_norm:.2e}' for name, numbers in self.record.parameters.items())
        line = f'[dashboard] epoch {epoch + 1}/{self.nb_epoch} {values} | |dL/dθ| {norms}'
        return line + (f' | {notes_text(self.notes)}' if self.notes else '')

    # ------------------------------------------------------------------ the end
    def on_train_end(self, logs=None):
        self._final_frame()

    def on_train_failed(self, error):
        """Called by ``fit`` when training raised ``error``: draw the final frame anyway. A loss
        that stopped being finite (NonFiniteLossError) names the first layer whose output was
        not finite in that step, read off its tape: the diagnostics say so."""
        self.stopped_by_error = error
        loss = getattr(error, 'loss', None)
        if self.record is not None and loss is not None and not math.isfinite(loss):
            self.record.non_finite = (self.record.step + 1, loss, error.layer)
        self._final_frame()

    def _final_frame(self):
        if self.record is None or self.finished:
            return
        start = cpu_clock()
        self.finished = True
        try:
            if self.last_sample_step != self.record.step or self.stopped_by_error is not None:
                self._sample(every_probe=True)              # (else the last step's sample measured it all)
        except Exception:           # the views show what they have; the error itself goes on
            self.notes = diagnose(self.record, self.notes)
        self.before = self.snapshot = None        # (a finished dashboard holds no copy of the parameters)
        if self.use_widgets:
            self._draw(list(self.views), final=True)
            self._add_replay_panel()
        elif self.notes:
            print(f'[dashboard] {notes_text(self.notes)}', flush=True)
        self.fixed_time += cpu_clock() - start

    @property
    def own_time(self):
        """CPU seconds the dashboard spent on itself in the last run: building and
        displaying, samples and redraws, the text lines, the final frame (not the few
        microseconds per batch of bookkeeping)."""
        if self.record is None:
            return 0.0
        return self.fixed_time + self.progress_throttle.total + self.heavy_throttle.total

    def _status(self):
        if self.record.non_finite is not None:
            return 'stopped: the loss is not finite'
        if self.stopped_by_error is not None:
            return f'stopped by an error: {type(self.stopped_by_error).__name__}'
        if self.progress is not None and self.progress.stop_requested:
            return 'stopped by the Stop button'
        return 'done'

    def _draw(self, names, final=False):
        """Redraw the named views (and progress and diagnostics), one message per widget."""
        views = [self.views[name] for name in names if name in self.views]
        parts = [part for view in views for part in view.parts] + [self.diagnostics]
        if self.progress is not None:
            parts += self.progress.parts
        with hold_all(parts):
            for view in views:
                view.refresh()
                view.stale = False
            if self.diagnostics is not None:
                self.diagnostics.value = notes_html(self.notes)
            if self.progress is not None:
                self.progress.refresh(finished=final, status=self._status() if final else None)

    def _add_replay_panel(self):
        """Below the finished dashboard: a slider over the kept steps and a button that opens
        the step-through explorer of the chosen one."""
        self.replay_slider = None
        if not self.replays.steps():
            return
        from teachnet.widgets.step_through import StepThrough
        panel, self.replay_slider, self.replay_button, self.replay_box = replay_panel(
            self.replays.steps(), lambda step: StepThrough(trace=self.replay_trace(step)).widget, self.looks)
        self.widget.children = self.widget.children + (panel,)

    # ------------------------------------------------------------------ reading it back
    def replay_trace(self, step):
        """The trace of training step ``step`` as it ran: its batch, the weights before it."""
        if self.replays is None:
            raise ValueError('Dashboard.replay: nothing to replay yet; train with this dashboard first.')
        trace = replay_trace(self.model, self.replays[step])
        trace.title = f'{trace.title}: step {step} of the fit'
        return trace

    def replay(self, step):
        """The step-through explorer on training step ``step`` (1 is the first), exactly as it
        ran: its batch, the weights before its update (``replays.steps()`` lists those kept)."""
        return self.replay_trace(step).explore()

    @property
    def history(self):
        """The plotted numbers as NumPy arrays::

            {'batch':  {'step': ..., 'loss': ..., 'acc': ...},          per batch (decimated)
             'epoch':  {'epoch': ..., 'step': ..., 'loss': ..., 'val_loss': ...},
             'layers': {'step': ..., 'gradient_norm': {layer: ...}, 'weight_norm': {...},
                        'update_ratio': {...}},                         per sample
             'gates': {gate: (timesteps, units)}, 'state_gradient': (timesteps,)}
        """
        return self.record.history() if self.record is not None else {}

    def summary_html(self):
        """A static HTML snapshot of the last frame (see ``teachnet.widgets.summary``)."""
        return summary_html(self.record, self.notes, self._status() if self.finished else 'training')

    def summary_text(self):
        """One line: steps, last loss, notes (what viewers without widgets see)."""
        return summary_text(self.record, self.notes, self.finished)

    def _repr_mimebundle_(self, include=None, exclude=None):
        """The live widget where a widget manager runs; a text (and HTML) summary elsewhere."""
        bundle = {'text/plain': self.summary_text()}
        if self.widget is not None:
            bundle.update(self.widget._repr_mimebundle_(include=include, exclude=exclude) or {})
            bundle['text/plain'] = self.summary_text()
        if self.finished:
            bundle['text/html'] = self.summary_html()
        return bundle
