"""Nadam: Adam with Nesterov momentum and a warming-up momentum schedule.

Nesterov momentum looks ahead: the step uses the momentum it *will* have next step. Nadam
puts that into Adam, with a momentum coefficient μ_t that grows from about β₁/2 towards β₁
as training goes on (schedule_decay sets how fast). Π_t = μ₁·μ₂···μ_t is the product of
the coefficients so far; it plays the part of β₁ᵗ in Adam's bias correction::

    t = iterations + 1
    μ_t = β₁·(1 - ½·0.96^(t·schedule_decay))
    Π_t = Π_{t-1}·μ_t                       (Π_0 = 1)
    m ← β₁·m + (1-β₁)·g
    v ← β₂·v + (1-β₂)·g²
    m̄ = (1-μ_t)·g / (1-Π_t) + μ_{t+1}·m / (1-Π_t·μ_{t+1})
    θ ← θ - lr·m̄ / (√(v / (1-β₂ᵗ)) + ε)
"""
from types import SimpleNamespace

from teachnet.backend import array_module as am
from teachnet.optimizers.base import Optimizer


class Nadam(Optimizer):
    """Nadam: Nesterov-accelerated Adam.

    With t = iterations + 1 (no learning-rate decay)::

        μ_t = β₁·(1 - ½·0.96^(t·schedule_decay))
        Π_t = Π_{t-1}·μ_t,  Π_0 = 1
        m ← β₁·m + (1-β₁)·g
        v ← β₂·v + (1-β₂)·g²
        m̄ = (1-μ_t)·g / (1-Π_t) + μ_{t+1}·m / (1-Π_t·μ_{t+1})
        θ ← θ - lr·m̄ / (√(v / (1-β₂ᵗ)) + ε)

    # Arguments
        lr: float >= 0, the learning rate.
        beta_1: float in [0, 1), β₁: the momentum the schedule tends to.
        beta_2: float in [0, 1), β₂: memory of the squared-gradient average v.
        epsilon: float >= 0, ε: keeps the division finite.
        schedule_decay: float >= 0, how fast μ_t warms up towards β₁.
        clipnorm, clipvalue: gradient clipping (see ``Optimizer``).

    # Attributes
        m_schedule: Π_t, the product of the momentum coefficients used so far.
    """
    hyperparameter_names = ('lr', 'beta_1', 'beta_2', 'epsilon', 'schedule_decay')
    slot_names = ('mean', 'mean_square')

    def __init__(self, lr=0.002, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
                 schedule_decay=0.004, **kwargs):
        super().__init__(lr, kwargs)
        self.beta_1 = self._fraction('beta_1', beta_1)
        self.beta_2 = self._fraction('beta_2', beta_2)
        self.epsilon = self._non_negative('epsilon', epsilon)
        self.schedule_decay = self._non_negative('schedule_decay', schedule_decay)
        self.m_schedule = 1.0

    def momentum_at(self, t):
        """μ_t = β₁·(1 - ½·0.96^(t·schedule_decay))."""
        return self.beta_1 * (1.0 - 0.5 * 0.96 ** (t * self.schedule_decay))

    def begin_step(self, lr):
        t = self.iterations + 1
        momentum, next_momentum = self.momentum_at(t), self.momentum_at(t + 1)
        self.m_schedule *= momentum                        # Π_t
        schedule_next = self.m_schedule * next_momentum    # Π_t·μ_{t+1}
        return SimpleNamespace(
            lr=lr,
            gradient_weight=(1.0 - momentum) / (1.0 - self.m_schedule),
            mean_weight=next_momentum / (1.0 - schedule_next),
            mean_square_correction=1.0 - self.beta_2 ** t,
        )

    def update_parameter(self, theta, g, step, m, v):
        xp = am.xp()
        work = g * (1.0 - self.beta_1)          # m ← β₁·m + (1-β₁)·g
        m *= self.beta_1
        m += work
        xp.square(g, out=work)                  # v ← β₂·v + (1-β₂)·g²
        work *= 1.0 - self.beta_2
        v *= self.beta_2
        v += work
        m_bar = g * step.gradient_weight        # m̄ = (1-μ_t)·g/(1-Π_t) + μ_{t+1}·m/(1-Π_t·μ_{t+1})
        xp.multiply(m, step.mean_weight, out=work)
        m_bar += work
        xp.divide(v, step.mean_square_correction, out=work)   # θ ← θ - lr·m̄ / (√(v/(1-β₂ᵗ)) + ε)
        xp.sqrt(work, out=work)
        work += self.epsilon
        m_bar /= work
        m_bar *= step.lr
        theta -= m_bar

    def rule(self):
        return ["t = iterations + 1;  μ_t = β₁·(1 - ½·0.96^(t·schedule_decay));  Π_t = Π_{t-1}·μ_t",
                f"m ← β₁·m + (1-β₁)·g   (β₁ = {self.beta_1:g})",
                f"v ← β₂·v + (1-β₂)·g²   (β₂ = {self.beta_2:g})",
                "m̄ = (1-μ_t)·g / (1-Π_t) + μ_{t+1}·m / (1-Π_t·μ_{t+1})",
                f"θ ← θ - lr·m̄ / (√(v / (1-β₂ᵗ)) + ε)   (ε = {self.epsilon:g})"]

    # Π_t is state too: saved with the slots, or rebuilt from the iteration count.
    def get_state(self):
        state = super().get_state()
        state['m_schedule'] = self.m_schedule
        return state

    def set_state(self, state, params):
        super().set_state(state, params)
        if 'm_schedule' in state:
            self.m_schedule = float(state['m_schedule'])
        else:
            self.m_schedule = 1.0
            for t in range(1, self.iterations + 1):
                self.m_schedule *= self.momentum_at(t)
