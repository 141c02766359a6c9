"""The chain rule for one entry, with a step's own numbers.

A backward step of a linear op (``z = x·W + b``) sends dL/dW = xᵀ·g. One entry of it is a
sum over the samples of the batch, each term an input times the gradient arriving::

    dL/dW_ij = Σ_n x_ni · g_nj

The gradient sent back to the input is a sum too, over the units the input feeds::

    dL/dx_ni = Σ_j g_nj · W_ij

``weight_entry(step, i, j)`` gives the terms of the first, ``input_entry(step, n, i)`` those
of the second (pairs (g_nj, W_ij)), read off the trace: ``x`` and ``W`` from the forward
step of the same op (``step.forward_step``) and ``g`` from the gradient the backward step
received (``step.output``). Their sums are the ``step.input('W')[i, j]`` and
``step.input('x')[n, i]`` that backward sent.
"""
import numpy as np


class EntrySum:
    """One entry of a gradient as the sum it is: ``terms``, pairs of numbers multiplied
    (x_ni, g_nj per sample n for dL/dW_ij), and their ``total``; ``formula`` says which sum."""

    def __init__(self, i, j, terms, formula):
        self.i, self.j = i, j
        self.terms = terms
        self.formula = formula
        self.total = float(sum(a * b for a, b in terms))

    def __str__(self):
        products = ' + '.join(f'({a:.4g})·({b:.4g})' for a, b in self.terms)
        return f'{self.formula} = {products} = {self.total:.6g}'


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


def _linear_arrays(step, name, shape, entry):
    """x, W and g of a backward linear step, once ``entry`` is known to be in ``name``'s ``shape``."""
    if not allows_entry(step):
        raise ValueError(f"Step {step.op!r} ({step.phase}) of {step.layer}: the chain rule per entry is "
                         "shown for the backward step of a linear op (z = x·W + b) on 2-D inputs.")
    x, w = (np.asarray(step.forward_step.input(k), dtype=float) for k in ('x', 'W'))
    if not all(0 <= k < size for k, size in zip(entry, shape(x, w))):
        raise IndexError(f"{name} of {step.layer} has shape {shape(x, w)}; there is no entry {entry}.")
    return x, w, np.asarray(step.output, dtype=float)


def weight_entry(step, i, j):
    """The terms of dL/dW_ij for a backward step of a linear op: (x_ni, g_nj) per sample n."""
    x, _, g = _linear_arrays(step, 'W', lambda x, w: w.shape, (i, j))
    return EntrySum(i, j, [(float(x[n, i]), float(g[n, j])) for n in range(x.shape[0])],
                    f'dL/dW[{i},{j}] = Σ_n x[n,{i}]·g[n,{j}]')


def input_entry(step, n, i):
    """The terms of dL/dx_ni for a backward step of a linear op: (g_nj, W_ij) per unit j."""
    _, w, g = _linear_arrays(step, 'x', lambda x, w: x.shape, (n, i))
    return EntrySum(n, i, [(float(g[n, j]), float(w[i, j])) for j in range(w.shape[1])],
                    f'dL/dx[{n},{i}] = Σ_j g[{n},j]·W[{i},j]')
