"""Sequences of different lengths, made into one rectangular array; word pairs for word2vec.

A batch fed to a model is one array, so every sequence in it must have the same length.
Reviews, newswires and sentences do not: ``pad_sequences`` cuts the long ones and fills
the short ones with a padding value (0, the index no word uses)::

    pad_sequences([[1, 2, 3], [4, 5], [6]], maxlen=2)
    -> [[2, 3],          # cut at the front ('pre'): the end of a text is kept
        [4, 5],
        [0, 6]]          # filled at the front ('pre'): the real words sit next to the output

``skipgrams`` turns a sequence of word indices into (word, context) pairs labelled 1 and
(word, random word) pairs labelled 0: the training data of a skip-gram word2vec model.
``make_sampling_table`` gives the probability of keeping each word when building them, so
that very frequent words (the, of, and) do not swamp the pairs.

Everything here works on host NumPy arrays, before the data reaches a model.
"""
from teachnet.backend.array_module import host as np

_SIDES = ('pre', 'post')


def _check_side(name, value):
    if value not in _SIDES:
        raise ValueError(f"pad_sequences: {name} must be 'pre' or 'post', got {value!r}.")


def pad_sequences(sequences, maxlen=None, dtype='int32', padding='pre', truncating='pre', value=0.):
    """Cut and pad a list of sequences into one array of shape (nb_samples, maxlen).

    # Arguments
        sequences: a list of sequences; each sequence is a list (or array) of numbers, or
            of equally shaped vectors (then the result has shape (nb_samples, maxlen) + vector shape).
        maxlen: the length of every output row; default: the longest sequence.
        dtype: of the result ('int32' for word indices; 'float32' for vectors).
        padding: 'pre' fills at the front, 'post' at the back.
        truncating: 'pre' drops the first elements of a too long sequence, 'post' the last.
        value: the filling value.

    # Returns
        An array x with x[i] = sequence i, cut to at most maxlen elements, then padded.
        An empty sequence gives a row of ``value``.

    # How it is computed
        Every element of every sequence gets a row i (its sequence), a position j in its
        sequence and the sequence's length L. With kept = min(L, maxlen), the element stays
        when j >= L - kept ('pre') or j < kept ('post'); its column is its position among
        the kept ones, shifted by maxlen - kept when padding is 'pre'. One fancy-indexed
        assignment x[rows, columns] = elements then fills the whole array.
    """
    _check_side('padding', padding)
    _check_side('truncating', truncating)
    if not hasattr(sequences, '__len__'):
        raise ValueError(f"pad_sequences expects a list of sequences, got {type(sequences).__name__}.")
    arrays = []
    for index, sequence in enumerate(sequences):
        if not hasattr(sequence, '__len__'):
            raise ValueError(f"pad_sequences expects a list of sequences, but item {index} is "
                             f"{sequence!r}, which is not a sequence.")
        arrays.append(np.asarray(sequence))
    lengths = np.array([len(array) for array in arrays], dtype=np.int64)
    non_empty = [array for array in arrays if len(array)]
    sample_shape = non_empty[0].shape[1:] if non_empty else ()
    for index, array in enumerate(arrays):
        if len(array) and array.shape[1:] != sample_shape:
            raise ValueError(f"pad_sequences: every element must have the same shape; sequence {index} "
                             f"holds elements of shape {array.shape[1:]}, the first non-empty one "
                             f"{sample_shape}.")
    if maxlen is None:
        maxlen = int(lengths.max()) if len(lengths) else 0
    if maxlen < 0:
        raise ValueError(f"pad_sequences: maxlen must be at least 0, got {maxlen}.")
    padded = np.full((len(arrays), maxlen) + sample_shape, value, dtype=dtype)
    if not non_empty or maxlen == 0:
        return padded

    elements = np.concatenate(non_empty, axis=0)
    rows = np.repeat(np.arange(len(arrays)), lengths)
    starts = np.cumsum(lengths) - lengths
    position = np.arange(len(elements)) - starts[rows]          # j: place in its own sequence
    kept = np.minimum(lengths, maxlen)[rows]
    if truncating == 'pre':
        keep = position >= lengths[rows] - kept
        position = position - (lengths[rows] - kept)
    else:
        keep = position < kept
    columns = position + (maxlen - kept if padding == 'pre' else 0)
    padded[rows[keep], columns[keep]] = elements[keep]
    return padded


def make_sampling_table(size, sampling_factor=1e-5):
    """The probability of keeping each word, for words ranked by frequency (0 = most frequent).

    word2vec keeps a word of frequency f with probability p = min(1, sqrt(sampling_factor / f)),
    so rare words always stay and frequent ones are thinned out. The frequencies are not
    counted here: word ranks follow Zipf's law, under which the word of rank r has
    frequency about 1 / (r (ln r + γ) + 1/2 - 1/(12 r)), γ = 0.577 (Euler's constant).

    # Arguments
        size: the vocabulary size; entry i is for the word of rank i (rank 0 counts as 1).
        sampling_factor: the word2vec sampling factor (1e-5 in the paper).

    # Returns
        A float array p of shape (size,), p[i] = probability of keeping word i.
    """
    gamma = 0.577
    rank = np.arange(size, dtype=np.float64)
    rank[0] = 1
    inverse_frequency = rank * (np.log(rank) + gamma) + 0.5 - 1. / (12. * rank)
    return np.minimum(1., np.sqrt(sampling_factor * inverse_frequency))


def skipgrams(sequence, vocabulary_size, window_size=4, negative_samples=1., shuffle=True,
              categorical=False, sampling_table=None, seed=None):
    """Skip-gram pairs: (word, neighbour) labelled 1 and (word, random word) labelled 0.

    # Arguments
        sequence: word indices (ranked by frequency; 0 means "no word" and is skipped).
        vocabulary_size: random words are drawn from 1 ... vocabulary_size - 1.
        window_size: a neighbour is at most this many places away.
        negative_samples: how many random pairs per true pair (0 for none).
        shuffle: shuffle the pairs (and their labels with them).
        categorical: labels as [0, 1] (true) / [1, 0] (random) instead of 1 / 0.
        sampling_table: from ``make_sampling_table``; word w is used as the centre word
            with probability sampling_table[w].
        seed: for the draws and the shuffle.

    # Returns
        couples, labels: a list of [word, context] pairs and a list of their labels.
        Unshuffled, the true pairs come first, centre by centre, neighbours left to right.
    """
    rng = np.random.default_rng(seed)
    words = np.asarray(sequence, dtype=np.int64).reshape(-1)
    centre = np.arange(len(words))
    use_centre = words != 0
    if sampling_table is not None:
        use_centre &= rng.random(len(words)) < np.asarray(sampling_table)[words]
    offsets = np.concatenate([np.arange(-window_size, 0), np.arange(1, window_size + 1)])
    neighbour = centre[:, None] + offsets[None, :]                 # (positions, 2 * window)
    inside = (neighbour >= 0) & (neighbour < len(words))
    valid = inside & use_centre[:, None]
    valid[inside] &= words[neighbour[inside]] != 0
    first = np.broadcast_to(words[:, None], neighbour.shape)[valid]
    second = words[neighbour[valid]]
    couples = np.stack([first, second], axis=1)
    labels = np.ones(len(couples), dtype=np.int64)

    nb_negative = int(len(couples) * negative_samples) if len(couples) else 0
    if nb_negative > 0:
        shuffled_words = rng.permutation(first)
        negative = np.stack([shuffled_words[np.arange(nb_negative) % len(shuffled_words)],
                             rng.integers(1, vocabulary_size, size=nb_negative)], axis=1)
        couples = np.concatenate([couples, negative])
        labels = np.concatenate([labels, np.zeros(nb_negative, dtype=np.int64)])
    if shuffle:
        order = rng.permutation(len(couples))
        couples, labels = couples[order], labels[order]
    if categorical:
        labels = np.stack([1 - labels, labels], axis=1)
    return couples.tolist(), labels.tolist()
