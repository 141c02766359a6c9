"""Optimizers: how gradients become changes of the weights.

Backward leaves in every parameter θ its gradient g = dLoss/dθ, the direction in which
the loss grows fastest. An optimizer steps the other way. The simplest rule is

    θ ← θ - lr·g                                   (SGD)

and the others refine it:

* momentum remembers past steps, so consistent directions speed up (``SGD(momentum=0.9)``,
  Nesterov's look-ahead variant with ``nesterov=True``);
* adaptive rules give every component its own step size from the size of its recent
  gradients: ``Adagrad`` (sum of g²), ``RMSprop`` (running average of g²), ``Adadelta``
  (also a running average of past steps);
* ``Adam`` combines momentum and RMSprop; ``Adamax`` and ``Nadam`` are its variants.

Every optimizer follows Keras 1's update rules and defaults, and can explain itself::

    >>> from teachnet.optimizers import RMSprop
    >>> print(RMSprop().describe_update())
    a ← ρ·a + (1-ρ)·g²   (ρ = 0.9)
    θ ← θ - lr·g / (√a + ε)   (ε = 1e-08)

``model.compile(optimizer='rmsprop')`` finds the class by name through ``get``.
"""
from teachnet.optimizers.base import Optimizer
from teachnet.optimizers.sgd import SGD
from teachnet.optimizers.rmsprop import RMSprop
from teachnet.optimizers.adagrad import Adagrad
from teachnet.optimizers.adadelta import Adadelta
from teachnet.optimizers.adam import Adam
from teachnet.optimizers.adamax import Adamax
from teachnet.optimizers.nadam import Nadam

__all__ = ['Optimizer', 'SGD', 'RMSprop', 'Adagrad', 'Adadelta', 'Adam', 'Adamax', 'Nadam',
           'get', 'serialize', 'deserialize']

#: every optimizer, by its lower-case name ('sgd', 'rmsprop', ...)
OPTIMIZERS = {cls.__name__.lower(): cls
              for cls in (SGD, RMSprop, Adagrad, Adadelta, Adam, Adamax, Nadam)}


def _class_named(name):
    cls = OPTIMIZERS.get(str(name).lower())
    if cls is None:
        raise ValueError(f"Unknown optimizer {name!r}: expected one of "
                         f"{', '.join(repr(known) for known in OPTIMIZERS)}.")
    return cls


def serialize(optimizer):
    """``{'class_name': 'SGD', 'config': {...}}``: enough to rebuild the optimizer."""
    return {'class_name': type(optimizer).__name__, 'config': optimizer.get_config()}


def deserialize(config):
    """An optimizer from what ``serialize`` returned (the class name is case-insensitive)."""
    if not isinstance(config, dict) or 'class_name' not in config:
        raise ValueError("An optimizer description must be a dict with 'class_name' and "
                         f"'config', received {config!r}.")
    return _class_named(config['class_name']).from_config(dict(config.get('config') or {}))


def get(identifier):
    """The optimizer that ``identifier`` names.

    # Arguments
        identifier: an Optimizer (returned as it is), a name such as ``'sgd'`` or
            ``'Adam'`` (a new optimizer with Keras 1's defaults), or a dict
            ``{'class_name': ..., 'config': ...}``.
    """
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str):
        return _class_named(identifier)()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    raise TypeError(f"Could not interpret optimizer identifier {identifier!r}: expected an "
                    f"optimizer, a name ({', '.join(OPTIMIZERS)}) or a config dict.")
