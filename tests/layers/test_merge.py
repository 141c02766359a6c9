"""Merge: every mode's forward against a NumPy formula, its backward against central
differences, and every mistake a clear error at construction."""
import numpy as np
import pytest

import teachnet
import teachnet.backend as K
from teachnet.backend import array_module as am
from teachnet.inspect.gradient_check import gradient_check
from teachnet.inspect.numerical import check_function
from teachnet.layers import Dense
from teachnet.layers.merge import Merge
from teachnet.models import Sequential, model_from_json
from teachnet.ops import merge as merge_ops
from teachnet.ops.tape import Tape
from teachnet.ops.tensor import Tensor

RNG = np.random.default_rng(7)
A, B, C = (RNG.standard_normal((3, 4)) for _ in range(3))


def difference(xs):
    return xs[0] - xs[1]


def gated(xs):
    """A function mode written with K functions: x ⊙ σ(y) + y²."""
    return xs[0] * K.sigmoid(xs[1]) + K.square(xs[1])


# ----------------------------------------------------------------------------- the ops

def _cos_reference(x, y):
    norms = np.linalg.norm(x, axis=1, keepdims=True) * np.linalg.norm(y, axis=1, keepdims=True)
    return (x * y).sum(axis=1, keepdims=True) / np.maximum(norms, 1e-7)


ELEMENTWISE = {
    'sum': (merge_ops.merge_sum, lambda *xs: xs[0] + xs[1] + xs[2]),
    'ave': (merge_ops.merge_ave, lambda *xs: (xs[0] + xs[1] + xs[2]) / 3),
    'mul': (merge_ops.merge_mul, lambda *xs: xs[0] * xs[1] * xs[2]),
    'max': (merge_ops.merge_max, lambda *xs: np.maximum(np.maximum(xs[0], xs[1]), xs[2])),
}


@pytest.mark.parametrize('mode', sorted(ELEMENTWISE))
def test_elementwise_ops_forward_and_gradient(mode):
    function, reference = ELEMENTWISE[mode]
    np.testing.assert_allclose(am.to_numpy(function([A, B, C]).data), reference(A, B, C), rtol=1e-12)
    assert max(check_function(lambda *xs: function(list(xs)), A, B, C)) < 1e-6


def test_mul_gradient_is_the_product_of_the_others():
    with Tape() as tape:
        xs = [Tensor(am.to_device(v), requires_grad=True) for v in (A, B, C)]
        z = merge_ops.merge_mul(xs)
    g = RNG.standard_normal(z.shape)
    tape.backward(z, am.to_device(g))
    for k, others in enumerate([(B, C), (A, C), (A, B)]):
        np.testing.assert_allclose(am.to_numpy(xs[k].grad), g * others[0] * others[1], rtol=1e-12)


def test_max_sends_the_gradient_to_the_largest_branch_and_shares_ties():
    x = np.array([[1., 5., 2.]])
    y = np.array([[3., 5., 0.]])
    with Tape() as tape:
        xs = [Tensor(am.to_device(v), requires_grad=True) for v in (x, y)]
        z = merge_ops.merge_max(xs)
    tape.backward(z, am.to_device(np.array([[10., 10., 10.]])))
    np.testing.assert_allclose(am.to_numpy(xs[0].grad), [[0., 5., 10.]])
    np.testing.assert_allclose(am.to_numpy(xs[1].grad), [[10., 5., 0.]])


@pytest.mark.parametrize('axis', [1, -1, 2])
def test_concat_forward_and_gradient(axis):
    x, y = RNG.standard_normal((2, 3, 4)), RNG.standard_normal((2, 3, 4))
    if axis == 1:
        y = RNG.standard_normal((2, 5, 4))
    z = merge_ops.merge_concat([x, y], axis=axis)
    np.testing.assert_allclose(am.to_numpy(z.data), np.concatenate([x, y], axis=axis))
    assert max(check_function(lambda a, b: merge_ops.merge_concat([a, b], axis=axis), x, y)) < 1e-6


def test_dot_and_cos_on_vectors_give_one_number_per_sample():
    dot = merge_ops.merge_dot([A, B])
    assert dot.shape == (3, 1)
    np.testing.assert_allclose(am.to_numpy(dot.data), (A * B).sum(axis=1, keepdims=True), rtol=1e-12)
    cos = merge_ops.merge_cos([A, B])
    assert cos.shape == (3, 1)
    np.testing.assert_allclose(am.to_numpy(cos.data), _cos_reference(A, B), rtol=1e-12)
    for function in (merge_ops.merge_dot, merge_ops.merge_cos):
        assert max(check_function(lambda a, b: function([a, b]), A, B)) < 1e-6


@pytest.mark.parametrize('mode', ['dot', 'cos'])
def test_dot_and_cos_over_sequences(mode):
    x, y = RNG.standard_normal((2, 3, 4)), RNG.standard_normal((2, 5, 4))
    function = merge_ops.merge_dot if mode == 'dot' else merge_ops.merge_cos
    z = function([x, y], dot_axes=(2, 2))
    expected = np.einsum('btk,bsk->bts', x, y)
    if mode == 'cos':
        expected = expected / np.maximum(np.linalg.norm(x, axis=2)[:, :, None] * np.linalg.norm(y, axis=2)[:, None, :],
                                         1e-7)
    np.testing.assert_allclose(am.to_numpy(z.data), expected, rtol=1e-10)
    assert max(check_function(lambda a, b: function([a, b], dot_axes=(2, 2)), x, y)) < 1e-6


def test_cos_of_a_zero_vector_is_zero_with_a_finite_gradient():
    zero = np.zeros((1, 4))
    assert max(check_function(lambda a, b: merge_ops.merge_cos([a, b]), zero + 1e-3, A[:1])) < 1e-5
    z = merge_ops.merge_cos([zero, A[:1]])
    assert float(z.numpy()[0, 0]) == 0.0


def test_function_mode_is_differentiable_through_the_tape():
    merge = Merge(mode=gated)
    assert max(check_function(lambda a, b: merge.merge_tensors([a, b]), A, B)) < 1e-6
    np.testing.assert_allclose(am.to_numpy(merge.merge_tensors([A, B]).data), A / (1 + np.exp(-B)) + B ** 2,
                               rtol=1e-12)


def test_concat_describes_each_branch_slice_and_its_gradient():
    op = merge_ops.ConcatMerge(-1, ['left', 'right'])
    op.forward(am.to_device(A), am.to_device(RNG.standard_normal((3, 2))))
    facts = op.describe()
    assert facts['branches'] == 'left (3, 4) -> z[:, 0:4], right (3, 2) -> z[:, 4:6]'
    assert facts['gradient split'] == 'left <- g[:, 0:4], right <- g[:, 4:6]'
    assert op.input_names == ['left', 'right']


# ----------------------------------------------------------------------------- the layer

def _branch(input_dim, units=4, **settings):
    model = Sequential()
    model.add(Dense(units, input_dim=input_dim, **settings))
    return model


def _merged(mode='sum', head=2, input_dims=(3, 5), **settings):
    merge = Merge([_branch(d) for d in input_dims], mode=mode, **settings)
    model = Sequential([merge, Dense(head)])
    model.compile(optimizer='sgd', loss='mse')
    return model


def _dense(x, weights):
    kernel, bias = weights
    return x @ kernel + bias


MODES = ['sum', 'mul', 'ave', 'max', 'concat', 'dot', 'cos', difference]


@pytest.mark.parametrize('mode', MODES, ids=lambda m: getattr(m, '__name__', m))
def test_forward_matches_the_branches_merged_by_hand(mode):
    model = _merged(mode)
    x1, x2 = RNG.standard_normal((6, 3)), RNG.standard_normal((6, 5))
    left, right, head = model.layers[0].branches[0], model.layers[0].branches[1], model.layers[1]
    a, b = _dense(x1, left.get_weights()), _dense(x2, right.get_weights())
    merged = {'sum': a + b, 'mul': a * b, 'ave': (a + b) / 2, 'max': np.maximum(a, b),
              'concat': np.concatenate([a, b], axis=1), 'dot': (a * b).sum(1, keepdims=True),
              'cos': _cos_reference(a, b)}.get(mode) if isinstance(mode, str) else a - b
    expected = _dense(merged, head.get_weights())
    np.testing.assert_allclose(model.predict([x1, x2]), expected, rtol=1e-4, atol=1e-5)
    assert model.layers[0].output_shape == (None,) + merged.shape[1:]


@pytest.mark.parametrize('mode', MODES, ids=lambda m: getattr(m, '__name__', m))
def test_gradient_check_of_a_merged_model(mode):
    model = _merged(mode)
    x = [RNG.standard_normal((4, 3)), RNG.standard_normal((4, 5))]
    report = gradient_check(model, x, RNG.standard_normal((4, 2)), max_checks=None)
    assert report.passed, str(report)
    assert {row['parameter'] for row in report.rows} == {p.name for p in model.params}
    assert len(model.params) == 6


@pytest.mark.parametrize('declared, expected', [(None, (None, 4)), ((4,), (None, 4)),
                                                (lambda shapes: (None, 2 * shapes[0][1]), (None, 8))])
def test_function_mode_output_shape_declared_or_probed(declared, expected):
    def joined(xs):
        return K.concatenate([xs[0], xs[1]], axis=-1) if expected[1] == 8 else xs[0] - xs[1]
    merge = Merge([_branch(3), _branch(5)], mode=joined, output_shape=declared)
    assert merge.output_shape == expected
    assert merge([np.ones((2, 3)), np.ones((2, 5))]).shape == (2,) + expected[1:]


def test_merge_params_weights_and_trainability_are_the_branches():
    left, right = _branch(3), _branch(5)
    merge = Merge([left, right], mode='concat')
    assert merge.params == left.params + right.params
    assert merge.count_params() == left.count_params() + right.count_params() == 16 + 24
    weights = [np.full(w.shape, float(i)) for i, w in enumerate(merge.get_weights())]
    merge.set_weights(weights)
    np.testing.assert_array_equal(right.get_weights()[0], weights[2])
    right.layers[0].trainable = False
    assert merge.trainable_weights == left.params
    with pytest.raises(ValueError, match=r'merge_\d+ has 4 weight arrays .* received 3'):
        merge.set_weights(weights[:3])
    before = merge.get_weights()
    with pytest.raises(ValueError, match=r'branch sequential_\d+ has a weight of shape \(5, 4\)'):
        merge.set_weights(weights[:2] + [np.zeros((4, 4)), weights[3]])
    for now, then in zip(merge.get_weights(), before):     # all or nothing
        np.testing.assert_array_equal(now, then)


def test_a_branch_may_be_a_single_built_layer():
    merge = Merge([Dense(4, input_dim=3), _branch(5)], mode='sum')
    model = Sequential([merge])
    assert model.predict([np.ones((2, 3)), np.ones((2, 5))]).shape == (2, 4)


@pytest.mark.backend_independent
def test_config_and_json_round_trips_keep_the_branches():
    model = _merged('concat')
    config = model.get_config()
    merge_spec = config[0]
    assert merge_spec['class_name'] == 'Merge' and merge_spec['config']['mode'] == 'concat'
    assert [spec['class_name'] for spec in merge_spec['config']['layers']] == ['Sequential', 'Sequential']
    assert merge_spec['config']['layers'][0]['config'][0]['class_name'] == 'Dense'
    rebuilt = model_from_json(model.to_json())
    rebuilt.set_weights(model.get_weights())
    x = [RNG.standard_normal((3, 3)), RNG.standard_normal((3, 5))]
    np.testing.assert_allclose(rebuilt.predict(x), model.predict(x), rtol=1e-6)
    assert rebuilt.layers[0].get_config()['layers'] == merge_spec['config']['layers']


@pytest.mark.backend_independent
def test_function_mode_is_saved_by_name_and_needs_custom_objects():
    model = _merged(difference)
    assert model.get_config()[0]['config']['mode'] == 'difference'
    with pytest.raises(ValueError, match=r"mode function 'difference' is not saved .* custom_objects"):
        model_from_json(model.to_json())
    rebuilt = model_from_json(model.to_json(), custom_objects={'difference': difference})
    assert rebuilt.layers[0].mode is difference


# ----------------------------------------------------------------------------- mistakes

@pytest.mark.backend_independent
def test_mismatched_branch_shapes_are_refused_at_construction_naming_them():
    left, right = _branch(3, units=32), _branch(3, units=16)
    with pytest.raises(ValueError, match=r"cannot join its branches sequential_\d+ \(None, 32\), sequential_\d+ "
                                         r"\(None, 16\): mode 'sum' needs branch outputs of one shape"):
        Merge([left, right])
    for mode in ('mul', 'ave', 'max'):
        with pytest.raises(ValueError, match=mode):
            Merge([left, right], mode=mode)
    assert Merge([left, right], mode='concat').output_shape == (None, 48)


@pytest.mark.backend_independent
def test_concat_with_a_mismatched_other_axis_or_the_batch_axis_is_refused():
    from teachnet.layers import Reshape
    left = Sequential([Dense(6, input_dim=3), Reshape((2, 3))])
    right = Sequential([Dense(6, input_dim=3), Reshape((3, 2))])
    with pytest.raises(ValueError, match=r'\(None, 2, 3\), sequential_\d+ \(None, 3, 2\).*every axis but'):
        Merge([left, right], mode='concat')
    with pytest.raises(ValueError, match=r'concat_axis 0 is out of range'):
        Merge([_branch(3), _branch(3)], mode='concat', concat_axis=0)


@pytest.mark.backend_independent
@pytest.mark.parametrize('dot_axes, message', [(2, 'axis 2 is out of range'), (0, 'axis 0 is out of range'),
                                               (-3, 'axis -3 is out of range'), ('last', 'must be an int'),
                                               ((1, 1, 1), 'must be an int or a pair')])
def test_dot_axes_out_of_range_are_refused(dot_axes, message):
    for mode in ('dot', 'cos'):
        with pytest.raises(ValueError, match=message):
            Merge([_branch(3), _branch(5)], mode=mode, dot_axes=dot_axes)


@pytest.mark.backend_independent
def test_other_construction_mistakes_are_clear():
    with pytest.raises(ValueError, match=r"unknown mode 'join'; expected one of sum, mul, concat"):
        Merge([_branch(3), _branch(3)], mode='join')
    with pytest.raises(TypeError, match=r'branch 1 must be a Sequential model or a layer, got an object of '
                                        r'type ndarray'):
        Merge([_branch(3), np.ones((2, 3))])
    with pytest.raises(TypeError, match='at least 2 branches'):
        Merge([_branch(3)])
    with pytest.raises(ValueError, match=r"mode 'dot' takes exactly 2 branches, got 3"):
        Merge([_branch(3), _branch(3), _branch(3)], mode='dot')
    with pytest.raises(ValueError, match=r'branch dense_\d+ does not know its input shape'):
        Merge([Dense(4), _branch(3)])
    with pytest.raises(ValueError, match=r'dot_axes -1 pairs axis 1 .*length 4.*length 2'):
        Merge([_branch(3), _branch(3, units=2)], mode='dot')
    twice = _branch(3)
    with pytest.raises(ValueError, match=r'branch sequential_\d+ appears twice'):
        Merge([twice, twice])
    with pytest.raises(ValueError, match='has no layers yet'):
        Merge([Sequential(), _branch(3)])


@pytest.mark.backend_independent
def test_a_merge_after_other_layers_is_refused():
    model = Sequential([Dense(4, input_dim=3)])
    with pytest.raises(ValueError, match=r'Merge layer merge_\d+ takes its inputs from its branches .* first layer'):
        model.add(Merge([_branch(3), _branch(3)]))
    assert len(model.layers) == 1


@pytest.mark.backend_independent
def test_function_mode_that_cannot_be_probed_asks_for_output_shape():
    def broken(xs):
        raise RuntimeError('no')
    with pytest.raises(ValueError, match=r'could not find the output shape .* give output_shape='):
        Merge([_branch(3), _branch(3)], mode=broken)


def test_set_seed_gives_the_same_merged_model():
    teachnet.set_seed(3)
    first = _merged('concat').get_weights()
    teachnet.set_seed(3)
    second = _merged('concat').get_weights()
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)


def test_masks_of_the_branches_are_combined():
    from teachnet.layers import embeddings

    def branch():
        return Sequential([embeddings.Embedding(10, 3, input_length=4, mask_zero=True)])
    x1, x2 = np.array([[1, 2, 0, 0], [3, 0, 0, 0]]), np.array([[1, 2, 3, 0], [0, 0, 0, 0]])
    real_1, real_2 = x1 != 0, x2 != 0
    for mode, axis, expected in [('sum', -1, real_1 & real_2), ('concat', -1, real_1 & real_2),
                                 ('concat', 1, np.concatenate([real_1, real_2], axis=1))]:
        output = Merge([branch(), branch()], mode=mode, concat_axis=axis)([x1, x2])
        np.testing.assert_array_equal(am.to_numpy(output.mask), expected)
    assert Merge([branch(), branch()], mode='dot')([x1, x2]).mask is None


@pytest.mark.backend_independent
def test_nested_merges_and_layer_branches_survive_json():
    inner = Sequential([Merge([_branch(2), Dense(4, input_dim=3)], mode='mul'), Dense(4)])
    model = Sequential([Merge([inner, _branch(5)], mode=difference), Dense(1)])
    rebuilt = model_from_json(model.to_json(), custom_objects={'difference': difference})
    assert rebuilt.input_shape == model.input_shape == [(None, 2), (None, 3), (None, 5)]
    assert [type(b).__name__ for b in rebuilt.layers[0].branches[0].layers[0].branches] == ['Sequential', 'Dense']
    rebuilt.set_weights(model.get_weights())
    xs = [RNG.standard_normal((3, d)) for d in (2, 3, 5)]
    np.testing.assert_allclose(rebuilt.predict(xs), model.predict(xs), rtol=1e-6)
