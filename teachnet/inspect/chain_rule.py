"""The chain rule for one entry, with a step's own numbers.

A backward step of a linear op (``z = x·W + b``) sends dL/dW = xᵀ·g. One entry of it is a
sum over the samples of the batch, each term an input times the gradient arriving::

    dL/dW_ij = Σ_n x_ni · g_nj

``weight_entry(step, i, j)`` gives those terms, read off the trace: ``x`` from the forward
step of the same op (``step.forward_step``) and ``g`` from the gradient the backward step
received (``step.output``). Their sum is the ``step.input('W')[i, j]`` that backward sent.
"""
import numpy as np


class EntrySum:
    """dL/dW_ij as the sum it is: ``terms`` (x_ni, g_nj) per sample n, and their ``total``."""

    def __init__(self, i, j, terms):
        self.i, self.j = i, j
        self.terms = terms
        self.total = float(sum(x * g for x, g in terms))

    def __str__(self):
        products = ' + '.join(f'({x:.4g})·({g:.4g})' for x, g in self.terms)
        return f'dL/dW[{self.i},{self.j}] = Σ_n x[n,{self.i}]·g[n,{self.j}] = {products} = {self.total:.6g}'


def allows_entry(step):
    """Whether ``weight_entry`` can explain this step: a backward step of a linear op on
    a 2-D input."""
    forward = getattr(step, 'forward_step', None)
    if step.phase != 'backward' or step.op != 'linear' or forward is None:
        return False
    try:
        return np.ndim(forward.input('x')) == 2
    except KeyError:
        return False


def weight_entry(step, i, j):
    """The terms of dL/dW_ij for a backward step of a linear op (see the module doc)."""
    if not allows_entry(step):
        raise ValueError(f"Step {step.op!r} ({step.phase}) of {step.layer}: the chain rule per entry is "
                         "shown for the backward step of a linear op (z = x·W + b) on 2-D inputs.")
    x = np.asarray(step.forward_step.input('x'), dtype=float)
    g = np.asarray(step.output, dtype=float)
    if not (0 <= i < x.shape[1] and 0 <= j < g.shape[1]):
        raise IndexError(f"W of {step.layer} has shape {(x.shape[1], g.shape[1])}; there is no entry ({i}, {j}).")
    return EntrySum(i, j, [(float(x[n, i]), float(g[n, j])) for n in range(x.shape[0])])
