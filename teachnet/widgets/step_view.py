"""What the step-through explorer shows of one step of a trace, as text and widgets.

* ``heading_math(step)``: phase, layer, op and formula (for ``HTMLMath``);
* ``shapes_html(step, hide_output)``: the shapes going in and coming out;
* ``value_views(step, hide_output)``: one ``array_view`` per array: forward, the inputs and
  the output; backward, the gradient arriving (dL/d out) and the gradients sent back;
* ``chain_rule_math(step, i, j)``: for a backward linear step, dL/dW_ij and dL/dx_0i as the
  sums they are, with this step's numbers (``teachnet.inspect.chain_rule``).
"""
import html

import numpy as np

from teachnet.inspect.chain_rule import allows_entry, input_entry, weight_entry
from teachnet.widgets.array_view import array_view


def _shape(value):
    return tuple(np.shape(value)) if value is not None else None


def heading_math(step):
    where = ', '.join(f'{k} {v}' for k, v in step.where.items() if k != 'layer')
    where = f' <small>[{html.escape(where)}]</small>' if where else ''
    direction = '→ forward' if step.phase == 'forward' else '← backward'
    return (f'<b>{direction}</b> · layer <b>{html.escape(step.layer)}</b>{where} · op <b>{html.escape(step.op)}</b>'
            f'<br><span class="teachnet-formula" style="font-size:120%">{html.escape(step.formula)}</span>')


def shapes_html(step, hide_output=False):
    ins = ', '.join(f'{html.escape(label)} {_shape(value)}' for label, value in step.inputs if value is not None)
    out = '?' if hide_output else str(_shape(step.output))
    if step.phase == 'forward':
        return f'<span class="teachnet-shapes">in: {ins} &nbsp;→&nbsp; out: {out}</span>'
    return f'<span class="teachnet-shapes">gradient arriving dL/d(out): {out} &nbsp;→&nbsp; sent back: {ins}</span>'


def value_views(step, hide_output=False):
    if step.phase == 'forward':
        views = [array_view(f'in {label}', value) for label, value in step.inputs]
        if not hide_output:
            views.append(array_view('out', step.output))
        return views
    views = [] if hide_output else [array_view('gradient arriving dL/d(out)', step.output)]
    return views + [array_view(f'sent back dL/d({label})', value) for label, value in step.inputs if value is not None]


def chain_rule_math(step, i, j):
    """LaTeX (for ``HTMLMath``) of dL/dW_ij for a backward linear step; '' for other steps."""
    if not allows_entry(step):
        return ''
    entry = weight_entry(step, i, j)
    products = ' + '.join(f'({x:.4g})({g:.4g})' for x, g in entry.terms)
    back = input_entry(step, 0, i)
    sent = ' + '.join(f'({g:.4g})({w:.4g})' for g, w in back.terms)
    return (r'Chain rule for one entry, $x$ and $W$ from forward, $g$ the gradient arriving: '
            rf'$$\frac{{\partial L}}{{\partial W_{{{i}{j}}}}} = \sum_n x_{{n{i}}}\, g_{{n{j}}} = '
            rf'{products} = {entry.total:.6g}$$'
            rf'$$\frac{{\partial L}}{{\partial x_{{0{i}}}}} = \sum_j g_{{0j}}\, W_{{{i}j}} = '
            rf'{sent} = {back.total:.6g}$$')
