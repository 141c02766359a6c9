"""From text to numbers: words, word indices, and one row of counts per document.

A network reads numbers, so text is turned into them in three steps:

1. **Split** a text into words: lower-case it, turn punctuation into spaces, split on
   spaces (``text_to_word_sequence``). "Hello, world!" -> ['hello', 'world'].
2. **Index** the words: a ``Tokenizer`` counts the words of a corpus and numbers them by
   frequency, the most frequent word 1, the next 2, ... (0 is kept for padding). A text
   becomes a list of indices (``texts_to_sequences``), ready for an Embedding layer.
3. **Count** per document (``texts_to_matrix`` / ``sequences_to_matrix``): one row per
   document, one column per word index, holding 1 if the word occurs ('binary'), how
   often ('count'), how often relative to the document's length ('freq'), or tf-idf,
   which weighs a word up when it is frequent here and down when it is in many documents:

       tfidf(w, d) = (1 + ln count(w, d)) · ln(1 + N / (1 + docs(w)))

   with N documents in the fitted corpus and docs(w) of them containing w. Rows like these
   are the input of a plain MLP text classifier.

``one_hot`` skips the counting: it hashes each word to an index in 1 ... n - 1 (different
words may share an index).
"""
import hashlib
import string
from collections import OrderedDict

from teachnet.backend import array_module as am
from teachnet.backend.array_module import host as np

#: the default filters: every ASCII punctuation mark except the apostrophe, plus tab and newline
DEFAULT_FILTERS = string.punctuation.replace("'", '') + '\t\n'
MATRIX_MODES = ('binary', 'count', 'tfidf', 'freq')


def text_to_word_sequence(text, filters=DEFAULT_FILTERS, lower=True, split=' '):
    """Split a text into words: "Hello, world!" -> ['hello', 'world'].

    # Arguments
        text: a string.
        filters: characters replaced by ``split`` before splitting (punctuation by default).
        lower: lower-case the text first.
        split: the separator between words.

    # Returns
        The list of non-empty words.
    """
    if lower:
        text = text.lower()
    if filters:
        text = text.translate(str.maketrans(filters, split * len(filters)))
    return [word for word in text.split(split) if word]


def _stable_hash(word):
    """An integer hash of a word that is the same in every run (md5 of its UTF-8 bytes)."""
    return int(hashlib.md5(word.encode('utf-8')).hexdigest(), 16)


def hashing_trick(text, n, hash_function=None, filters=DEFAULT_FILTERS, lower=True, split=' '):
    """Each word of ``text`` -> hash(word) mod (n - 1) + 1, an index in 1 ... n - 1.

    ``hash_function`` defaults to an md5-based hash ('md5' names it too), so indices are the
    same in every run; pass ``hash`` for Python's own (salted per process unless
    PYTHONHASHSEED is set), or any function of a string returning an int.
    """
    if n < 2:
        raise ValueError(f"one_hot/hashing_trick needs n >= 2 (indices run from 1 to n - 1), got n={n}.")
    if hash_function in (None, 'md5'):
        hash_function = _stable_hash
    return [abs(hash_function(word)) % (n - 1) + 1
            for word in text_to_word_sequence(text, filters, lower, split)]


def one_hot(text, n, filters=DEFAULT_FILTERS, lower=True, split=' '):
    """Encode a text as word indices in 1 ... n - 1 by hashing each word.

    Unlike Keras, which uses Python's ``hash`` (salted: the indices change from one run to
    the next), the hash here is md5-based, so the same text gives the same indices in
    every run and on every machine. Different words may share an index.
    """
    return hashing_trick(text, n, None, filters, lower, split)


class Tokenizer(object):
    """Numbers the words of a corpus by frequency and turns texts into indices or counts.

    # Arguments
        nb_words: keep only the indices below nb_words (the nb_words - 1 most frequent
            words) when converting; ``num_words`` is the Keras 2 name. None keeps all.
        filters, lower, split: as in ``text_to_word_sequence``.
        char_level: every character is a token (then ``lower`` still lower-cases).
        oov_token: if given, it takes index 1 and stands for every word that is unknown or
            cut by nb_words; without it such words are dropped.

    # Attributes (after fitting)
        word_counts: word -> number of occurrences, in order of first appearance.
        word_docs: word -> number of documents containing it.
        word_index: word -> index, 1 for the most frequent word (ties: first seen first).
        document_count: the number of documents fitted on.

    # Example
        tokenizer = Tokenizer(nb_words=1000)
        tokenizer.fit_on_texts(texts)
        x = tokenizer.texts_to_matrix(texts, mode='binary')      # (len(texts), 1000)
    """

    def __init__(self, nb_words=None, filters=DEFAULT_FILTERS, lower=True, split=' ',
                 char_level=False, oov_token=None, num_words=None):
        if nb_words is not None and num_words is not None and nb_words != num_words:
            raise ValueError(f"Tokenizer got nb_words={nb_words} and num_words={num_words}: give one of them.")
        self.nb_words = nb_words if nb_words is not None else num_words
        self.filters, self.lower, self.split = filters, lower, split
        self.char_level, self.oov_token = char_level, oov_token
        self.word_counts = OrderedDict()
        self.word_docs = {}
        self.word_index = {}
        self.index_docs = {}
        self.document_count = 0

    @property
    def num_words(self):
        """The Keras 2 name of ``nb_words``."""
        return self.nb_words

    @property
    def index_word(self):
        """index -> word, the reverse of ``word_index`` (Keras 2)."""
        return {index: word for word, index in self.word_index.items()}

    def _tokens(self, text):
        if isinstance(text, (list, tuple)):             # already split into tokens
            return [word.lower() for word in text] if self.lower else list(text)
        if self.char_level:
            return list(text.lower() if self.lower else text)
        return text_to_word_sequence(text, self.filters, self.lower, self.split)

    def fit_on_texts(self, texts):
        """Count the words of ``texts`` (strings, or lists of tokens) and rank them."""
        for text in texts:
            self.document_count += 1
            tokens = self._tokens(text)
            for word in tokens:
                self.word_counts[word] = self.word_counts.get(word, 0) + 1
            for word in set(tokens):
                self.word_docs[word] = self.word_docs.get(word, 0) + 1
        ranked = sorted(self.word_counts, key=self.word_counts.get, reverse=True)  # stable: ties by first seen
        if self.oov_token is not None:
            ranked = [self.oov_token] + [word for word in ranked if word != self.oov_token]
        self.word_index = {word: rank for rank, word in enumerate(ranked, start=1)}
        self.index_docs = {self.word_index[word]: count for word, count in self.word_docs.items()}

    def fit_on_sequences(self, sequences):
        """Count in how many documents each index occurs (what 'tfidf' needs), from sequences."""
        self.document_count += len(sequences)
        for sequence in sequences:
            for index in set(sequence):
                self.index_docs[index] = self.index_docs.get(index, 0) + 1

    def texts_to_sequences(self, texts):
        """Each text -> the list of its words' indices (unknown and cut words dropped or oov)."""
        return list(self.texts_to_sequences_generator(texts))

    def texts_to_sequences_generator(self, texts):
        """Like ``texts_to_sequences``, one text at a time (for corpora too big to hold twice)."""
        oov_index = self.word_index.get(self.oov_token) if self.oov_token is not None else None
        for text in texts:
            sequence = []
            for word in self._tokens(text):
                index = self.word_index.get(word)
                if index is not None and self.nb_words and index >= self.nb_words:
                    index = None
                if index is None:
                    index = oov_index
                if index is not None:
                    sequence.append(index)
            yield sequence

    def sequences_to_texts(self, sequences):
        """Word indices back to text (words joined by spaces, characters joined directly)."""
        words = self.index_word
        joiner = '' if self.char_level else ' '
        return [joiner.join(words[i] for i in sequence if i in words) for sequence in sequences]

    def texts_to_matrix(self, texts, mode='binary'):
        """Texts -> one row per text (see ``sequences_to_matrix`` for the modes)."""
        return self.sequences_to_matrix(self.texts_to_sequences(texts), mode=mode)

    def sequences_to_matrix(self, sequences, mode='binary'):
        """Sequences of word indices -> a (len(sequences), nb_words) array of floatx.

        Row i, column j: 'binary' 1 if index j is in sequence i; 'count' how often;
        'freq' count / len(sequence i); 'tfidf' (1 + ln count) · ln(1 + N / (1 + docs(j))).
        Indices >= nb_words are left out (but still count in the length for 'freq').
        Without nb_words the width is len(word_index) + 1.
        """
        if mode not in MATRIX_MODES:
            raise ValueError(f"Tokenizer: unknown vectorization mode {mode!r}; expected one of "
                             f"{', '.join(MATRIX_MODES)}.")
        width = self.nb_words
        if not width:
            if not self.word_index:
                raise ValueError("Tokenizer.sequences_to_matrix needs a width: pass nb_words to the "
                                 "Tokenizer, or fit it on some texts first.")
            width = len(self.word_index) + 1
        if mode == 'tfidf' and not self.document_count:
            raise ValueError("Tokenizer: fit it on some texts (or sequences) before using mode 'tfidf'.")
        lengths = np.array([len(sequence) for sequence in sequences], dtype=np.int64)
        indices = np.concatenate([np.asarray(s, dtype=np.int64).reshape(-1) for s in sequences] + [
            np.zeros(0, dtype=np.int64)])
        rows = np.repeat(np.arange(len(lengths)), lengths)
        inside = (indices >= 0) & (indices < width)
        flat = rows[inside] * width + indices[inside]
        counts = np.bincount(flat, minlength=len(lengths) * width).reshape(len(lengths), width)
        counts = counts.astype(np.float64)
        if mode == 'binary':
            matrix = counts > 0
        elif mode == 'count':
            matrix = counts
        elif mode == 'freq':
            matrix = counts / np.maximum(lengths, 1)[:, None]
        else:
            docs = np.zeros(width)
            known = [(i, c) for i, c in self.index_docs.items() if 0 <= i < width]
            if known:
                docs[[i for i, _ in known]] = [c for _, c in known]
            idf = np.log(1 + self.document_count / (1 + docs))
            term_frequency = np.where(counts > 0, 1 + np.log(np.maximum(counts, 1)), 0.)
            matrix = term_frequency * idf[None, :]
        return matrix.astype(am.floatx())
