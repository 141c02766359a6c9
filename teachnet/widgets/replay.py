"""Keeping some training steps to replay them: the weights and the batch of every k-th step.

``StepStore(every, max_bytes, max_steps)`` keeps, for steps every, 2·every, 3·every..., the weights
just before that step's update, the batch it trained on (host copies, with the per-sample
loss weights that ``sample_weight`` or ``class_weight`` gave it), the state of the random
generators before the step, from which its dropout masks were drawn, and the states that
stateful recurrent layers carried into it (``teachnet.inspect.carried_states``). When what it
holds would pass ``max_bytes``, it keeps every other saved step and doubles ``every``: the
steps kept stay evenly spread over the whole run, and the memory stays under the cap
however long training runs. The same happens when it holds ``max_steps`` steps (64: enough
for a slider), and a run whose length is known is planned for at once (``plan``): a fit of
1,260 steps keeps every 20th, not every 10th until the store is full and then every 20th.
A step too large for the cap alone is not kept. The dashboard
also thins the store when copying the weights would cost more than a small share of
training (a large embedding takes milliseconds to copy): it asks ``expected_copy_cost``
BEFORE each copy, from the bytes to copy and the rate of the copies made so far (before
the first, the rate of memory the process has not touched yet: see ``FRESH_COPY_RATE``),
so that even the first copy of a large model is made only when it is affordable. A model
whose copy stays under a millisecond even into new memory is never thinned for its cost.

``replay_trace(model, saved)`` recomputes that step's trace: the model's weights are set to
the saved ones, the random generators and the carried states to the saved ones for the
computation, then put back. So the replayed step is the step that ran, number for number:
the same masks, the same weighted loss, the same gradients.
"""
from contextlib import nullcontext

import numpy as np

from teachnet.backend import array_module as am
from teachnet.engine.batch import PerOutput
from teachnet.inspect.carried_states import restored_states

COPY_BUDGET = 0.01      # keeping steps may take at most this share of the training's CPU time,
DEAR_COPY = 1e-3        # once one copy of the weights takes over a millisecond (a large embedding)
#: bytes per CPU second of a copy into new memory: each page the process has not used yet
#: costs a fault and a clearing on its first write (a 10 MB copy took 17-29 ms so on a
#: virtual machine, against 0.7 ms into reused memory). Expected costs start from this
#: rate and follow what the copies measure.
FRESH_COPY_RATE = 0.4e9


def copies_too_dear(copy_cost, step_cost, every):
    """Whether keeping one step in ``every`` costs too much: one copy (``copy_cost`` CPU
    seconds) is over a millisecond and over 1% of the ``every`` training steps (of
    ``step_cost`` seconds each) between two kept ones. Then the store should thin (``thin_for``)."""
    return copy_cost > DEAR_COPY and copy_cost > COPY_BUDGET * every * step_cost


def _host_copy(array):
    """A host NumPy copy of ``array`` that no later change of the training data reaches;
    the arrays of several outputs (``PerOutput``) become a list of copies, None stays None."""
    if array is None:
        return None
    if isinstance(array, PerOutput):
        return [_host_copy(a) for a in array.arrays]
    return np.array(am.to_numpy(array), copy=True)


def _nbytes(arrays):
    """The bytes of an array, or of a list of them (None counts 0)."""
    if isinstance(arrays, list):
        return sum(_nbytes(a) for a in arrays)
    return getattr(arrays, 'nbytes', 0)


class SavedStep:
    """One kept step: its number, the weights before it (``model.get_weights()`` order), its
    batch (``inputs``, a list of arrays, ``targets``, and ``sample_weights``, the per-sample
    loss weights or None; one array each, or a list of one per output), ``random_state``,
    the generators' state before it (``array_module.random_state()``), and ``states``, what
    stateful recurrent layers carried into it ({layer name: [arrays]}, empty without)."""

    def __init__(self, step, weights, inputs, targets, sample_weights=None, random_state=None, states=None):
        self.step, self.weights, self.inputs, self.targets = step, weights, inputs, targets
        self.sample_weights, self.random_state, self.states = sample_weights, random_state, states or {}
        self.nbytes = (_nbytes(weights) + _nbytes(inputs) + _nbytes(targets) + _nbytes(sample_weights)
                       + sum(_nbytes(carried) for carried in self.states.values()))

    @property
    def x(self):
        return self.inputs[0] if len(self.inputs) == 1 else self.inputs


class StepStore:
    """The saved steps, by step number, within ``max_bytes`` and ``max_steps`` (see the
    module doc)."""

    def __init__(self, every=10, max_bytes=50_000_000, max_steps=64):
        if every < 1 or max_steps < 1:
            raise ValueError(f'StepStore: every and max_steps must be at least 1, got {every} and {max_steps}.')
        self.every, self.max_bytes, self.max_steps = every, max_bytes, max_steps
        self.saved = {}
        self.nbytes = 0         # of the saved steps: counted as they come and go, never summed per step
        self.copy_rate = FRESH_COPY_RATE        # bytes per CPU second, as last measured

    def may_be_dear(self, nbytes):
        """Whether a copy of ``nbytes`` bytes could ever be too dear to keep (``copies_too_dear``):
        only when, even into new memory, it is expected to take over ``DEAR_COPY``."""
        return nbytes / FRESH_COPY_RATE > DEAR_COPY

    def expected_copy_cost(self, nbytes):
        """CPU seconds a copy of ``nbytes`` bytes is expected to take (see ``measured_copy``)."""
        return nbytes / self.copy_rate

    def measured_copy(self, nbytes, seconds):
        """A copy of ``nbytes`` took ``seconds``: expect that rate from now on."""
        if nbytes > 0 and seconds > 0:
            self.copy_rate = nbytes / seconds

    def plan(self, total_steps):
        """A run of ``total_steps`` steps is about to start: double ``every`` until the steps
        it wants fit in ``max_steps`` (no copy is made that the cap would drop later)."""
        while total_steps // self.every > self.max_steps:
            self.every *= 2

    def make_room(self):
        """Thin while the store is full (``max_steps``), so that a wanted step fits."""
        while len(self.saved) >= self.max_steps:
            self.thin()

    def wants(self, step):
        """Whether step number ``step`` is one to keep."""
        return step % self.every == 0

    def add(self, step, weights, inputs, targets, sample_weights=None, states=None):
        """Keep step ``step``, about to run: ``weights`` are kept as given
        (``model.get_weights()`` hands fresh host copies); the batch's arrays (on any
        backend) are copied to the host once, since they may be views of the training data;
        the random generators' state is copied as it is now, before the step draws its masks;
        ``states`` are kept as given (``carried_states(model)`` hands host copies)."""
        saved = SavedStep(step, list(weights), [_host_copy(a) for a in inputs], _host_copy(targets),
                          _host_copy(sample_weights), am.random_state(), states)
        if saved.nbytes > self.max_bytes:
            return
        if step not in self.saved:
            self.make_room()
        while self.saved and self.nbytes + saved.nbytes > self.max_bytes:
            self.thin()
        if self.wants(step):
            self.nbytes += saved.nbytes - (self.saved[step].nbytes if step in self.saved else 0)
            self.saved[step] = saved

    def thin(self):
        """Keep every other saved step from now on: ``every`` doubles, and the saved steps
        that are no longer multiples of it are dropped."""
        self.every *= 2
        self.saved = {k: v for k, v in self.saved.items() if k % self.every == 0}
        self.nbytes = sum(saved.nbytes for saved in self.saved.values())

    def thin_for(self, copy_cost, step_cost):
        """Thin until one copy of ``copy_cost`` CPU seconds costs at most 1% of the steps (of
        ``step_cost`` each) between two kept ones (``copies_too_dear``): at once, rather than
        once per dear copy, each of which would cost as much again (a copy of a large
        embedding can take tens of milliseconds where its memory is new to the machine)."""
        while copies_too_dear(copy_cost, step_cost, self.every):
            self.thin()

    def steps(self):
        return sorted(self.saved)

    def __getitem__(self, step):
        if step not in self.saved:
            kept = ', '.join(map(str, self.steps()[:12])) + (' ...' if len(self.saved) > 12 else '')
            raise KeyError(f'Step {step} was not kept (every {self.every}-th step is, within '
                           f'{self.max_bytes / 1e6:g} MB); kept steps: {kept or "none"}.')
        return self.saved[step]


def replay_trace(model, saved):
    """The trace of the saved step: its batch and sample weights, with the weights it had,
    the dropout masks it drew and the states it started from; the model's weights, the
    random generators and the carried states are put back afterwards."""
    now = model.get_weights()
    try:
        model.set_weights(saved.weights)
        with am.restored_random_state(saved.random_state) if saved.random_state else nullcontext(), \
                restored_states(model, saved.states):
            return model.trace(saved.x, saved.targets, sample_weight=saved.sample_weights)
    finally:
        model.set_weights(now)


def replay_panel(steps, open_step, looks):
    """The finished dashboard's row for replaying: a slider over the kept ``steps``, a button,
    and a box where ``open_step(step)`` (a widget) appears when the button is clicked; built
    with the dashboard's ``SharedLooks``. Returns (root VBox, slider, button, box)."""
    import ipywidgets as widgets
    slider = looks.make(widgets.SelectionSlider, options=steps, value=steps[0], description='replay step',
                        continuous_update=False, style={'description_width': 'initial'})
    button = looks.make(widgets.Button, description='Step through it')
    box = looks.make(widgets.VBox)

    def opened(_):
        box.children = [open_step(slider.value)]

    button.on_click(opened)
    row = looks.make(widgets.HBox, children=[slider, button])
    return looks.make(widgets.VBox, children=[row, box]), slider, button, box
