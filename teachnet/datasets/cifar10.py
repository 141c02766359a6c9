"""CIFAR-10: 60,000 colour photos, 32 x 32 pixels, in ten classes, in its published Python form.

Classes: 0 airplane, 1 automobile, 2 bird, 3 cat, 4 deer, 5 dog, 6 frog, 7 horse, 8 ship,
9 truck. The archive ``cifar-10-python.tar.gz`` (163 MB) holds, in the folder
``cifar-10-batches-py/``, six pickled batches of 10,000 images: ``data_batch_1`` ..
``data_batch_5`` for training and ``test_batch``. Each is a dict with

    b'data'    uint8 (10000, 3072): one image per row, the 1024 red pixels (row by row),
               then the 1024 green, then the 1024 blue;
    b'labels'  a list of 10000 class ids.

So ``row.reshape(3, 32, 32)`` is an image, channels first. The archive is downloaded once,
checked against its published SHA-256, and only then unpickled, by a restricted
Unpickler that can build nothing but arrays and plain containers (see ``safe_pickle``):
a pickle can run code, so a file from the internet is never unpickled on trust.
"""
import tarfile

from teachnet.backend import array_module as am
from teachnet.backend.image_format import normalize_data_format
from teachnet.datasets import safe_pickle
from teachnet.utils.data_utils import get_file

FILE_NAME = 'cifar-10-python.tar.gz'
ORIGIN = 'https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz'
#: The published SHA-256 of the archive (a test may replace it to check a small file).
EXPECTED_SHA256 = '6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce'
FOLDER = 'cifar-10-batches-py'
TRAIN_BATCHES = tuple(f'data_batch_{i}' for i in range(1, 6))
TEST_BATCH = 'test_batch'


def load_batch(archive, name):
    """One batch of the open tar ``archive``: images (n, 3, 32, 32) uint8, labels (n, 1) uint8."""
    member = f'{FOLDER}/{name}'
    try:
        handle = archive.extractfile(member)
    except KeyError:
        raise ValueError(f"{archive.name} is not the CIFAR-10 python archive: it has no {member}.") from None
    batch = safe_pickle.loads(handle.read())
    if not isinstance(batch, dict) or b'data' not in batch or b'labels' not in batch:
        raise ValueError(f"{member} in {archive.name} is not a CIFAR batch (a dict with b'data' and b'labels').")
    data = am.host.asarray(batch[b'data'], dtype='uint8')
    labels = am.host.asarray(batch[b'labels'], dtype='uint8')
    return data.reshape(len(data), 3, 32, 32), labels.reshape(len(labels), 1)


def load_data(data_format=None):
    """CIFAR-10 as ``(x_train, y_train), (x_test, y_test)``.

    # Arguments
        data_format: 'channels_first' (the default unless changed globally: images
            (n, 3, 32, 32), as Keras 1 gave them) or 'channels_last' ((n, 32, 32, 3)).

    # Returns
        uint8 images: 50,000 for training, 10,000 for testing; uint8 labels (n, 1).

    # Raises
        DatasetUnavailable: the archive is not cached and cannot be downloaded; the
            message gives the address and the full path to save it at.
    """
    data_format = normalize_data_format(data_format)
    path = get_file(FILE_NAME, origin=ORIGIN, file_hash=EXPECTED_SHA256)   # checked before unpickling
    with tarfile.open(path, 'r:gz') as archive:
        train = [load_batch(archive, name) for name in TRAIN_BATCHES]
        x_test, y_test = load_batch(archive, TEST_BATCH)
    x_train = am.host.concatenate([x for x, _ in train])
    y_train = am.host.concatenate([y for _, y in train])
    if data_format == 'channels_last':
        x_train, x_test = x_train.transpose(0, 2, 3, 1), x_test.transpose(0, 2, 3, 1)
    return (x_train, y_train), (x_test, y_test)
