"""IMDB movie reviews: 25,000 to train on, 25,000 to test on, each labelled 1 (positive) or 0.

Every review is already a list of word indices, the words ranked by how often they occur
in the whole corpus (index 1 is the most frequent word, "the"). ``load_data`` shifts them
so that three indices stay free::

    0  padding (what pad_sequences fills with)
    1  start_char: marks the start of every review
    2  oov_char: stands for a word cut by nb_words or skip_top
    3+ the words: the word of rank r becomes r + index_from, so 'the' (rank 1) is 4

Because indices are ranks, "the 10,000 most frequent words" is simply "indices below
10,000" (``nb_words=10000``), and "without the 20 most frequent" is ``skip_top=20``.

The file is Keras's own ``imdb.npz`` (downloaded once into the cache, see
``teachnet.utils.data_utils.get_file``). Its sequences are stored as pickled Python lists,
and unpickling a file can run code hidden in it. So it is unpickled only after its SHA-256
equals ``IMDB_SHA256``, the digest of the file Keras publishes, and then only by the
restricted unpickler of ``teachnet.datasets.safe_pickle``, which can build NumPy arrays and
lists of numbers but call no other function (the safety of ``allow_pickle=True`` without
its risk).

The same preparation serves ``teachnet.datasets.reuters``; it works on all the words of
all the reviews at once, as one flat array plus the length of each review.
"""
import io
import itertools
import json
import zipfile

from teachnet.backend.array_module import host as np
from teachnet.datasets import safe_pickle
from teachnet.utils.data_utils import DatasetUnavailable, get_file, sha256_of

ORIGIN_FOLDER = 'https://storage.googleapis.com/tensorflow/tf-keras-datasets/'
#: SHA-256 of Keras's imdb.npz; the file is unpickled only when its digest is this one.
IMDB_SHA256 = '69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f'
#: digest of Keras's imdb_word_index.json (Keras publishes its MD5; JSON needs no unpickling).
IMDB_WORD_INDEX_HASH = 'bfafd718b763782e994055a2d397834f'


# ----------------------------------------------------------------------------- shared steps

def read_npy(handle):
    """One array from an open .npy stream; object arrays through the restricted unpickler.

    A numeric array is read with pickling switched off. An object array is stored as a
    pickle after the .npy header; it is rebuilt by ``safe_pickle``, which may only call
    NumPy's array builders, never any other function a tampered file might name.
    """
    version = np.lib.format.read_magic(handle)
    read_header = np.lib.format.read_array_header_1_0 if version[0] == 1 else np.lib.format.read_array_header_2_0
    shape, fortran_order, dtype = read_header(handle)
    if not dtype.hasobject:
        handle.seek(0)
        return np.lib.format.read_array(handle, allow_pickle=False)
    array = safe_pickle.loads(handle.read(), encoding='latin1')
    if not isinstance(array, np.ndarray) or array.shape != tuple(shape):
        raise ValueError(f"An object array of shape {shape} was expected in the dataset file.")
    return array


def load_checked_npz(fname, origin, sha256, keys):
    """Fetch ``fname`` and read ``keys`` from it, if and only if its SHA-256 is ``sha256``.

    Two locks: the digest must be the published one (the bytes are the ones Keras
    released), and the pickled object arrays are rebuilt by a restricted unpickler.
    """
    path = get_file(fname, origin=origin, file_hash=sha256)
    digest = sha256_of(path)
    if sha256 is None or digest != str(sha256).lower():
        raise DatasetUnavailable(f"{path} has SHA-256 {digest}, not the published {sha256}; it holds pickled "
                                 "objects, so it is not opened. Delete it and load again to download a fresh "
                                 "copy.", path, origin)
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        missing = [key for key in keys if key + '.npy' not in names]
        if missing:
            raise ValueError(f"{path} lacks the array(s) {', '.join(missing)}.")
        arrays = []
        for key in keys:
            with archive.open(key + '.npy') as member:
                arrays.append(read_npy(io.BytesIO(member.read())))
    return arrays


def flatten(sequences):
    """A list of sequences -> (all their elements in one int64 array, the length of each)."""
    lengths = np.fromiter(map(len, sequences), dtype=np.int64, count=len(sequences))
    words = np.fromiter(itertools.chain.from_iterable(sequences), dtype=np.int64, count=int(lengths.sum()))
    return words, lengths


def shift_and_start(words, lengths, start_char, index_from):
    """Add ``index_from`` to every word and put ``start_char`` before every sequence."""
    words = words + index_from
    if start_char is None:
        return words, lengths
    starts = np.cumsum(lengths) - lengths
    return np.insert(words, starts, start_char), lengths + 1


def keep_shorter_than(words, lengths, labels, maxlen, what):
    """Keep the sequences shorter than ``maxlen`` (len < maxlen, start_char included)."""
    if not maxlen:
        return words, lengths, labels
    keep = lengths < maxlen
    if not keep.any():
        raise ValueError(f"After keeping the {what} sequences shorter than maxlen={maxlen}, none is left. "
                         "Increase maxlen.")
    return words[np.repeat(keep, lengths)], lengths[keep], labels[keep]


def limit_vocabulary(words, lengths, nb_words, skip_top, oov_char):
    """Indices outside skip_top <= w < nb_words become ``oov_char`` (or are dropped if None)."""
    kept = (words >= skip_top) & (words < nb_words)
    if oov_char is not None:
        return np.where(kept, words, oov_char), lengths
    rows = np.repeat(np.arange(len(lengths)), lengths)
    return words[kept], np.bincount(rows[kept], minlength=len(lengths)).astype(np.int64)


def as_object_array(words, lengths):
    """(flat words, lengths) -> a 1-D object array whose items are lists of ints, as in Keras."""
    pieces = np.split(words, np.cumsum(lengths)[:-1]) if len(lengths) else []
    result = np.empty(len(lengths), dtype=object)
    for i, piece in enumerate(pieces):
        result[i] = piece.tolist()
    return result


def vocabulary_size(nb_words, num_words, *word_arrays):
    """The Keras 1 and 2 spellings reconciled; None means every index is kept."""
    if nb_words is not None and num_words is not None and nb_words != num_words:
        raise ValueError(f"load_data got nb_words={nb_words} and num_words={num_words}: give one of them.")
    limit = nb_words if nb_words is not None else num_words
    if limit:
        return limit
    return 1 + max((int(words.max()) for words in word_arrays if len(words)), default=0)


# ----------------------------------------------------------------------------- IMDB

def load_data(path='imdb.npz', nb_words=None, skip_top=0, maxlen=None, seed=113, start_char=1,
              oov_char=2, index_from=3, num_words=None):
    """Load the IMDB reviews as ``(x_train, y_train), (x_test, y_test)``.

    # Arguments
        path: the file's name in the cache folder (``$TEACHNET_DATA_DIR/datasets``).
        nb_words: keep the indices below nb_words (the most frequent words); others become
            oov_char. ``num_words`` is the Keras 2 name. None keeps every word.
        skip_top: indices below skip_top (the most frequent words) also become oov_char.
        maxlen: keep only the reviews shorter than maxlen (counting start_char).
        seed: shuffles train and test, each with its labels, the same way in every run
            (one RandomState(seed): the training permutation first, then the test one).
        start_char: put before every review (None: nothing).
        oov_char: replaces words cut by nb_words / skip_top (None: they are dropped).
        index_from: added to every word index (the word of rank 1 becomes index_from + 1).

    # Returns
        x_train, x_test: 1-D object arrays of lists of ints; y_train, y_test: int arrays.

    # Raises
        DatasetUnavailable (an OSError): the file is not cached and cannot be downloaded;
            the message says where to put it. ValueError: maxlen leaves no review.

    Two details differ from Keras 1.2.2, where they were mistakes: without nb_words every
    word is kept (Keras turned the highest index into oov_char), and with oov_char=None the
    cut words are dropped (Keras 1 kept only them). The maxlen filter is applied to train and
    test separately, as Keras 2 does.
    """
    x_train, y_train, x_test, y_test = load_checked_npz(path, ORIGIN_FOLDER + 'imdb.npz', IMDB_SHA256,
                                                         ('x_train', 'y_train', 'x_test', 'y_test'))
    rng = np.random.RandomState(seed)
    splits = []
    for x, y, what in ((x_train, y_train, 'training'), (x_test, y_test, 'test')):
        order = np.arange(len(x))
        rng.shuffle(order)
        words, lengths = shift_and_start(*flatten(x[order]), start_char, index_from)
        splits.append(keep_shorter_than(words, lengths, np.asarray(y)[order], maxlen, what))
    limit = vocabulary_size(nb_words, num_words, splits[0][0], splits[1][0])
    result = []
    for words, lengths, labels in splits:
        words, lengths = limit_vocabulary(words, lengths, limit, skip_top, oov_char)
        result.append((as_object_array(words, lengths), labels))
    return tuple(result)


def get_word_index(path='imdb_word_index.json'):
    """The dictionary word -> rank (1 = most frequent) of the IMDB corpus.

    A word of rank r appears in ``load_data``'s sequences as r + index_from (default 3):
    invert the dictionary and shift it by index_from to read a review back as text.
    """
    path = get_file(path, origin=ORIGIN_FOLDER + 'imdb_word_index.json', file_hash=IMDB_WORD_INDEX_HASH)
    with open(path, encoding='utf-8') as handle:
        return json.load(handle)
