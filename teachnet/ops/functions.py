"""Every differentiable function a user may call, in one namespace.

This is what ``import teachnet.backend as K`` re-exports: ``K.mean``, ``K.square``,
``K.dot``... Each one runs an op, so a custom loss, metric or Lambda written with them
is differentiable and shows up step by step in a trace.
"""
from teachnet.ops.arithmetic import add, subtract, multiply, divide, negative, pow, dot  # noqa: F401
