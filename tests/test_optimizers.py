"""Optimizers against update rules written out again, step by step, in plain NumPy
(tests/optimizer_references.py).

The optimizers run on the active backend (see conftest.py); the references run on host
NumPy arrays. ``dev`` and ``host`` move arrays between the two.
"""
import copy

import numpy as np
import pytest

import teachnet.optimizers as optimizers
from teachnet.backend import array_module as am
from teachnet.ops.tensor import Parameter
from teachnet.optimizers import SGD, RMSprop, Adagrad, Adadelta, Adam, Adamax, Nadam

from optimizer_references import (ref_adadelta, ref_adagrad, ref_adam, ref_adamax, ref_clip, ref_nadam,
                                  ref_rmsprop, ref_sgd)

SHAPES = [(3, 4), (4,), (2, 1, 3)]
STEPS = 5


# Non-default hyperparameters (plus what a reference needs), so that defaults cannot hide bugs.
CASES = {
    'sgd': (SGD, ref_sgd, dict(lr=0.05, momentum=0.0, decay=0.0, nesterov=False)),
    'sgd_momentum': (SGD, ref_sgd, dict(lr=0.05, momentum=0.8, decay=0.0, nesterov=False)),
    'sgd_nesterov': (SGD, ref_sgd, dict(lr=0.05, momentum=0.8, decay=0.0, nesterov=True)),
    'rmsprop': (RMSprop, ref_rmsprop, dict(lr=0.01, rho=0.8, epsilon=1e-6, decay=0.0)),
    'adagrad': (Adagrad, ref_adagrad, dict(lr=0.1, epsilon=1e-6, decay=0.0)),
    'adadelta': (Adadelta, ref_adadelta, dict(lr=0.9, rho=0.85, epsilon=1e-5, decay=0.0)),
    'adam': (Adam, ref_adam, dict(lr=0.01, beta_1=0.8, beta_2=0.99, epsilon=1e-6, decay=0.0)),
    'adamax': (Adamax, ref_adamax, dict(lr=0.01, beta_1=0.8, beta_2=0.99, epsilon=1e-6, decay=0.0)),
    'nadam': (Nadam, ref_nadam, dict(lr=0.01, beta_1=0.8, beta_2=0.99, epsilon=1e-6,
                                     schedule_decay=0.1)),
}
DECAYING = [name for name, case in CASES.items() if 'decay' in case[2]]


def gradient_sequence(seed=0, steps=STEPS, none_at=None):
    rng = np.random.default_rng(seed)
    sequence = []
    for _ in range(steps):
        grads = [rng.normal(size=shape) for shape in SHAPES]
        if none_at is not None:
            grads[none_at] = None
        sequence.append(grads)
    return sequence


def initial_values(seed=1):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=shape) for shape in SHAPES]


def dev(array):
    """A fresh array of the active backend holding a copy of a host array."""
    return am.to_device(np.array(array, copy=True))


def host(array):
    """A host NumPy copy of an array of the active backend."""
    return np.array(am.to_numpy(array), copy=True)


def make_params(values):
    return [Parameter(dev(v), name=f'p{k}') for k, v in enumerate(values)]


def run_teachnet(optimizer, params, sequence):
    for grads in sequence:
        for p, g in zip(params, grads):
            p.grad = None if g is None else dev(g)
        optimizer.update(params)
    return [host(p.data) for p in params]


def run_reference(reference, values, sequence, hyper, clipnorm=None, clipvalue=None):
    thetas, state = [v.copy() for v in values], {}
    for iteration, grads in enumerate(sequence):
        reference(thetas, ref_clip(grads, clipnorm, clipvalue), state, iteration, **hyper)
    return thetas


def assert_all_close(actual, expected):
    for a, e in zip(actual, expected):
        np.testing.assert_allclose(a, e, rtol=1e-10, atol=1e-13)


# ----------------------------------------------------------------------------- update rules

@pytest.mark.parametrize('case', sorted(CASES))
def test_five_steps_match_reference(case):
    cls, reference, hyper = CASES[case]
    values, sequence = initial_values(), gradient_sequence()
    optimizer = cls(**hyper)
    result = run_teachnet(optimizer, make_params(values), sequence)
    assert_all_close(result, run_reference(reference, values, sequence, hyper))
    assert optimizer.iterations == STEPS


@pytest.mark.parametrize('case', DECAYING)
def test_decay_matches_reference(case):
    cls, reference, hyper = CASES[case]
    hyper = dict(hyper, decay=0.3)
    values, sequence = initial_values(), gradient_sequence(seed=2)
    result = run_teachnet(cls(**hyper), make_params(values), sequence)
    expected = run_reference(reference, values, sequence, hyper)
    assert_all_close(result, expected)
    undecayed = run_reference(reference, values, sequence, dict(hyper, decay=0.0))
    assert not np.allclose(expected[0], undecayed[0])      # the decay did matter


def test_first_update_uses_undecayed_lr():
    p = Parameter(dev(np.zeros(3)))
    p.grad = dev(np.ones(3))
    SGD(lr=0.5, decay=10.0).update([p])
    np.testing.assert_allclose(host(p.data), -0.5 * np.ones(3))


def test_nesterov_differs_from_plain_momentum():
    values, sequence = initial_values(), gradient_sequence()
    plain = run_teachnet(SGD(lr=0.05, momentum=0.8), make_params(values), sequence)
    nesterov = run_teachnet(SGD(lr=0.05, momentum=0.8, nesterov=True), make_params(values), sequence)
    assert not np.allclose(plain[0], nesterov[0])


@pytest.mark.parametrize('case', sorted(CASES))
@pytest.mark.parametrize('clipnorm', [0.5, 1e6])
def test_clipnorm_over_all_gradients(case, clipnorm):
    cls, reference, hyper = CASES[case]
    values, sequence = initial_values(), gradient_sequence(seed=3)
    result = run_teachnet(cls(clipnorm=clipnorm, **hyper), make_params(values), sequence)
    assert_all_close(result, run_reference(reference, values, sequence, hyper, clipnorm=clipnorm))


@pytest.mark.parametrize('case', sorted(CASES))
def test_clipvalue(case):
    cls, reference, hyper = CASES[case]
    values, sequence = initial_values(), gradient_sequence(seed=4)
    result = run_teachnet(cls(clipvalue=0.3, **hyper), make_params(values), sequence)
    assert_all_close(result, run_reference(reference, values, sequence, hyper, clipvalue=0.3))


def test_clipnorm_scales_gradient_to_the_norm():
    p = Parameter(dev(np.zeros(2)))
    p.grad = dev(np.array([3.0, 4.0]))              # norm 5
    SGD(lr=1.0, clipnorm=1.0).update([p])
    np.testing.assert_allclose(host(p.data), [-0.6, -0.8])


def test_clipnorm_and_clipvalue_together():
    values, sequence = initial_values(), gradient_sequence(seed=5)
    cls, reference, hyper = CASES['adam']
    result = run_teachnet(cls(clipnorm=1.0, clipvalue=0.1, **hyper), make_params(values), sequence)
    assert_all_close(result, run_reference(reference, values, sequence, hyper,
                                           clipnorm=1.0, clipvalue=0.1))


# ----------------------------------------------------------------------------- gradients

@pytest.mark.parametrize('case', sorted(CASES))
def test_parameters_without_gradient_are_skipped(case):
    cls, reference, hyper = CASES[case]
    values, sequence = initial_values(), gradient_sequence(seed=6, none_at=1)
    optimizer = cls(**hyper)
    result = run_teachnet(optimizer, make_params(values), sequence)
    np.testing.assert_array_equal(result[1], values[1])
    assert_all_close(result, run_reference(reference, values, sequence, hyper))
    for arrays in optimizer.slots.values():
        assert not np.any(host(arrays[1]))          # its slots were never touched


@pytest.mark.parametrize('case', sorted(CASES))
def test_gradients_are_not_modified(case):
    cls, _, hyper = CASES[case]
    params = make_params(initial_values())
    grads = [dev(g) for g in gradient_sequence(seed=7)[0]]
    for p, g in zip(params, grads):
        p.grad = g
    optimizer = cls(clipnorm=0.1, clipvalue=0.01, **hyper)
    optimizer.update(params)
    optimizer.update(params)
    for p, g, original in zip(params, grads, gradient_sequence(seed=7)[0]):
        assert p.grad is g
        np.testing.assert_array_equal(host(p.grad), original)


@pytest.mark.parametrize('name', sorted(optimizers.OPTIMIZERS))
def test_float32_parameters_stay_float32(name):
    p = Parameter(dev(np.ones((2, 3), dtype=np.float32)))
    p.grad = dev(np.full((2, 3), 0.5, dtype=np.float32))
    data = p.data
    optimizer = optimizers.get(name)
    optimizer.update([p])
    assert p.data is data and p.data.dtype == np.float32    # updated in place
    for arrays in optimizer.slots.values():
        assert arrays[0].dtype == np.float32 and arrays[0].shape == (2, 3)


# ----------------------------------------------------------------------------- state

@pytest.mark.parametrize('case', sorted(CASES))
def test_state_round_trip_continues_identically(case):
    cls, _, hyper = CASES[case]
    values, sequence = initial_values(), gradient_sequence(seed=8, steps=6)
    original = cls(**hyper)
    params = make_params(values)
    run_teachnet(original, params, sequence[:3])
    state = original.get_state()
    assert state['iterations'] == 3
    assert set(state['slots']) == set(cls.slot_names)
    assert all(isinstance(a, np.ndarray) for arrays in state['slots'].values() for a in arrays)

    # get_state returns copies: changing them does not change the optimizer
    first_slot = cls.slot_names[0]
    scribbled = original.get_state()
    scribbled['slots'][first_slot][0][...] = 123.0
    np.testing.assert_array_equal(original.get_state()['slots'][first_slot][0],
                                  state['slots'][first_slot][0])

    restored = cls(**hyper)
    copies = make_params([host(p.data) for p in params])
    restored.set_state(copy.deepcopy(state), copies)
    run_teachnet(original, params, sequence[3:])
    run_teachnet(restored, copies, sequence[3:])
    for a, b in zip(params, copies):
        np.testing.assert_array_equal(host(a.data), host(b.data))
    assert restored.iterations == original.iterations == 6


def test_nadam_schedule_is_rebuilt_from_iterations():
    values, sequence = initial_values(), gradient_sequence(seed=9)
    original, params = Nadam(schedule_decay=0.1), make_params(values)
    run_teachnet(original, params, sequence[:3])
    state = original.get_state()
    del state['m_schedule']                     # as a saver keeping only iterations + slots
    restored, copies = Nadam(schedule_decay=0.1), make_params([host(p.data) for p in params])
    restored.set_state(state, copies)
    assert restored.m_schedule == original.m_schedule
    run_teachnet(original, params, sequence[3:])
    run_teachnet(restored, copies, sequence[3:])
    for a, b in zip(params, copies):
        np.testing.assert_array_equal(host(a.data), host(b.data))


@pytest.mark.backend_independent
def test_state_before_any_update_is_empty():
    optimizer = Adam()
    assert optimizer.get_state() == {'iterations': 0, 'slots': {}}


def test_set_state_with_wrong_shape_names_everything():
    params = make_params(initial_values())
    optimizer = RMSprop()
    run_teachnet(optimizer, params, gradient_sequence()[:1])
    state = optimizer.get_state()
    state['slots']['mean_square'][0] = np.zeros((4, 3))
    with pytest.raises(ValueError) as error:
        RMSprop().set_state(state, params)
    message = str(error.value)
    for part in ('RMSprop', 'mean_square', '(3, 4)', '(4, 3)'):
        assert part in message


def test_set_state_with_missing_slot_or_wrong_count():
    params = make_params(initial_values())
    optimizer = Adam()
    run_teachnet(optimizer, params, gradient_sequence()[:1])
    state = optimizer.get_state()
    with pytest.raises(ValueError, match='Adam.*mean_square'):
        Adam().set_state({'iterations': 1, 'slots': {'mean': state['slots']['mean']}}, params)
    with pytest.raises(ValueError, match='Adam.*mean'):
        Adam().set_state(state, params[:2])
    with pytest.raises(ValueError, match='SGD.*velocity'):
        SGD().set_state(state, params)


# ----------------------------------------------------------------------------- configuration

KERAS_1_DEFAULTS = {
    SGD: dict(lr=0.01, momentum=0.0, decay=0.0, nesterov=False),
    RMSprop: dict(lr=0.001, rho=0.9, epsilon=1e-8, decay=0.0),
    Adagrad: dict(lr=0.01, epsilon=1e-8, decay=0.0),
    Adadelta: dict(lr=1.0, rho=0.95, epsilon=1e-8, decay=0.0),
    Adam: dict(lr=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-8, decay=0.0),
    Adamax: dict(lr=0.002, beta_1=0.9, beta_2=0.999, epsilon=1e-8, decay=0.0),
    Nadam: dict(lr=0.002, beta_1=0.9, beta_2=0.999, epsilon=1e-8, schedule_decay=0.004),
}


@pytest.mark.backend_independent
@pytest.mark.parametrize('cls', list(KERAS_1_DEFAULTS), ids=lambda cls: cls.__name__)
def test_keras_1_defaults(cls):
    optimizer = cls()
    assert optimizer.get_config() == KERAS_1_DEFAULTS[cls]
    for key, value in KERAS_1_DEFAULTS[cls].items():
        assert getattr(optimizer, key) == value
        assert type(getattr(optimizer, key)) is type(value)
    assert optimizer.iterations == 0 and optimizer.learning_rate == optimizer.lr


@pytest.mark.backend_independent
@pytest.mark.parametrize('cls', list(KERAS_1_DEFAULTS), ids=lambda cls: cls.__name__)
def test_config_round_trips(cls):
    optimizer = cls(learning_rate=0.123, clipnorm=2.0, clipvalue=0.5)
    config = optimizer.get_config()
    assert config['lr'] == 0.123 and config['clipnorm'] == 2.0 and config['clipvalue'] == 0.5
    assert cls.from_config(config).get_config() == config
    serialized = optimizers.serialize(optimizer)
    assert serialized == {'class_name': cls.__name__, 'config': config}
    for rebuilt in (optimizers.deserialize(serialized), optimizers.get(serialized)):
        assert type(rebuilt) is cls and rebuilt.get_config() == config
    assert 'clipnorm' not in cls().get_config() and 'clipvalue' not in cls().get_config()


@pytest.mark.backend_independent
@pytest.mark.parametrize('name', ['sgd', 'SGD', 'rmsprop', 'RMSprop', 'adagrad', 'adadelta',
                                  'adam', 'Adam', 'adamax', 'nadam', 'NADAM'])
def test_get_by_name(name):
    optimizer = optimizers.get(name)
    assert type(optimizer).__name__.lower() == name.lower()
    assert optimizer.get_config() == KERAS_1_DEFAULTS[type(optimizer)]


@pytest.mark.backend_independent
def test_get_passes_instances_through():
    optimizer = SGD(lr=0.1)
    assert optimizers.get(optimizer) is optimizer


@pytest.mark.backend_independent
def test_unknown_name_lists_the_valid_ones():
    with pytest.raises(ValueError) as error:
        optimizers.get('adamw')
    message = str(error.value)
    assert 'adamw' in message
    for name in ('sgd', 'rmsprop', 'adagrad', 'adadelta', 'adam', 'adamax', 'nadam'):
        assert repr(name) in message
    with pytest.raises(ValueError, match='sgdx'):
        optimizers.deserialize({'class_name': 'sgdx', 'config': {}})
    with pytest.raises(TypeError):
        optimizers.get(3)


@pytest.mark.backend_independent
def test_unexpected_keyword_is_a_clear_error():
    with pytest.raises(TypeError, match="SGD.*'momentun'"):
        SGD(momentun=0.9)
    with pytest.raises(ValueError, match='Adam.*beta_1'):
        Adam(beta_1=1.5)
    with pytest.raises(TypeError, match='RMSprop.*lr'):
        RMSprop(lr='fast')
    with pytest.raises(ValueError, match='Adagrad.*clipnorm'):
        Adagrad(clipnorm=-1.0)
    assert 'clipvalue' not in SGD(clipvalue=0).get_config()     # 0 means no clipping


def test_hyperparameters_can_be_changed_during_training():
    p = Parameter(dev(np.zeros(2)))
    optimizer = SGD(lr=0.1)
    p.grad = dev(np.ones(2))
    optimizer.update([p])
    optimizer.lr = 0.01                          # what a learning-rate callback does
    optimizer.update([p])
    np.testing.assert_allclose(host(p.data), [-0.11, -0.11])
    optimizer.learning_rate = 1.0
    assert optimizer.lr == 1.0
    optimizer.update([p])
    np.testing.assert_allclose(host(p.data), [-1.11, -1.11])
    assert optimizer.iterations == 3


@pytest.mark.backend_independent
def test_describe_update_reads_as_a_formula():
    assert 'θ ← θ - lr·g' in SGD().describe_update()
    assert 'μ·v' in SGD(momentum=0.9, nesterov=True).describe_update()
    assert '√a + ε' in RMSprop().describe_update()
    assert 'decay' in SGD(decay=0.1).describe_update()
    assert 'clip' in Adam(clipvalue=1.0).describe_update()
    for cls in KERAS_1_DEFAULTS:
        assert '←' in cls().describe_update()


# ----------------------------------------------------------------------------- convergence

CONVERGENCE = {
    'sgd': lambda: SGD(lr=0.1),
    'sgd_nesterov': lambda: SGD(lr=0.05, momentum=0.9, nesterov=True),
    'rmsprop': lambda: RMSprop(lr=0.01),
    'adagrad': lambda: Adagrad(lr=0.5),
    'adadelta': lambda: Adadelta(),
    'adam': lambda: Adam(lr=0.05),
    'adamax': lambda: Adamax(lr=0.05),
    'nadam': lambda: Nadam(lr=0.05),
}


@pytest.mark.parametrize('case', sorted(CONVERGENCE))
def test_minimises_a_quadratic(case):
    """loss(θ) = ‖θ - c‖², dloss/dθ = 2·(θ - c)."""
    optimizer = CONVERGENCE[case]()
    target = dev(np.array([1.0, -2.0, 0.5]))
    theta = Parameter(dev(np.zeros(3)))

    def loss():
        return float(np.sum(host(theta.data - target) ** 2))

    start = loss()
    for _ in range(200):
        theta.grad = 2 * (theta.data - target)
        optimizer.update([theta])
    assert loss() < start
    if not isinstance(optimizer, Adadelta):      # Adadelta starts with tiny steps
        assert loss() < 0.1 * start
