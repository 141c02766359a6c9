"""Step through one training step, op by op: ``StepThrough(model, x, y)`` or
``model.trace(x, y).explore()``.

Prev / Next and a slider walk the trace's steps, forward then backward. For the current
step the explorer shows the model's diagram with its layer lit, the layer, op and formula,
the shapes in and out, and the values (``teachnet.widgets.array_view``). A backward step of
a linear op also shows, for the entry (i, j) the student picks, the chain rule as the sum
it is. Only the current step is drawn, when it becomes current.

"Predict, then reveal": with the box ticked, each step hides its output until the student
has typed the output shape they expect ("2, 3") and pressed Check; it says right or wrong.
"""
import re

import ipywidgets as widgets

from teachnet.inspect.chain_rule import allows_entry
from teachnet.inspect.diagram import Box
from teachnet.widgets.model_diagram import diagram_html
from teachnet.widgets.step_view import chain_rule_math, heading_math, shapes_html, value_views


def parse_shape(text):
    """The shape a student typed ('(2, 3)', '2,3', '2 x 3', '()'), as a tuple of ints."""
    return tuple(int(n) for n in re.findall(r'\d+', text))


class StepThrough:
    """The explorer over ``trace`` (or over ``model.trace(x, y)``).

    Drive it from Python as a student does with the mouse: ``slider.value = k``,
    ``next_button.click()``, ``prev_button.click()``; ``predict.value = True``,
    ``guess.value = '2, 3'`` and ``check_button.click()``. ``widget`` is the root
    (CSS class ``teachnet-explorer``).
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
        self.entry_i, self.entry_j = (widgets.BoundedIntText(value=0, min=0, max=0, description=name,
                                                             layout=widgets.Layout(width='110px')) for name in 'ij')
        self.chain = widgets.HTMLMath()
        self.chain_box = widgets.VBox([widgets.HBox([self.entry_i, self.entry_j]), self.chain])
        self.predict = widgets.Checkbox(value=False, description='predict, then reveal', indent=False)
        self.guess = widgets.Text(placeholder='output shape, e.g. 2, 3', layout=widgets.Layout(width='180px'))
        self.check_button = widgets.Button(description='Check', layout=widgets.Layout(width='70px'))
        self.verdict = widgets.HTML()
        self.guess_box = widgets.HBox([self.guess, self.check_button, self.verdict])

        self.prev_button.on_click(lambda _: self._move(-1))
        self.next_button.on_click(lambda _: self._move(+1))
        self.slider.observe(lambda change: self.show(change['new']), names='value')
        for entry in (self.entry_i, self.entry_j):
            entry.observe(lambda _: self._draw_chain_rule(), names='value')
        self.predict.observe(lambda _: self.show(self.slider.value), names='value')
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
        self.position.value = f'{index + 1} of {len(self.trace)} · {step.phase}'
        self.diagram.value = diagram_html(self.levels, step.layer)
        self.heading.value = heading_math(step)
        self.shapes.value = shapes_html(step, hide_output=hide)
        self.values.children = value_views(step, hide_output=hide)
        self.prev_button.disabled = index == 0
        self.next_button.disabled = index == len(self.trace) - 1
        self.guess_box.layout.display = '' if hide else 'none'
        self.guess.value, self.verdict.value = '', ''
        self._draw_chain_rule()

    def _draw_chain_rule(self):
        step = self.step
        if not allows_entry(step):
            self.chain_box.layout.display = 'none'
            self.chain.value = ''
            return
        rows, columns = step.input('W').shape
        self.entry_i.max, self.entry_j.max = rows - 1, columns - 1
        self.chain_box.layout.display = ''
        self.chain.value = chain_rule_math(step, self.entry_i.value, self.entry_j.value)

    def _check_guess(self):
        expected = tuple(getattr(self.step.output, 'shape', ()))
        guessed = parse_shape(self.guess.value)
        right = guessed == expected
        self.revealed.add(self.slider.value)
        self.show(self.slider.value)
        self.verdict.value = (f'<b style="color:#2ca02c">right</b>: {expected}' if right else
                              f'<b style="color:#d62728">not quite</b>: you said {guessed}, it is {expected}')
        self.guess_box.layout.display = ''

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = self.widget._repr_mimebundle_(include=include, exclude=exclude) or {}
        bundle['text/plain'] = f'StepThrough over {self.trace.title} ({len(self.trace)} steps)'
        return bundle

