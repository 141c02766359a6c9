"""The model diagram's levels, and the chain rule for one entry with a step's numbers."""
import numpy as np
import pytest

from teachnet.inspect.chain_rule import allows_entry, input_entry, weight_entry
from teachnet.inspect.diagram import highlighted_box, model_diagram
from teachnet.layers import Activation, Dense, Input, Merge, merge
from teachnet.models import Model, Sequential


def names(levels):
    return [[box.name for box in level] for level in levels]


def test_a_sequential_model_is_one_box_per_level_then_the_loss():
    model = Sequential([Dense(3, input_dim=4, name='a'), Activation('relu', name='b')])
    assert names(model_diagram(model)) == [['a'], ['b'], ['loss']]


def test_merge_branches_stand_side_by_side_above_the_merge():
    left = Sequential([Dense(3, input_dim=4, name='l1')])
    right = Sequential([Dense(3, input_dim=4, name='r1'), Activation('relu', name='r2')])
    model = Sequential([Merge([left, right], mode='concat', name='m'), Dense(1, name='out')])
    assert names(model_diagram(model)) == [['l1', 'r1'], ['r2'], ['m'], ['out'], ['loss']]


def test_a_functional_model_puts_parallel_paths_on_one_level_and_nested_models_in_one_box():
    inner_in = Input(shape=(3,), name='inner_in')
    inner = Model(input=inner_in, output=Dense(2, name='inner_dense')(inner_in), name='inner')
    a = Input(shape=(4,), name='a')
    joined = merge([Dense(3, name='p')(a), Dense(3, name='q')(a)], mode='sum', name='join')
    model = Model(input=a, output=inner(joined))
    levels = model_diagram(model)
    assert names(levels) == [['a'], ['p', 'q'], ['join'], ['inner'], ['loss']]
    assert highlighted_box(levels, 'inner_dense').name == 'inner'
    assert highlighted_box(levels, 'nowhere') is None


def traced_dense():
    model = Sequential([Dense(3, input_dim=4, name='d')])
    model.compile('sgd', 'mse')
    rng = np.random.RandomState(0)
    return model.trace(rng.randn(5, 4), rng.randn(5, 3))


def test_the_entry_sum_is_the_gradient_backward_sent():
    trace = traced_dense()
    step = [s for s in trace.backward if s.op == 'linear'][0]
    assert step.forward_step is trace.forward[0]
    assert allows_entry(step) and not allows_entry(trace.forward[0])
    for i, j in ((0, 0), (3, 2), (1, 2)):
        entry = weight_entry(step, i, j)
        assert len(entry.terms) == 5
        np.testing.assert_allclose([x for x, _ in entry.terms], step.forward_step.input('x')[:, i])
        np.testing.assert_allclose([g for _, g in entry.terms], step.output[:, j])
        np.testing.assert_allclose(entry.total, step.input('W')[i, j], rtol=1e-5, atol=1e-8)
    assert 'dL/dW[3,2]' in str(weight_entry(step, 3, 2))
    for n, i in ((0, 0), (4, 3), (2, 1)):
        entry = input_entry(step, n, i)
        assert len(entry.terms) == 3                                   # one per unit j
        np.testing.assert_allclose([w for _, w in entry.terms], step.forward_step.input('W')[i])
        np.testing.assert_allclose(entry.total, step.input('x')[n, i], rtol=1e-5, atol=1e-8)
    assert str(input_entry(step, 4, 3)).startswith('dL/dx[4,3] = Σ_j g[4,j]·W[3,j] = ')
    with pytest.raises(IndexError, match='no entry'):
        input_entry(step, 5, 0)
    with pytest.raises(IndexError, match='no entry'):
        weight_entry(step, 4, 0)
    with pytest.raises(ValueError, match='linear'):
        weight_entry(trace.forward[0], 0, 0)


def test_a_nested_model_box_stands_for_the_layers_of_its_merge_branches_too():
    left = Sequential([Dense(3, input_dim=2, name='left_dense')])
    right = Sequential([Dense(3, input_dim=2, name='right_dense')])
    inner = Sequential([Merge([left, right], mode='concat', name='joined'), Dense(2, name='after')])
    a, b = Input(shape=(2,)), Input(shape=(2,))
    boxes = [box for level in model_diagram(Model([a, b], inner([a, b]))) for box in level]
    assert [box.layers for box in boxes if box.name == inner.name] == [['left_dense', 'right_dense', 'joined', 'after']]
