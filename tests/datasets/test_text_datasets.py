"""imdb and reuters on tiny files of Keras's format; the pydoc text and the digit sequences.

The tiny files live in a temporary cache folder (TEACHNET_DATA_DIR) and the published
digests are replaced by theirs; ``urllib.request.urlopen`` is replaced by a function that
fails, so no test can reach the network.
"""
import collections
import hashlib
import json
import pickle
import urllib.request

import numpy as np
import pytest

from teachnet.datasets import digits_sequences, imdb, pydoc_text, reuters
from teachnet.utils.data_utils import DatasetUnavailable

pytestmark = pytest.mark.backend_independent


def object_array(sequences):
    array = np.empty(len(sequences), dtype=object)
    for i, sequence in enumerate(sequences):
        array[i] = list(sequence)
    return array


def random_sequences(rng, count, vocabulary=12):
    return [rng.integers(1, vocabulary + 1, size=rng.integers(1, 7)).tolist() for _ in range(count)]


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError('the tests never use the network')
    monkeypatch.setattr(urllib.request, 'urlopen', refuse)


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv('TEACHNET_DATA_DIR', str(tmp_path))
    folder = tmp_path / 'datasets'
    folder.mkdir()
    return folder


def publish(folder, name, module, constant, monkeypatch, **arrays):
    """Write ``name`` as an npz and make its SHA-256 the published one."""
    np.savez(folder / name, **arrays)
    digest = hashlib.sha256((folder / name).read_bytes()).hexdigest()
    monkeypatch.setattr(module, constant, digest)


@pytest.fixture
def imdb_file(cache, monkeypatch):
    rng = np.random.default_rng(0)
    train, test = random_sequences(rng, 9), random_sequences(rng, 6)
    # a label tells which sequence it belongs to, so the shuffle can be checked for pairing
    publish(cache, 'imdb.npz', imdb, 'IMDB_SHA256', monkeypatch,
            x_train=object_array(train), y_train=np.arange(9), x_test=object_array(test), y_test=np.arange(6))
    return train, test


def expected_split(sequences, labels, *, start_char=1, index_from=3, maxlen=None):
    """Keras's preparation for one split, after the shuffle, written as plain loops."""
    out = []
    for label in labels:
        words = ([start_char] if start_char is not None else []) + [w + index_from for w in sequences[label]]
        if not maxlen or len(words) < maxlen:
            out.append((words, label))
    return out


def cut(pairs, limit, skip_top=0, oov_char=2):
    if oov_char is None:
        return [[w for w in words if skip_top <= w < limit] for words, _ in pairs]
    return [[w if skip_top <= w < limit else oov_char for w in words] for words, _ in pairs]


def test_imdb_defaults_keep_every_word_and_pair_labels(imdb_file):
    train, test = imdb_file
    (x_train, y_train), (x_test, y_test) = imdb.load_data()
    assert x_train.dtype == object and len(x_train) == 9 and len(x_test) == 6
    for x, y, source in ((x_train, y_train, train), (x_test, y_test, test)):
        assert sorted(y.tolist()) == list(range(len(source)))
        for words, label in zip(x, y):
            assert isinstance(words, list)
            assert words == [1] + [w + 3 for w in source[label]]


def test_imdb_seed_shuffles_the_same_way_for_x_and_y(imdb_file):
    train, _ = imdb_file
    first = imdb.load_data(seed=113)
    assert first[0][1].tolist() == imdb.load_data(seed=113)[0][1].tolist()
    other = imdb.load_data(seed=7)
    assert other[0][1].tolist() != first[0][1].tolist()
    order = np.arange(9)
    np.random.RandomState(7).shuffle(order)                  # Keras 2's shuffle of the training set
    assert other[0][1].tolist() == order.tolist()
    assert all(words[1:] == [w + 3 for w in train[label]] for words, label in zip(*other[0]))


@pytest.mark.parametrize('options', [
    dict(nb_words=8), dict(num_words=8), dict(nb_words=10, skip_top=5), dict(nb_words=9, oov_char=None),
    dict(skip_top=6, oov_char=7), dict(start_char=None), dict(start_char=None, index_from=0),
    dict(index_from=10, start_char=4), dict(maxlen=5), dict(maxlen=4, nb_words=9, skip_top=4),
])
def test_imdb_options_follow_keras(imdb_file, options):
    train, test = imdb_file
    (x_train, y_train), (x_test, y_test) = imdb.load_data(**options)
    prepare = dict(start_char=options.get('start_char', 1), index_from=options.get('index_from', 3),
                   maxlen=options.get('maxlen'))
    pairs_train = expected_split(train, y_train, **prepare)
    pairs_test = expected_split(test, y_test, **prepare)
    assert [label for _, label in pairs_train] == y_train.tolist()      # the filter keeps these
    assert [label for _, label in pairs_test] == y_test.tolist()
    all_words = [w for words, _ in pairs_train + pairs_test for w in words]
    limit = options.get('nb_words') or options.get('num_words') or max(all_words) + 1
    oov = dict(skip_top=options.get('skip_top', 0), oov_char=options.get('oov_char', 2))
    assert list(x_train) == cut(pairs_train, limit, **oov)
    assert list(x_test) == cut(pairs_test, limit, **oov)


def test_imdb_maxlen_that_keeps_nothing_and_conflicting_names(imdb_file):
    with pytest.raises(ValueError, match='maxlen=2'):
        imdb.load_data(maxlen=2)
    with pytest.raises(ValueError, match='nb_words=5 and num_words=6'):
        imdb.load_data(nb_words=5, num_words=6)


def test_missing_file_offline_says_where_to_put_it(cache):
    with pytest.raises(DatasetUnavailable) as error:
        imdb.load_data()
    assert str(cache / 'imdb.npz') in str(error.value) and 'imdb.npz' in error.value.origin
    assert isinstance(error.value, OSError)
    with pytest.raises(DatasetUnavailable, match='reuters.npz'):
        reuters.load_data()


def test_a_file_with_another_digest_is_never_unpickled(imdb_file, monkeypatch):
    monkeypatch.setattr(imdb, 'IMDB_SHA256', '0' * 64)
    monkeypatch.setattr(imdb.safe_pickle, 'loads', lambda *a, **k: pytest.fail('unpickled a file'))
    with pytest.raises(DatasetUnavailable):
        imdb.load_data()


def test_object_arrays_go_through_the_restricted_unpickler(cache, monkeypatch):
    hostile = object_array([[1]])
    hostile[0] = collections.OrderedDict()                  # a class the loader must refuse to build
    publish(cache, 'imdb.npz', imdb, 'IMDB_SHA256', monkeypatch, x_train=hostile, y_train=np.arange(1),
            x_test=hostile, y_test=np.arange(1))
    with pytest.raises(pickle.UnpicklingError, match='collections.OrderedDict'):
        imdb.load_data()


@pytest.mark.parametrize('test_split', [0.2, 0.5, 0.])
def test_reuters_split_shuffle_and_options(cache, monkeypatch, test_split):
    rng = np.random.default_rng(1)
    stories = random_sequences(rng, 10, vocabulary=20)
    publish(cache, 'reuters.npz', reuters, 'REUTERS_SHA256', monkeypatch,
            x=object_array(stories), y=np.arange(10))
    (x_train, y_train), (x_test, y_test) = reuters.load_data(test_split=test_split, seed=5)
    order = np.arange(10)
    np.random.RandomState(5).shuffle(order)
    boundary = int(10 * (1 - test_split))
    assert y_train.tolist() == order[:boundary].tolist() and y_test.tolist() == order[boundary:].tolist()
    for words, label in zip(list(x_train) + list(x_test), y_train.tolist() + y_test.tolist()):
        assert words == [1] + [w + 3 for w in stories[label]]

    (x_train, y_train), (x_test, y_test) = reuters.load_data(nb_words=12, skip_top=5, maxlen=5, test_split=test_split)
    pairs = expected_split(stories, np.concatenate([y_train, y_test]), maxlen=5)
    assert list(x_train) + list(x_test) == cut(pairs, 12, skip_top=5)
    assert len(x_train) == int(len(pairs) * (1 - test_split))
    with pytest.raises(ValueError, match='test_split'):
        reuters.load_data(test_split=1.5)


@pytest.mark.parametrize('module, name, constant', [
    (imdb, 'imdb_word_index.json', 'IMDB_WORD_INDEX_HASH'),
    (reuters, 'reuters_word_index.json', 'REUTERS_WORD_INDEX_HASH'),
])
def test_word_index(cache, monkeypatch, module, name, constant):
    words = {'the': 1, 'and': 2, 'café': 3}
    (cache / name).write_text(json.dumps(words), encoding='utf-8')
    monkeypatch.setattr(module, constant, hashlib.md5((cache / name).read_bytes()).hexdigest())
    assert module.get_word_index() == words


# ----------------------------------------------------------------------------- offline data

def test_pydoc_text_is_sorted_topics_joined():
    from pydoc_data.topics import topics
    text = pydoc_text.load_text(lower=False)
    assert text == '\n\n'.join(topics[name] for name in sorted(topics))
    assert pydoc_text.load_text() == text.lower()
    assert len(text) > 100000 and 'The "for" statement' in text


def test_pydoc_documents_cover_the_pages():
    from pydoc_data.topics import topics
    texts, labels = pydoc_text.load_documents(words_per_document=25)
    assert len(texts) == len(labels) and labels == sorted(labels)
    assert all(len(t.split()) <= 25 for t in texts)
    rebuilt = ' '.join(t for t, label in zip(texts, labels) if label == 'try')
    assert rebuilt == ' '.join(topics['try'].lower().split())


def test_character_windows_decode_to_the_text():
    maxlen, step = 10, 7
    x, y, chars, char_indices = pydoc_text.load_character_data(maxlen=maxlen, step=step, max_chars=3000)
    text = pydoc_text.load_text()[:3000]
    starts = list(range(0, len(text) - maxlen, step))
    assert x.shape == (len(starts), maxlen, len(chars)) and y.shape == (len(starts), len(chars))
    assert x.dtype == bool and y.dtype == bool
    assert chars == sorted(set(text)) and all(chars[i] == c for c, i in char_indices.items())
    assert (x.sum(axis=2) == 1).all() and (y.sum(axis=1) == 1).all()
    for window, target, start in list(zip(x, y, starts))[::37]:
        assert ''.join(chars[i] for i in window.argmax(axis=1)) == text[start:start + maxlen]
        assert chars[target.argmax()] == text[start + maxlen]


def test_character_windows_of_another_text():
    x, y, chars, _ = pydoc_text.load_character_data(maxlen=3, step=1, max_chars=None, text='AbcAbd')
    assert chars == ['a', 'b', 'c', 'd'] and x.shape == (3, 3, 4)
    assert [chars[i] for i in y.argmax(axis=1)] == ['a', 'b', 'd']
    with pytest.raises(ValueError, match='maxlen=6'):
        pydoc_text.load_character_data(maxlen=6, text='short')


def test_digit_sequences():
    from sklearn.datasets import load_digits
    (x_train, y_train), (x_test, y_test) = digits_sequences.load_data()
    assert x_train.shape == (1437, 8, 8) and x_test.shape == (360, 8, 8)
    assert x_train.dtype == np.float32 and x_train.min() == 0 and x_train.max() == 1
    digits = load_digits()
    originals = {(digits.images[i] / 16).astype(np.float32).tobytes(): digits.target[i]
                 for i in range(len(digits.target))}
    for image, label in zip(np.concatenate([x_train, x_test]), np.concatenate([y_train, y_test])):
        assert originals[image.tobytes()] == label               # row t of the image is timestep t
    assert sorted(np.concatenate([y_train, y_test]).tolist()) == sorted(digits.target.tolist())
    assert digits_sequences.load_data()[0][1].tolist() == y_train.tolist()
