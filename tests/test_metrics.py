"""Metrics: each against NumPy, 0-d results on the active backend, and resolve()'s rules."""
import numpy as np
import pytest

from teachnet import losses, metrics
from teachnet.backend import array_module as am
from teachnet.ops.tensor import Tensor


def value(result):
    """A metric's result must be a 0-d array of the active backend, not a Python float."""
    assert am.is_device_array(result) and result.ndim == 0, type(result)
    return float(am.to_numpy(result))


def test_binary_accuracy():
    y = np.array([[1.0], [0.0], [1.0], [0.0], [1.0]])
    p = np.array([[0.8], [0.3], [0.4], [0.6], [0.51]])
    expected = np.mean(y == np.round(p))
    assert expected == pytest.approx(0.6)
    assert value(metrics.binary_accuracy(*map(am.to_device, (y, p)))) == pytest.approx(expected)


def test_binary_accuracy_averages_over_every_output_of_a_multi_label_batch():
    rng = np.random.default_rng(0)
    y, p = (rng.random((6, 4)) > 0.5).astype(float), rng.random((6, 4))
    assert value(metrics.binary_accuracy(y, p)) == pytest.approx(np.mean(y == np.round(p)))


def test_categorical_accuracy_with_arrays_and_tensors():
    rng = np.random.default_rng(1)
    p = rng.random((20, 5))
    y = np.eye(5)[rng.integers(0, 5, 20)]
    expected = np.mean(np.argmax(y, axis=-1) == np.argmax(p, axis=-1))
    assert value(metrics.categorical_accuracy(y, p)) == pytest.approx(expected)
    tensors = Tensor(am.to_device(y)), Tensor(am.to_device(p))
    assert value(metrics.categorical_accuracy(*tensors)) == pytest.approx(expected)


@pytest.mark.parametrize('trailing_one', [False, True])
def test_sparse_categorical_accuracy(trailing_one):
    rng = np.random.default_rng(2)
    p = rng.random((30, 4))
    ids = rng.integers(0, 4, 30)
    labels = ids[:, None].astype(float) if trailing_one else ids
    expected = np.mean(ids == np.argmax(p, axis=-1))
    assert value(metrics.sparse_categorical_accuracy(labels, p)) == pytest.approx(expected)


def test_sparse_categorical_accuracy_of_sequences():
    rng = np.random.default_rng(3)
    p, ids = rng.random((3, 5, 4)), rng.integers(0, 4, (3, 5, 1))
    expected = np.mean(ids[..., 0] == np.argmax(p, axis=-1))
    assert value(metrics.sparse_categorical_accuracy(ids, p)) == pytest.approx(expected)


@pytest.mark.parametrize('k', [1, 2, 3, 5, 8])
def test_top_k_categorical_accuracy(k):
    rng = np.random.default_rng(4)
    p = rng.random((40, 8))
    targets = rng.integers(0, 8, 40)
    top_k = np.argsort(-p, axis=-1)[:, :k]
    expected = np.mean([targets[i] in top_k[i] for i in range(40)])
    result = metrics.top_k_categorical_accuracy(np.eye(8)[targets], p, k=k)
    assert value(result) == pytest.approx(expected)
    if k == 8:
        assert expected == 1.0


def test_top_5_is_the_default():
    rng = np.random.default_rng(5)
    p, y = rng.random((10, 8)), np.eye(8)[rng.integers(0, 8, 10)]
    assert value(metrics.top_k_categorical_accuracy(y, p)) == \
        value(metrics.top_k_categorical_accuracy(y, p, k=5))


@pytest.mark.parametrize('name', sorted(losses.LOSSES))
def test_every_loss_is_a_metric_giving_its_batch_mean(name):
    rng = np.random.default_rng(6)
    p = rng.uniform(0.1, 0.9, (4, 3, 2))
    y = rng.integers(0, 2, (4, 3)) if name == 'sparse_categorical_crossentropy' else rng.random((4, 3, 2))
    expected = losses.get(name)(y, p).numpy().mean()
    assert value(metrics.get(name)(y, p)) == pytest.approx(expected, rel=1e-6)
    assert metrics.get(name).__name__ == losses.get(name).__name__


def test_mse_metric_against_numpy():
    rng = np.random.default_rng(7)
    y, p = rng.random((5, 3)), rng.random((5, 3))
    assert value(metrics.get('mse')(y, p)) == pytest.approx(np.mean((p - y) ** 2))


@pytest.mark.backend_independent
def test_get_passes_functions_and_rejects_unknown_names():
    def mean_pred(y_true, y_pred):
        return y_pred

    assert metrics.get(mean_pred) is mean_pred
    assert metrics.get('categorical_accuracy') is metrics.categorical_accuracy
    with pytest.raises(ValueError, match=r"Unknown metric 'acuracy'.*'accuracy'.*binary_accuracy"):
        metrics.get('acuracy')
    with pytest.raises(ValueError, match=r"'accuracy' depends on the loss"):
        metrics.get('accuracy')
    with pytest.raises(TypeError, match=r"metric must be a name"):
        metrics.get(None)


@pytest.mark.backend_independent
@pytest.mark.parametrize('name', ['accuracy', 'acc'])
@pytest.mark.parametrize('loss, output_shape, expected', [
    ('binary_crossentropy', (None, 1), 'binary_accuracy'),
    ('binary_crossentropy', (None, 10), 'binary_accuracy'),
    ('mse', (None, 1), 'binary_accuracy'),
    ('categorical_crossentropy', (None, 1), 'binary_accuracy'),
    ('sparse_categorical_crossentropy', (None, 10), 'sparse_categorical_accuracy'),
    ('sparse_categorical_crossentropy', (None, 5, 10), 'sparse_categorical_accuracy'),
    ('categorical_crossentropy', (None, 10), 'categorical_accuracy'),
    ('mse', (None, 10), 'categorical_accuracy'),
])
def test_resolve_chooses_the_accuracy_as_keras_1_did(name, loss, output_shape, expected):
    logged, function = metrics.resolve(name, loss, output_shape)
    assert logged == 'acc' and function is getattr(metrics, expected)


@pytest.mark.backend_independent
def test_resolve_accepts_loss_functions_and_user_losses():
    assert metrics.resolve('acc', losses.binary_crossentropy, (None, 4))[1] is metrics.binary_accuracy
    assert metrics.resolve('acc', losses.sparse_categorical_crossentropy, (4,))[1] \
        is metrics.sparse_categorical_accuracy

    def my_loss(y_true, y_pred):
        return y_pred

    assert metrics.resolve('acc', my_loss, (None, 4))[1] is metrics.categorical_accuracy


@pytest.mark.backend_independent
def test_resolve_keeps_given_names_and_names_functions_by_dunder_name():
    assert metrics.resolve('mse', 'mse', (None, 3)) == ('mse', metrics.mse)
    assert metrics.resolve('MAE', 'mse', (None, 3)) == ('MAE', metrics.mean_absolute_error)
    assert metrics.resolve('top_k_categorical_accuracy', 'mse', (None, 3)) == \
        ('top_k_categorical_accuracy', metrics.top_k_categorical_accuracy)

    def false_rates(y_true, y_pred):
        return {'false_neg': 0.0, 'false_pos': 0.0}

    assert metrics.resolve(false_rates, 'binary_crossentropy', (None, 1)) == ('false_rates', false_rates)
