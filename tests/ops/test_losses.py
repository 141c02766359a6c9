"""Loss ops: forward against plain NumPy formulas, backward against central differences."""
import numpy as np
import pytest

from teachnet.backend import array_module as am
from teachnet.inspect.numerical import check_function
from teachnet.ops import losses as L
from teachnet.ops.tape import Tape
from teachnet.ops.tensor import Tensor

EPS = 1e-7
SHAPES = [(4, 3), (2, 5, 3), (6, 1), (3, 2, 4)]


# ----------------------------------------------------------------------------- references

def softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def ref_categorical(y, p):
    q = np.clip(p / p.sum(axis=-1, keepdims=True), EPS, 1 - EPS)
    return -np.sum(y * np.log(q), axis=-1)


def ref_cosine(y, p):
    y_unit = y / np.sqrt(np.sum(y ** 2, axis=-1, keepdims=True))
    p_unit = p / np.sqrt(np.sum(p ** 2, axis=-1, keepdims=True))
    return -np.mean(y_unit * p_unit, axis=-1)


REFERENCES = {
    'mean_squared_error': lambda y, p: np.mean((p - y) ** 2, axis=-1),
    'mean_absolute_error': lambda y, p: np.mean(np.abs(p - y), axis=-1),
    'mean_absolute_percentage_error':
        lambda y, p: 100 * np.mean(np.abs(y - p) / np.clip(np.abs(y), EPS, None), axis=-1),
    'mean_squared_logarithmic_error':
        lambda y, p: np.mean((np.log(np.clip(p, EPS, None) + 1)
                              - np.log(np.clip(y, EPS, None) + 1)) ** 2, axis=-1),
    'squared_hinge': lambda y, p: np.mean(np.maximum(1 - y * p, 0) ** 2, axis=-1),
    'hinge': lambda y, p: np.mean(np.maximum(1 - y * p, 0), axis=-1),
    'binary_crossentropy':
        lambda y, p: -np.mean(y * np.log(np.clip(p, EPS, 1 - EPS))
                              + (1 - y) * np.log(1 - np.clip(p, EPS, 1 - EPS)), axis=-1),
    'categorical_crossentropy': ref_categorical,
    'kullback_leibler_divergence':
        lambda y, p: np.sum(np.clip(y, EPS, 1) * np.log(np.clip(y, EPS, 1) / np.clip(p, EPS, 1)),
                            axis=-1),
    'poisson': lambda y, p: np.mean(p - y * np.log(p + EPS), axis=-1),
    'cosine_proximity': ref_cosine,
}


def make_inputs(name, rng, shape):
    """Targets and predictions inside each loss's clipping range (and away from kinks)."""
    normal = lambda: rng.standard_normal(shape)                       # noqa: E731
    uniform = lambda low, high: rng.uniform(low, high, shape)         # noqa: E731
    if name in ('mean_squared_error', 'mean_absolute_error', 'cosine_proximity'):
        return normal(), normal()
    if name == 'mean_absolute_percentage_error':
        return normal() + np.sign(normal()) * 0.5, normal()
    if name == 'mean_squared_logarithmic_error':
        return uniform(0.1, 3), uniform(0.1, 3)
    if name in ('hinge', 'squared_hinge'):
        return np.sign(normal()), 2 * normal()
    if name == 'binary_crossentropy':
        return (rng.random(shape) < 0.5).astype(float), uniform(0.05, 0.95)
    if name == 'categorical_crossentropy':
        return softmax(normal()), uniform(0.1, 1)        # soft targets, unnormalised p
    if name == 'kullback_leibler_divergence':
        return uniform(0.05, 1), uniform(0.05, 0.95)
    if name == 'poisson':
        return rng.poisson(2, shape).astype(float), uniform(0.2, 4)
    raise KeyError(name)


def device(*arrays):
    return [am.to_device(a) for a in arrays]


# ----------------------------------------------------------------------------- forward

@pytest.mark.parametrize('name', sorted(REFERENCES))
@pytest.mark.parametrize('shape', SHAPES, ids=str)
def test_forward_matches_numpy_formula(name, shape):
    y, p = make_inputs(name, np.random.default_rng(1), shape)
    out = L.LOSS_OPS[name]().forward(*device(y, p))
    assert out.shape == shape[:-1]
    np.testing.assert_allclose(am.to_numpy(out), REFERENCES[name](y, p), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize('name', sorted(L.LOSS_OPS))
def test_float32_stays_float32_and_every_op_describes_itself(name):
    rng = np.random.default_rng(2)
    if name == 'sparse_categorical_crossentropy':
        y, p = rng.integers(0, 3, (4,)), rng.uniform(0.1, 1, (4, 3))
    else:
        y, p = make_inputs(name, rng, (4, 3))
    op = L.LOSS_OPS[name]()
    out = op.forward(am.to_device(y, None if name.startswith('sparse') else 'float32'),
                     am.to_device(p, 'float32'))
    assert out.dtype == np.float32
    _, grad = op.backward(am.xp().ones(out.shape, dtype='float32'))
    assert grad.dtype == np.float32 and grad.shape == p.shape
    assert op.name == name and op.formula.startswith('L = ')


def test_clipping_keeps_values_finite_and_matches_keras_formulas():
    y = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    p = np.array([[0.0, 1.0, 0.5], [1.0, 0.0, 0.0]])
    for name in ('binary_crossentropy', 'categorical_crossentropy', 'kullback_leibler_divergence',
                 'mean_squared_logarithmic_error', 'mean_absolute_percentage_error'):
        out = am.to_numpy(L.LOSS_OPS[name]().forward(*device(y, p)))
        assert np.all(np.isfinite(out)), name
        np.testing.assert_allclose(out, REFERENCES[name](y, p), rtol=1e-10, err_msg=name)


def test_clipped_predictions_get_no_gradient():
    y = np.array([[1.0, 0.0, 1.0]])
    p = np.array([[0.0, 0.5, 1.0]])           # first and last are clipped
    op = L.BinaryCrossentropy()
    op.forward(*device(y, p))
    grad = am.to_numpy(op.backward(am.to_device(np.ones(1)))[1])
    assert grad[0, 0] == 0 and grad[0, 2] == 0 and grad[0, 1] == pytest.approx(1 / (3 * 0.5))


def test_mismatched_shapes_name_the_loss():
    with pytest.raises(ValueError, match=r"mean_squared_error.*\(4, 1\).*\(4,\)"):
        L.MeanSquaredError().forward(*device(np.zeros(4), np.zeros((4, 1))))
    with pytest.raises(ValueError, match=r"sparse_categorical_crossentropy.*\(4, 2\)"):
        L.SparseCategoricalCrossentropy().forward(*device(np.zeros((4, 2)), np.ones((4, 3))))


# ----------------------------------------------------------------------------- backward

@pytest.mark.parametrize('name', sorted(REFERENCES))
@pytest.mark.parametrize('shape', SHAPES[:3], ids=str)
def test_gradient_matches_central_differences(name, shape):
    y, p = make_inputs(name, np.random.default_rng(3), shape)
    op_class = L.LOSS_OPS[name]
    errors = check_function(lambda t, q: op_class().apply(t, q), y, p,
                            differentiable=[False, True])
    assert errors[0] < 1e-6, errors


def test_backward_gives_no_gradient_to_targets():
    y, p = make_inputs('mean_squared_error', np.random.default_rng(4), (3, 2))
    target, prediction = Tensor(am.to_device(y), requires_grad=True), Tensor(am.to_device(p), True)
    with Tape() as tape:
        loss = L.MeanSquaredError().apply(target, prediction)
    tape.backward(loss)
    assert target.grad is None
    np.testing.assert_allclose(am.to_numpy(prediction.grad), 2 * (p - y) / 2)


@pytest.mark.parametrize('shape', [(5, 4), (2, 3, 6)], ids=str)
def test_softmax_then_categorical_crossentropy_gives_p_minus_y(shape):
    rng = np.random.default_rng(5)
    p = softmax(rng.standard_normal(shape))
    y = np.eye(shape[-1])[rng.integers(0, shape[-1], shape[:-1])]
    op = L.CategoricalCrossentropy()
    op.forward(*device(y, p))
    grad_p = am.to_numpy(op.backward(am.to_device(np.ones(shape[:-1])))[1])
    grad_logits = p * (grad_p - np.sum(grad_p * p, axis=-1, keepdims=True))   # softmax backward
    np.testing.assert_allclose(grad_logits, p - y, atol=1e-12)


# ----------------------------------------------------------------------------- sparse ids

@pytest.mark.parametrize('shape', [(5, 4), (2, 3, 6), (4, 1)], ids=str)
@pytest.mark.parametrize('trailing_one', [False, True])
def test_sparse_matches_dense_forward_and_backward(shape, trailing_one):
    rng = np.random.default_rng(6)
    ids = rng.integers(0, shape[-1], shape[:-1])
    labels = ids[..., None].astype(float) if trailing_one else ids   # float labels are cast
    p = rng.uniform(0.05, 1, shape)
    one_hot = np.eye(shape[-1])[ids]
    sparse, dense = L.SparseCategoricalCrossentropy(), L.CategoricalCrossentropy()
    out_sparse = am.to_numpy(sparse.forward(*device(labels, p)))
    out_dense = am.to_numpy(dense.forward(*device(one_hot, p)))
    np.testing.assert_allclose(out_sparse, out_dense, rtol=1e-12)
    np.testing.assert_allclose(out_sparse, ref_categorical(one_hot, p), rtol=1e-12)
    g = am.to_device(rng.standard_normal(shape[:-1]))
    np.testing.assert_allclose(am.to_numpy(sparse.backward(g)[1]),
                               am.to_numpy(dense.backward(g)[1]), rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize('shape', [(5, 4), (2, 3, 6)], ids=str)
def test_sparse_gradient_matches_central_differences(shape):
    rng = np.random.default_rng(7)
    ids = am.to_device(rng.integers(0, shape[-1], shape[:-1]))
    p = rng.uniform(0.05, 1, shape)
    errors = check_function(lambda q: L.SparseCategoricalCrossentropy().apply(ids, q), p)
    assert errors[0] < 1e-6, errors


# ----------------------------------------------------------------------------- weighted mean

def mean_of(out):
    return float(am.to_numpy(out.data if isinstance(out, Tensor) else out))


def test_weighted_mean_without_weights_is_the_mean():
    losses = np.random.default_rng(8).random((6, 3))
    assert mean_of(L.weighted_mean(am.to_device(losses))) == pytest.approx(losses.mean())


def test_weighted_mean_with_zero_weights_rescales_by_the_nonzero_fraction():
    losses = np.array([1.0, 2.0, 3.0, 4.0])
    weights = np.array([2.0, 0.0, 1.0, 0.0])
    expected = np.mean(losses * weights) / np.mean(weights != 0)        # (2 + 3) / 4 / 0.5
    assert mean_of(L.weighted_mean(*device(losses, weights))) == pytest.approx(expected)
    assert expected == pytest.approx(2.5)
    host_weights = L.weighted_mean(am.to_device(losses), weights)      # moved to the backend
    assert mean_of(host_weights) == pytest.approx(expected)


def test_weighted_mean_of_timesteps_with_per_sample_weights():
    rng = np.random.default_rng(9)
    losses, weights = rng.random((4, 5)), np.array([1.0, 0.0, 3.0, 0.5])
    expected = np.mean(losses.mean(axis=1) * weights) / 0.75
    assert mean_of(L.weighted_mean(*device(losses, weights))) == pytest.approx(expected)
    temporal = rng.random((4, 5)) * (rng.random((4, 5)) > 0.3)
    expected = np.mean(losses * temporal) / np.mean(temporal != 0)
    assert mean_of(L.weighted_mean(*device(losses, temporal))) == pytest.approx(expected)


def test_weighted_mean_with_mask():
    rng = np.random.default_rng(10)
    losses, mask = rng.random((3, 4)), (rng.random((3, 4)) > 0.4).astype(float)
    weights = np.array([1.0, 2.0, 0.0])
    expected = np.mean(np.mean(losses * mask / mask.mean(), axis=1) * weights) / np.mean(weights != 0)
    out = L.weighted_mean(*device(losses, weights, mask))
    assert mean_of(out) == pytest.approx(expected)


def test_weighted_mean_all_zero_weights_gives_zero_not_nan():
    out = L.weighted_mean(*device(np.array([1.0, 2.0]), np.zeros(2)))
    assert mean_of(out) == 0.0


@pytest.mark.parametrize('case', ['none', 'per_sample', 'temporal', 'mask'])
def test_weighted_mean_gradient(case):
    rng = np.random.default_rng(11)
    losses = rng.random((4, 3))
    weights = {'none': None, 'per_sample': np.array([1.0, 0.0, 2.0, 0.5]),
               'temporal': rng.random((4, 3)) * (rng.random((4, 3)) > 0.3),
               'mask': np.array([1.0, 1.0, 0.0, 3.0])}[case]
    mask = (rng.random((4, 3)) > 0.3).astype(float) if case == 'mask' else None
    w = None if weights is None else am.to_device(weights)
    m = None if mask is None else am.to_device(mask)
    errors = check_function(lambda t: L.weighted_mean(t, w, m), losses)
    assert errors[0] < 1e-6, errors


def test_weighted_mean_rejects_weights_of_the_wrong_shape():
    with pytest.raises(ValueError, match=r"weighted_mean.*sample weights.*\(4,\).*\(3,\)"):
        L.weighted_mean(*device(np.ones(4), np.ones(3)))
