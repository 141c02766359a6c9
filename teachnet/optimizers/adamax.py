"""Adamax: Adam with the infinity norm in place of the root mean square.

Instead of an average of g², Adamax keeps u, a decaying maximum of |g|. A maximum is not
biased towards zero at the start, so only m needs a bias correction::

    t = iterations + 1
    lr_t = lr / (1-β₁ᵗ)
    m ← β₁·m + (1-β₁)·g
    u ← max(β₂·u, |g|)
    θ ← θ - lr_t·m / (u + ε)
"""
from types import SimpleNamespace

from teachnet.backend import array_module as am
from teachnet.optimizers.base import Optimizer


class Adamax(Optimizer):
    """Adamax: the infinity-norm variant of Adam.

    With ``lr`` decayed first (lr / (1 + decay · iterations)) and t = iterations + 1::

        lr_t = lr / (1-β₁ᵗ)
        m ← β₁·m + (1-β₁)·g
        u ← max(β₂·u, |g|)
        θ ← θ - lr_t·m / (u + ε)

    # Arguments
        lr: float >= 0, the learning rate.
        beta_1: float in [0, 1), β₁: memory of the gradient average m.
        beta_2: float in [0, 1), β₂: how fast the maximum u decays.
        epsilon: float >= 0, ε: keeps the division finite.
        decay: float >= 0, learning-rate decay per update.
        clipnorm, clipvalue: gradient clipping (see ``Optimizer``).
    """
    hyperparameter_names = ('lr', 'beta_1', 'beta_2', 'epsilon', 'decay')
    slot_names = ('mean', 'max_abs')

    def __init__(self, lr=0.002, beta_1=0.9, beta_2=0.999, epsilon=1e-8, decay=0., **kwargs):
        super().__init__(lr, kwargs)
        self.beta_1 = self._fraction('beta_1', beta_1)
        self.beta_2 = self._fraction('beta_2', beta_2)
        self.epsilon = self._non_negative('epsilon', epsilon)
        self.decay = self._non_negative('decay', decay)

    def begin_step(self, lr):
        t = self.iterations + 1
        return SimpleNamespace(lr=lr / (1.0 - self.beta_1 ** t))

    def update_parameter(self, theta, g, step, m, u):
        xp = am.xp()
        work = g * (1.0 - self.beta_1)          # m ← β₁·m + (1-β₁)·g
        m *= self.beta_1
        m += work
        u *= self.beta_2                        # u ← max(β₂·u, |g|)
        xp.abs(g, out=work)
        xp.maximum(u, work, out=u)
        xp.add(u, self.epsilon, out=work)       # θ ← θ - lr_t·m / (u + ε)
        xp.divide(m, work, out=work)
        work *= step.lr
        theta -= work

    def rule(self):
        return ["t = iterations + 1;  lr_t = lr / (1-β₁ᵗ)",
                f"m ← β₁·m + (1-β₁)·g   (β₁ = {self.beta_1:g})",
                f"u ← max(β₂·u, |g|)   (β₂ = {self.beta_2:g})",
                f"θ ← θ - lr_t·m / (u + ε)   (ε = {self.epsilon:g})"]
