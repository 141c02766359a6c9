"""Regularizers: penalties on weights or activations, added to the loss while training.

    model.add(Dense(64, input_dim=20, W_regularizer=l2(0.01)))        # Keras 1
    model.add(Dense(64, input_dim=20, kernel_regularizer=l2(0.01)))   # Keras 2

A regularizer is called on a tensor and returns a scalar tensor, the penalty:

    weight penalty      P(W) = l1·Σ|w| + l2·Σw²
    activity penalty    P(a) = l1·(1/N)·Σ|a| + l2·(1/N)·Σa²     (N = batch size)

The training loop adds every penalty to the loss, L_total = L + Σ P, so backward sends
dP/dw = l1·sign(w) + 2·l2·w to each regularized weight on top of dL/dw. Activity
penalties are averaged over the batch, as Keras 1 did (a sum over features of the mean
over samples), so their size does not depend on the batch size.

The penalties are ops (``teachnet.ops.penalties``), so they show in a trace and their
gradients are checked like every other op's.
"""
import numbers

from teachnet.backend import array_module as am
from teachnet.ops.penalties import l1_penalty, l2_penalty
from teachnet.ops.tensor import Tensor, data_of


class Regularizer:
    """Base class: ``regularizer(x)`` -> a scalar Tensor to add to the loss."""

    def __call__(self, x):
        raise NotImplementedError

    def get_config(self):
        return {'name': type(self).__name__}

    @classmethod
    def from_config(cls, config):
        config = {key: value for key, value in config.items() if key != 'name'}
        try:
            return cls(**config)
        except TypeError as error:
            raise ValueError(f"Regularizer {cls.__name__!r} cannot take the config "
                             f"{config!r}: {error}") from None


class WeightRegularizer(Regularizer):
    """P(W) = l1·Σ|w| + l2·Σw², summed over every entry of the weight.

    # Arguments
        l1: coefficient of the L1 term (sparse weights).
        l2: coefficient of the L2 term (small weights, "weight decay").
    """
    batch_mean = False

    def __init__(self, l1=0., l2=0.):
        for name, value in (('l1', l1), ('l2', l2)):
            if not isinstance(value, numbers.Real) or value < 0:
                raise ValueError(f"{type(self).__name__} expects a number >= 0 for {name}, "
                                 f"got {value!r}.")
        self.l1, self.l2 = float(l1), float(l2)

    def __call__(self, x):
        penalty = None
        if self.l1:
            penalty = l1_penalty(x, self.l1, self.batch_mean)
        if self.l2:
            term = l2_penalty(x, self.l2, self.batch_mean)
            penalty = term if penalty is None else penalty + term
        if penalty is None:                    # l1 = l2 = 0: a constant zero
            array = data_of(x)
            penalty = Tensor(am.xp().zeros((), dtype=array.dtype))
        return penalty

    def get_config(self):
        return {'name': type(self).__name__, 'l1': self.l1, 'l2': self.l2}

    def __repr__(self):
        return f"{type(self).__name__}(l1={self.l1}, l2={self.l2})"


class ActivityRegularizer(WeightRegularizer):
    """P(a) = l1·(1/N)·Σ|a| + l2·(1/N)·Σa², on a layer's output a of batch size N."""
    batch_mean = True


class L1L2(WeightRegularizer):
    """Keras 2's name for the weight penalty l1·Σ|w| + l2·Σw²."""

    def get_config(self):
        return {'l1': self.l1, 'l2': self.l2}


class L1(L1L2):
    """Keras 3's ``L1(l1=0.01)``: l1·Σ|w|."""

    def __init__(self, l1=0.01):
        super().__init__(l1=l1)

    def get_config(self):
        return {'l1': self.l1}


class L2(L1L2):
    """Keras 3's ``L2(l2=0.01)``: l2·Σw²."""

    def __init__(self, l2=0.01):
        super().__init__(l2=l2)

    def get_config(self):
        return {'l2': self.l2}


# ----------------------------------------------------------------------------- shortcuts

def l1(l=0.01):
    """Weight penalty l·Σ|w|."""
    return WeightRegularizer(l1=l)


def l2(l=0.01):
    """Weight penalty l·Σw²."""
    return WeightRegularizer(l2=l)


def l1l2(l1=0.01, l2=0.01):
    """Weight penalty l1·Σ|w| + l2·Σw² (Keras 2: ``l1_l2``)."""
    return WeightRegularizer(l1=l1, l2=l2)


l1_l2 = l1l2


def activity_l1(l=0.01):
    """Activity penalty l·(1/N)·Σ|a|."""
    return ActivityRegularizer(l1=l)


def activity_l2(l=0.01):
    """Activity penalty l·(1/N)·Σa²."""
    return ActivityRegularizer(l2=l)


def activity_l1l2(l1=0.01, l2=0.01):
    """Activity penalty l1·(1/N)·Σ|a| + l2·(1/N)·Σa²."""
    return ActivityRegularizer(l1=l1, l2=l2)


# ----------------------------------------------------------------------------- lookup

_SHORTCUTS = {'l1': l1, 'l2': l2, 'l1l2': l1l2, 'l1_l2': l1l2, 'activity_l1': activity_l1,
              'activity_l2': activity_l2, 'activity_l1l2': activity_l1l2}
_CLASSES = {cls.__name__: cls for cls in (WeightRegularizer, ActivityRegularizer, L1L2, L1, L2)}
_VALID_NAMES = ', '.join(list(_SHORTCUTS) + list(_CLASSES))


def get(identifier):
    """The regularizer that ``identifier`` names.

    # Arguments
        identifier: None; a name ('l1', 'l2', 'l1l2', 'l1_l2', 'activity_l2'...: the
            default coefficients 0.01); a Keras 1 config ``{'name': 'WeightRegularizer',
            'l1': 0., 'l2': 0.01}``; a Keras 2 config ``{'class_name': 'L1L2',
            'config': {'l1': 0., 'l2': 0.01}}``; or a callable (returned as it is).
    """
    if identifier is None or callable(identifier) and not isinstance(identifier, type):
        return identifier
    if isinstance(identifier, str):
        if identifier in _SHORTCUTS:
            return _SHORTCUTS[identifier]()
        if identifier in _CLASSES:
            return _CLASSES[identifier]()
        raise ValueError(f"Unknown regularizer {identifier!r}: expected one of {_VALID_NAMES}.")
    if isinstance(identifier, dict):
        if 'class_name' in identifier:
            name, config = identifier['class_name'], identifier.get('config') or {}
        else:
            name, config = identifier.get('name'), identifier
        if name in _CLASSES:
            return _CLASSES[name].from_config(config)
        raise ValueError(f"Unknown regularizer {name!r}: expected one of {', '.join(_CLASSES)}.")
    raise TypeError(f"Could not interpret regularizer {identifier!r}: expected a name, a "
                    "config dict or a callable.")


def serialize(regularizer):
    """A regularizer -> {'class_name', 'config'}; a function -> its name; None -> None."""
    if regularizer is None or not isinstance(regularizer, Regularizer):
        return getattr(regularizer, '__name__', regularizer)
    config = regularizer.get_config()
    config.pop('name', None)
    return {'class_name': type(regularizer).__name__, 'config': config}
