"""Step through one training step, op by op: ``StepThrough(model, x, y)`` or
``model.trace(x, y).explore()``.

Prev / Next and a slider walk the trace's steps, forward then backward. For the current
step the explorer shows the model's diagram with its layer lit, the layer, op and formula,
the shapes in and out, and the values (``teachnet.widgets.array_view``). Below, the student
picks one entry (which array, and an index per axis): on a forward step its output value;
on a backward step the chain rule for that gradient entry as the sum it is, with this
step's numbers (``teachnet.inspect.chain_rule``: every op of the guide's models). Only the
current step is drawn, when it becomes current.

"Predict, then reveal": with the box ticked, each step hides what it produces (forward its
output, backward the gradients it sends) until the student has typed a guess and pressed
Check: the shape ('2, 3'), or the value of the picked entry (a number, right within 10%,
or just its sign: +, - or 0). It says whether the guess was right and why
(``teachnet.widgets.guess``), and reveals the step.
"""
import ipywidgets as widgets

from teachnet.inspect.diagram import Box
from teachnet.widgets.guess import judge_shape, judge_value, parse_shape  # noqa: F401 (parse_shape: public here too)
from teachnet.widgets.model_diagram import diagram_html
from teachnet.widgets.step_view import (entry_choices, entry_html, entry_label, entry_value, heading_math,
                                        produced_shape, shape_reason, shapes_html, value_views)
from teachnet.widgets.sync import hold_all

MAX_AXES = 4
PLACEHOLDERS = {'shape': 'shape, e.g. 2, 3', 'value': 'value, or +, - or 0'}


class StepThrough:
    """The explorer over ``trace`` (or over ``model.trace(x, y)``).

    Drive it from Python as a student does with the mouse: ``slider.value = k``,
    ``next_button.click()``, ``prev_button.click()``; ``entry_name.value = 'W'`` and
    ``entry_axes[0].value = 2`` to pick an entry; ``predict.value = True``,
    ``guess_kind.value = 'value'``, ``guess.value = '0.3'`` and ``check_button.click()``.
    ``widget`` is the root (CSS class ``teachnet-explorer``).
    """

    def __init__(self, model=None, x=None, y=None, trace=None):
        if trace is None:
            if model is None or x is None:
                raise ValueError('StepThrough needs a model and x (and y to include the loss), or trace=...')
            trace = model.trace(x, y)
        if not len(trace):
            raise ValueError('This trace has no steps to walk through.')
        self.trace = trace
        self.levels = trace.diagram or [[Box(name, 'layer')] for name in trace.layers() + ['loss']]
        self.revealed = set()
        self._choosing = False
        self._build()
        self.show(0)

    def _build(self):
        n = len(self.trace)
        self.prev_button = widgets.Button(description='◀ Prev', layout=widgets.Layout(width='80px'))
        self.next_button = widgets.Button(description='Next ▶', layout=widgets.Layout(width='80px'))
        self.slider = widgets.IntSlider(value=0, min=0, max=n - 1, description='step', continuous_update=False)
        self.position = widgets.HTML()
        self.diagram = widgets.HTML()
        self.heading = widgets.HTMLMath()
        self.shapes = widgets.HTML()
        self.values = widgets.HBox(layout=widgets.Layout(flex_flow='row wrap'))
        self.entry_name = widgets.Dropdown(description='entry of', layout=widgets.Layout(width='190px'))
        self.entry_axes = [widgets.BoundedIntText(value=0, min=0, max=0, description=f'[{k}]',
                                                  style={'description_width': '24px'},
                                                  layout=widgets.Layout(width='90px')) for k in range(MAX_AXES)]
        self.entry_i, self.entry_j = self.entry_axes[:2]
        self.chain = widgets.HTML()
        self.chain_box = widgets.VBox([widgets.HBox([self.entry_name] + self.entry_axes), self.chain])
        self.predict = widgets.Checkbox(value=False, description='predict, then reveal', indent=False)
        self.guess_kind = widgets.ToggleButtons(options=['shape', 'value'], value='shape',
                                                style={'button_width': '60px'})
        self.guess = widgets.Text(placeholder=PLACEHOLDERS['shape'], layout=widgets.Layout(width='180px'))
        self.check_button = widgets.Button(description='Check', layout=widgets.Layout(width='70px'))
        self.verdict = widgets.HTML()
        self.guess_box = widgets.HBox([self.guess_kind, self.guess, self.check_button, self.verdict])

        self.prev_button.on_click(lambda _: self._move(-1))
        self.next_button.on_click(lambda _: self._move(+1))
        self.slider.observe(lambda change: self.show(change['new']), names='value')
        for picker in [self.entry_name] + self.entry_axes:
            picker.observe(lambda _: self._entry_changed(), names='value')
        self.predict.observe(lambda _: self.show(self.slider.value), names='value')
        self.guess_kind.observe(lambda change: setattr(self.guess, 'placeholder', PLACEHOLDERS[change['new']]),
                                names='value')
        self.check_button.on_click(lambda _: self._check_guess())

        title = widgets.HTML(value=f'<b>{self.trace.title}</b>' + (
            '' if self.trace.loss is None else f' · loss = {float(self.trace.loss):.6g}'))
        controls = widgets.HBox([self.prev_button, self.slider, self.next_button, self.position, self.predict])
        detail = widgets.VBox([self.heading, self.shapes, self.guess_box, self.values, self.chain_box],
                              layout=widgets.Layout(flex='1'))
        self.widget = widgets.VBox([title, controls, widgets.HBox([self.diagram, detail])])
        self.widget.add_class('teachnet-explorer')

    @property
    def step(self):
        """The step shown now."""
        return self.trace[self.slider.value]

    @property
    def entry_index(self):
        """The picked entry's index (one int per axis of the picked array)."""
        return tuple(axis.value for axis in self.entry_axes if axis.layout.display != 'none')

    def _move(self, by):
        self.slider.value = min(max(self.slider.value + by, 0), len(self.trace) - 1)

    def hides_output(self):
        return self.predict.value and self.slider.value not in self.revealed

    def show(self, index):
        """Draw step ``index`` (the slider follows)."""
        if self.slider.value != index:
            self.slider.value = index                   # its observer draws the step
            return
        step, hide = self.trace[index], self.hides_output()
        parts = [self.position, self.diagram, self.heading, self.shapes, self.values, self.prev_button,
                 self.next_button, self.guess_box.layout, self.guess, self.verdict]
        with hold_all(parts):
            self.position.value = f'{index + 1} of {len(self.trace)} · {step.phase}'
            self.diagram.value = diagram_html(self.levels, step.layer)
            self.heading.value = heading_math(step)
            self.shapes.value = shapes_html(step, hide_output=hide)
            self.values.children = value_views(step, hide_output=hide)
            self.prev_button.disabled = index == 0
            self.next_button.disabled = index == len(self.trace) - 1
            self.guess_box.layout.display = '' if hide else 'none'
            self.guess.value, self.verdict.value = '', ''
        self._offer_entries(step)

    def _offer_entries(self, step):
        """The entry picker for this step: its arrays, and one index box per axis."""
        choices = entry_choices(step)
        pickers = [self.entry_name, self.chain_box.layout, self.chain] + self.entry_axes
        with hold_all(pickers + [axis.layout for axis in self.entry_axes]):
            self._choosing = True
            try:
                if not choices:
                    self.chain_box.layout.display, self.chain.value = 'none', ''
                    return
                options = [(entry_label(step, name), name) for name in choices]
                if list(self.entry_name.options) != options:
                    previous = self.entry_name.value
                    self.entry_name.options = options
                    self.entry_name.value = previous if previous in choices else options[0][1]
                self._fit_axes(choices[self.entry_name.value])
                self.chain_box.layout.display = ''
            finally:
                self._choosing = False
            self._draw_entry()

    def _fit_axes(self, shape):
        for k, axis in enumerate(self.entry_axes):
            if k < len(shape):
                axis.max = shape[k] - 1
                axis.value = min(axis.value, axis.max)
                axis.layout.display = ''
            else:
                axis.layout.display = 'none'

    def _entry_changed(self):
        if self._choosing:
            return
        choices = entry_choices(self.step)
        if self.entry_name.value in choices:
            self._choosing = True
            try:
                self._fit_axes(choices[self.entry_name.value])
            finally:
                self._choosing = False
            self._draw_entry()

    def _draw_entry(self):
        step = self.step
        if self.entry_name.value not in entry_choices(step):
            return
        self.chain.value = entry_html(step, self.entry_name.value, self.entry_index, hide=self.hides_output())

    def _check_guess(self):
        step, name, index = self.step, self.entry_name.value, self.entry_index
        if self.guess_kind.value == 'shape':
            right, verdict = judge_shape(self.guess.value, produced_shape(step, name), shape_reason(step, name))
        elif name in entry_choices(step):
            why = (f'It comes from {step.formula}.' if step.phase == 'forward' else
                   'The chain rule below shows the sum it is.')
            right, verdict = judge_value(self.guess.value, entry_value(step, name, index),
                                         entry_label(step, name, index), why)
        else:
            right, verdict = False, 'this step has no entry to guess; guess its shape'
        self.revealed.add(self.slider.value)
        self.show(self.slider.value)
        self.verdict.value = verdict
        self.guess_box.layout.display = ''
        return right

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = self.widget._repr_mimebundle_(include=include, exclude=exclude) or {}
        bundle['text/plain'] = f'StepThrough over {self.trace.title} ({len(self.trace)} steps)'
        return bundle
