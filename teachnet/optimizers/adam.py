"""Adam: momentum and RMSprop together, with their start-up bias corrected.

Two running averages: m of the gradient (a momentum, the direction) and v of g² (the
scale, as in RMSprop). Both start at zero, so early on they are too small by the factors
(1-β₁ᵗ) and (1-β₂ᵗ); the step size lr_t divides those factors out::

    t = iterations + 1
    lr_t = lr · √(1-β₂ᵗ) / (1-β₁ᵗ)
    m ← β₁·m + (1-β₁)·g
    v ← β₂·v + (1-β₂)·g²
    θ ← θ - lr_t·m / (√v + ε)
"""
from types import SimpleNamespace

from teachnet.backend import array_module as am
from teachnet.optimizers.base import Optimizer


class Adam(Optimizer):
    """Adam: adaptive moment estimation.

    With ``lr`` decayed first (lr / (1 + decay · iterations)) and t = iterations + 1::

        lr_t = lr · √(1-β₂ᵗ) / (1-β₁ᵗ)
        m ← β₁·m + (1-β₁)·g
        v ← β₂·v + (1-β₂)·g²
        θ ← θ - lr_t·m / (√v + ε)

    # Arguments
        lr: float >= 0, the learning rate.
        beta_1: float in [0, 1), β₁: memory of the gradient average m.
        beta_2: float in [0, 1), β₂: memory of the squared-gradient average v.
        epsilon: float >= 0, ε: keeps the division finite.
        decay: float >= 0, learning-rate decay per update.
        clipnorm, clipvalue: gradient clipping (see ``Optimizer``).
    """
    hyperparameter_names = ('lr', 'beta_1', 'beta_2', 'epsilon', 'decay')
    slot_names = ('mean', 'mean_square')

    def __init__(self, lr=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-8, decay=0., **kwargs):
        super().__init__(lr, kwargs)
        self.beta_1 = self._fraction('beta_1', beta_1)
        self.beta_2 = self._fraction('beta_2', beta_2)
        self.epsilon = self._non_negative('epsilon', epsilon)
        self.decay = self._non_negative('decay', decay)

    def begin_step(self, lr):
        t = self.iterations + 1
        return SimpleNamespace(lr=lr * (1.0 - self.beta_2 ** t) ** 0.5 / (1.0 - self.beta_1 ** t))

    def update_parameter(self, theta, g, step, m, v):
        xp = am.xp()
        work = g * (1.0 - self.beta_1)          # m ← β₁·m + (1-β₁)·g
        m *= self.beta_1
        m += work
        xp.square(g, out=work)                  # v ← β₂·v + (1-β₂)·g²
        work *= 1.0 - self.beta_2
        v *= self.beta_2
        v += work
        xp.sqrt(v, out=work)                    # θ ← θ - lr_t·m / (√v + ε)
        work += self.epsilon
        xp.divide(m, work, out=work)
        work *= step.lr
        theta -= work

    def rule(self):
        return ["t = iterations + 1;  lr_t = lr·√(1-β₂ᵗ) / (1-β₁ᵗ)",
                f"m ← β₁·m + (1-β₁)·g   (β₁ = {self.beta_1:g})",
                f"v ← β₂·v + (1-β₂)·g²   (β₂ = {self.beta_2:g})",
                f"θ ← θ - lr_t·m / (√v + ε)   (ε = {self.epsilon:g})"]
