"""to_categorical, normalize, probas_to_classes on host arrays; set_random_seed."""
import numpy as np
import pytest

from teachnet.backend import array_module as am
from teachnet.utils import set_random_seed, to_categorical
from teachnet.utils.np_utils import categorical_probas_to_classes, normalize, probas_to_classes

pytestmark = pytest.mark.backend_independent      # host NumPy in, host NumPy out


def one_hot_reference(labels, nb_classes):
    result = np.zeros((len(labels), nb_classes))
    for row, label in enumerate(labels):
        result[row, label] = 1.
    return result


def test_to_categorical_makes_one_hot_rows():
    labels = np.array([0, 3, 1, 3, 2])
    result = to_categorical(labels, 5)
    assert result.shape == (5, 5) and result.dtype == np.float32
    assert np.array_equal(result, one_hot_reference(labels, 5))


def test_the_guides_column_of_labels():
    labels = np.random.default_rng(0).integers(10, size=(1000, 1))
    result = to_categorical(labels, 10)
    assert result.shape == (1000, 10)
    assert np.array_equal(result, one_hot_reference(labels[:, 0], 10))


def test_number_of_classes_defaults_to_max_plus_one_and_has_two_spellings():
    assert to_categorical([2, 0]).shape == (2, 3)
    assert np.array_equal(to_categorical([1, 0], num_classes=4), one_hot_reference([1, 0], 4))
    assert to_categorical([1.0, 2.0], nb_classes=3).tolist() == [[0, 1, 0], [0, 0, 1]]
    assert to_categorical(np.array([1, 0]), 2, dtype='float64').dtype == np.float64
    with pytest.raises(ValueError, match='nb_classes=3 and num_classes=4'):
        to_categorical([0], nb_classes=3, num_classes=4)


@pytest.mark.parametrize('labels, bad', [([0, 1, 3], 3), ([0, -1, 2], -1), ([5], 5)])
def test_labels_out_of_range_are_named(labels, bad):
    with pytest.raises(ValueError, match=rf"nb_classes=3.*0 \.\.\. 2.*label {bad}"):
        to_categorical(labels, 3)


def test_fractional_and_empty_labels_are_refused():
    with pytest.raises(ValueError, match='whole-number'):
        to_categorical([0.5, 1.0], 3)
    with pytest.raises(ValueError, match='nb_classes'):
        to_categorical([])
    assert to_categorical([], 3).shape == (0, 3)


def test_normalize_divides_by_the_norm():
    x = np.array([[3., 4.], [0., 0.], [1., -1.]])
    expected = np.array([[0.6, 0.8], [0., 0.], [1 / np.sqrt(2), -1 / np.sqrt(2)]])
    assert np.allclose(normalize(x), expected)
    assert np.allclose(normalize(x, axis=0), x / np.sqrt((x ** 2).sum(axis=0, keepdims=True)))
    assert np.allclose(normalize(x, order=1), np.array([[3 / 7, 4 / 7], [0, 0], [0.5, -0.5]]))
    assert np.allclose(normalize(np.array([2., 0.])), [1., 0.])


def test_probabilities_back_to_classes():
    p = np.array([[0.1, 0.7, 0.2], [0.5, 0.2, 0.3]])
    assert probas_to_classes(p).tolist() == [1, 0]
    assert categorical_probas_to_classes(p).tolist() == [1, 0]
    assert probas_to_classes(np.array([[0.2], [0.9], [0.51]])).tolist() == [0, 1, 1]
    assert probas_to_classes(np.array([0.2, 0.9])).tolist() == [0, 1]


def test_set_random_seed_seeds_weights_and_numpys_global_generator():
    set_random_seed(21)
    data, weights = np.random.random(4), am.host_rng().random(4)
    set_random_seed(21)
    assert np.array_equal(np.random.random(4), data)
    assert np.array_equal(am.host_rng().random(4), weights)
    set_random_seed(22)
    assert not np.array_equal(np.random.random(4), data)
