"""Real English text that ships with Python: the help pages of the language reference.

``help('for')`` in a Python shell prints a page of the language reference. Those pages
live in the standard library as a dictionary, ``pydoc_data.topics.topics`` (topic ->
text, about 80 pages and 460,000 characters), so every Python installation carries a
corpus of real, well-edited English that needs no download: enough to train a
character-level language model in a classroom without a network.

``load_text`` joins the pages in sorted topic order, so the corpus is the same on every
machine running the same Python version. ``load_documents`` cuts the pages into short
documents labelled with their topic (a small text classification task).
``load_character_data`` cuts it into training
windows for next-character prediction::

    window of maxlen characters               -> the next character
    'the "for" statement is used to iterat'   -> 'e'

Both the windows and their targets are one-hot: x[i, t, c] = 1 when character t of
window i is character number c of the alphabet ``chars``.
"""
from teachnet.backend.array_module import host as np


def load_topics():
    """The help pages as a dictionary topic -> text (a copy)."""
    try:
        from pydoc_data.topics import topics
    except ImportError as error:                     # some Linux distributions split it off
        raise ImportError("This Python has no pydoc_data module (the standard library's help texts); "
                          "install your distribution's full Python standard library package.") from error
    return dict(topics)


def load_text(lower=True, separator='\n\n'):
    """All help pages as one string, in sorted topic order.

    # Arguments
        lower: lower-case the text (a smaller alphabet for a character model).
        separator: put between two pages.
    """
    topics = load_topics()
    text = separator.join(topics[name] for name in sorted(topics))
    return text.lower() if lower else text


def load_documents(words_per_document=50, lower=True):
    """The help pages cut into short documents of ``words_per_document`` words each.

    # Returns
        texts: the documents (words joined by single spaces), page after page in sorted
            topic order; the last piece of a page may be shorter.
        topics: for each document, the topic of the page it comes from (such as 'for').

    Which page a piece of text comes from is a small, real text classification task:
    pieces of the 'try' page talk about exceptions, pieces of 'typesmapping' about keys.
    """
    if words_per_document < 1:
        raise ValueError(f"load_documents: words_per_document must be at least 1, got {words_per_document}.")
    topics = load_topics()
    texts, labels = [], []
    for name in sorted(topics):
        words = (topics[name].lower() if lower else topics[name]).split()
        for start in range(0, len(words), words_per_document):
            texts.append(' '.join(words[start:start + words_per_document]))
            labels.append(name)
    return texts, labels


def load_character_data(maxlen=40, step=3, max_chars=60000, lower=True, text=None):
    """One-hot windows of the help text (or of ``text``) and the character that follows each.

    # Arguments
        maxlen: characters per window.
        step: how far each window starts after the previous one.
        max_chars: use only the first max_chars characters of the text (None: all of it;
            the whole text with the defaults would be about 150,000 windows).
        lower: lower-case the text first.
        text: another text to cut into windows instead of the help pages.

    # Returns
        x: bool array (windows, maxlen, len(chars)), the one-hot windows.
        y: bool array (windows, len(chars)), the one-hot next characters.
        chars: the sorted list of the distinct characters (the alphabet).
        char_indices: character -> its column in x and y.

    # How it is computed
        The text becomes an array of code points (its UTF-32 bytes), and np.unique turns
        them into column numbers 0 ... len(chars) - 1 in one call. Window i starts at s_i = i · step;
        the index grid s[:, None] + arange(maxlen) picks all windows at once, and
        comparing codes with arange(len(chars)) makes them one-hot. No loop per character.
    """
    if text is None:
        text = load_text(lower=lower)
    elif lower:
        text = text.lower()
    if max_chars is not None:
        text = text[:max_chars]
    if len(text) <= maxlen:
        raise ValueError(f"load_character_data: the text has {len(text)} characters, not enough for one "
                         f"window of maxlen={maxlen} plus its next character.")
    code_points = np.frombuffer(text.encode('utf-32-le'), dtype=np.uint32)
    alphabet_points, codes = np.unique(code_points, return_inverse=True)   # sorted, as sorted(set(text))
    chars = [chr(point) for point in alphabet_points.tolist()]
    char_indices = {char: index for index, char in enumerate(chars)}
    starts = np.arange(0, len(text) - maxlen, step)
    windows = codes[starts[:, None] + np.arange(maxlen)[None, :]]          # (n, maxlen)
    alphabet = np.arange(len(chars))
    x = windows[..., None] == alphabet
    y = codes[starts + maxlen][:, None] == alphabet
    return x, y, chars, char_indices
