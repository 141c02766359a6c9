"""The crossentropies and dropout as Keras 1's backend spells them: ``K.categorical_crossentropy
(output, target)`` -- prediction first, target second, the reverse of a loss function's
``(y_true, y_pred)``. They run the same ops as the losses and the Dropout layer."""
from teachnet.ops import losses as loss_ops
from teachnet.ops.dropout import Dropout
from teachnet.ops.operands import as_operand


def _probabilities_only(name, from_logits):
    if from_logits:
        raise ValueError(f"K.{name}(..., from_logits=True) is not supported: apply softmax or sigmoid "
                         "to the output first (teachnet's crossentropies are exact for probabilities).")


def categorical_crossentropy(output, target, from_logits=False):
    """Per-sample -Σ y·log p over the last axis (p normalised and clipped to [ε, 1-ε])."""
    _probabilities_only('categorical_crossentropy', from_logits)
    return loss_ops.CategoricalCrossentropy().apply(as_operand(target), as_operand(output))


def sparse_categorical_crossentropy(output, target, from_logits=False):
    """Per-sample -log p[y] for integer class ids y."""
    _probabilities_only('sparse_categorical_crossentropy', from_logits)
    return loss_ops.SparseCategoricalCrossentropy().apply(as_operand(target), as_operand(output))


def binary_crossentropy(output, target, from_logits=False):
    """Per-sample mean over the last axis of -(y·log p + (1-y)·log(1-p))."""
    _probabilities_only('binary_crossentropy', from_logits)
    return loss_ops.BinaryCrossentropy().apply(as_operand(target), as_operand(output))


def dropout(x, level):
    """Inverted dropout of rate ``level`` (always active: it is a training-time op)."""
    return Dropout(level).apply(as_operand(x))
