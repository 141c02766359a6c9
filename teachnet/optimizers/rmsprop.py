"""RMSprop: divide each step by a running average of the gradient's magnitude.

Every component of θ gets its own effective learning rate. A running average of g²
measures how large that component's gradients have been lately; dividing by its square
root makes the step size about lr whatever the scale of the gradient::

    a ← ρ·a + (1-ρ)·g²
    θ ← θ - lr·g / (√a + ε)
"""
from teachnet.backend import array_module as am
from teachnet.optimizers.base import Optimizer


class RMSprop(Optimizer):
    """RMSprop: gradient steps scaled by a running root-mean-square of the gradients.

    With ``lr_t = lr / (1 + decay · iterations)``::

        a ← ρ·a + (1-ρ)·g²
        θ ← θ - lr_t·g / (√a + ε)

    Usually only ``lr`` is tuned.

    # Arguments
        lr: float >= 0, the learning rate.
        rho: float in [0, 1), ρ: how slowly the average of g² forgets.
        epsilon: float >= 0, ε: keeps the division finite.
        decay: float >= 0, learning-rate decay per update.
        clipnorm, clipvalue: gradient clipping (see ``Optimizer``).
    """
    hyperparameter_names = ('lr', 'rho', 'epsilon', 'decay')
    slot_names = ('mean_square',)

    def __init__(self, lr=0.001, rho=0.9, epsilon=1e-8, decay=0., **kwargs):
        super().__init__(lr, kwargs)
        self.rho = self._fraction('rho', rho)
        self.epsilon = self._non_negative('epsilon', epsilon)
        self.decay = self._non_negative('decay', decay)

    def update_parameter(self, theta, g, step, a):
        xp = am.xp()
        work = xp.square(g)                     # one scratch array, reused below
        work *= 1.0 - self.rho                  # a ← ρ·a + (1-ρ)·g²
        a *= self.rho
        a += work
        xp.sqrt(a, out=work)                    # θ ← θ - lr·g / (√a + ε)
        work += self.epsilon
        xp.divide(g, work, out=work)
        work *= step.lr
        theta -= work

    zero_gradient_keeps_theta = True

    def idle_slots(self, a):
        a *= self.rho                           # a ← ρ·a + (1-ρ)·0²

    def rule(self):
        return [f"a ← ρ·a + (1-ρ)·g²   (ρ = {self.rho:g})",
                f"θ ← θ - lr·g / (√a + ε)   (ε = {self.epsilon:g})"]
