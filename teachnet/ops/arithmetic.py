"""Arithmetic ops: + - * / ** negation and the matrix product, with broadcasting.

When NumPy broadcasts ``a + b`` with ``b`` of shape (n,) against ``a`` of shape (m, n),
each b_j was used m times, so dL/db_j adds up the m gradients that reach it. ``unbroadcast``
does that sum, turning a gradient of the output's shape back into the input's shape.
"""
from teachnet.backend import array_module as am
from teachnet.ops.op import Op
from teachnet.ops.operands import as_operand


def shape_of(value):
    return getattr(value, 'shape', ())


def unbroadcast(grad, shape):
    """Sum ``grad`` over the axes that broadcasting added or stretched, to get ``shape``."""
    if grad.shape == tuple(shape):
        return grad
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(axis for axis, size in enumerate(shape) if size == 1 and grad.shape[axis] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    return grad


class Add(Op):
    name, formula = 'add', 'z = a + b'

    def forward(self, a, b):
        self.shapes = shape_of(a), shape_of(b)
        return a + b

    def backward(self, g):
        return unbroadcast(g, self.shapes[0]), unbroadcast(g, self.shapes[1])


class Subtract(Op):
    name, formula = 'subtract', 'z = a - b'

    def forward(self, a, b):
        self.shapes = shape_of(a), shape_of(b)
        return a - b

    def backward(self, g):
        return unbroadcast(g, self.shapes[0]), unbroadcast(-g, self.shapes[1])


class Multiply(Op):
    name, formula = 'multiply', 'z = a ⊙ b'

    def forward(self, a, b):
        self.a, self.b = a, b
        return a * b

    def backward(self, g):
        return unbroadcast(g * self.b, shape_of(self.a)), unbroadcast(g * self.a, shape_of(self.b))


class Divide(Op):
    name, formula = 'divide', 'z = a / b'

    def forward(self, a, b):
        self.a, self.b = a, b
        return a / b

    def backward(self, g):
        a, b = self.a, self.b
        return unbroadcast(g / b, shape_of(a)), unbroadcast(-g * a / (b * b), shape_of(b))


class Negative(Op):
    name, formula = 'negative', 'z = -a'

    def forward(self, a):
        return -a

    def backward(self, g):
        return (-g,)


class Power(Op):
    """z = a ** p, for a constant exponent p (a number)."""
    name, formula = 'power', 'z = a^p'

    def forward(self, a, p):
        self.a, self.p = a, p
        return a ** p

    def backward(self, g):
        return g * self.p * self.a ** (self.p - 1), None


class Dot(Op):
    """The matrix product over the last axis of a and the first-but-last axis of b.

    For a (n, k) and b (k, m): z_ij = Σ_k a_ik b_kj, so dL/da = g·bᵀ and dL/db = aᵀ·g.
    A leading batch of a (…, k) against a 2-D b is flattened into rows first.
    """
    name, formula = 'dot', 'z = a · b'

    def forward(self, a, b):
        self.a, self.b = a, b
        return am.xp().dot(a, b) if b.ndim <= 2 else am.xp().matmul(a, b)

    def backward(self, g):
        xp = am.xp()
        a, b = self.a, self.b
        if b.ndim == 1:
            return xp.multiply.outer(g, b), xp.tensordot(a, g, axes=(tuple(range(a.ndim - 1)), tuple(range(g.ndim))))
        if b.ndim == 2:
            grad_a = xp.dot(g, b.T)
            rows_a = a.reshape(-1, a.shape[-1])
            grad_b = xp.dot(rows_a.T, g.reshape(-1, g.shape[-1]))
            return grad_a, grad_b
        grad_a = xp.matmul(g, xp.swapaxes(b, -1, -2))
        grad_b = xp.matmul(xp.swapaxes(a, -1, -2), g)
        return unbroadcast(grad_a, a.shape), unbroadcast(grad_b, b.shape)


def add(a, b):
    return Add().apply(as_operand(a), as_operand(b))


def subtract(a, b):
    return Subtract().apply(as_operand(a), as_operand(b))


def multiply(a, b):
    return Multiply().apply(as_operand(a), as_operand(b))


def divide(a, b):
    return Divide().apply(as_operand(a), as_operand(b))


def negative(a):
    return Negative().apply(as_operand(a))


def pow(a, p):
    """a ** p for a constant exponent p."""
    return Power().apply(as_operand(a), p)


def dot(a, b):
    """Matrix product (Keras's ``K.dot``)."""
    return Dot().apply(as_operand(a), as_operand(b))
