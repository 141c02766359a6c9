"""Small NumPy helpers for preparing targets and reading predictions (host arrays).

A classifier with a softmax output predicts, for each sample, one probability per class.
Its targets must have the same shape: the label 3 of 5 classes becomes the *one-hot* row
[0, 0, 0, 1, 0]. ``to_categorical`` makes those rows; ``probas_to_classes`` goes back
from predicted probabilities to labels.

These helpers work on host NumPy arrays, before data reaches a model and after
predictions leave it.
"""
from teachnet.backend import array_module as am
from teachnet.backend.array_module import host as np


def to_categorical(y, nb_classes=None, num_classes=None, dtype=None):
    """Class labels -> one-hot rows: Y[i, y_i] = 1, every other entry 0.

    # Arguments
        y: integer labels 0 ... nb_classes - 1, of any shape; they are flattened, so
            labels of shape (n,) or (n, 1) both give n rows.
        nb_classes: the number of classes (Keras 1 name); ``num_classes`` is the Keras 2
            name. Default: max(y) + 1.
        dtype: of the result; default ``floatx`` ('float32').

    # Returns
        An array of shape (n, nb_classes).

    # Example
        to_categorical([0, 2, 1], 3) -> [[1, 0, 0], [0, 0, 1], [0, 1, 0]]
    """
    if nb_classes is not None and num_classes is not None and nb_classes != num_classes:
        raise ValueError(f"to_categorical got nb_classes={nb_classes} and "
                         f"num_classes={num_classes}: give one of them.")
    nb_classes = nb_classes if nb_classes is not None else num_classes
    labels = np.asarray(am.to_numpy(y)).ravel()
    if labels.dtype.kind == 'f' and not np.array_equal(labels, np.round(labels)):
        raise ValueError("to_categorical expects whole-number class labels, got "
                         f"{labels[labels != np.round(labels)][:5].tolist()}.")
    if labels.dtype.kind not in 'biuf':
        raise TypeError(f"to_categorical expects integer class labels, got dtype {labels.dtype}.")
    labels = labels.astype(np.int64)
    if nb_classes is None:
        if labels.size == 0:
            raise ValueError("to_categorical cannot infer nb_classes from empty labels: "
                             "pass nb_classes.")
        nb_classes = int(labels.max()) + 1
    nb_classes = int(nb_classes)
    if labels.size and (labels.min() < 0 or labels.max() >= nb_classes):
        bad = labels[(labels < 0) | (labels >= nb_classes)]
        raise ValueError(f"to_categorical with nb_classes={nb_classes} expects labels in "
                         f"0 ... {nb_classes - 1}, got label {int(bad[0])}.")
    one_hot = np.zeros((labels.size, nb_classes), dtype=dtype or am.floatx())
    one_hot[np.arange(labels.size), labels] = 1
    return one_hot


def normalize(x, axis=-1, order=2):
    """x / ||x||, the norm of order ``order`` taken along ``axis`` (zero vectors stay zero)."""
    x = np.asarray(am.to_numpy(x))
    norms = np.atleast_1d(np.linalg.norm(x, order, axis))
    norms[norms == 0] = 1
    return x / np.expand_dims(norms, axis)


def categorical_probas_to_classes(p):
    """The most probable class of each row: argmax over the last axis of (n, classes)."""
    return np.argmax(np.asarray(am.to_numpy(p)), axis=1)


def probas_to_classes(y_pred):
    """Predicted classes from predicted probabilities.

    (n, classes) with several classes: the argmax of each row. One probability per sample,
    (n,) or (n, 1): class 1 where p > 0.5, else class 0.
    """
    y_pred = np.asarray(am.to_numpy(y_pred))
    if y_pred.ndim > 1 and y_pred.shape[1] > 1:
        return categorical_probas_to_classes(y_pred)
    return (y_pred.reshape(len(y_pred), -1)[:, 0] > 0.5).astype(np.int64)
