"""Names of layers and models: ``Dense`` -> ``dense_1``, ``dense_2``, ...

Every layer gets a name unique in the session unless the user gives one: the class name in
snake case with a counter (``K.clear_session()`` starts the counters again at 1).
"""
import re

from teachnet.backend import session


def snake_case(class_name):
    """'Dense' -> 'dense', 'RepeatVector' -> 'repeat_vector', 'LSTM' -> 'lstm'."""
    words = re.sub(r'(.)([A-Z][a-z]+)', r'\1_\2', class_name)
    return re.sub(r'([a-z])([A-Z])', r'\1_\2', words).lower()


def unique_name(prefix):
    """'dense' -> 'dense_1', then 'dense_2'... (``K.clear_session()`` starts again at 1)."""
    return f'{prefix}_{session.get_uid(prefix)}'
