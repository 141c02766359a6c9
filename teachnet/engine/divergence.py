"""When the loss stops being a number: stop, keep the weights, and say where it went wrong.

A loss of NaN (0/0, ∞ - ∞) or ±∞ poisons every gradient computed from it, and one update
with those gradients turns the weights into NaN: nothing more can be learnt. So a training
step converts its loss to a Python float (the logs need it anyway) *before* the optimizer's
update; on NaN or ±∞ it skips the update and raises ``NonFiniteLossError``, and the model
keeps the weights of its last finite step.

Where did it go wrong? The step's tape holds every op of the forward pass in order, each
labelled with its layer: the first op whose output is not finite names the first layer
whose output was not finite. When every layer's output is finite, the loss function itself
gave the NaN (a log of 0, say).

``fit`` raises the error rather than warn and return: code after ``fit`` (evaluate, save,
plots of the learning curves) would otherwise run on a model that did not train as asked,
and a warning is easy to miss (Python shows each one once). The error carries what ran:
``error.history`` (also ``model.history``) holds the epochs that finished.
"""
from teachnet.backend import array_module as am


class NonFiniteLossError(FloatingPointError):
    """The loss of a training batch was NaN or infinite; the weights were not updated.

    # Attributes
        loss: the loss, a float (nan, inf or -inf).
        layer: the name of the first layer whose output was not finite, or None when
            every layer's output was finite (the loss function gave it).
        epoch, batch: where it happened (counted from 0, as callbacks count), or None
            outside ``fit``.
        history: the History of the run (the epochs that finished), or None outside ``fit``.
    """

    def __init__(self, message, loss, layer, epoch=None, batch=None, history=None):
        super().__init__(message)
        self.loss, self.layer = loss, layer
        self.epoch, self.batch, self.history = epoch, batch, history


def first_non_finite_layer(tape):
    """The layer of the first op on ``tape`` whose output holds NaN or ±∞ (None when only
    ops outside every layer, the loss's, did). Called only once the loss is not finite."""
    xp = am.xp()
    for op in tape.records:
        if not bool(xp.isfinite(op.output.data).all()):
            return (op.where or {}).get('layer')
    return None


def explain(model_name, loss, layer, where):
    """The message: which value, where, which layer, and what to try."""
    culprit = (f"The first layer whose output was not finite is {layer}: look at what it receives and at "
               "its weights; a smaller learning rate, inputs scaled to about [-1, 1], or gradient "
               "clipping (clipnorm=1.0) usually help." if layer is not None else
               "Every layer's output was finite, so the loss function made it: from outputs too large for "
               f"{am.floatx()} (a learning rate too high makes the loss grow epoch after epoch) or from a log "
               "of 0 or a division by 0 (are the targets in the range this loss expects?).")
    return (f"Model {model_name}: the loss became {loss} at {where}, so training stopped before that "
            f"batch's update; the weights are those of the last finite step. {culprit}")


class failures_told_to:
    """Context manager around a training loop: an error or an interrupt that ends training
    is first told to the callbacks (``on_train_failed``: a dashboard draws its final frame),
    then goes on. A ``NonFiniteLossError`` was told already, where it was raised."""

    def __init__(self, callback_list):
        self.callback_list = callback_list

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        if error is not None and not isinstance(error, NonFiniteLossError):
            self.callback_list.on_train_failed(error)
        return False
