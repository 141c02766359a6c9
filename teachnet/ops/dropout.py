"""Inverted dropout: while training, each unit is kept with probability 1 - p.

    m_i ~ Bernoulli(1 - p) / (1 - p)        y = x ⊙ m        dL/dx = g ⊙ m

Scaling the kept units by 1/(1 - p) keeps every unit's expected value unchanged, so at
test time the layer does nothing at all. The mask m is kept on the op, so a trace shows
exactly which units were dropped. The mask is laid out in memory as x is, so that x ⊙ m
runs straight through memory (a channels-first view of channels-last feature maps, say).
"""
from teachnet.backend import array_module as am
from teachnet.ops.op import Op


class Dropout(Op):
    name, formula = 'dropout', 'y = x ⊙ m,  m_i ∈ {0, 1/(1-p)}'
    backward_formula = 'dL/dx = g ⊙ m'

    def __init__(self, rate):
        self.rate = rate

    def forward(self, x):
        order = am.memory_order(x)
        keep = am.random_keep(x.shape, self.rate, dtype=x.dtype, order=order)   # u >= p for u ~ U[0, 1)
        mask = am.empty_in_order(x.shape, order, x.dtype)
        am.xp().multiply(keep, x.dtype.type(1.0 / (1.0 - self.rate)), out=mask)   # 1/(1-p) or 0
        self.mask = mask
        return x * mask

    def backward(self, g):
        # dL/dx laid out as x (and m), whatever g's layout: the op below (max pooling's
        # backward, say) then multiplies arrays laid out alike, straight through memory
        grad = am.empty_in_order(g.shape, am.memory_order(self.mask), g.dtype)
        am.xp().multiply(g, self.mask, out=grad)
        return (grad,)

    def describe(self):
        return {'rate': self.rate, 'mask': getattr(self, 'mask', None)}


def dropout(x, rate):
    return Dropout(rate).apply(x)
