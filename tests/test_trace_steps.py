"""Reading a trace's steps by name: step.input('W') and step.fact('patches')."""
import numpy as np
import pytest

from teachnet.layers import Convolution2D, Dense
from teachnet.models import Sequential


def dense_trace():
    rng = np.random.default_rng(0)
    layer = Dense(3, input_dim=4, name='dense_read')
    Sequential([layer])
    x = rng.standard_normal((2, 4))
    return layer, x, layer.trace(x)


def test_a_forward_step_gives_its_inputs_by_name():
    layer, x, trace = dense_trace()
    W, b = layer.get_weights()
    step = trace.forward[0]
    np.testing.assert_allclose(step.input('W'), W)
    np.testing.assert_allclose(step.input('b'), b)
    np.testing.assert_allclose(step.input('x'), x, rtol=1e-6)


def test_a_backward_step_gives_the_gradient_sent_to_each_input():
    """Backward from L = Σ z: dL/dz = 1, so dL/dW = xᵀ·1 and dL/db = 1ᵀ·1 = the batch size."""
    layer, x, trace = dense_trace()
    W, _ = layer.get_weights()
    step = trace.backward[-1]
    ones = np.ones((2, 3))
    np.testing.assert_allclose(step.input('W'), x.T @ ones, rtol=1e-6)
    np.testing.assert_allclose(step.input('b'), ones.sum(axis=0), rtol=1e-6)
    np.testing.assert_allclose(step.input('x'), ones @ W.T, rtol=1e-6)


def test_an_unknown_input_names_the_ones_there():
    _, _, trace = dense_trace()
    with pytest.raises(KeyError, match="no input 'V'.*'x', 'W', 'b'"):
        trace.forward[0].input('V')


def test_a_fact_by_name_and_an_unknown_fact_named():
    rng = np.random.default_rng(1)
    layer = Convolution2D(2, 3, 3, input_shape=(1, 5, 5))
    Sequential([layer])
    [step] = layer.trace(rng.standard_normal((1, 1, 5, 5))).forward
    assert step.fact('patches').shape == (9, 9)
    with pytest.raises(KeyError, match="no fact 'winners'.*'patches'"):
        step.fact('winners')
