"""The arrays a chain rule multiplies, read off one backward step of a trace.

A backward step holds the gradient arriving at the op's output (``step.output``, called g)
and the gradients it sent back (``step.input(name)``); its forward step holds what went in
(``step.forward_step.input(name)``), what came out and the facts the op kept. All are
handed out here as float64 NumPy arrays, so that the sums are added up exactly enough to
compare with what backward sent.
"""
import numpy as np


def arriving(step):
    """g = dL/d(out), the gradient that arrived at the op's output."""
    return np.asarray(step.output, dtype=float)


def went_in(step, name):
    """What went into the op's input ``name`` in forward."""
    return np.asarray(step.forward_step.input(name), dtype=float)


def came_out(step):
    """The op's output in forward."""
    return np.asarray(step.forward_step.output, dtype=float)


def kept(step, name):
    """A fact the op kept in forward (a dropout mask, pooling winners, gates...)."""
    return step.forward_step.fact(name)


def sent(step, name):
    """dL/d(name), the gradient backward sent to input ``name``."""
    return np.asarray(step.input(name), dtype=float)
