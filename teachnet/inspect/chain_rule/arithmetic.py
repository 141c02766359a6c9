"""Arithmetic with broadcasting: z = a + b, a - b, a ⊙ b.

Each output entry depends on one entry of each operand, so an entry of dL/da is a sum over
the output places that entry reached, each term the gradient arriving there times the
local slope (1 for +, ±1 for -, the other operand for ⊙)::

    dL/da[idx] = Σ_{places p that a[idx] reached} g[p] · dz[p]/da[idx]

Without broadcasting there is one place: one term. When a was broadcast (a bias b of shape
(n,) added to every row, a dropout mask (n, 1, d) applied at every timestep) it reached
many places, and its gradient is the sum of them all.
"""
import itertools

import numpy as np

from teachnet.inspect.chain_rule.entry_sum import EntrySum, entry_text
from teachnet.inspect.chain_rule.step_arrays import arriving, sent, went_in

OPERANDS = ('input 0', 'input 1')
SYMBOLS = {'input 0': 'a', 'input 1': 'b'}


def places(index, shape, output_shape):
    """Every index of the output that the entry ``index`` of an operand of ``shape`` reached."""
    lead = len(output_shape) - len(shape)
    choices = []
    for axis, size in enumerate(output_shape):
        k = axis - lead
        if k < 0 or (shape[k] == 1 and size != 1):
            choices.append(range(size))                 # an axis broadcasting added or stretched
        else:
            choices.append((index[k],))
    return list(itertools.product(*choices))


def _slope(step, name, place):
    if step.op == 'add':
        return 1.0
    if step.op == 'subtract':
        return 1.0 if name == 'input 0' else -1.0
    other = went_in(step, OPERANDS[1 - OPERANDS.index(name)])
    return float(np.broadcast_to(other, np.shape(step.output))[place])           # multiply


def operand_entry(step, name, *index):
    """dL/d(a or b)[idx]: terms (g[p], slope at p), one per output place p it reached."""
    g = arriving(step)
    reached = places(index, np.shape(step.input(name)), g.shape)
    slope = {'add': '1', 'subtract': '1' if name == 'input 0' else '(-1)',
             'multiply': 'b[p]' if name == 'input 0' else 'a[p]'}[step.op]
    symbol = SYMBOLS[name]
    return EntrySum(name, index, [(g[p], _slope(step, name, p)) for p in reached],
                    [f'p = {entry_text(p)}' for p in reached],
                    f'dL/d{symbol}{entry_text(index)} = Σ over the places p it reached of g[p]·{slope}',
                    sent(step, name)[index])


RULES = {op: {'*': operand_entry} for op in ('add', 'subtract', 'multiply')}
