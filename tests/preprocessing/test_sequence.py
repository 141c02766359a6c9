"""pad_sequences, skipgrams and make_sampling_table against expectations written out here."""
import math

import numpy as np
import pytest

from teachnet.preprocessing.sequence import make_sampling_table, pad_sequences, skipgrams

pytestmark = pytest.mark.backend_independent


def reference_pad(sequences, maxlen, padding, truncating, value, dtype='int32'):
    """Keras 1's documented rule, one sequence at a time."""
    out = []
    for s in sequences:
        s = list(s)
        kept = s[max(0, len(s) - maxlen):] if truncating == 'pre' else s[:maxlen]
        if maxlen == 0:
            kept = []
        fill = [value] * (maxlen - len(kept))
        out.append(fill + kept if padding == 'pre' else kept + fill)
    return np.array(out, dtype=dtype).reshape(len(sequences), maxlen)


def test_keras_documented_example():
    sequences = [[1, 2, 3], [4, 5], [6]]
    np.testing.assert_array_equal(pad_sequences(sequences), [[1, 2, 3], [0, 4, 5], [0, 0, 6]])
    np.testing.assert_array_equal(pad_sequences(sequences, padding='post'), [[1, 2, 3], [4, 5, 0], [6, 0, 0]])
    np.testing.assert_array_equal(pad_sequences(sequences, maxlen=2), [[2, 3], [4, 5], [0, 6]])
    np.testing.assert_array_equal(pad_sequences(sequences, maxlen=2, truncating='post'), [[1, 2], [4, 5], [0, 6]])
    np.testing.assert_array_equal(pad_sequences(sequences, maxlen=4, value=-1), [[-1, 1, 2, 3], [-1, -1, 4, 5],
                                                                                 [-1, -1, -1, 6]])
    assert pad_sequences(sequences).dtype == np.int32


@pytest.mark.parametrize('padding', ['pre', 'post'])
@pytest.mark.parametrize('truncating', ['pre', 'post'])
@pytest.mark.parametrize('maxlen', [0, 1, 3, 7, 12])
def test_random_sequences_against_loop(padding, truncating, maxlen):
    rng = np.random.default_rng(maxlen)
    sequences = [rng.integers(1, 50, size=rng.integers(0, 10)).tolist() for _ in range(25)]
    got = pad_sequences(sequences, maxlen=maxlen, padding=padding, truncating=truncating, value=-3)
    np.testing.assert_array_equal(got, reference_pad(sequences, maxlen, padding, truncating, -3))


def test_empty_sequences_and_empty_list():
    np.testing.assert_array_equal(pad_sequences([[], [5], []]), [[0], [5], [0]])
    assert pad_sequences([[], []]).shape == (2, 0)
    assert pad_sequences([]).shape == (0, 0)
    assert pad_sequences([], maxlen=4).shape == (0, 4)
    np.testing.assert_array_equal(pad_sequences([[], []], maxlen=2, value=7), [[7, 7], [7, 7]])


def test_float_dtype_and_arrays_as_input():
    got = pad_sequences([np.array([0.5, 1.5]), np.array([2.5])], dtype='float32', padding='post')
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, [[0.5, 1.5], [2.5, 0.]])
    np.testing.assert_array_equal(pad_sequences(np.array([[1, 2], [3, 4]]), maxlen=3), [[0, 1, 2], [0, 3, 4]])


def test_sequences_of_vectors():
    a = [[1, 1], [2, 2], [3, 3]]
    b = [[4, 4]]
    got = pad_sequences([a, [], b], maxlen=2, dtype='float32', value=0.5)
    assert got.shape == (3, 2, 2)
    np.testing.assert_array_equal(got[0], [[2, 2], [3, 3]])
    np.testing.assert_array_equal(got[1], [[0.5, 0.5], [0.5, 0.5]])
    np.testing.assert_array_equal(got[2], [[0.5, 0.5], [4, 4]])


@pytest.mark.parametrize('argument', ['padding', 'truncating'])
def test_bad_padding_or_truncating_named(argument):
    with pytest.raises(ValueError, match=f"{argument} must be 'pre' or 'post'.*'middle'"):
        pad_sequences([[1]], **{argument: 'middle'})
    with pytest.raises(ValueError, match=argument):              # even when nothing needs it
        pad_sequences([], **{argument: 'both'})


def test_bad_inputs_are_explained():
    with pytest.raises(ValueError, match='list of sequences'):
        pad_sequences(5)
    with pytest.raises(ValueError, match='item 1'):
        pad_sequences([[1, 2], 3])
    with pytest.raises(ValueError, match='same shape'):
        pad_sequences([[[1, 2]], [[1, 2, 3]]])


# ----------------------------------------------------------------------------- sampling table

def test_sampling_table_follows_word2vec_and_zipf():
    size, factor = 200, 1e-3
    table = make_sampling_table(size, sampling_factor=factor)
    assert table.shape == (size,)
    for rank in (1, 2, 10, 199):
        frequency = 1. / (rank * (math.log(rank) + 0.577) + 0.5 - 1. / (12 * rank))
        assert table[rank] == pytest.approx(min(1., math.sqrt(factor / frequency)))
    assert table[0] == table[1]
    assert np.all(np.diff(table) >= 0) and table.max() <= 1
    assert make_sampling_table(10 ** 6, 1e-5)[-1] == 1.0           # rare words always kept


# ----------------------------------------------------------------------------- skipgrams

def reference_true_pairs(sequence, window):
    pairs = []
    for i, wi in enumerate(sequence):
        if not wi:
            continue
        for j in range(max(0, i - window), min(len(sequence), i + window + 1)):
            if j != i and sequence[j]:
                pairs.append([wi, sequence[j]])
    return pairs


def test_skipgram_true_pairs_in_order():
    sequence = [3, 1, 0, 4, 2, 5, 0, 0, 7]
    couples, labels = skipgrams(sequence, 10, window_size=2, negative_samples=0, shuffle=False)
    assert couples == reference_true_pairs(sequence, 2)
    assert labels == [1] * len(couples)
    couples, labels = skipgrams([1, 2], 5, window_size=1, negative_samples=0, shuffle=False, categorical=True)
    assert couples == [[1, 2], [2, 1]] and labels == [[0, 1], [0, 1]]


def test_skipgram_negative_samples():
    sequence = list(range(1, 21))
    couples, labels = skipgrams(sequence, 30, window_size=3, negative_samples=2., shuffle=False, seed=0)
    true_pairs = reference_true_pairs(sequence, 3)
    n = len(true_pairs)
    assert couples[:n] == true_pairs and labels[:n] == [1] * n
    negatives = np.array(couples[n:])
    assert len(negatives) == 2 * n and labels[n:] == [0] * (2 * n)
    assert set(negatives[:, 0]) <= set(sequence)
    assert negatives[:, 1].min() >= 1 and negatives[:, 1].max() <= 29
    # each centre word is used as often in the negatives as in the true pairs (twice over)
    centres, counts = np.unique(np.array(true_pairs)[:, 0], return_counts=True)
    neg_centres, neg_counts = np.unique(negatives[:, 0], return_counts=True)
    np.testing.assert_array_equal(centres, neg_centres)
    np.testing.assert_array_equal(neg_counts, 2 * counts)


def test_skipgram_shuffle_keeps_pairs_with_labels_and_seed_repeats():
    sequence = [4, 8, 15, 16, 23, 42]
    plain = skipgrams(sequence, 50, window_size=2, shuffle=False, seed=3)
    shuffled = skipgrams(sequence, 50, window_size=2, shuffle=True, seed=3)
    assert sorted(zip(map(tuple, plain[0]), plain[1])) == sorted(zip(map(tuple, shuffled[0]), shuffled[1]))
    assert shuffled[0] != plain[0]
    assert skipgrams(sequence, 50, seed=9) == skipgrams(sequence, 50, seed=9)


def test_skipgram_sampling_table_and_empty_input():
    sequence = [1, 2, 3, 4]
    never = np.zeros(10)
    assert skipgrams(sequence, 10, sampling_table=never, seed=0) == ([], [])
    always = np.ones(10)
    couples, _ = skipgrams(sequence, 10, window_size=1, negative_samples=0, shuffle=False, sampling_table=always)
    assert couples == reference_true_pairs(sequence, 1)
    assert skipgrams([], 10) == ([], [])
    assert skipgrams([0, 0, 0], 10) == ([], [])
