"""Plain NumPy formulas the layer tests compare against, written from the math alone."""
import numpy as np


def np_sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def np_softmax(z):
    """e^(z_i) / Σ_j e^(z_j) over the last axis, shifted by the row maximum."""
    shifted = z - z.max(axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=-1, keepdims=True)


#: activation name -> f(z) in NumPy
NUMPY_ACTIVATIONS = {
    'linear': lambda z: z,
    'relu': lambda z: np.maximum(z, 0.0),
    'tanh': np.tanh,
    'sigmoid': np_sigmoid,
    'hard_sigmoid': lambda z: np.clip(0.2 * z + 0.5, 0.0, 1.0),
    'softmax': np_softmax,
    'softplus': lambda z: np.logaddexp(0.0, z),
    'softsign': lambda z: z / (1.0 + np.abs(z)),
    'elu': lambda z: np.where(z > 0, z, np.expm1(np.minimum(z, 0.0))),
}
