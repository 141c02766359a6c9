"""Datasets to learn on, returned as NumPy arrays ``(x_train, y_train), (x_test, y_test)``.

- ``digits``: scikit-learn's 8x8 handwritten digits, bundled, no network needed;
- ``mnist``: 28x28 handwritten digits, Keras's ``mnist.npz``;
- ``cifar10``: 32x32 colour photos in ten classes, the CIFAR-10 python archive;
- ``imdb``, ``reuters``: movie reviews (sentiment) and newswires (topics) as word ids;
- ``pydoc_text``: English text that ships with Python itself (character-level models);
- ``digits_sequences``: the 8x8 digits read row by row, as sequences for recurrent models.

``mnist``, ``cifar10``, ``imdb`` and ``reuters`` download their file once into the cache folder
(``TEACHNET_DATA_DIR``, else ``~/.teachnet``) and check its SHA-256; without a network
they raise ``DatasetUnavailable`` saying where to copy the file.
"""
from teachnet.datasets import cifar10, digits, digits_sequences, imdb, mnist, pydoc_text, reuters  # noqa: F401
from teachnet.utils.data_utils import DatasetUnavailable  # noqa: F401
