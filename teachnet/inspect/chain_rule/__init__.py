"""The chain rule for one entry, with a training step's own numbers.

Every entry of a gradient that backward sends is a sum of products: the gradient arriving
at the op's output, times the op's local derivatives, added up over every way the entry
reaches that output. For a backward step of a trace, ``entry(step, name, index)`` writes
dL/d(name)[index] out as that sum, read off the trace (``EntrySum``: the terms, their
``total`` and ``computed``, the number backward sent; they agree)::

    step = [s for s in trace.backward if s.op == 'linear'][0]
    print(entry(step, 'W', (3, 2)))
    # dL/dW[3,2] = Σ_n x[n,3]·g[n,2] = (0.12)·(-0.4) + ... = -0.0731   (backward sent -0.0731 = -0.0731)

``explained(step)`` lists the gradients of a step that can be written out, with their
shapes. The ops, one family per file:

* ``linear``:        z = x·W + b            dL/dW_ij = Σ_n x_ni g_nj, dL/dx_ni = Σ_j g_nj W_ij, dL/db_j = Σ_n g_nj
* ``elementwise``:   activations, dropout    dL/dz_ij = g_ij · f'(z_ij),  dL/dx_ij = g_ij · m_ij
* ``probabilities``: softmax, crossentropy   dL/dz_nj = Σ_k g_nk a_nk (δ_kj - a_nj), ...
* ``convolution``:   conv1d, conv2d          dL/dW: a sum over positions, dL/dx: over offsets and filters
* ``pooling``:       max, average pooling    dL/dx: the windows it won; the windows holding it, g/n
* ``rearranging``:   flatten, reshape, permute   one term: the place the entry moved to
* ``merging``:       Merge sum, ave, mul, concat   one term: g at its place, times the slope
* ``embedding``:     Embedding               dL/dW[v,j]: a sum over the places holding id v
* ``arithmetic``:    a + b, a - b, a ⊙ b      a sum over the places a broadcast entry reached
* ``through_time``:  SimpleRNN, LSTM, GRU    dL/dW_ij, dL/dU_ij, dL/db_j: sums over timesteps and samples
"""
import numpy as np

from teachnet.inspect.chain_rule import (arithmetic, convolution, elementwise, embedding, linear, merging,
                                         pooling, probabilities, rearranging, through_time)
from teachnet.inspect.chain_rule.entry_sum import EntrySum, check_index  # noqa: F401

RULES = {}          # op name -> {input name: rule(step, *index), or '*': rule(step, name, *index)}
EXPLAINS = {}       # op name -> explains(step): whether this step's entries can be written out
for _family in (linear, elementwise, probabilities, convolution, pooling, rearranging, merging, embedding,
                arithmetic, through_time):
    for _op, _rules in _family.RULES.items():
        RULES.setdefault(_op, {}).update(_rules)
        if hasattr(_family, 'explains'):
            EXPLAINS[_op] = _family.explains


def _label_name(label):
    return label.split(' = ')[0]


def explained(step):
    """{name: shape} of the gradients of this backward step that ``entry`` writes out as
    sums (an empty dict for a forward step, an op it does not know, or a step its family's
    ``explains(step)`` declines). A family's rules are by input name; a rule for '*' takes
    every input (a merge's, named by branch)."""
    rules = RULES.get(step.op, {})
    if step.phase != 'backward' or getattr(step, 'forward_step', None) is None or not rules:
        return {}
    if not EXPLAINS.get(step.op, lambda _: True)(step):
        return {}
    names = {}
    for label, value in step.inputs:
        name = _label_name(label)
        if (name in rules or '*' in rules) and value is not None:
            names[name] = tuple(np.shape(value))
    return names


def allows_entry(step):
    """Whether ``entry`` can write out some gradient of this step."""
    return bool(explained(step))


def entry(step, name, index):
    """dL/d(name)[index] of a backward step as an ``EntrySum`` (see the module doc).

    # Raises
        ValueError: a forward step, or an op or gradient it cannot write out (saying which
            it can); IndexError: an index outside the gradient's shape.
    """
    names = explained(step)
    declines = EXPLAINS.get(step.op)
    if declines is not None and step.phase == 'backward' and not declines(step):
        raise ValueError(f"Step {step.op!r} of {step.layer}: the chain rule per entry is not shown for this "
                         f"step. {declines.__doc__}")
    if name not in names:
        can = ', '.join(map(repr, names)) or 'none'
        raise ValueError(f"Step {step.op!r} ({step.phase}) of {step.layer}: the chain rule per entry is "
                         f"not shown for dL/d{name}; for this step it is shown for: {can} "
                         "(backward steps of the ops listed in teachnet.inspect.chain_rule).")
    index = check_index(step, name, step.input(name), index)
    rules = RULES[step.op]
    if name in rules:
        return rules[name](step, *index)
    return rules['*'](step, name, *index)          # a rule for every input (merge branches)


def weight_entry(step, i, j):
    """dL/dW_ij of a backward step (a linear op's: Σ_n x_ni·g_nj), as ``entry(step, 'W', (i, j))``."""
    return entry(step, 'W', (i, j))


def input_entry(step, *index):
    """dL/dx at ``index`` of a backward step (a linear op's: Σ_j g_nj·W_ij), as ``entry(step, 'x', index)``."""
    return entry(step, 'x', index)
