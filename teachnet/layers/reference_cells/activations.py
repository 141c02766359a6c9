"""The activations a recurrent cell uses, each as a pair: f(a) and its slope f'(a).

Written on the pre-activation a, directly from the formula, so that a student can check
each derivative by hand (the fast ops compute the same slopes from the outputs instead):

    tanh          f = tanh a                          f' = 1 - tanh² a
    sigmoid       f = 1 / (1 + e^-a)                  f' = f (1 - f)
    hard_sigmoid  f = clip(0.2 a + 0.5, 0, 1)         f' = 0.2 where 0 < 0.2 a + 0.5 < 1, else 0
    relu          f = max(a, 0)                       f' = 1 where a > 0, else 0
    linear        f = a                               f' = 1
    softsign      f = a / (1 + |a|)                   f' = 1 / (1 + |a|)²
"""
from teachnet.backend import array_module as am


def _sigmoid(a):
    return 1 / (1 + am.xp().exp(-a))


def _hard_sigmoid_slope(a):
    line = 0.2 * a + 0.5
    return 0.2 * ((line > 0) & (line < 1))


SLOPES = {
    'tanh': (lambda a: am.xp().tanh(a), lambda a: 1 - am.xp().tanh(a) ** 2),
    'sigmoid': (_sigmoid, lambda a: _sigmoid(a) * (1 - _sigmoid(a))),
    'hard_sigmoid': (lambda a: am.xp().clip(0.2 * a + 0.5, 0, 1), _hard_sigmoid_slope),
    'relu': (lambda a: am.xp().maximum(a, 0), lambda a: 1.0 * (a > 0)),
    'linear': (lambda a: a, lambda a: 0 * a + 1),
    'softsign': (lambda a: a / (1 + abs(a)), lambda a: 1 / (1 + abs(a)) ** 2),
}


class Activation:
    """``f(a)`` and ``f.slope(a)`` for one of the names above ('tanh', 'hard_sigmoid'...)."""

    def __init__(self, name):
        if name not in SLOPES:
            raise ValueError(f"No reference for the activation {name!r}: expected one of {', '.join(SLOPES)}.")
        self.name = name
        self.function, self.slope = SLOPES[name]

    def __call__(self, a):
        return self.function(a)

    def __repr__(self):
        return f'Activation({self.name!r})'
