"""A gradient that reaches only some rows of a matrix: an embedding's dL/dW.

An embedding lookup picks rows of W (V, dim), so backward gives a gradient to those rows
only:

    dL/dW[v] = Σ over the places that picked v of g        (zero for every other v)

With a vocabulary of 20,000 words and a batch that holds 2,000 of them, nine rows in ten
of dL/dW are zeros. ``RowGradient`` keeps the other rows alone, ``rows`` (their ids,
sorted, each once) and ``values`` (len(rows), dim), and writes the full (V, dim) array,
zeros included, only when someone asks for it (``dense()``; reading ``θ.grad`` does).
An optimizer whose rule leaves θ alone where g = 0 updates the rows with a gradient from
``values`` directly: the full array is never made while training, unless a trace or a
dashboard looks at it.
"""
from teachnet.backend import array_module as am


class RowGradient:
    """The gradient of a (V, dim) matrix that only ``rows`` receive: ``values[j]`` is row
    ``rows[j]`` of dL/dW, every other row is zero."""

    def __init__(self, rows, values, shape):
        self.rows, self.values, self.shape = rows, values, tuple(shape)

    @property
    def dtype(self):
        return self.values.dtype

    def dense(self):
        """dL/dW as a full (V, dim) array: ``values`` on their rows, zeros elsewhere."""
        full = am.xp().zeros(self.shape, dtype=self.values.dtype)
        full[self.rows] = self.values
        return full

    def between(self, first, last):
        """(rows, values) of the rows with an id in [first, last)."""
        if first <= 0 and last >= self.shape[0]:
            return self.rows, self.values
        inside = (self.rows >= first) & (self.rows < last)
        return self.rows[inside], self.values[inside]

    def __repr__(self):
        return f"RowGradient({len(self.rows)} of {self.shape[0]} rows, shape={self.shape})"


def dense(gradient):
    """A gradient as a full array (a RowGradient written out; an array as it is)."""
    return gradient.dense() if isinstance(gradient, RowGradient) else gradient
