"""MNIST: 70,000 handwritten digits, 28 x 28 grey pixels, in the file Keras publishes.

The file ``mnist.npz`` is a NumPy archive of four arrays:

    x_train uint8 (60000, 28, 28)    y_train uint8 (60000,)
    x_test  uint8 (10000, 28, 28)    y_test  uint8 (10000,)

It is downloaded once (11 MB) into the cache folder and checked against its published
SHA-256 before use (see ``teachnet.utils.data_utils.get_file``). Without a network, the
error message says where to copy the file. Pixels are returned as they are stored
(0..255); scale them with ``x / 255.`` as the Keras examples do.
"""
from teachnet.backend import array_module as am
from teachnet.utils.data_utils import get_file

ORIGIN = 'https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz'
#: The published SHA-256 of mnist.npz (a test may replace it to check a small file).
EXPECTED_SHA256 = '731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1'
KEYS = ('x_train', 'y_train', 'x_test', 'y_test')


def load_data(path='mnist.npz'):
    """The MNIST digits as ``(x_train, y_train), (x_test, y_test)``.

    # Arguments
        path: the file's name inside the cache folder's 'datasets' subfolder.

    # Returns
        uint8 images (n, 28, 28) and uint8 labels (n,).

    # Raises
        DatasetUnavailable: the file is not cached and cannot be downloaded; the
            message gives the address and the full path to save it at.
    """
    local = get_file(path, origin=ORIGIN, file_hash=EXPECTED_SHA256)
    with am.host.load(local, allow_pickle=False) as archive:
        missing = [key for key in KEYS if key not in archive.files]
        if missing:
            raise ValueError(f"{local} is not an MNIST archive: it lacks {', '.join(missing)} "
                             f"(it holds {', '.join(archive.files) or 'nothing'}).")
        x_train, y_train, x_test, y_test = (archive[key] for key in KEYS)
    return (x_train, y_train), (x_test, y_test)
