"""Elementwise ops: one number in, one number out, at every position of an array.

For y = f(x) applied elementwise, output element i depends only on input element i, so
the chain rule needs no sums: dL/dx = dL/dy ⊙ f'(x). Each op below keeps what its
derivative needs (x, or the output y when f' is cheaper in terms of y, as for exp).

Two-input ops (maximum, minimum, switch) broadcast like NumPy; their backward passes
``unbroadcast`` the gradient back to each input's shape (see arithmetic.py).

Comparisons, sign and rounding are step functions: their derivative is zero wherever it
exists, so they are computed outside the tape and pass no gradient back.
"""
from teachnet.backend import array_module as am
from teachnet.ops.arithmetic import shape_of, unbroadcast
from teachnet.ops.op import Op
from teachnet.ops.operands import (
    array_of, as_operand, as_tensor_operand, wants_gradient, without_gradient,
)

INFINITY = float('inf')


# ----------------------------------------------------------------------------- one input

class Square(Op):
    name, formula = 'square', 'y = x²'

    def forward(self, x):
        self.x = x
        return x * x

    def backward(self, g):             # dy/dx = 2x
        return (2 * g * self.x,)


class Sqrt(Op):
    """y = √max(x, 0): negative inputs count as 0 (as in Keras), with zero gradient."""
    name, formula = 'sqrt', 'y = √x'

    def forward(self, x):
        self.y = am.xp().sqrt(am.xp().maximum(x, 0))
        return self.y

    def backward(self, g):             # dy/dx = 1 / (2√x), only where x > 0
        xp, y = am.xp(), self.y
        positive = y > 0
        return (xp.where(positive, g, 0) / xp.where(positive, 2 * y, 1),)


class Abs(Op):
    name, formula = 'abs', 'y = |x|'

    def forward(self, x):
        self.x = x
        return am.xp().abs(x)

    def backward(self, g):             # dy/dx = sign(x)
        return (g * am.xp().sign(self.x),)


class Exp(Op):
    name, formula = 'exp', 'y = eˣ'

    def forward(self, x):
        self.y = am.xp().exp(x)
        return self.y

    def backward(self, g):             # dy/dx = eˣ = y
        return (g * self.y,)


class Log(Op):
    name, formula = 'log', 'y = ln x'

    def forward(self, x):
        self.x = x
        return am.xp().log(x)

    def backward(self, g):             # dy/dx = 1/x
        return (g / self.x,)


class Sin(Op):
    name, formula = 'sin', 'y = sin x'

    def forward(self, x):
        self.x = x
        return am.xp().sin(x)

    def backward(self, g):             # dy/dx = cos x
        return (g * am.xp().cos(self.x),)


class Cos(Op):
    name, formula = 'cos', 'y = cos x'

    def forward(self, x):
        self.x = x
        return am.xp().cos(x)

    def backward(self, g):             # dy/dx = -sin x
        return (-g * am.xp().sin(self.x),)


class Clip(Op):
    """y = x kept inside [low, high]; the gradient passes where low ≤ x ≤ high."""
    name, formula = 'clip', 'y = min(max(x, low), high)'

    def __init__(self, low, high):
        self.low, self.high = low, high

    def describe(self):
        return {'low': self.low, 'high': self.high}

    def forward(self, x):
        self.x = x
        return am.xp().clip(x, self.low, self.high)

    def backward(self, g):             # 1 inside the interval, 0 where x was cut
        x = self.x
        inside = (x >= self.low) & (x <= self.high)
        return (g * inside,)


class Cast(Op):
    """y = x as another float type; the gradient goes back in x's type."""
    name, formula = 'cast', 'y = x'

    def __init__(self, dtype):
        self.dtype = dtype

    def describe(self):
        return {'dtype': str(self.dtype)}

    def forward(self, x):
        self.source_dtype = x.dtype
        return x.astype(self.dtype)

    def backward(self, g):
        return (g.astype(self.source_dtype),)


class Sign(Op):
    name, formula = 'sign', 'y = sign(x)'

    def forward(self, x):
        return am.xp().sign(x)


class Round(Op):
    name, formula = 'round', 'y = round(x)'

    def forward(self, x):
        return am.xp().round(x)


# ----------------------------------------------------------------------------- two inputs

class Maximum(Op):
    """z = max(a, b) elementwise; the gradient goes to the larger (to a on a tie)."""
    name, formula = 'maximum', 'z = max(a, b)'

    def forward(self, a, b):
        self.a, self.b = a, b
        return am.xp().maximum(a, b)

    def backward(self, g):
        grad_a = am.xp().where(self.a >= self.b, g, 0)
        return _split_between(self, g, grad_a)


class Minimum(Op):
    """z = min(a, b) elementwise; the gradient goes to the smaller (to a on a tie)."""
    name, formula = 'minimum', 'z = min(a, b)'

    def forward(self, a, b):
        self.a, self.b = a, b
        return am.xp().minimum(a, b)

    def backward(self, g):
        grad_a = am.xp().where(self.a <= self.b, g, 0)
        return _split_between(self, g, grad_a)


class Switch(Op):
    """z = a where the condition holds, else b; each gradient goes where its value went."""
    name, formula = 'switch', 'z = condition ? a : b'

    def forward(self, condition, a, b):
        self.condition, self.a, self.b = condition, a, b
        return am.xp().where(condition, a, b)

    def backward(self, g):
        grad_a = am.xp().where(self.condition, g, 0)
        grad_then, grad_else = _split_between(self, g, grad_a, first=1)
        return None, grad_then, grad_else


def _split_between(op, g, grad_a, first=0):
    """The gradients of a choice between op.a and op.b: grad_a where a was chosen, the
    rest (g - grad_a) to b; each summed back to its input's shape."""
    grad_b = g - grad_a if wants_gradient(op, first + 1) else None
    grad_a = unbroadcast(grad_a, shape_of(op.a)) if wants_gradient(op, first) else None
    grad_b = None if grad_b is None else unbroadcast(grad_b, shape_of(op.b))
    return grad_a, grad_b


class Compare(Op):
    """An elementwise comparison, giving a bool array; no gradient flows through it."""
    SYMBOLS = {'equal': '=', 'not_equal': '≠', 'greater': '>', 'greater_equal': '≥',
               'less': '<', 'less_equal': '≤'}

    def __init__(self, name):
        self.name = name
        self.formula = f'z = a {self.SYMBOLS[name]} b'

    def forward(self, a, b):
        return getattr(am.xp(), self.name)(a, b)


# ----------------------------------------------------------------------------- functions

def square(x):
    """x² elementwise."""
    return Square().apply(as_tensor_operand(x))


def sqrt(x):
    """√x elementwise (negative values are taken as 0)."""
    return Sqrt().apply(as_tensor_operand(x))


def abs(x):
    """|x| elementwise."""
    return Abs().apply(as_tensor_operand(x))


def exp(x):
    """eˣ elementwise."""
    return Exp().apply(as_tensor_operand(x))


def log(x):
    """Natural logarithm elementwise."""
    return Log().apply(as_tensor_operand(x))


def sin(x):
    return Sin().apply(as_tensor_operand(x))


def cos(x):
    return Cos().apply(as_tensor_operand(x))


def clip(x, min_value, max_value):
    """x limited to [min_value, max_value] elementwise (None means unbounded).

    A max_value below min_value is raised to min_value, as in Keras.
    """
    low = -INFINITY if min_value is None else array_of(as_operand(min_value))
    high = INFINITY if max_value is None else array_of(as_operand(max_value))
    if min_value is not None and max_value is not None:
        high = am.xp().maximum(low, high) if not _both_numbers(low, high) else max(low, high)
    return Clip(low, high).apply(as_tensor_operand(x))


def _both_numbers(a, b):
    return isinstance(a, (int, float)) and isinstance(b, (int, float))


def maximum(a, b):
    """Elementwise max(a, b), broadcasting."""
    return Maximum().apply(as_operand(a), as_operand(b))


def minimum(a, b):
    """Elementwise min(a, b), broadcasting."""
    return Minimum().apply(as_operand(a), as_operand(b))


def sign(x):
    """-1, 0 or 1 elementwise; no gradient."""
    return without_gradient(Sign(), as_tensor_operand(x))


def round(x):
    """x rounded to the nearest integer (halves to even) elementwise; no gradient."""
    return without_gradient(Round(), as_tensor_operand(x))


def cast(x, dtype):
    """x as ``dtype`` ('float32', 'int32', 'bool'...).

    Float to float is differentiable; a cast to integers or booleans passes no gradient.
    """
    x = as_tensor_operand(x)
    source = array_of(x).dtype
    op = Cast(dtype)
    if _is_float(source) and _is_float(dtype):
        return op.apply(x)
    return without_gradient(op, x)


def _is_float(dtype):
    return am.host.dtype(dtype).kind == 'f'


def switch(condition, then_expression, else_expression):
    """``then_expression`` where ``condition`` holds, else ``else_expression``.

    A condition with fewer dimensions than the expressions applies to whole rows: it is
    given trailing axes of length 1, so a (batch,) condition picks whole samples.
    """
    condition = array_of(as_tensor_operand(condition))
    a, b = as_operand(then_expression), as_operand(else_expression)
    target_ndim = max(getattr(array_of(a), 'ndim', 0), getattr(array_of(b), 'ndim', 0))
    if condition.ndim < target_ndim:
        condition = condition.reshape(condition.shape + (1,) * (target_ndim - condition.ndim))
    return Switch().apply(condition, a, b)


def _compare(name, a, b):
    return without_gradient(Compare(name), as_operand(a), as_operand(b))


def equal(a, b):
    """a == b elementwise, as a bool tensor (no gradient)."""
    return _compare('equal', a, b)


def not_equal(a, b):
    """a != b elementwise, as a bool tensor (no gradient)."""
    return _compare('not_equal', a, b)


def greater(a, b):
    """a > b elementwise, as a bool tensor (no gradient)."""
    return _compare('greater', a, b)


def greater_equal(a, b):
    """a >= b elementwise, as a bool tensor (no gradient)."""
    return _compare('greater_equal', a, b)


def less(a, b):
    """a < b elementwise, as a bool tensor (no gradient)."""
    return _compare('less', a, b)


def less_equal(a, b):
    """a <= b elementwise, as a bool tensor (no gradient)."""
    return _compare('less_equal', a, b)
