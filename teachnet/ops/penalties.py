"""Penalty ops: the extra loss that keeps weights (or activations) small.

A regularizer adds to the loss a penalty that grows with the size of the weights, so
that training trades fit against simplicity:

    L1:  P = l·Σ|w|     dP/dw = l·sign(w)     pushes every weight towards 0 by the same
                                               step: many end exactly at 0 (sparse weights)
    L2:  P = l·Σw²      dP/dw = 2l·w          shrinks weights in proportion to their size
                                               ("weight decay")

Each penalty is one op, its forward and backward side by side. With ``batch_mean=True``
the sum is divided by the batch size N (the first axis), as Keras 1 does for activity
penalties on a layer's output: P = (l/N)·Σ|a|.
"""
from teachnet.backend import array_module as am
from teachnet.ops.op import Op


class _Penalty(Op):
    """Shared by both penalties: the coefficient and what a trace shows of it."""
    sign = ''

    def __init__(self, l, batch_mean=False):
        self.l = float(l)
        self.batch_mean = batch_mean

    @property
    def formula(self):
        coefficient = '(l/N)' if self.batch_mean else 'l'
        return f"P = {coefficient}·{self.sign}"

    def describe(self):
        return {'l': self.l, 'batch_mean': self.batch_mean}

    def coefficient_for(self, x):
        """l, or l / N with N the batch size (the first axis) when averaging over the batch."""
        if self.batch_mean and x.ndim > 0 and x.shape[0] > 0:
            return self.l / x.shape[0]
        return self.l


class L1Penalty(_Penalty):
    """P = l·Σ|w|;  dP/dw = l·sign(w)  (0 at w = 0, the subgradient Keras uses)."""
    name, sign = 'l1_penalty', 'Σ|w|'

    def forward(self, w):
        xp = am.xp()
        self.w, self.coefficient = w, self.coefficient_for(w)
        return xp.asarray(self.coefficient * xp.abs(w).sum(), dtype=w.dtype)

    def backward(self, grad_output):
        return (grad_output * self.coefficient * am.xp().sign(self.w),)


class L2Penalty(_Penalty):
    """P = l·Σw²;  dP/dw = 2l·w."""
    name, sign = 'l2_penalty', 'Σw²'

    def forward(self, w):
        xp = am.xp()
        self.w, self.coefficient = w, self.coefficient_for(w)
        return xp.asarray(self.coefficient * (w * w).sum(), dtype=w.dtype)

    def backward(self, grad_output):
        return (grad_output * (2 * self.coefficient) * self.w,)


def l1_penalty(w, l, batch_mean=False):
    """l·Σ|w| as a scalar tensor (divided by the batch size when ``batch_mean``)."""
    return L1Penalty(l, batch_mean).apply(w)


def l2_penalty(w, l, batch_mean=False):
    """l·Σw² as a scalar tensor (divided by the batch size when ``batch_mean``)."""
    return L2Penalty(l, batch_mean).apply(w)
