"""Traces: every forward and backward step of a computation, readable.

A trace is read off the tape that training uses anyway: each recorded op becomes a
forward step (its formula, the shapes and values going in and coming out) and, walking
back, a backward step (the gradient arriving at its output and the gradients it sends to
each input). ``print(trace)`` shows a table in a terminal; in a notebook the trace shows
as an HTML table. ``trace.layer('dense_1')`` keeps one layer's steps, and ``trace.steps``
holds ``Step`` objects whose ``.inputs``, ``.output`` and gradients are NumPy arrays.

    trace = model.trace(x[:1], y[:1])
    print(trace.layer('dense_1'))
"""
import html

from teachnet.backend import array_module as am
from teachnet.inspect.diagram import model_diagram
from teachnet.inspect.kept_states import kept_states
from teachnet.ops.tape import Tape
from teachnet.ops.tensor import Parameter, Tensor

np = am.host


def _snapshot(value):
    """A host copy of an array (or a number) as it is now."""
    if isinstance(value, Tensor):
        value = value.data
    if value is None:
        return None
    return np.array(am.to_numpy(value), copy=True) if hasattr(value, 'shape') else np.asarray(value)


def _input_labels(op):
    names = getattr(op, 'input_names', None)
    labels = []
    for i, value in enumerate(op.inputs):
        label = names[i] if names and i < len(names) else f'input {i}'
        if isinstance(value, Parameter):
            label = f'{label} = {value.name}'
        labels.append(label)
    return labels


def format_array(array, precision=4, max_items=8):
    """A compact text view of an array: its values, elided in the middle when large."""
    if array is None:
        return 'None'
    with np.printoptions(precision=precision, threshold=max_items, edgeitems=max(1, max_items // 4),
                         suppress=True, linewidth=100):
        return np.array2string(np.asarray(array))


class Step:
    """One op, forward or backward.

    # Attributes
        phase: 'forward' or 'backward'.
        layer: the layer it belongs to ('loss' for the loss), plus ``where`` (timestep...).
        op, formula: the op's name and its formula.
        inputs: list of (label, array) going in (forward) or gradients sent back (backward).
            A parameter's label names it too: ``'W = dense_1_W'``.
        output: the array produced (forward) or the gradient arriving (backward).
        facts: what else the op kept, by name: im2col ``'patches'``, pooling ``'winners'``,
            a recurrent layer's gates per timestep...
        forward_step: for a backward step, the forward step of the same op (its inputs are
            what the chain rule multiplies the arriving gradient with); None for a forward step.
        sources: one entry per input: the forward step whose output that input is, or None
            for what no step of the trace computed (the data, a parameter). Following them
            from the last step back walks the computation graph.

    ``step.input('W')`` and ``step.fact('patches')`` read one of them by name.
    """

    def __init__(self, phase, op, inputs, output, facts=None, forward_step=None):
        self.phase = phase
        self.forward_step = forward_step
        self.where = dict(op.where or {})
        self.layer = self.where.get('layer', 'loss')
        self.op = op.name
        self.formula = (op.backward_formula or op.formula) if phase == 'backward' else op.formula
        self.inputs = inputs
        self.output = output
        self.facts = facts or {}
        self.sources = [None] * len(inputs)

    def input(self, name):
        """The input called ``name`` ('x', 'W', 'b', ...) going in (forward), or the gradient
        dL/d(name) sent back to it (backward), as a NumPy array."""
        for label, value in self.inputs:
            if label.split(' = ')[0] == name or label == name:
                return value
        names = ', '.join(repr(label.split(' = ')[0]) for label, _ in self.inputs)
        raise KeyError(f"Step {self.op!r} of {self.layer} has no input {name!r}; its inputs: {names}.")

    def fact(self, name):
        """One of the facts the op kept (``'patches'``, ``'winners'``, gates...), by name."""
        if name not in self.facts:
            raise KeyError(f"Step {self.op!r} of {self.layer} kept no fact {name!r}; "
                           f"its facts: {', '.join(map(repr, self.facts)) or 'none'}.")
        return self.facts[name]

    def heading(self):
        where = ', '.join(f'{k} {v}' for k, v in self.where.items() if k != 'layer')
        where = f' [{where}]' if where else ''
        return f'{self.phase:8s} {self.layer}{where}: {self.op}   {self.formula}'

    def describe(self, precision=4, max_items=8):
        arrow = 'dL/d' if self.phase == 'backward' else ''
        lines = [self.heading()]
        if self.phase == 'forward':
            for label, value in self.inputs:
                lines.append(f'    in   {label} {_shape(value)}: {format_array(value, precision, max_items)}')
            lines.append(f'    out  {_shape(self.output)}: {format_array(self.output, precision, max_items)}')
        else:
            lines.append(f'    dL/d(out) {_shape(self.output)}: {format_array(self.output, precision, max_items)}')
            for label, value in self.inputs:
                if value is not None:
                    lines.append(f'    {arrow}({label}) {_shape(value)}: {format_array(value, precision, max_items)}')
        for key, value in self.facts.items():
            if hasattr(value, 'shape') and getattr(value, 'ndim', 0) > 0:     # per-timestep gates...
                lines.append(f'    {key} {_shape(value)}: {format_array(value, precision, max_items)}')
            else:
                lines.append(f'    {key}: {value}')
        return '\n'.join(_indent_values(lines))

    def __repr__(self):
        return self.describe()


def _indent_values(lines):
    return [line.replace('\n', '\n        ') for line in lines]


def _shape(value):
    return tuple(getattr(value, 'shape', ()))


class Trace:
    """The forward and backward steps of one computation, in the order they happened.

    ``diagram`` holds the model's boxes (``teachnet.inspect.diagram.model_diagram``) when the
    trace is of a model. In a notebook, ``trace.explore()`` steps through it one op at a time
    (``teachnet.widgets.StepThrough``); elsewhere it prints the trace.
    """

    #: what ``explore()`` runs: set by ``import teachnet`` (the widgets sit above inspect)
    explorer = None

    def __init__(self, steps, loss=None, title='trace', diagram=None):
        self.steps = steps
        self.loss = loss
        self.title = title
        self.diagram = diagram

    def explore(self):
        """Step through this trace in a notebook: Prev/Next, a slider, the model's diagram,
        each step's formula and values. Outside a notebook, says so and prints the trace."""
        return self.explorer()

    @property
    def forward(self):
        return [s for s in self.steps if s.phase == 'forward']

    @property
    def backward(self):
        return [s for s in self.steps if s.phase == 'backward']

    def parameter_gradients(self):
        """{parameter name: dL/dθ}: what backward sent to each parameter, added up over the
        steps that use it (a recurrent kernel used at every timestep is one op; a layer
        shared by two branches sends two), as NumPy arrays. These are the gradients that a
        training step on the same batch hands to the optimizer."""
        gradients = {}
        for step in self.backward:
            for label, value in step.inputs:
                if ' = ' in label and value is not None:
                    name = label.split(' = ', 1)[1]
                    gradients[name] = value + gradients[name] if name in gradients else value
        return gradients

    def layers(self):
        """Names of the layers in the trace, in forward order."""
        seen = []
        for step in self.forward:
            if step.layer not in seen:
                seen.append(step.layer)
        return seen

    def layer(self, name):
        """The steps of one layer (forward then backward) as a Trace."""
        steps = [s for s in self.steps if s.layer == name]
        if not steps:
            raise KeyError(f"No layer named {name!r} in this trace; layers: {', '.join(self.layers())}.")
        return Trace(steps, self.loss, title=f'{self.title}: {name}', diagram=self.diagram)

    def __iter__(self):
        return iter(self.steps)

    def __len__(self):
        return len(self.steps)

    def __getitem__(self, index):
        return self.steps[index]

    def __str__(self):
        lines = [self.title]
        if self.loss is not None:
            lines.append(f'loss = {float(self.loss):.6g}')
        for phase in ('forward', 'backward'):
            steps = [s for s in self.steps if s.phase == phase]
            if steps:
                lines.append(f'--- {phase} ({len(steps)} steps) ---')
                lines.extend(s.describe() for s in steps)
        return '\n'.join(lines)

    __repr__ = __str__

    def _repr_html_(self):
        rows = []
        for step in self.steps:
            values = step.describe().split('\n', 1)
            detail = html.escape(values[1]) if len(values) > 1 else ''
            rows.append(f'<tr><td>{step.phase}</td><td>{html.escape(step.layer)}</td>'
                        f'<td>{html.escape(step.op)}</td><td><code>{html.escape(step.formula)}</code></td>'
                        f'<td><pre style="margin:0">{detail}</pre></td></tr>')
        loss = '' if self.loss is None else f'<p>loss = {float(self.loss):.6g}</p>'
        return (f'<div class="teachnet-trace"><b>{html.escape(self.title)}</b>{loss}'
                '<table><tr><th>phase</th><th>layer</th><th>op</th><th>formula</th><th>values</th></tr>'
                + ''.join(rows) + '</table></div>')


def steps_from_tape(tape):
    """Turn a tape (recorded with keep_gradients=True, after backward) into Steps."""
    forward, backward = [], []
    made_by = {}                                         # id of an op's output tensor -> its forward step
    for op in tape.records:
        labels = _input_labels(op)
        forward.append(Step('forward', op, [(label, _snapshot(value)) for label, value in zip(labels, op.inputs)],
                            _snapshot(op.output), _snapshot_facts(op.describe())))
        forward[-1].sources = [made_by.get(id(value)) if isinstance(value, Tensor) else None for value in op.inputs]
        made_by[id(op.output)] = forward[-1]
        if getattr(op, 'grad_output', None) is not None:
            grads = [(label, _snapshot(g)) for label, g in zip(labels, op.grad_inputs)]
            facts = _snapshot_facts(op.describe_backward()) if hasattr(op, 'describe_backward') else None
            backward.append(Step('backward', op, grads, _snapshot(op.grad_output), facts, forward[-1]))
            backward[-1].sources = forward[-1].sources
    return forward + backward[::-1]


def _snapshot_facts(facts):
    """An op's facts with its arrays (a recurrent op's gates per timestep) copied to the host."""
    return {key: _snapshot(value) if hasattr(value, 'shape') else value for key, value in facts.items()}


def _record(run, params):
    """Run ``run()`` with a recording tape and its backward. The params' gradients start
    empty for it (backward fills them afresh, instead of adding this computation's to what
    training left there: for an embedding, a sum of two dense tables) and are put back
    as they were afterwards."""
    saved = [p.grad for p in params]
    try:
        for p in params:
            p.grad = None
        with Tape(keep_gradients=True) as tape:
            loss, grad = run()
        tape.backward(loss, grad)
    finally:
        for p, g in zip(params, saved):
            p.grad = g
    return tape, loss


def trace_layer(layer, x, grad_output=None, training=True):
    """Forward and backward of one layer on ``x``; backward starts from ``grad_output``
    (ones when omitted: the gradient of the sum of all outputs)."""
    if not isinstance(x, Tensor):
        x = Tensor(am.to_device(np.asarray(am.to_numpy(x)), dtype=layer.input_dtype or am.floatx()))
    x.requires_grad = x.data.dtype.kind == 'f'

    def run():
        output = layer(x, training)
        grad = None if grad_output is None else am.to_device(grad_output, dtype=output.data.dtype)
        return output, grad

    tape, _ = _record(run, layer.params)
    return Trace(steps_from_tape(tape), title=f'{layer.name} ({type(layer).__name__})')


def trace_model(model, x, y=None, training=True, sample_weight=None):
    """One training computation of ``model``: forward, the loss on ``y`` (each sample's
    weighted by ``sample_weight`` when given) with every penalty and backward, with every
    step; ``trace.loss`` is the loss ``train_on_batch`` would report (``test_on_batch``
    with training=False). The weights are not changed, nor the states a stateful model
    carries (the trace starts from them). Without ``y`` (or before compile), backward
    starts from the gradient of the sum of the outputs."""
    y = y if model.optimizer is not None else None

    def run():
        batch = model.batch_loss(x, y, sample_weight if y is not None else None, training=training, input_grads=True)
        if batch.loss is not None:
            return batch.loss, None
        outputs = batch.outputs                          # several outputs: from the sum of them all
        return (outputs[0] if len(outputs) == 1 else sum((o.sum() for o in outputs[1:]), outputs[0].sum())), None

    with kept_states(model):
        tape, loss = _record(run, model.params)
    return Trace(steps_from_tape(tape), loss=None if y is None else am.to_numpy(loss.data),
                 title=f'{model.name}: one training step' if training else f'{model.name}: one step',
                 diagram=model_diagram(model))
