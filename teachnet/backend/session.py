"""Naming: the counters behind ``dense_1``, ``dense_2``... and ``K.clear_session()``.

Each new layer (or model) without a name takes its class's next number. The counters
live for the whole Python session, as in Keras; ``clear_session()`` starts them at 1 again
(handy at the top of a notebook cell that rebuilds a model).
"""
_uids = {}


def get_uid(prefix=''):
    """The next number for ``prefix``: 1, then 2, ..."""
    _uids[prefix] = _uids.get(prefix, 0) + 1
    return _uids[prefix]


def clear_session():
    """Forget every name counter: the next Dense layer is ``dense_1`` again."""
    _uids.clear()
