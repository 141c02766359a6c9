"""Adadelta: steps whose size is measured in the units of θ itself.

Like RMSprop, a running average a of g² scales the gradient down. Adadelta also keeps a
running average d of the squared *steps* Δ it took, and scales the gradient up by √d, so
that a step has the units of θ and no learning rate is needed (lr = 1 by default)::

    a ← ρ·a + (1-ρ)·g²
    Δ = g·√(d + ε) / √(a + ε)
    θ ← θ - lr·Δ
    d ← ρ·d + (1-ρ)·Δ²
"""
from teachnet.backend import array_module as am
from teachnet.optimizers.base import Optimizer


class Adadelta(Optimizer):
    """Adadelta: RMSprop whose step is rescaled by the running size of past steps.

    With ``lr_t = lr / (1 + decay · iterations)``::

        a ← ρ·a + (1-ρ)·g²
        Δ = g·√(d + ε) / √(a + ε)
        θ ← θ - lr_t·Δ
        d ← ρ·d + (1-ρ)·Δ²

    # Arguments
        lr: float >= 0, the learning rate (1.0: Adadelta is meant to need none).
        rho: float in [0, 1), ρ: how slowly both averages forget.
        epsilon: float >= 0, ε: keeps the square roots away from zero.
        decay: float >= 0, learning-rate decay per update.
        clipnorm, clipvalue: gradient clipping (see ``Optimizer``).
    """
    hyperparameter_names = ('lr', 'rho', 'epsilon', 'decay')
    slot_names = ('mean_square', 'mean_square_step')

    def __init__(self, lr=1.0, rho=0.95, epsilon=1e-8, decay=0., **kwargs):
        super().__init__(lr, kwargs)
        self.rho = self._fraction('rho', rho)
        self.epsilon = self._non_negative('epsilon', epsilon)
        self.decay = self._non_negative('decay', decay)

    def update_parameter(self, theta, g, step, a, d):
        xp = am.xp()
        rho, eps = self.rho, self.epsilon
        work = xp.square(g)                     # a ← ρ·a + (1-ρ)·g²
        work *= 1.0 - rho
        a *= rho
        a += work
        delta = d + eps                         # Δ = g·√(d + ε) / √(a + ε)
        xp.sqrt(delta, out=delta)
        xp.add(a, eps, out=work)
        xp.sqrt(work, out=work)
        delta /= work
        delta *= g
        xp.multiply(delta, step.lr, out=work)   # θ ← θ - lr·Δ
        theta -= work
        xp.square(delta, out=work)              # d ← ρ·d + (1-ρ)·Δ²
        work *= 1.0 - rho
        d *= rho
        d += work

    zero_gradient_keeps_theta = True

    def idle_slots(self, a, d):
        a *= self.rho                           # a ← ρ·a + (1-ρ)·0²
        d *= self.rho                           # Δ = 0, so d ← ρ·d + (1-ρ)·0²

    def rule(self):
        return [f"a ← ρ·a + (1-ρ)·g²   (ρ = {self.rho:g})",
                f"Δ = g·√(d + ε) / √(a + ε)   (ε = {self.epsilon:g})",
                "θ ← θ - lr·Δ",
                "d ← ρ·d + (1-ρ)·Δ²"]
