"""Losses by name: aliases, lookup, errors, Tensors and arrays, user functions."""
import numpy as np
import pytest

from teachnet import losses
from teachnet.backend import array_module as am
from teachnet.ops import arithmetic
from teachnet.ops.losses import weighted_mean
from teachnet.ops.tape import Tape
from teachnet.ops.tensor import Tensor

ALIASES = {
    'mean_squared_error': ['mse', 'MSE'],
    'mean_absolute_error': ['mae', 'MAE'],
    'mean_absolute_percentage_error': ['mape', 'MAPE'],
    'mean_squared_logarithmic_error': ['msle', 'MSLE'],
    'kullback_leibler_divergence': ['kld', 'KLD'],
    'cosine_proximity': ['cosine'],
    'squared_hinge': [], 'hinge': [], 'binary_crossentropy': [], 'poisson': [],
    'categorical_crossentropy': [], 'sparse_categorical_crossentropy': [],
}


@pytest.mark.backend_independent
@pytest.mark.parametrize('name', sorted(ALIASES))
def test_names_and_aliases_find_one_function(name):
    function = losses.get(name)
    assert function is getattr(losses, name) and function.__name__ == name
    for alias in ALIASES[name]:
        assert losses.get(alias) is function and getattr(losses, alias) is function
        assert losses.serialize(alias) == name
    assert losses.serialize(function) == name


@pytest.mark.backend_independent
def test_every_listed_name_is_known():
    assert set(losses.LOSSES) == set(ALIASES) | {a for names in ALIASES.values() for a in names}


@pytest.mark.backend_independent
def test_unknown_name_lists_the_known_ones():
    with pytest.raises(ValueError, match=r"Unknown loss 'mean_square_eror'.*mse.*categorical_crossentropy"):
        losses.get('mean_square_eror')
    with pytest.raises(TypeError, match=r"loss must be a name.*int"):
        losses.get(3)


def test_mse_on_arrays_and_tensors_gives_a_tensor_of_per_sample_losses():
    rng = np.random.default_rng(0)
    y, p = rng.standard_normal((5, 3)), rng.standard_normal((5, 3))
    expected = np.mean((p - y) ** 2, axis=-1)
    for y_in, p_in in [(y, p), (Tensor(am.to_device(y)), Tensor(am.to_device(p)))]:
        out = losses.mse(y_in, p_in)
        assert isinstance(out, Tensor) and out.shape == (5,)
        np.testing.assert_allclose(out.numpy(), expected)


def test_integer_targets_do_not_promote_float32_predictions():
    labels = np.array([[1], [0], [1]])                             # int64, as np.random.randint gives
    predictions = Tensor(am.to_device(np.array([[0.9], [0.2], [0.6]]), 'float32'))
    out = losses.binary_crossentropy(labels, predictions)
    assert out.dtype == np.float32
    expected = -np.log([0.9, 0.8, 0.6])
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-6)


def test_sparse_categorical_crossentropy_takes_host_integer_ids():
    p = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])
    out = losses.sparse_categorical_crossentropy(np.array([[0], [2]]), Tensor(am.to_device(p)))
    np.testing.assert_allclose(out.numpy(), -np.log([0.7, 0.8]))


def test_categorical_crossentropy_is_a_sum_and_binary_a_mean_over_units():
    y = np.array([[0.0, 1.0, 0.0, 0.0]])
    p = np.array([[0.1, 0.4, 0.3, 0.2]])
    np.testing.assert_allclose(losses.categorical_crossentropy(y, p).numpy(), [-np.log(0.4)])
    expected = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p), axis=-1)
    np.testing.assert_allclose(losses.binary_crossentropy(y, p).numpy(), expected)


def test_3d_outputs_give_a_loss_per_sample_and_timestep():
    rng = np.random.default_rng(1)
    y, p = rng.random((2, 4, 3)), rng.random((2, 4, 3))
    out = losses.mae(y, p)
    assert out.shape == (2, 4)
    np.testing.assert_allclose(out.numpy(), np.mean(np.abs(p - y), axis=-1))


def test_a_builtin_loss_trains_through_the_tape():
    rng = np.random.default_rng(2)
    y, p = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    prediction = Tensor(am.to_device(p), requires_grad=True)
    with Tape() as tape:
        loss = weighted_mean(losses.get('mse')(y, prediction))
    tape.backward(loss)
    np.testing.assert_allclose(am.to_numpy(prediction.grad), 2 * (p - y) / p.size)


def test_a_user_function_passes_through_and_is_differentiable():
    def squared_difference(y_true, y_pred):
        difference = arithmetic.subtract(y_pred, y_true)
        return arithmetic.multiply(difference, difference)

    assert losses.get(squared_difference) is squared_difference
    assert losses.serialize(squared_difference) == 'squared_difference'
    rng = np.random.default_rng(3)
    y, p = rng.standard_normal((3, 1)), rng.standard_normal((3, 1))
    prediction = Tensor(am.to_device(p), requires_grad=True)
    with Tape() as tape:
        loss = weighted_mean(losses.get(squared_difference)(am.to_device(y), prediction))
    tape.backward(loss)
    np.testing.assert_allclose(am.to_numpy(prediction.grad), 2 * (p - y) / p.size)


def test_a_user_function_of_backend_functions_is_differentiable():
    import teachnet.backend as K

    def mean_fourth_power(y_true, y_pred):
        return K.mean(K.square(K.square(y_pred - y_true)), axis=-1)

    rng = np.random.default_rng(4)
    y, p = rng.standard_normal((3, 2)), rng.standard_normal((3, 2))
    prediction = Tensor(am.to_device(p), requires_grad=True)
    with Tape() as tape:
        loss = weighted_mean(losses.get(mean_fourth_power)(am.to_device(y), prediction))
    tape.backward(loss)
    np.testing.assert_allclose(am.to_numpy(prediction.grad), 4 * (p - y) ** 3 / p.size)
