"""Adagrad: each component's learning rate shrinks with the gradients it has seen.

The sum of all past g² grows without end, so components that received large or frequent
gradients slow down, while rarely-updated ones keep large steps::

    a ← a + g²
    θ ← θ - lr·g / (√a + ε)
"""
from teachnet.backend import array_module as am
from teachnet.optimizers.base import Optimizer


class Adagrad(Optimizer):
    """Adagrad: per-component learning rates from the sum of squared gradients.

    With ``lr_t = lr / (1 + decay · iterations)``::

        a ← a + g²
        θ ← θ - lr_t·g / (√a + ε)

    # Arguments
        lr: float >= 0, the learning rate.
        epsilon: float >= 0, ε: keeps the division finite.
        decay: float >= 0, learning-rate decay per update.
        clipnorm, clipvalue: gradient clipping (see ``Optimizer``).
    """
    hyperparameter_names = ('lr', 'epsilon', 'decay')
    slot_names = ('sum_square',)

    def __init__(self, lr=0.01, epsilon=1e-8, decay=0., **kwargs):
        super().__init__(lr, kwargs)
        self.epsilon = self._non_negative('epsilon', epsilon)
        self.decay = self._non_negative('decay', decay)

    def update_parameter(self, theta, g, step, a):
        xp = am.xp()
        work = xp.square(g)                     # a ← a + g²
        a += work
        xp.sqrt(a, out=work)                    # θ ← θ - lr·g / (√a + ε)
        work += self.epsilon
        xp.divide(g, work, out=work)
        work *= step.lr
        theta -= work

    zero_gradient_keeps_theta = True            # and a stays as it is: no idle_slots

    def rule(self):
        return ["a ← a + g²", f"θ ← θ - lr·g / (√a + ε)   (ε = {self.epsilon:g})"]
