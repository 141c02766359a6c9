"""teachnet: build and train neural networks the Keras 1 way, and watch every step.

    from teachnet.models import Sequential
    from teachnet.layers import Dense, Activation

Choose the array backend with ``TEACHNET_BACKEND=numpy|cupy|strict|auto`` or
``teachnet.backend.set_backend``; seed everything with ``teachnet.set_seed(42)``.
"""
from teachnet import backend  # noqa: F401  (the array module is chosen first)
from teachnet.backend.array_module import seed as set_seed  # noqa: F401

__version__ = '0.1.0'
