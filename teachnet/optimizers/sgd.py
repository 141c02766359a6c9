"""SGD: stochastic gradient descent, with optional (Nesterov) momentum.

Plain gradient descent steps against the gradient of the current batch::

    θ ← θ - lr·g

Momentum keeps a velocity v, a running sum of past steps that decays by μ each step,
so that consistent directions build up speed and zig-zags cancel out::

    v ← μ·v - lr·g
    θ ← θ + v

Nesterov momentum looks one step ahead: it moves as if the velocity were applied twice
and corrects with the fresh gradient::

    v ← μ·v - lr·g
    θ ← θ + μ·v - lr·g
"""
from teachnet.optimizers.base import Optimizer


class SGD(Optimizer):
    """Stochastic gradient descent with momentum, Nesterov momentum and decay.

    With ``lr_t = lr / (1 + decay · iterations)``::

        v ← μ·v - lr_t·g
        θ ← θ + v                  (nesterov=False)
        θ ← θ + μ·v - lr_t·g       (nesterov=True)

    With μ = 0 this is θ ← θ - lr_t·g and the velocity is not updated.

    # Arguments
        lr: float >= 0, the learning rate.
        momentum: float >= 0, μ: how much of the previous velocity is kept.
        decay: float >= 0, learning-rate decay per update.
        nesterov: bool, whether to use Nesterov momentum.
        clipnorm, clipvalue: gradient clipping (see ``Optimizer``).
    """
    hyperparameter_names = ('lr', 'momentum', 'decay', 'nesterov')
    slot_names = ('velocity',)

    def __init__(self, lr=0.01, momentum=0., decay=0., nesterov=False, **kwargs):
        super().__init__(lr, kwargs)
        self.momentum = self._non_negative('momentum', momentum)
        self.decay = self._non_negative('decay', decay)
        self.nesterov = bool(nesterov)

    def update_parameter(self, theta, g, step, velocity):
        lr_g = step.lr * g
        if not self.momentum:
            theta -= lr_g                       # θ ← θ - lr·g
            return
        velocity *= self.momentum               # v ← μ·v - lr·g
        velocity -= lr_g
        if self.nesterov:
            theta += self.momentum * velocity   # θ ← θ + μ·v - lr·g
            theta -= lr_g
        else:
            theta += velocity                   # θ ← θ + v

    @property
    def zero_gradient_keeps_theta(self):
        return not self.momentum                # with momentum θ keeps moving by μ·v

    def rule(self):
        if not self.momentum:
            return ["θ ← θ - lr·g"]
        mu = f"μ = {self.momentum:g}"
        if self.nesterov:
            return [f"v ← μ·v - lr·g   ({mu})", "θ ← θ + μ·v - lr·g   (Nesterov)"]
        return [f"v ← μ·v - lr·g   ({mu})", "θ ← θ + v"]
