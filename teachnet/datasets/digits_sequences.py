"""Handwritten digits read row by row: an image as a sequence, for a recurrent network.

scikit-learn ships 1,797 small scans of handwritten digits (8 x 8 pixels, 0 ... 16 grey
levels), so they need no download. A recurrent layer reads a sequence one step at a time;
here a step is one row of the image::

    timestep t = 0 ... 7:  x_t = the 8 pixels of row t        -> input shape (8, 8)

and after the last row the network says which digit it saw. An LSTM reaches well over
90% test accuracy on them within seconds, which makes them a quick first sequence task.
"""
from teachnet.backend import array_module as am
from teachnet.backend.array_module import host as np


def load_data(test_split=0.2, seed=113):
    """The digits as ``(x_train, y_train), (x_test, y_test)``, images as sequences of rows.

    # Arguments
        test_split: the fraction of the (shuffled) digits kept for testing.
        seed: the shuffle, the same in every run.

    # Returns
        x_train, x_test: floatx arrays (samples, 8, 8) in [0, 1] (pixel / 16): sample i,
            timestep t, pixel j is row t, column j of image i.
        y_train, y_test: int64 labels 0 ... 9.
    """
    if not 0 <= test_split <= 1:
        raise ValueError(f"digits_sequences.load_data: test_split must be between 0 and 1, got {test_split}.")
    from sklearn.datasets import load_digits
    digits = load_digits()
    images = (np.asarray(digits.images) / 16.).astype(am.floatx())
    labels = np.asarray(digits.target, dtype=np.int64)
    order = np.random.RandomState(seed).permutation(len(labels))
    images, labels = images[order], labels[order]
    cut = int(len(labels) * (1 - test_split))
    return (images[:cut], labels[:cut]), (images[cut:], labels[cut:])
