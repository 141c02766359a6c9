"""The 8x8 handwritten digits that ship with scikit-learn: a real dataset that needs no network.

1,797 images of the digits 0-9, each 8 x 8 pixels with 17 grey levels (0..16), scanned
at UCI from forms filled in by 43 people. Small enough to train a convnet on in seconds,
real enough that the accuracy means something: the offline stand-in for MNIST.

``load_data`` returns them the way ``mnist.load_data`` returns MNIST, already shaped as
images for a convnet and scaled to [0, 1]:

    x: float32 (samples, 1, 8, 8)   channels first, as in the guide (or (samples, 8, 8, 1))
    y: int64   (samples,)           the digit shown, 0..9

# Example
    (x_train, y_train), (x_test, y_test) = digits.load_data()
    x_train.shape      # (1437, 1, 8, 8)
"""
from teachnet.backend import array_module as am
from teachnet.backend.image_format import normalize_data_format

#: The largest grey level in the scans: pixel / 16 lies in [0, 1].
MAX_LEVEL = 16.0


def load_data(test_split=0.2, seed=0, data_format=None):
    """The digits, shuffled with ``seed`` and split into training and test images.

    # Arguments
        test_split: the fraction of images kept for testing (0 < test_split < 1).
        seed: the seed of the shuffle, so that a split is the same on every run.
        data_format: 'channels_first' ((n, 1, 8, 8), the default unless changed globally)
            or 'channels_last' ((n, 8, 8, 1)); Keras 1's 'th' and 'tf' work too.

    # Returns
        ``(x_train, y_train), (x_test, y_test)``: float32 images in [0, 1], int64 labels.
    """
    if not 0 < test_split < 1:
        raise ValueError(f"test_split must lie strictly between 0 and 1, got {test_split!r}.")
    data_format = normalize_data_format(data_format)
    from sklearn.datasets import load_digits      # imported here: a slow import, needed only now
    bunch = load_digits()
    np = am.host
    images = (bunch.images / MAX_LEVEL).astype('float32')
    labels = bunch.target.astype('int64')
    order = np.random.default_rng(seed).permutation(len(labels))
    images, labels = images[order], labels[order]
    channel_axis = 1 if data_format == 'channels_first' else 3
    images = np.expand_dims(images, channel_axis)
    split_at = len(labels) - int(round(len(labels) * test_split))
    return (images[:split_at], labels[:split_at]), (images[split_at:], labels[split_at:])
