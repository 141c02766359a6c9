"""Activation ops: the nonlinearity a = f(z) that follows a layer's weighted sum z.

These run on every forward and backward step of training, so each one does the least
work it can: it keeps whatever makes its derivative cheapest (often the output a itself,
as in tanh' = 1 - a²) and builds its gradient in as few array passes as possible, in
place on arrays it has just made.

    relu      a = max(z, 0)                 da/dz = 1 where a > 0, else 0
    tanh      a = tanh z                    da/dz = 1 - a²
    sigmoid   a = σ(z) = 1 / (1 + e⁻ᶻ)      da/dz = a (1 - a)
    softmax   a_i = e^(z_i) / Σ_j e^(z_j)   dL/dz = a ⊙ (g - Σ_j g_j a_j)
    softplus  a = log(1 + eᶻ)               da/dz = σ(z)
    softsign  a = z / (1 + |z|)             da/dz = 1 / (1 + |z|)²
    elu       a = z if z > 0 else α(eᶻ - 1) da/dz = 1 if z > 0 else a + α

Softmax works on the last axis; all the others are elementwise.
"""
from teachnet.backend import array_module as am
from teachnet.ops.op import Op
from teachnet.ops.operands import as_tensor_operand


class Linear(Op):
    name, formula = 'linear', 'a = z'
    backward_formula = 'dL/dz = g'

    def forward(self, z):
        return z

    def backward(self, g):
        return (g,)


class Relu(Op):
    """a = max(z, 0), the rectifier; the gradient passes only where a > 0."""
    name, formula = 'relu', 'a = max(z, 0)'
    backward_formula = 'dL/dz = g ⊙ [z > 0]'

    def forward(self, z):
        self.a = am.xp().maximum(z, 0)
        return self.a

    def backward(self, g):
        return (g * (self.a > 0),)


class LeakyClippedRelu(Op):
    """K.relu with options: slope α below 0 and a ceiling ``max_value``.

    a = α z for z < 0, z for 0 ≤ z ≤ max_value, max_value above it;
    da/dz = α, 1 and 0 on those three pieces.
    """
    name, formula = 'relu', 'a = min(max(z, αz), max_value)'

    def __init__(self, alpha=0., max_value=None):
        self.alpha, self.max_value = alpha, max_value

    def describe(self):
        return {'alpha': self.alpha, 'max_value': self.max_value}

    def forward(self, z):
        xp = am.xp()
        self.z = z
        a = xp.where(z > 0, z, self.alpha * z) if self.alpha else xp.maximum(z, 0)
        return a if self.max_value is None else xp.minimum(a, self.max_value)

    def backward(self, g):
        xp, z = am.xp(), self.z
        grad = xp.where(z > 0, g, self.alpha * g) if self.alpha else g * (z > 0)
        if self.max_value is not None:
            grad *= z <= self.max_value
        return (grad,)


class Tanh(Op):
    name, formula = 'tanh', 'a = tanh(z)'
    backward_formula = 'dL/dz = g ⊙ (1 - a²)'

    def forward(self, z):
        self.a = am.xp().tanh(z)
        return self.a

    def backward(self, g):             # g (1 - a²) = g - (g a) a
        ga2 = g * self.a
        ga2 *= self.a
        return (g - ga2,)


class Sigmoid(Op):
    """σ(z) = 1 / (1 + e⁻ᶻ), computed as ½ (1 + tanh(z/2)): the same function, and no
    e⁻ᶻ that could overflow for very negative z."""
    name, formula = 'sigmoid', 'a = σ(z)'
    backward_formula = 'dL/dz = g ⊙ a ⊙ (1 - a)'

    def forward(self, z):
        a = am.xp().tanh(z * 0.5)
        a += 1
        a *= 0.5
        self.a = a
        return a

    def backward(self, g):             # g a (1 - a)
        grad = 1 - self.a
        grad *= self.a
        grad *= g
        return (grad,)


class HardSigmoid(Op):
    """A piecewise-linear σ: 0 below z = -2.5, 1 above 2.5, a line of slope 0.2 between."""
    name, formula = 'hard_sigmoid', 'a = clip(0.2 z + 0.5, 0, 1)'
    backward_formula = 'dL/dz = 0.2·g where 0 < a < 1, else 0'

    def forward(self, z):              # 0.2 clip(z, -2.5, 2.5) + 0.5: the same, one new array
        self.z = z
        a = am.xp().clip(z, -2.5, 2.5)
        a *= 0.2
        a += 0.5
        return a

    def backward(self, g):             # slope 0.2 on the line, 0 where clipped
        grad = g * 0.2
        grad *= am.xp().abs(self.z) < 2.5
        return (grad,)


class Softmax(Op):
    """a_i = e^(z_i - m) / Σ_j e^(z_j - m) over the last axis, with m = max_j z_j.

    Subtracting m changes nothing in the ratio but keeps every exponent ≤ 0, so nothing
    overflows. Backward: dL/dz_i = a_i (g_i - Σ_j g_j a_j).
    """
    name, formula = 'softmax', 'a = softmax(z)'
    backward_formula = 'dL/dz = a ⊙ (g - Σ g ⊙ a)'

    def forward(self, z):
        xp = am.xp()
        a = z - z.max(axis=-1, keepdims=True)
        a = xp.exp(a)
        a /= a.sum(axis=-1, keepdims=True)
        self.a = a
        return a

    def backward(self, g):
        a = self.a
        grad = g * a
        weighted = grad.sum(axis=-1, keepdims=True)    # Σ_j g_j a_j per row
        grad -= a * weighted
        return (grad,)


class Softplus(Op):
    """log(1 + eᶻ), computed as log(1 + e^-|z|) + max(z, 0) so eᶻ never overflows."""
    name, formula = 'softplus', 'a = log(1 + eᶻ)'
    backward_formula = 'dL/dz = g ⊙ σ(z)'

    def forward(self, z):
        xp = am.xp()
        self.z = z
        a = xp.abs(z)
        a *= -1
        a = xp.log1p(xp.exp(a))
        a += xp.maximum(z, 0)
        return a

    def backward(self, g):             # g σ(z), σ as ½ (1 + tanh(z/2))
        grad = am.xp().tanh(self.z * 0.5)
        grad += 1
        grad *= 0.5
        grad *= g
        return (grad,)


class Softsign(Op):
    name, formula = 'softsign', 'a = z / (1 + |z|)'
    backward_formula = 'dL/dz = g / (1 + |z|)²'

    def forward(self, z):
        denominator = am.xp().abs(z)
        denominator += 1
        self.denominator = denominator
        return z / denominator

    def backward(self, g):             # g / (1 + |z|)²
        grad = g / self.denominator
        grad /= self.denominator
        return (grad,)


class Elu(Op):
    """a = z for z > 0, α (eᶻ - 1) otherwise (exp taken of min(z, 0), so never overflows)."""
    name, formula = 'elu', 'a = z if z > 0 else α(eᶻ - 1)'

    def __init__(self, alpha=1.0):
        self.alpha = alpha

    def describe(self):
        return {'alpha': self.alpha}

    def forward(self, z):
        xp = am.xp()
        self.positive = z > 0
        negative_part = xp.exp(xp.minimum(z, 0))
        negative_part -= 1
        negative_part *= self.alpha
        self.a = xp.where(self.positive, z, negative_part)
        return self.a

    def backward(self, g):             # 1 where z > 0, else α eᶻ = a + α
        slope = self.a + self.alpha
        slope *= g
        return (am.xp().where(self.positive, g, slope),)


# ----------------------------------------------------------------------------- functions

def linear(x):
    """The identity: a = z."""
    return Linear().apply(as_tensor_operand(x))


def relu(x, alpha=0., max_value=None):
    """Rectified linear unit max(x, 0); with ``alpha`` a slope for x < 0, with
    ``max_value`` a ceiling."""
    if not alpha and max_value is None:
        return Relu().apply(as_tensor_operand(x))
    return LeakyClippedRelu(alpha, max_value).apply(as_tensor_operand(x))


def tanh(x):
    """Hyperbolic tangent, (eˣ - e⁻ˣ) / (eˣ + e⁻ˣ), values in (-1, 1)."""
    return Tanh().apply(as_tensor_operand(x))


def sigmoid(x):
    """Logistic sigmoid σ(x) = 1 / (1 + e⁻ˣ), values in (0, 1)."""
    return Sigmoid().apply(as_tensor_operand(x))


def hard_sigmoid(x):
    """clip(0.2 x + 0.5, 0, 1): a cheap, piecewise-linear σ."""
    return HardSigmoid().apply(as_tensor_operand(x))


def softmax(x):
    """Softmax over the last axis: positive values summing to 1 along it."""
    x = as_tensor_operand(x)
    if getattr(x, 'ndim', 0) < 1:
        raise ValueError("softmax needs a tensor with at least one axis, got a scalar.")
    return Softmax().apply(x)


def softplus(x):
    """log(1 + eˣ), a smooth relu."""
    return Softplus().apply(as_tensor_operand(x))


def softsign(x):
    """x / (1 + |x|), values in (-1, 1)."""
    return Softsign().apply(as_tensor_operand(x))


def elu(x, alpha=1.0):
    """Exponential linear unit: x for x > 0, alpha (eˣ - 1) otherwise."""
    return Elu(alpha).apply(as_tensor_operand(x))
