"""text_to_word_sequence, one_hot and Tokenizer against hand-computed expectations."""
import hashlib
import math
import subprocess
import sys

import numpy as np
import pytest

from teachnet.preprocessing.text import Tokenizer, hashing_trick, one_hot, text_to_word_sequence

pytestmark = pytest.mark.backend_independent

TEXTS = ['The cat sat on the mat.', 'The dog ate my homework!', 'A cat, a dog; a bird?']


def test_text_to_word_sequence():
    assert text_to_word_sequence("Hello, World!  It's a\ttest.\nNew line") == \
        ['hello', 'world', "it's", 'a', 'test', 'new', 'line']
    assert text_to_word_sequence('Hello, World', lower=False) == ['Hello', 'World']
    assert text_to_word_sequence('a-b,c d', filters='', split=',') == ['a-b', 'c d']
    assert text_to_word_sequence('x;y', filters=';', split='|') == ['x', 'y']
    assert text_to_word_sequence('  ...  ') == []


def md5_index(word, n):
    return int(hashlib.md5(word.encode('utf-8')).hexdigest(), 16) % (n - 1) + 1


def test_one_hot_is_an_md5_hash_in_range():
    text = 'The quick brown fox jumps over the lazy dog, the end.'
    got = one_hot(text, 20)
    words = text_to_word_sequence(text)
    assert got == [md5_index(word, 20) for word in words]
    assert all(1 <= i <= 19 for i in got)
    assert got[0] == got[6] == got[9]                      # 'the' three times
    assert hashing_trick(text, 20, hash_function='md5') == got
    assert hashing_trick(text, 20, hash_function=len) == [len(w) % 19 + 1 for w in words]
    with pytest.raises(ValueError, match='n >= 2'):
        one_hot(text, 1)


def test_one_hot_is_the_same_in_another_process():
    code = "from teachnet.preprocessing.text import one_hot; print(one_hot('stable hashing works here', 1000))"
    other = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True,
                           env={'PYTHONHASHSEED': 'random'})
    assert other.stdout.strip() == str(one_hot('stable hashing works here', 1000))


def fitted(**kwargs):
    tokenizer = Tokenizer(**kwargs)
    tokenizer.fit_on_texts(TEXTS)
    return tokenizer


def test_counts_and_frequency_ranking():
    tokenizer = fitted()
    # the: 3, a: 3, cat: 2, dog: 2; ties keep the order of first appearance
    assert list(tokenizer.word_index.items())[:4] == [('the', 1), ('a', 2), ('cat', 3), ('dog', 4)]
    assert sorted(tokenizer.word_index.values()) == list(range(1, 12))
    assert tokenizer.word_counts['the'] == 3 and tokenizer.word_counts['a'] == 3
    assert list(tokenizer.word_counts)[:3] == ['the', 'cat', 'sat']
    assert tokenizer.word_docs == {'the': 2, 'cat': 2, 'sat': 1, 'on': 1, 'mat': 1, 'dog': 2, 'ate': 1,
                                   'my': 1, 'homework': 1, 'a': 1, 'bird': 1}
    assert tokenizer.document_count == 3
    tokenizer.fit_on_texts(['bird bird bird bird'])         # fitting again adds to the counts
    assert tokenizer.word_index['bird'] == 1 and tokenizer.document_count == 4


def test_texts_to_sequences_and_nb_words_cut():
    tokenizer = fitted()
    index = tokenizer.word_index
    assert tokenizer.texts_to_sequences(['the cat and the unknown dog']) == \
        [[index['the'], index['cat'], index['the'], index['dog']]]
    assert list(tokenizer.texts_to_sequences_generator(TEXTS)) == tokenizer.texts_to_sequences(TEXTS)
    small = fitted(nb_words=3)                               # keeps indices 1 and 2: 'the', 'a'
    assert small.texts_to_sequences(['the cat a dog']) == [[1, 2]]
    assert fitted(num_words=3).num_words == 3 == small.nb_words
    with pytest.raises(ValueError, match='nb_words=3 and num_words=4'):
        Tokenizer(nb_words=3, num_words=4)


def test_oov_token():
    tokenizer = fitted(oov_token='<unk>', nb_words=4)
    assert tokenizer.word_index['<unk>'] == 1 and tokenizer.word_index['the'] == 2
    # 'the'=2, 'a'=3 kept; 'cat'=4 cut by nb_words and 'zebra' unknown both become 1
    assert tokenizer.texts_to_sequences(['the cat a zebra']) == [[2, 1, 3, 1]]


def test_char_level():
    tokenizer = Tokenizer(char_level=True)
    tokenizer.fit_on_texts(['abba', 'Cab'])
    assert tokenizer.word_index == {'a': 1, 'b': 2, 'c': 3}     # a: 3, b: 3 (a seen first), c: 1
    assert tokenizer.texts_to_sequences(['cab!']) == [[3, 1, 2]]
    assert tokenizer.sequences_to_texts([[3, 1, 2]]) == ['cab']
    cased = Tokenizer(char_level=True, lower=False)
    cased.fit_on_texts(['aA'])
    assert cased.word_index == {'a': 1, 'A': 2}


def test_lists_of_tokens_and_sequences_to_texts():
    tokenizer = Tokenizer()
    tokenizer.fit_on_texts([['Hello', 'world'], ['hello']])
    assert tokenizer.word_index == {'hello': 1, 'world': 2}
    assert tokenizer.sequences_to_texts([[2, 1], [1, 99]]) == ['world hello', 'hello']


def test_matrix_modes_by_hand():
    tokenizer = fitted()
    idx = tokenizer.word_index
    text = 'the cat the dog unknown'
    width = len(idx) + 1
    the, cat, dog = idx['the'], idx['cat'], idx['dog']
    expected = {mode: np.zeros(width) for mode in ('binary', 'count', 'freq', 'tfidf')}
    for word, count in (('the', 2), ('cat', 1), ('dog', 1)):
        j = idx[word]
        expected['binary'][j] = 1
        expected['count'][j] = count
        expected['freq'][j] = count / 4                      # 4 known words in the sequence
        docs = tokenizer.word_docs[word]
        expected['tfidf'][j] = (1 + math.log(count)) * math.log(1 + 3 / (1 + docs))
    for mode, row in expected.items():
        got = tokenizer.texts_to_matrix([text, ''], mode=mode)
        assert got.shape == (2, width) and got.dtype == np.float32
        np.testing.assert_allclose(got[0], row, rtol=1e-6, err_msg=mode)
        np.testing.assert_array_equal(got[1], 0)
    assert {the, cat, dog} == set(np.flatnonzero(expected['binary']))


def test_sequences_to_matrix_width_and_cut():
    tokenizer = Tokenizer(nb_words=5)
    got = tokenizer.sequences_to_matrix([[1, 1, 4, 5, 9], []], mode='freq')
    np.testing.assert_allclose(got, [[0, 2 / 5, 0, 0, 1 / 5], [0, 0, 0, 0, 0]])   # 5 and 9 cut, length stays 5
    np.testing.assert_array_equal(tokenizer.sequences_to_matrix([[0, 3, 3]], mode='count'), [[1, 0, 0, 2, 0]])


def test_fit_on_sequences_gives_tfidf():
    tokenizer = Tokenizer(nb_words=4)
    tokenizer.fit_on_sequences([[1, 2], [1, 1, 3], [2]])
    assert tokenizer.document_count == 3 and tokenizer.index_docs == {1: 2, 2: 2, 3: 1}
    got = tokenizer.sequences_to_matrix([[1, 1, 3]], mode='tfidf')[0]
    np.testing.assert_allclose(got, [0, (1 + math.log(2)) * math.log(1 + 3 / 3), 0,
                                     math.log(1 + 3 / 2)], rtol=1e-6)


def test_matrix_errors_name_the_problem():
    with pytest.raises(ValueError, match="unknown vectorization mode 'onehot'"):
        fitted().texts_to_matrix(TEXTS, mode='onehot')
    with pytest.raises(ValueError, match='nb_words'):
        Tokenizer().sequences_to_matrix([[1, 2]])
    with pytest.raises(ValueError, match='tfidf'):
        Tokenizer(nb_words=10).sequences_to_matrix([[1, 2]], mode='tfidf')


def test_index_word_reverses_word_index():
    tokenizer = Tokenizer()
    tokenizer.fit_on_texts(['the cat sat', 'the dog'])
    assert tokenizer.index_word == {1: 'the', 2: 'cat', 3: 'sat', 4: 'dog'}
    assert tokenizer.sequences_to_texts([[1, 4]]) == ['the dog']
