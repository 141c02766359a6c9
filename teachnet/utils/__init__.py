"""Utilities: preparing data for a model, and seeding.

``set_random_seed(seed)`` is THE one way to make a run repeatable: it seeds the initial
weights, the shuffling of batches, the dropout masks and NumPy's global generator (which
the guide's programs use for their data, ``np.random.random((1000, 784))``).
"""
from teachnet.backend import array_module as _array_module
from teachnet.utils.np_utils import to_categorical  # noqa: F401


def set_random_seed(seed):
    """Seed every random source: initial weights, shuffling, dropout, and NumPy's global
    generator used for data. The same seed gives the same run on the same machine and
    backend, and the same initial weights on every backend.

    # Example
        from teachnet.utils import set_random_seed
        set_random_seed(42)       # before building the model
    """
    _array_module.seed(seed)
