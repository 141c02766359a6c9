"""What the step-through explorer shows of one step of a trace, as text and widgets.

* ``heading_math(step)``: phase, layer, op and formula (for ``HTMLMath``);
* ``shapes_html(step, hide_output)``: the shapes going in and coming out;
* ``value_views(step, hide_output)``: one ``array_view`` per array: forward, the inputs and
  the output; backward, the gradient arriving (dL/d out) and the gradients sent back.
  ``hide_output`` (predict, then reveal) leaves out what the step produces: forward its
  output, backward the gradients it sends (the gradient arriving stays: it is given);
* ``entry_choices(step)`` and ``entry_html(step, name, index, hide)``: one entry the student
  picks: forward, an output entry's value; backward, a gradient entry as the chain rule's sum
  with this step's numbers (``teachnet.inspect.chain_rule``), largest terms first.
"""
import html

import numpy as np

from teachnet.inspect.chain_rule import entry, explained
from teachnet.widgets.array_view import array_view
from teachnet.widgets.drawing import format_number


def _shape(value):
    return tuple(np.shape(value)) if value is not None else None


def heading_math(step):
    where = ', '.join(f'{k} {v}' for k, v in step.where.items() if k != 'layer')
    where = f' <small>[{html.escape(where)}]</small>' if where else ''
    direction = '→ forward' if step.phase == 'forward' else '← backward'
    return (f'<b>{direction}</b> · layer <b>{html.escape(step.layer)}</b>{where} · op <b>{html.escape(step.op)}</b>'
            f'<br><span class="teachnet-formula" style="font-size:120%">{html.escape(step.formula)}</span>')


def shapes_html(step, hide_output=False):
    """The shapes in and out; ``hide_output`` puts '?' for what the step produces (forward,
    the output; backward, the gradients sent back)."""
    if step.phase == 'forward':
        ins = ', '.join(f'{html.escape(label)} {_shape(value)}' for label, value in step.inputs if value is not None)
        out = '?' if hide_output else str(_shape(step.output))
        return f'<span class="teachnet-shapes">in: {ins} &nbsp;→&nbsp; out: {out}</span>'
    sent = ', '.join(f'{html.escape(label)} {"?" if hide_output else _shape(value)}'
                     for label, value in step.inputs if value is not None)
    return (f'<span class="teachnet-shapes">gradient arriving dL/d(out): {_shape(step.output)} '
            f'&nbsp;→&nbsp; sent back: {sent}</span>')


def value_views(step, hide_output=False):
    """One ``array_view`` per array; ``hide_output`` leaves out what the step produces."""
    if step.phase == 'forward':
        views = [array_view(f'in {label}', value) for label, value in step.inputs]
        if not hide_output:
            views.append(array_view('out', step.output))
        return views
    views = [array_view('gradient arriving dL/d(out)', step.output)]
    if hide_output:
        return views
    return views + [array_view(f'sent back dL/d({label})', value) for label, value in step.inputs if value is not None]


def produced_shape(step, name=None):
    """The shape of what the step produces: forward, the output; backward, dL/d(name) (the
    first gradient sent back when ``name`` is None or not one of them)."""
    if step.phase == 'forward':
        return _shape(step.output)
    sent = {label.split(' = ')[0]: value for label, value in step.inputs if value is not None}
    return _shape(sent.get(name, next(iter(sent.values()), None)))


def shape_reason(step, name=None):
    """Why the produced shape is what it is, in a sentence."""
    if step.phase == 'forward':
        ins = ', '.join(f'{label.split(" = ")[0]} {_shape(value)}' for label, value in step.inputs if value is not None)
        return f'{step.op} makes it from {ins}: {step.formula}'
    sent = {label.split(' = ')[0] for label, value in step.inputs if value is not None}
    what = name if name in sent else next(iter(sorted(sent)), 'its input')
    return f'A gradient has the shape of what it is the gradient of: dL/d{what} is shaped like {what}.'


def entry_choices(step):
    """{name: shape} of the arrays whose entries the student can pick: forward, the output
    ('out'); backward, the gradients the chain rule writes out (``chain_rule.explained``)."""
    if step.phase == 'forward':
        return {} if step.output is None else {'out': _shape(step.output)}       # () for the loss: one number
    return explained(step)


def entry_label(step, name, index=None):
    """'out[0,1]', 'dL/dW[2,1]' or 'dL/d(input 0)[1,0]' (without an index: 'out', 'dL/dW')."""
    where = '' if not index else '[' + ','.join(map(str, index)) + ']'
    name = f'({name})' if ' ' in str(name) else name
    return f'out{where}' if step.phase == 'forward' else f'dL/d{name}{where}'


def entry_value(step, name, index):
    """The true value of the picked entry: the output's, or the gradient backward sent."""
    if step.phase == 'forward':
        return float(np.asarray(step.output, dtype=float)[tuple(index)])
    return entry(step, name, index).computed


def entry_html(step, name, index, hide=False):
    """The picked entry: forward, its value (the op's formula gave it); backward, the chain
    rule with this step's numbers: the sum in symbols, its largest terms (with what each
    term is), the total and the number backward sent. ``hide``: only the formula, '= ?'."""
    label = html.escape(entry_label(step, name, index))
    if step.phase == 'forward':
        value = '?' if hide else f'{entry_value(step, name, index):.6g}'
        return f'<div class="teachnet-entry">{label} = <b>{value}</b> <small>({html.escape(step.formula)})</small></div>'
    found = entry(step, name, index)
    formula = f'<code class="teachnet-chain-formula">{html.escape(found.formula)}</code>'
    if hide:
        return f'<div class="teachnet-entry"><b>Chain rule</b>: {formula} = <b>?</b></div>'
    shown, rest = found.largest()
    rows = ''.join(f'<tr><td><small>{html.escape(where)}</small></td>'
                   f'<td>{" · ".join(format_number(f) for f in factors)}</td><td>{format_number(product)}</td></tr>'
                   for where, factors, product in shown)
    more = (f'<tr><td colspan="3"><small>… + {rest} more term{"s" if rest > 1 else ""}</small></td></tr>'
            if rest else '')
    check = '✓' if found.agrees() else '✗'
    return (f'<div class="teachnet-entry"><b>Chain rule for one entry</b> <small>(forward values, g the gradient '
            f'arriving)</small><br>{formula}<table class="teachnet-terms"><tr><th>term</th><th>factors</th>'
            f'<th>product</th></tr>{rows}{more}</table>'
            f'sum of the {len(found.terms)} term{"s" if len(found.terms) != 1 else ""} = <b>{found.total:.6g}</b>'
            f' · backward sent {label} = <b class="teachnet-sent">{found.computed:.6g}</b> {check}</div>')
