"""One batch through a model: its outputs and its loss, every penalty included.

Training, evaluation and every inspection tool (traces, gradient checks, the gates and
gradients through time of a recurrent layer, live views) compute a batch here, the same way:

1. forward:    ŷ_k = model(x) for each output k; a layer with an activity regularizer
               adds its penalty P(a) on its output to the active tape as it runs;
2. the loss:   L_k = mean over samples of loss_k(y_k, ŷ_k), weighted by sample (and by
               timestep under a mask), and L = Σ_k w_k · L_k (one output: L = L_1);
3. penalties:  L_total = L + Σ activity penalties P(a) + Σ weight penalties P(W).

``compute_batch`` runs on the tape that is recording when it is called, so that
``tape.backward(batch.loss)`` puts dL_total/dθ on every parameter's ``.grad``. Without a
recording tape it collects the penalties on a ``Tape(record=False)`` and records no op
(evaluation): the loss is the same number either way.
"""
from teachnet.ops.losses import weighted_mean
from teachnet.ops.tape import Tape, recording_tape
from teachnet.ops.tensor import Tensor


class PerOutput:
    """The arrays of several outputs (targets, or sample weights), batched together:
    ``len()`` is the number of samples and ``[ids]`` takes those samples of every array."""

    def __init__(self, arrays):
        self.arrays = list(arrays)

    def __len__(self):
        return len(next(a for a in self.arrays if a is not None))

    def __getitem__(self, ids):
        return PerOutput([None if a is None else a[ids] for a in self.arrays])


def per_output(value, count):
    """One entry per output: the arrays of a PerOutput, [value] for one output, Nones for None."""
    if value is None:
        return [None] * count
    return value.arrays if isinstance(value, PerOutput) else [value]


class BatchLoss:
    """What one batch computation produced (arrays on the active backend).

    # Attributes
        inputs: the input Tensors, one per model input (``.grad`` holds dL/dx after
            backward when they were made to need a gradient).
        outputs: the output Tensors ŷ_k, one per model output.
        loss: L_total, a scalar Tensor; None when no targets were given.
        output_losses: L_k of each output, scalar Tensors, before weighting by w_k.
        penalties: every penalty in the loss, as (name, scalar Tensor) pairs:
            '<layer>/activity' for an activity regularizer, the parameter's name
            ('dense_1/kernel') for a weight regularizer.
    """

    def __init__(self, inputs, outputs, loss=None, output_losses=(), penalties=()):
        self.inputs = inputs
        self.outputs = outputs
        self.loss = loss
        self.output_losses = list(output_losses)
        self.penalties = list(penalties)

    def __repr__(self):
        loss = 'no loss' if self.loss is None else f'loss={float(self.loss.data):.6g}'
        return f"<BatchLoss {loss}, {len(self.outputs)} output(s), {len(self.penalties)} penalt(ies)>"


def compute_batch(model, inputs, targets=None, weights=None, training=False):
    """Forward, the loss and every penalty of ``model`` on one batch of device arrays.

    # Arguments
        model: a model (compiled when ``targets`` are given).
        inputs: one array (or Tensor) per model input, on the device.
        targets, weights: the targets and sample weights, one array each for a model with
            one output, a ``PerOutput`` for several; targets None computes the outputs only.
        training: True for the training computation (dropout on).

    # Returns
        A ``BatchLoss``.
    """
    tape = recording_tape() or Tape(record=False)
    with tape:
        first_penalty = len(tape.penalties)
        tensors = [x if isinstance(x, Tensor) else Tensor(x) for x in inputs]
        output = model._forward_inputs(tensors, training)
        outputs = output if isinstance(output, list) else [output]
        if targets is None:
            return BatchLoss(tensors, outputs, penalties=tape.penalties[first_penalty:])
        loss, output_losses = _weighted_loss(model, targets, outputs, weights)
        penalties = tape.penalties[first_penalty:] + [
            (param.name, regularizer(param)) for param, regularizer in model.regularizers]
        for _, penalty in penalties:
            loss = loss + penalty
    return BatchLoss(tensors, outputs, loss, output_losses, penalties)


def _weighted_loss(model, targets, outputs, weights):
    """L = Σ_k w_k · L_k, each L_k the (sample-weighted, masked) mean of output k's loss."""
    count = len(outputs)
    total, output_losses = None, []
    for function, w, y, y_pred, sw in zip(model._loss_functions, model._loss_weight_values,
                                          per_output(targets, count), outputs, per_output(weights, count)):
        per_sample = function(y, y_pred)
        mask = y_pred.mask if y_pred.mask is not None and y_pred.mask.shape == per_sample.shape else None
        output_loss = weighted_mean(per_sample, sw, mask)
        output_losses.append(output_loss)
        term = output_loss if w == 1.0 else output_loss * w
        total = term if total is None else total + term
    return total, output_losses
