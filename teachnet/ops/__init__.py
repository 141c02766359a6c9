"""Differentiable primitives: each op's forward and backward side by side (see op.py)."""
from teachnet.ops.tensor import Tensor, Parameter  # noqa: F401
from teachnet.ops.op import Op  # noqa: F401
from teachnet.ops.tape import Tape, no_tape, located  # noqa: F401
