"""Activation functions by name: what ``Dense(64, activation='relu')`` looks up.

An activation is any function from a Tensor to a Tensor. Layers accept one by name
(``'relu'``), as a function (``teachnet.activations.relu`` or your own), or None for
the identity::

    from teachnet import activations
    f = activations.get('tanh')      # the tanh function
    a = f(z)                         # a = tanh(z), differentiable
    activations.serialize(f)         # 'tanh', for a layer's config

Each one is an op of ``teachnet.ops.activations``, where the formulas and derivatives are.
"""
from teachnet.ops.activations import (  # noqa: F401
    linear, relu, tanh, sigmoid, hard_sigmoid, softmax, softplus, softsign, elu,
)

_BY_NAME = {function.__name__: function for function in (
    linear, relu, tanh, sigmoid, hard_sigmoid, softmax, softplus, softsign, elu)}


def get(identifier):
    """The activation function for ``identifier``: a name, a function, or None (linear).

    # Arguments
        identifier: 'linear', 'relu', 'tanh', 'sigmoid', 'hard_sigmoid', 'softmax',
            'softplus', 'softsign', 'elu'; any callable (returned as it is); or None.

    # Raises
        ValueError: for an unknown name. TypeError: for anything else.
    """
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        try:
            return _BY_NAME[identifier]
        except KeyError:
            raise ValueError(f"Unknown activation {identifier!r}: expected one of "
                             f"{', '.join(repr(name) for name in _BY_NAME)}, "
                             f"None, or a function.") from None
    if callable(identifier):
        return identifier
    raise TypeError(f"An activation must be a name, a function or None, "
                    f"got {type(identifier).__name__} {identifier!r}.")


def serialize(activation):
    """The name under which ``activation`` is saved in a layer's config."""
    if activation is None:
        return 'linear'
    return getattr(activation, '__name__', type(activation).__name__)


def deserialize(name):
    """The activation function saved as ``name`` (the inverse of ``serialize``)."""
    return get(name)
