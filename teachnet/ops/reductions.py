"""Reductions: many numbers in, one out per group (sum, mean, max, var, logsumexp...).

A reduction over an axis collapses it: for x of shape (n, m), ``sum(x, axis=1)`` has shape
(n,). In backward every input element receives the gradient of the output element it
was folded into, so the gradient is *spread back* over the collapsed axes:

    y = Σ_j x_ij          dL/dx_ij = g_i
    y = (1/m) Σ_j x_ij    dL/dx_ij = g_i / m
    y = max_j x_ij        dL/dx_ij = g_i where x_ij is the max (shared among ties), else 0

``axis`` is None (every axis), an int or a tuple of ints; ``keepdims=True`` keeps each
reduced axis with length 1. Results are arrays, 0-d when everything was reduced
(turning them into Python floats is left to whoever prints them).
"""
from teachnet.backend import array_module as am
from teachnet.ops.op import Op
from teachnet.ops.operands import as_tensor_operand, normalize_axes, without_gradient


class Reduction(Op):
    """The shared part of reductions: the axes, and spreading a gradient back over them."""

    def __init__(self, axis=None, keepdims=False):
        self.axis, self.keepdims = axis, keepdims

    def describe(self):
        return {'axis': self.axis, 'keepdims': self.keepdims}

    def remember(self, x):
        """Keep x's shape and the reduced axes (as a sorted tuple) for backward."""
        self.shape = x.shape
        self.axes = normalize_axes(self.axis, x.ndim)
        return self.axes

    def count(self):
        """How many input elements were folded into each output element."""
        n = 1
        for a in self.axes:
            n *= self.shape[a]
        return n

    def with_kept_axes(self, y):
        """y with each reduced axis put back with length 1 (so it broadcasts against x)."""
        if self.keepdims:
            return y
        kept = tuple(1 if a in self.axes else size for a, size in enumerate(self.shape))
        return y.reshape(kept)

    def spread(self, g):
        """g copied along the reduced axes, back to the input's shape (a fresh array)."""
        return am.xp().broadcast_to(self.with_kept_axes(g), self.shape).copy()


class Sum(Reduction):
    name, formula = 'sum', 'y = Σ x'

    def forward(self, x):
        return am.xp().asarray(x.sum(axis=self.remember(x), keepdims=self.keepdims))

    def backward(self, g):             # dy/dx_j = 1 for every folded x_j
        return (self.spread(g),)


class Mean(Reduction):
    name, formula = 'mean', 'y = (1/n) Σ x'

    def forward(self, x):
        return am.xp().asarray(x.mean(axis=self.remember(x), keepdims=self.keepdims))

    def backward(self, g):             # dy/dx_j = 1/n
        return (self.spread(g * (1.0 / self.count())),)


class Extreme(Reduction):
    """max or min: the gradient goes to the positions holding the extreme value; when
    several tie, they share it equally (each gets g / number of ties)."""

    def forward(self, x):
        self.x = x
        axes = self.remember(x)
        self.y = getattr(x, self.name)(axis=axes, keepdims=True)
        return am.xp().asarray(self.y if self.keepdims else self.y.reshape(
            tuple(s for a, s in enumerate(x.shape) if a not in axes)))

    def backward(self, g):
        winners = self.x == self.y
        share = self.with_kept_axes(g) / winners.sum(axis=self.axes, keepdims=True)
        return (winners * share,)


class Max(Extreme):
    name, formula = 'max', 'y = max x'


class Min(Extreme):
    name, formula = 'min', 'y = min x'


class Prod(Reduction):
    """y = Π x_j. dy/dx_j is the product of all the *other* x_k, computed from products
    running in from the left and from the right, so zeros in x need no division."""
    name, formula = 'prod', 'y = Π x'

    def forward(self, x):
        self.x = x
        return am.xp().asarray(x.prod(axis=self.remember(x), keepdims=self.keepdims))

    def backward(self, g):
        xp, x, axes = am.xp(), self.x, self.axes
        others_axes = tuple(a for a in range(x.ndim) if a not in axes)
        # the reduced axes moved last and merged: rows of the numbers multiplied together
        rows = xp.transpose(x, others_axes + axes).reshape(-1, self.count())
        ones = xp.ones((rows.shape[0], 1), dtype=rows.dtype)
        left = xp.cumprod(xp.concatenate([ones, rows[:, :-1]], axis=1), axis=1)
        right = xp.cumprod(xp.concatenate([ones, rows[:, :0:-1]], axis=1), axis=1)[:, ::-1]
        others = (left * right).reshape(tuple(x.shape[a] for a in others_axes + axes))
        order = others_axes + axes
        inverse = tuple(sorted(range(x.ndim), key=order.__getitem__))
        return (xp.transpose(others, inverse) * self.with_kept_axes(g),)


class Var(Reduction):
    """y = (1/n) Σ (x_j - x̄)². Because Σ (x_j - x̄) = 0, x̄'s own dependence on x drops
    out: dy/dx_j = 2 (x_j - x̄) / n."""
    name, formula = 'var', 'y = (1/n) Σ (x - x̄)²'

    def forward(self, x):
        axes = self.remember(x)
        self.centered = x - x.mean(axis=axes, keepdims=True)
        squares = self.centered * self.centered
        return am.xp().asarray(squares.mean(axis=axes, keepdims=self.keepdims))

    def backward(self, g):
        return (self.centered * (self.with_kept_axes(g) * (2.0 / self.count())),)


class Std(Var):
    """y = √var(x); dy/dx_j = (x_j - x̄) / (n y)."""
    name, formula = 'std', 'y = √((1/n) Σ (x - x̄)²)'

    def forward(self, x):
        xp = am.xp()
        self.y = xp.asarray(xp.sqrt(super().forward(x)))
        return self.y

    def backward(self, g):
        share = self.with_kept_axes(g / self.y) * (1.0 / self.count())
        return (self.centered * share,)


class LogSumExp(Reduction):
    """y = log Σ exp(x_j), computed as m + log Σ exp(x_j - m) with m = max x so that no
    exp overflows. dy/dx_j = exp(x_j - y): the softmax of x."""
    name, formula = 'logsumexp', 'y = log Σ eˣ'

    def forward(self, x):
        xp = am.xp()
        self.x = x
        axes = self.remember(x)
        m = x.max(axis=axes, keepdims=True)
        self.y = m + xp.log(xp.exp(x - m).sum(axis=axes, keepdims=True))
        return xp.asarray(self.y if self.keepdims else self.y.reshape(
            tuple(s for a, s in enumerate(x.shape) if a not in axes)))

    def backward(self, g):
        return (am.xp().exp(self.x - self.y) * self.with_kept_axes(g),)


class ArgExtreme(Op):
    """The index of the largest (smallest) value along one axis; an integer, no gradient."""

    def __init__(self, name, axis):
        self.name, self.axis = name, axis
        self.formula = f'i = {name} x'

    def forward(self, x):
        return am.xp().asarray(getattr(am.xp(), self.name)(x, axis=self.axis))


class Logical(Op):
    """Whether any (all) values along the axes are non-zero; a bool, no gradient."""

    def __init__(self, name, axis, keepdims):
        self.name, self.axis, self.keepdims = name, axis, keepdims
        self.formula = f'y = {name}(x ≠ 0)'

    def forward(self, x):
        axes = normalize_axes(self.axis, x.ndim)
        return am.xp().asarray(getattr(am.xp(), self.name)(x, axis=axes, keepdims=self.keepdims))


# ----------------------------------------------------------------------------- functions

def sum(x, axis=None, keepdims=False):
    """Σ x over ``axis`` (None: every axis)."""
    return Sum(axis, keepdims).apply(as_tensor_operand(x))


def mean(x, axis=None, keepdims=False):
    """The mean of x over ``axis`` (None: every axis)."""
    return Mean(axis, keepdims).apply(as_tensor_operand(x))


def max(x, axis=None, keepdims=False):
    """The largest value of x over ``axis``."""
    return Max(axis, keepdims).apply(as_tensor_operand(x))


def min(x, axis=None, keepdims=False):
    """The smallest value of x over ``axis``."""
    return Min(axis, keepdims).apply(as_tensor_operand(x))


def prod(x, axis=None, keepdims=False):
    """The product of x over ``axis``."""
    return Prod(axis, keepdims).apply(as_tensor_operand(x))


def var(x, axis=None, keepdims=False):
    """The (population) variance of x over ``axis``: mean of squared deviations."""
    return Var(axis, keepdims).apply(as_tensor_operand(x))


def std(x, axis=None, keepdims=False):
    """The (population) standard deviation of x over ``axis``."""
    return Std(axis, keepdims).apply(as_tensor_operand(x))


def logsumexp(x, axis=None, keepdims=False):
    """log Σ exp(x) over ``axis``, without overflow."""
    return LogSumExp(axis, keepdims).apply(as_tensor_operand(x))


def argmax(x, axis=-1):
    """Index of the largest value along ``axis`` (an integer tensor, no gradient)."""
    return without_gradient(ArgExtreme('argmax', axis), as_tensor_operand(x))


def argmin(x, axis=-1):
    """Index of the smallest value along ``axis`` (an integer tensor, no gradient)."""
    return without_gradient(ArgExtreme('argmin', axis), as_tensor_operand(x))


def any(x, axis=None, keepdims=False):
    """Whether any value over ``axis`` is non-zero (a bool tensor, no gradient)."""
    return without_gradient(Logical('any', axis, keepdims), as_tensor_operand(x))


def all(x, axis=None, keepdims=False):
    """Whether every value over ``axis`` is non-zero (a bool tensor, no gradient)."""
    return without_gradient(Logical('all', axis, keepdims), as_tensor_operand(x))
