"""The tape: the ops a forward pass applied, in order, so backward can walk them back.

While a ``Tape`` is recording (``with Tape() as tape:``), every op that receives a tensor
needing a gradient appends itself to ``tape.records``. Each record knows its inputs, its
output, and where it happened (the layer, and in a recurrent layer the timestep).

``tape.backward(loss)`` walks the records in reverse. For each op it takes dLoss/d(output)
and asks the op for dLoss/d(input) of every input -- the chain rule, one op at a time --
adding contributions where a tensor fed several ops. An op may hand a gradient over as
a ``RowGradient`` (an embedding's dL/dW: its non-zero rows alone); a tensor then keeps it
so, and ops always receive full arrays.

The tape also collects the **penalties** that layers add to the loss while it runs (an
activity regularizer's P(a) on a layer's output): ``tape.penalties`` lists them, as
(name, scalar Tensor) pairs, in the order they were computed. A computation that needs the
penalties but no backward (evaluation) runs on ``Tape(record=False)``: it collects the
penalties and records no op.

Inspection is reading the tape: ``teachnet.inspect`` turns records into readable steps.
The tape holds only references to arrays that backward needs anyway, so recording costs
no copies; with ``keep_gradients=True`` it also keeps every gradient it passes, for traces.
"""
from teachnet.backend import array_module as am
from teachnet.ops.row_gradient import RowGradient, dense
from teachnet.ops.tensor import Tensor

_recording = [None]           # the innermost active tape, or None
_location = [{}]              # where ops are happening: {'layer': 'dense_1', ...}


class Tape:
    """Records the ops applied while it is active, and runs backward over them.

    # Arguments
        keep_gradients: keep every gradient that backward passes on its op (for traces).
        record: False for a tape that records no op and only collects penalties.
    """

    def __init__(self, keep_gradients=False, record=True):
        self.records = []
        self.penalties = []           # (name, scalar Tensor) added by layers while active
        self.keep_gradients = keep_gradients
        self.record = record

    def add_penalty(self, name, penalty):
        """Add a penalty (a scalar Tensor) that belongs in the loss of this computation."""
        self.penalties.append((name, penalty))

    def __enter__(self):
        _recording.append(self)
        return self

    def __exit__(self, *exc_info):
        _recording.pop()
        return False

    def backward(self, loss, grad=None):
        """Fill ``.grad`` of every tensor that ``loss`` depends on and that needs one.

        ``grad`` is dLoss/d(loss); ones (of loss's shape) when not given.
        """
        xp = am.xp()
        loss.grad = xp.ones(loss.data.shape, loss.data.dtype) if grad is None else grad
        keep = self.keep_gradients
        # The loop below runs for every op of every batch: it reads and writes the
        # tensors' gradient slots (_grad, grad_rows) directly, without the property.
        for op in reversed(self.records):
            output = op.output
            grad_output = output._grad
            if grad_output is None:
                continue
            if isinstance(grad_output, RowGradient):           # an op's backward takes full arrays
                grad_output = grad_output.dense()
            grad_inputs = op.backward(grad_output)
            if keep:
                op.grad_output, op.grad_inputs = grad_output, tuple(dense(g) for g in grad_inputs)
            elif output is not loss:
                output._grad = output.grad_rows = None      # an intermediate: its gradient is used up
            for tensor, grad_input in zip(op.inputs, grad_inputs):
                if grad_input is None or not isinstance(tensor, Tensor) or not tensor.requires_grad:
                    continue
                if tensor._grad is None:
                    tensor._grad = grad_input
                    # only these rows can be non-zero (an embedding's gradient), else None
                    tensor.grad_rows = grad_input.rows if isinstance(grad_input, RowGradient) else None
                else:
                    tensor._grad = dense(tensor._grad) + dense(grad_input)
                    tensor.grad_rows = None                 # two contributions: rows unknown
        return loss


def recording_tape():
    """The innermost active tape (recording ops or only collecting penalties), or None."""
    return _recording[-1]


class no_tape:
    """Context manager: ops run but nothing is recorded (prediction, metrics)."""

    def __enter__(self):
        _recording.append(None)
        return self

    def __exit__(self, *exc_info):
        _recording.pop()
        return False


class located:
    """Context manager: ops applied inside are labelled with where they happen.

    ``with located(layer='lstm_1', timestep=3):`` -- labels nest, inner ones add keys.
    """

    def __init__(self, **where):
        self.where = where

    def __enter__(self):
        _location.append({**_location[-1], **self.where})
        return self

    def __exit__(self, *exc_info):
        _location.pop()
        return False


def current_location():
    return _location[-1]
