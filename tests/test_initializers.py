"""Initializers against the Keras 1 formulas, computed here from the shapes by hand."""
import math
import re

import numpy as np
import pytest

from teachnet import initializers
from teachnet.backend import array_module as am

# Initial weights are drawn on the host whatever the backend: one run, on NumPy, suffices
# (test_weights_are_host_arrays_on_every_backend checks the other backends).
pytestmark = pytest.mark.backend_independent


@pytest.fixture(autouse=True)
def seeded():
    am.seed(1234)
    yield


FAN_IN, FAN_OUT = 400, 600          # a (400, 600) Dense kernel: 240,000 samples


def sample(name, shape=(FAN_IN, FAN_OUT), dim_ordering='th'):
    values = initializers.get(name)(shape, dim_ordering)
    assert isinstance(values, np.ndarray)
    assert values.shape == shape
    assert values.dtype == np.float32
    return values.astype(np.float64)


# name -> (distribution, the std or the uniform limit, by the textbook formula)
UNIFORM_LIMITS = {
    'uniform': 0.05,
    'random_uniform': 0.05,
    'lecun_uniform': math.sqrt(3 / FAN_IN),
    'glorot_uniform': math.sqrt(6 / (FAN_IN + FAN_OUT)),
    'he_uniform': math.sqrt(6 / FAN_IN),
}
NORMAL_STDS = {
    'normal': 0.05,
    'random_normal': 0.05,
    'lecun_normal': math.sqrt(1 / FAN_IN),
    'glorot_normal': math.sqrt(2 / (FAN_IN + FAN_OUT)),
    'he_normal': math.sqrt(2 / FAN_IN),
}


@pytest.mark.parametrize('name', sorted(UNIFORM_LIMITS))
def test_uniform_initializers_fill_the_keras_1_interval(name):
    limit = UNIFORM_LIMITS[name]
    values = sample(name)
    assert values.min() >= -limit and values.max() <= limit
    assert values.min() < -0.99 * limit and values.max() > 0.99 * limit
    assert abs(values.mean()) < 0.01 * limit
    assert values.std() == pytest.approx(limit / math.sqrt(3), rel=0.02)


@pytest.mark.parametrize('name', sorted(NORMAL_STDS))
def test_normal_initializers_have_the_keras_1_std(name):
    std = NORMAL_STDS[name]
    values = sample(name)
    assert abs(values.mean()) < 0.01 * std
    assert values.std() == pytest.approx(std, rel=0.02)
    assert np.abs(values).max() > 3.5 * std         # not truncated


def test_fans_of_dense_and_conv_kernels():
    assert initializers.get_fans((20, 30)) == (20, 30)
    # 'th' conv kernel (out, in, rows, cols) = (32, 3, 5, 5): rf = 25
    assert initializers.get_fans((32, 3, 5, 5), 'th') == (3 * 25, 32 * 25)
    # 'tf' conv kernel (rows, cols, in, out) = (5, 5, 3, 32): the same layer
    assert initializers.get_fans((5, 5, 3, 32), 'tf') == (3 * 25, 32 * 25)
    assert initializers.get_fans((5, 5, 3, 32), 'channels_last') == (75, 800)
    # 3-D convolutions, 5-D kernels
    assert initializers.get_fans((2, 3, 4, 6, 8), 'tf') == (6 * 24, 8 * 24)
    assert initializers.get_fans((8, 6, 2, 3, 4), 'th') == (6 * 24, 8 * 24)
    fan_in, fan_out = initializers.get_fans((4, 9, 4))
    assert fan_in == fan_out == pytest.approx(12.0)
    with pytest.raises(ValueError, match='dim_ordering'):
        initializers.get_fans((5, 5, 3, 32), 'xy')


def test_conv_kernel_stored_channels_last_uses_tf_fans():
    shape = (3, 3, 64, 128)                       # rows, cols, in, out
    limit = math.sqrt(6 / (64 * 9 + 128 * 9))
    values = sample('glorot_uniform', shape, 'tf')
    assert values.max() <= limit and values.max() > 0.99 * limit
    std = sample('he_normal', shape, 'tf').std()
    assert std == pytest.approx(math.sqrt(2 / (64 * 9)), rel=0.02)


@pytest.mark.parametrize('shape', [(50, 80), (80, 50), (64, 64)])
def test_orthogonal_is_scaled_by_1_1(shape):
    q = sample('orthogonal', shape)
    rows, cols = shape
    gram = q @ q.T if rows <= cols else q.T @ q
    assert np.allclose(gram, 1.1 ** 2 * np.eye(min(rows, cols)), atol=1e-5)


def test_orthogonal_flattens_higher_dimensional_kernels():
    q = sample('orthogonal', (6, 2, 3, 3)).reshape(6, 18)
    assert np.allclose(q @ q.T, 1.21 * np.eye(6), atol=1e-5)


def test_orthogonal_class_has_gain_one():
    q = initializers.Orthogonal()((30, 30)).astype(np.float64)
    assert np.allclose(q @ q.T, np.eye(30), atol=1e-5)
    q = initializers.Orthogonal(gain=2.)((10, 40)).astype(np.float64)
    assert np.allclose(q @ q.T, 4 * np.eye(10), atol=1e-5)


def test_identity_zero_one_and_constant():
    assert np.array_equal(sample('identity', (5, 5)), np.eye(5))
    assert np.array_equal(initializers.identity((3, 3), scale=2.), 2 * np.eye(3))
    assert np.array_equal(initializers.Identity(gain=0.5)((4, 4)), 0.5 * np.eye(4))
    for name in ('zero', 'zeros', 'Zeros'):
        assert not sample(name, (3, 4)).any()
    for name in ('one', 'ones', 'Ones'):
        assert (sample(name, (3, 4)) == 1).all()
    assert (initializers.Constant(0.25)((2, 3)) == 0.25).all()
    assert initializers.zero(7).shape == (7,)


@pytest.mark.parametrize('shape', [(3, 4), (3, 3, 3), (6,)])
def test_identity_refuses_non_square_kernels(shape):
    with pytest.raises(ValueError, match=r"identity.*2-D square.*" + re.escape(str(shape))):
        initializers.identity(shape)


def test_the_same_seed_gives_the_same_weights():
    for name in ('glorot_uniform', 'orthogonal', 'normal', 'TruncatedNormal'):
        am.seed(7)
        first = initializers.get(name)((20, 30))
        am.seed(7)
        again = initializers.get(name)((20, 30))
        am.seed(8)
        other = initializers.get(name)((20, 30))
        assert np.array_equal(first, again)
        assert not np.array_equal(first, other)


@pytest.mark.parametrize('backend', ['numpy', 'strict'])
def test_weights_are_host_arrays_on_every_backend(backend):
    am.set_backend(backend)                      # the conftest fixture restores numpy
    am.seed(11)
    weights = [initializers.get(name)((6, 6)) for name in ('glorot_uniform', 'orthogonal',
                                                           'identity', 'zero', 'Ones')]
    am.set_backend('numpy')
    am.seed(11)
    on_numpy = [initializers.get(name)((6, 6)) for name in ('glorot_uniform', 'orthogonal',
                                                            'identity', 'zero', 'Ones')]
    for values, reference in zip(weights, on_numpy):
        assert type(values) is np.ndarray
        assert np.array_equal(values, reference)


def test_an_explicit_generator_is_used():
    a = initializers.glorot_uniform((10, 10), rng=np.random.default_rng(3))
    b = initializers.glorot_uniform((10, 10), rng=np.random.default_rng(3))
    assert np.array_equal(a, b)
    seeded = initializers.RandomUniform(seed=5)
    assert np.array_equal(seeded((4, 4)), seeded((4, 4)))


def test_floatx_sets_the_dtype():
    am.set_floatx('float64')
    try:
        assert initializers.he_uniform((4, 5)).dtype == np.float64
        assert initializers.RandomNormal()((4, 5)).dtype == np.float64
    finally:
        am.set_floatx('float32')


def test_keras_2_random_classes():
    values = initializers.RandomUniform(-0.3, 0.1)((300, 400)).astype(np.float64)
    assert values.min() >= -0.3 and values.max() <= 0.1
    assert values.mean() == pytest.approx(-0.1, abs=0.002)
    values = initializers.RandomNormal(mean=1., stddev=0.2)((300, 400)).astype(np.float64)
    assert values.mean() == pytest.approx(1., abs=0.002)
    assert values.std() == pytest.approx(0.2, rel=0.02)
    values = initializers.TruncatedNormal(mean=0.5, stddev=0.1)((300, 400)).astype(np.float64)
    assert np.abs(values - 0.5).max() <= 0.2 + 1e-6
    assert values.std() == pytest.approx(0.1 * 0.8796, rel=0.02)


@pytest.mark.parametrize('mode, fan', [('fan_in', FAN_IN), ('fan_out', FAN_OUT),
                                       ('fan_avg', (FAN_IN + FAN_OUT) / 2)])
@pytest.mark.parametrize('distribution', ['normal', 'truncated_normal', 'uniform'])
def test_variance_scaling(mode, fan, distribution):
    init = initializers.VarianceScaling(scale=2., mode=mode, distribution=distribution)
    values = init((FAN_IN, FAN_OUT)).astype(np.float64)
    assert values.std() == pytest.approx(math.sqrt(2. / fan), rel=0.02)
    if distribution == 'uniform':
        assert np.abs(values).max() <= math.sqrt(6. / fan)
    if distribution == 'truncated_normal':
        assert np.abs(values).max() <= 2 * math.sqrt(2. / fan) / 0.8796 + 1e-6


def test_variance_scaling_refuses_bad_settings():
    with pytest.raises(ValueError, match='mode'):
        initializers.VarianceScaling(mode='fan_sum')
    with pytest.raises(ValueError, match='distribution'):
        initializers.VarianceScaling(distribution='cauchy')
    with pytest.raises(ValueError, match='scale'):
        initializers.VarianceScaling(scale=0)


def test_get_and_serialize():
    assert initializers.get('glorot_uniform') is initializers.glorot_uniform
    assert initializers.get(None) is None

    def custom(shape, dim_ordering='th', rng=None):
        return np.zeros(shape)

    assert initializers.get(custom) is custom
    assert isinstance(initializers.get(initializers.Ones), initializers.Ones)
    init = initializers.get({'class_name': 'RandomUniform',
                             'config': {'minval': -1., 'maxval': 1., 'seed': None}})
    assert isinstance(init, initializers.RandomUniform) and init.maxval == 1.
    assert initializers.serialize(initializers.glorot_uniform) == 'glorot_uniform'
    config = initializers.serialize(initializers.VarianceScaling(2., 'fan_out', 'uniform'))
    assert config == {'class_name': 'VarianceScaling',
                      'config': {'scale': 2., 'mode': 'fan_out', 'distribution': 'uniform',
                                 'seed': None}}
    again = initializers.get(config)
    assert again.get_config() == config['config']
    assert initializers.get({'class_name': 'orthogonal', 'config': {}}) is initializers.orthogonal


def test_unknown_initializers_are_clear_errors():
    with pytest.raises(ValueError, match=r"'glorot_uniformm'.*glorot_uniform"):
        initializers.get('glorot_uniformm')
    with pytest.raises(ValueError, match='Unknown initializer'):
        initializers.get({'class_name': 'Nope', 'config': {}})
    with pytest.raises(ValueError, match="RandomUniform"):
        initializers.get({'class_name': 'RandomUniform', 'config': {'low': 0}})
    with pytest.raises(TypeError, match='initializer'):
        initializers.get(3)
