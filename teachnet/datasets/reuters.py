"""Reuters newswires: 11,228 short news stories, each labelled with one of 46 topics.

The stories are lists of word indices, words ranked by frequency, prepared exactly as
the IMDB reviews are (see ``teachnet.datasets.imdb``: 0 padding, 1 start, 2 out of
vocabulary, words from index_from + 1 on). The file holds one list of stories and one of
topics; ``test_split`` decides where the shuffled list is cut into training and test.

The file is Keras's own ``reuters.npz``; like imdb.npz it holds pickled lists, so it is
unpickled only after its SHA-256 equals ``REUTERS_SHA256``, and then by a restricted
unpickler that can build arrays and lists but call no other function.

# Example (the classic MLP on word counts)
    (x_train, y_train), (x_test, y_test) = reuters.load_data(nb_words=1000)
    x_train = Tokenizer(nb_words=1000).sequences_to_matrix(x_train, mode='binary')
"""
import json

from teachnet.backend.array_module import host as np
from teachnet.datasets.imdb import (ORIGIN_FOLDER, as_object_array, flatten, keep_shorter_than,
                                    limit_vocabulary, load_checked_npz, shift_and_start, vocabulary_size)
from teachnet.utils.data_utils import get_file

#: SHA-256 of Keras's reuters.npz; the file is unpickled only when its digest is this one.
REUTERS_SHA256 = 'd6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916'
#: digest of Keras's reuters_word_index.json (Keras publishes its MD5; JSON needs no unpickling).
REUTERS_WORD_INDEX_HASH = '4d44cc38712099c9e383dc6e5f11a921'


def load_data(path='reuters.npz', nb_words=None, skip_top=0, maxlen=None, test_split=0.2, seed=113,
              start_char=1, oov_char=2, index_from=3, num_words=None):
    """Load the Reuters newswires as ``(x_train, y_train), (x_test, y_test)``.

    # Arguments
        path: the file's name in the cache folder (``$TEACHNET_DATA_DIR/datasets``).
        nb_words / num_words, skip_top, start_char, oov_char, index_from: as in
            ``teachnet.datasets.imdb.load_data``.
        maxlen: keep only the stories shorter than maxlen (counting start_char).
        test_split: the fraction of the (shuffled, filtered) stories kept for testing.
        seed: shuffles stories and topics together, the same way in every run.

    # Returns
        x_train, x_test: 1-D object arrays of lists of ints; y_train, y_test: topic ids 0 ... 45.

    # Raises
        DatasetUnavailable (an OSError): the file is not cached and cannot be downloaded;
            the message says where to put it. ValueError: maxlen leaves no story, or
            test_split is outside [0, 1].
    """
    if not 0 <= test_split <= 1:
        raise ValueError(f"reuters.load_data: test_split must be between 0 and 1, got {test_split}.")
    xs, labels = load_checked_npz(path, ORIGIN_FOLDER + 'reuters.npz', REUTERS_SHA256, ('x', 'y'))
    order = np.arange(len(xs))
    np.random.RandomState(seed).shuffle(order)
    words, lengths = shift_and_start(*flatten(xs[order]), start_char, index_from)
    words, lengths, labels = keep_shorter_than(words, lengths, np.asarray(labels)[order], maxlen, 'Reuters')
    limit = vocabulary_size(nb_words, num_words, words)
    words, lengths = limit_vocabulary(words, lengths, limit, skip_top, oov_char)
    x = as_object_array(words, lengths)
    cut = int(len(x) * (1 - test_split))
    return (x[:cut], labels[:cut]), (x[cut:], labels[cut:])


def get_word_index(path='reuters_word_index.json'):
    """The dictionary word -> rank (1 = most frequent) of the Reuters corpus.

    A word of rank r appears in ``load_data``'s sequences as r + index_from (default 3).
    """
    path = get_file(path, origin=ORIGIN_FOLDER + 'reuters_word_index.json', file_hash=REUTERS_WORD_INDEX_HASH)
    with open(path, encoding='utf-8') as handle:
        return json.load(handle)
