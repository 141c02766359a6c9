"""Weight and activity penalties: values against NumPy formulas, gradients by differences."""
import numpy as np
import pytest

from teachnet import regularizers
from teachnet.backend import array_module as am
from teachnet.inspect.numerical import check_function
from teachnet.ops import Parameter, Tape, Tensor
from teachnet.ops.penalties import l1_penalty, l2_penalty


def away_from_zero(shape, seed=0):
    """Values with |w| in [0.2, 1.2): no central difference straddles the kink of |w| at 0."""
    rng = np.random.default_rng(seed)
    return rng.choice([-1., 1.], size=shape) * rng.uniform(0.2, 1.2, size=shape)


W = away_from_zero((4, 5))


def value(tensor):
    assert isinstance(tensor, Tensor) and tensor.shape == ()
    return float(am.to_numpy(tensor.data))


@pytest.mark.parametrize('batch_mean', [False, True])
def test_penalty_gradients_match_central_differences(batch_mean):
    assert max(check_function(lambda w: l1_penalty(w, 0.3, batch_mean), W)) < 1e-7
    assert max(check_function(lambda w: l2_penalty(w, 0.3, batch_mean), W)) < 1e-7


def test_regularizer_gradients_match_central_differences():
    for regularizer in (regularizers.l1l2(0.1, 0.2), regularizers.activity_l1l2(0.1, 0.2),
                        regularizers.l1(0.5), regularizers.activity_l2(0.5)):
        assert max(check_function(regularizer, W)) < 1e-7, regularizer


def test_weight_penalties_match_their_formulas():
    w = Tensor(am.to_device(W))
    assert value(regularizers.l1(0.1)(w)) == pytest.approx(0.1 * np.abs(W).sum(), rel=1e-6)
    assert value(regularizers.l2(0.1)(w)) == pytest.approx(0.1 * (W ** 2).sum(), rel=1e-6)
    expected = 0.1 * np.abs(W).sum() + 0.2 * (W ** 2).sum()
    assert value(regularizers.l1l2(0.1, 0.2)(w)) == pytest.approx(expected, rel=1e-6)
    assert value(regularizers.l1_l2(0.1, 0.2)(w)) == pytest.approx(expected, rel=1e-6)


def test_activity_penalties_average_over_the_batch_as_keras_1():
    a = Tensor(am.to_device(W))                          # a batch of 4 outputs of 5 units
    # Keras 1: l1·Σ_units mean_batch |a| + l2·Σ_units mean_batch a²
    expected = 0.1 * np.abs(W).mean(axis=0).sum() + 0.2 * (W ** 2).mean(axis=0).sum()
    assert value(regularizers.activity_l1l2(0.1, 0.2)(a)) == pytest.approx(expected, rel=1e-6)
    assert value(regularizers.activity_l1(0.1)(a)) == pytest.approx(
        0.1 * np.abs(W).sum() / 4, rel=1e-6)
    assert value(regularizers.activity_l2(0.1)(a)) == pytest.approx(
        0.1 * (W ** 2).sum() / 4, rel=1e-6)


def test_backward_adds_the_penalty_gradient_to_the_weight():
    w = Parameter(am.to_device(W.astype(np.float32)), name='dense_1/kernel')
    with Tape() as tape:
        penalty = regularizers.l1l2(0.1, 0.2)(w)
    assert penalty.dtype == np.float32
    assert [op.name for op in tape.records][:2] == ['l1_penalty', 'l2_penalty']
    tape.backward(penalty)
    expected = 0.1 * np.sign(W) + 2 * 0.2 * W
    assert np.allclose(am.to_numpy(w.grad), expected, atol=1e-6)


def test_penalty_ops_describe_themselves():
    with Tape() as tape:
        l1_penalty(Parameter(am.to_device(W)), 0.1, batch_mean=True)
        l2_penalty(Parameter(am.to_device(W)), 0.1)
    first, second = tape.records
    assert first.formula == 'P = (l/N)·Σ|w|' and first.describe()['l'] == 0.1
    assert second.formula == 'P = l·Σw²'


def test_a_zero_regularizer_gives_a_zero_penalty():
    penalty = regularizers.WeightRegularizer()(Tensor(am.to_device(W)))
    assert value(penalty) == 0.


def test_shortcut_names_use_keras_default_coefficients():
    for name, l1, l2, cls in [('l1', 0.01, 0., regularizers.WeightRegularizer),
                              ('l2', 0., 0.01, regularizers.WeightRegularizer),
                              ('l1l2', 0.01, 0.01, regularizers.WeightRegularizer),
                              ('l1_l2', 0.01, 0.01, regularizers.WeightRegularizer),
                              ('activity_l2', 0., 0.01, regularizers.ActivityRegularizer)]:
        regularizer = regularizers.get(name)
        assert type(regularizer) is cls and (regularizer.l1, regularizer.l2) == (l1, l2)


@pytest.mark.backend_independent
def test_configs_in_keras_1_and_keras_2_form():
    keras_1 = regularizers.l2(0.03).get_config()
    assert keras_1 == {'name': 'WeightRegularizer', 'l1': 0., 'l2': 0.03}
    again = regularizers.get(keras_1)
    assert type(again) is regularizers.WeightRegularizer and again.l2 == 0.03
    activity = regularizers.get(regularizers.activity_l1(0.2).get_config())
    assert type(activity) is regularizers.ActivityRegularizer and activity.l1 == 0.2

    keras_2 = regularizers.get({'class_name': 'L1L2', 'config': {'l1': 0.0, 'l2': 0.05}})
    assert (keras_2.l1, keras_2.l2) == (0., 0.05)
    keras_3 = regularizers.get({'class_name': 'L2', 'config': {'l2': 0.02}})
    assert (keras_3.l1, keras_3.l2) == (0., 0.02)
    assert regularizers.serialize(keras_2) == {'class_name': 'L1L2',
                                               'config': {'l1': 0., 'l2': 0.05}}
    assert regularizers.get(None) is None
    custom = regularizers.l1(0.1)
    assert regularizers.get(custom) is custom


@pytest.mark.backend_independent
def test_bad_regularizers_are_clear_errors():
    with pytest.raises(ValueError, match=r"'l3'.*l1l2"):
        regularizers.get('l3')
    with pytest.raises(ValueError, match="Unknown regularizer 'Nope'"):
        regularizers.get({'class_name': 'Nope', 'config': {}})
    with pytest.raises(ValueError, match=r'WeightRegularizer.*l1.*-0\.1'):
        regularizers.WeightRegularizer(l1=-0.1)
    with pytest.raises(ValueError, match='L1L2'):
        regularizers.get({'class_name': 'L1L2', 'config': {'l3': 1.}})
    with pytest.raises(TypeError, match='regularizer'):
        regularizers.get(0.01)
