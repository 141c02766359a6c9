"""The strict backend refuses what CuPy refuses and otherwise computes exactly like NumPy.

Every value is checked against plain NumPy on host arrays. The classes marked
``backend_independent`` test the strict module itself, so they run once; the functions at
the bottom run on every backend and check that teachnet's pieces work together.
"""
import pickle

import numpy as np
import pytest

from teachnet.backend import array_module as am
from teachnet.backend import strict as xp
from teachnet.backend.strict import StrictArray
from teachnet.inspect.numerical import check_function
from teachnet.ops import functions as F
from teachnet.ops.tape import Tape
from teachnet.ops.tensor import Tensor

independent = pytest.mark.backend_independent


def host_matrix():
    return np.arange(12, dtype=np.float32).reshape(3, 4) - 5.5


def strict_matrix():
    return xp.asarray(host_matrix())


def same(strict, reference):
    """``strict`` is a StrictArray holding exactly ``reference`` (shape, dtype, values)."""
    assert isinstance(strict, StrictArray)
    host = strict.get()
    assert host.shape == np.shape(reference)
    assert host.dtype == np.asarray(reference).dtype
    np.testing.assert_allclose(host, reference, rtol=1e-6)


@independent
class TestTransfers:
    def test_asarray_copies_host_data_in(self):
        host = host_matrix()
        strict = xp.asarray(host)
        host[0, 0] = 100.0
        assert isinstance(strict, xp.ndarray) and strict.get()[0, 0] == -5.5

    def test_asarray_honours_dtype_and_accepts_lists_and_numbers(self):
        same(xp.asarray([[1, 2], [3, 4]], dtype=np.float32), np.array([[1, 2], [3, 4]], np.float32))
        same(xp.array(2.5), np.array(2.5))

    def test_asarray_of_a_strict_array_is_the_same_array(self):
        strict = strict_matrix()
        assert xp.asarray(strict) is strict
        same(xp.asarray(strict, dtype=np.float64), host_matrix().astype(np.float64))

    def test_array_copies_a_strict_array(self):
        strict = strict_matrix()
        copied = xp.array(strict)
        copied[0, 0] = 7.0
        assert strict.get()[0, 0] == -5.5

    def test_get_and_asnumpy_return_independent_host_copies(self):
        strict = strict_matrix()
        for host in (strict.get(), xp.asnumpy(strict)):
            assert type(host) is np.ndarray
            np.testing.assert_array_equal(host, host_matrix())
            host[0, 0] = 100.0
        assert strict.get()[0, 0] == -5.5

    def test_round_trip_through_the_backend_functions(self):
        am.set_backend('strict')
        host = np.random.default_rng(0).standard_normal((2, 3))
        device = am.to_device(host, dtype='float32')
        assert isinstance(device, StrictArray) and device.dtype == np.float32
        np.testing.assert_array_equal(am.to_numpy(device), host.astype(np.float32))
        np.testing.assert_array_equal(am.to_numpy(Tensor(device)), host.astype(np.float32))

    def test_pickle_round_trip(self):
        same(pickle.loads(pickle.dumps(strict_matrix())), host_matrix())


HOST_ARRAYS = [np.array(2.0), np.ones(4), np.ones((3, 4)), np.array([0, 1])]


@independent
class TestRefusals:
    @pytest.mark.parametrize('convert', [np.asarray, np.array, lambda s: np.array([s, s]),
                                         lambda s: np.ones((3, 4)) + list(s)])
    def test_implicit_conversion_to_numpy_is_refused(self, convert):
        with pytest.raises(TypeError, match='Implicit conversion to a NumPy array is not allowed'):
            convert(strict_matrix())

    @pytest.mark.parametrize('host', HOST_ARRAYS, ids=lambda h: f'ndim{h.ndim}')
    @pytest.mark.parametrize('mix', [
        lambda s, h: s + h, lambda s, h: h + s, lambda s, h: s * h, lambda s, h: h > s,
        lambda s, h: xp.maximum(s, h), lambda s, h: np.maximum(h, s),
        lambda s, h: xp.where(s > 0, s, h), lambda s, h: np.concatenate([s.ravel(), h.ravel()]),
        lambda s, h: xp.tanh(h), lambda s, h: xp.sum(h), lambda s, h: xp.zeros_like(h),
        lambda s, h: s[h], lambda s, h: s.__setitem__(0, h), lambda s, h: xp.add.at(s, 0, h),
    ], ids=['add', 'radd', 'mul', 'compare', 'xp.maximum', 'np.maximum', 'where',
            'concatenate', 'xp.tanh of host', 'xp.sum of host', 'zeros_like of host',
            'getitem', 'setitem', 'add.at'])
    def test_mixing_with_host_arrays_is_refused(self, host, mix):
        with pytest.raises(TypeError, match=r'numpy\.ndarray.*StrictArray'):
            mix(strict_matrix(), host)

    def test_python_lists_are_refused_as_operands(self):
        with pytest.raises(TypeError, match='host data'):
            strict_matrix() + [1.0, 2.0, 3.0, 4.0]

    def test_python_and_numpy_scalars_mix_freely(self):
        host, strict = host_matrix(), strict_matrix()
        same(strict * 2 + 1.5, host * 2 + 1.5)
        same(strict * np.float32(3.0), host * np.float32(3.0))
        same(np.float32(3.0) - strict, np.float32(3.0) - host)
        same(strict / np.int64(2), host / np.int64(2))

    def test_add_at_needs_a_strict_target(self):
        with pytest.raises(TypeError, match='strict'):
            xp.add.at(np.zeros(3), xp.asarray([0]), xp.asarray([1.0]))
        with pytest.raises(TypeError, match=r'numpy\.ndarray.*StrictArray'):
            xp.add.at(xp.zeros(3), np.array([0]), xp.asarray([1.0]))

    def test_arrays_are_unhashable(self):
        with pytest.raises(TypeError):
            hash(strict_matrix())

    def test_no_random_module(self):
        with pytest.raises(AttributeError, match='host_rng'):
            xp.random

    def test_data_is_memory_not_an_array(self):
        assert not isinstance(strict_matrix().data, (np.ndarray, StrictArray))


@independent
class TestUfuncsAndFunctions:
    @pytest.mark.parametrize('name', ['tanh', 'exp', 'sqrt', 'abs', 'negative', 'sign', 'square'])
    def test_unary_ufuncs_through_xp_and_through_numpy(self, name):
        host = np.abs(host_matrix()) if name == 'sqrt' else host_matrix()
        expected = getattr(np, name)(host)
        same(getattr(xp, name)(xp.asarray(host)), expected)
        same(getattr(np, name)(xp.asarray(host)), expected)

    def test_add_at_adds_every_repeated_index(self):
        target = xp.zeros(5)
        xp.add.at(target, xp.asarray([0, 3, 0, 0]), xp.asarray([1.0, 2.0, 3.0, 4.0]))
        np.add.at(target, [4, 4], 0.5)
        same(target, np.array([8.0, 0.0, 0.0, 2.0, 1.0]))

    def test_add_at_on_rows(self):
        table = xp.zeros((3, 2))
        xp.add.at(table, xp.asarray([2, 2]), xp.ones((2, 2)))
        same(table, np.array([[0.0, 0.0], [0.0, 0.0], [2.0, 2.0]]))

    def test_ufunc_methods(self):
        a, b = host_matrix(), np.arange(3.0)
        same(xp.multiply.outer(xp.asarray(b), xp.asarray(b)), np.multiply.outer(b, b))
        same(xp.add.reduce(xp.asarray(a), axis=0), a.sum(axis=0))
        same(np.maximum.reduce(xp.asarray(a), axis=1), a.max(axis=1))
        same(xp.add.accumulate(xp.asarray(b)), np.array([0.0, 1.0, 3.0]))
        assert xp.add.nin == 2 and xp.add is xp.add

    def test_out_fills_and_returns_the_given_array(self):
        a, out = strict_matrix(), xp.zeros((3, 4), dtype=np.float32)
        result = xp.multiply(a, 2.0, out=out)
        assert result is out
        same(out, host_matrix() * 2.0)

    def test_functions(self):
        a, b = host_matrix(), np.arange(8, dtype=np.float32).reshape(4, 2)
        sa, sb = xp.asarray(a), xp.asarray(b)
        same(xp.dot(sa, sb), a @ b)
        same(xp.matmul(sa, sb), a @ b)
        same(sa @ sb, a @ b)
        same(xp.tensordot(sa, sa, axes=((0,), (0,))), np.tensordot(a, a, axes=((0,), (0,))))
        same(xp.clip(sa, -1.0, 2.0), np.clip(a, -1.0, 2.0))
        same(xp.where(sa > 0, sa, 0.0), np.where(a > 0, a, 0.0))
        same(xp.concatenate([sa, sa], axis=1), np.concatenate([a, a], axis=1))
        same(xp.stack([sa, sa]), np.stack([a, a]))
        same(xp.swapaxes(sa, 0, 1), a.T)
        same(xp.sum(sa, axis=1), a.sum(axis=1))
        same(xp.argmax(sa, axis=1), a.argmax(axis=1))
        same(xp.log(xp.exp(sa)), a)
        same(xp.ones_like(sa), np.ones_like(a))
        same(xp.zeros((2, 3), dtype=xp.float32), np.zeros((2, 3), np.float32))
        same(xp.linalg.norm(sa), np.float32(np.linalg.norm(a)))

    def test_functions_returning_several_arrays(self):
        a = host_matrix()
        for strict, host in zip(xp.nonzero(xp.asarray(a) > 0), np.nonzero(a > 0)):
            same(strict, host)
        parts = xp.split(xp.asarray(a), 2, axis=1)
        assert isinstance(parts, list) and len(parts) == 2
        same(parts[1], a[:, 2:])

    def test_numpy_types_and_constants_are_numpys(self):
        assert xp.float32 is np.float32 and xp.int64 is np.int64 and xp.dtype is np.dtype
        assert xp.pi == np.pi and xp.inf == np.inf and xp.newaxis is None
        assert xp.ndarray is StrictArray
        assert xp.finfo(xp.float32).eps == np.finfo(np.float32).eps


@independent
class TestReductions:
    @pytest.mark.parametrize('name', ['sum', 'mean', 'max', 'min', 'argmax', 'argmin',
                                      'std', 'var', 'prod', 'any', 'all'])
    def test_reductions_are_0d_strict_arrays(self, name):
        host, strict = host_matrix(), strict_matrix()
        expected = getattr(host, name)()
        for result in (getattr(strict, name)(), getattr(xp, name)(strict)):
            assert isinstance(result, StrictArray) and result.ndim == 0
            np.testing.assert_allclose(result.item(), expected, rtol=1e-6)
            np.testing.assert_allclose(float(result), expected, rtol=1e-6)

    def test_reductions_along_an_axis(self):
        same(strict_matrix().mean(axis=0, keepdims=True), host_matrix().mean(axis=0, keepdims=True))
        same(strict_matrix().sum(axis=(0, 1)), host_matrix().sum())

    def test_scalar_conversions(self):
        total = strict_matrix().sum()
        assert float(total) == pytest.approx(float(host_matrix().sum()))
        assert int(xp.asarray(7)) == 7 and bool(xp.asarray(True)) is True
        assert f"{xp.asarray(2.0):.3f}" == '2.000'


@independent
class TestInPlace:
    def test_in_place_operators_mutate_the_same_array(self):
        strict, host = strict_matrix(), host_matrix()
        original = strict
        strict += 2.0
        strict -= xp.ones((4,), dtype=np.float32)
        strict *= np.float32(3.0)
        strict /= 2
        assert strict is original
        same(strict, (host + 2.0 - 1.0) * 3.0 / 2)

    def test_in_place_through_a_view_changes_the_base(self):
        strict = strict_matrix()
        row = strict[1]
        row += 100.0
        expected = host_matrix()
        expected[1] += 100.0
        same(strict, expected)

    def test_fill(self):
        strict = strict_matrix()
        strict.fill(3.0)
        same(strict, np.full((3, 4), 3.0, np.float32))


@independent
class TestIndexing:
    def test_getitem(self):
        host, strict = host_matrix(), strict_matrix()
        same(strict[1], host[1])
        same(strict[:, 1:3], host[:, 1:3])
        same(strict[..., None], host[..., None])
        same(strict[xp.asarray([2, 0])], host[[2, 0]])
        same(strict[[2, 0]], host[[2, 0]])
        same(strict[strict > 0], host[host > 0])
        same(strict[xp.asarray([0, 2]), xp.asarray([1, 3])], host[[0, 2], [1, 3]])
        same(strict[1, 2], host[1, 2])           # one element: a 0-d array, as in CuPy

    def test_setitem(self):
        host, strict = host_matrix(), strict_matrix()
        strict[0] = strict[2]
        host[0] = host[2]
        strict[xp.asarray([1]), 0] = 9.0
        host[[1], 0] = 9.0
        strict[strict < -4] = 0.0
        host[host < -4] = 0.0
        same(strict, host)


@independent
class TestArrayProtocol:
    def test_attributes(self):
        host, strict = host_matrix(), strict_matrix()
        assert (strict.shape, strict.ndim, strict.size, strict.nbytes, strict.dtype) == \
            (host.shape, host.ndim, host.size, host.nbytes, host.dtype)
        same(strict.T, host.T)

    def test_methods(self):
        host, strict = host_matrix(), strict_matrix()
        same(strict.reshape(4, 3), host.reshape(4, 3))
        same(strict.reshape((2, -1)), host.reshape((2, -1)))
        same(strict.astype(np.float64), host.astype(np.float64))
        same(strict.ravel(), host.ravel())
        same(strict.flatten(), host.flatten())
        same(strict.transpose(1, 0), host.transpose(1, 0))
        same(strict.swapaxes(0, 1), host.swapaxes(0, 1))
        same(strict[None].squeeze(0), host)
        same(strict.repeat(2, axis=0), host.repeat(2, axis=0))
        same(strict.clip(-1, 1), host.clip(-1, 1))
        same(strict.dot(strict.T), host.dot(host.T))
        same(strict.cumsum(axis=1), host.cumsum(axis=1))
        for got, expected in zip(strict.nonzero(), host.nonzero()):
            same(got, expected)
        assert strict.tolist() == host.tolist() and strict[0, 0].item() == host[0, 0]

    def test_copy_is_independent(self):
        strict = strict_matrix()
        copied = strict.copy()
        copied[0, 0] = 50.0
        assert strict.get()[0, 0] == -5.5

    def test_python_protocols(self):
        strict = strict_matrix()
        assert len(strict) == 3
        rows = list(strict)
        assert all(isinstance(row, StrictArray) for row in rows)
        same(rows[2], host_matrix()[2])
        with pytest.raises(ValueError):
            bool(strict)

    def test_repr_says_strict_and_shows_dtype(self):
        text = repr(xp.asarray([[1.0, 2.0], [3.0, 4.0]], dtype=np.float32))
        assert text.startswith('strict_array([[1., 2.],') and text.endswith('dtype=float32)')
        assert str(xp.asarray([1, 2])) == '[1 2]'


# ----------------------------------------------------------------- on every backend

def test_the_fixture_activates_each_backend(teachnet_backend):
    assert am.get_backend() == teachnet_backend
    if teachnet_backend == 'strict':
        assert am.xp() is xp


def test_ops_compute_on_the_active_backend():
    with Tape():
        a = Tensor(am.to_device(host_matrix()), requires_grad=True)
        out = a * a + 1.0
    assert isinstance(out.data, am.xp().ndarray)
    np.testing.assert_allclose(out.numpy(), host_matrix() ** 2 + 1.0)


@pytest.mark.parametrize('function, shapes', [
    (lambda a, b: a * b + a - b, [(3, 4), (4,)]),
    (lambda a, b: a / (b * b + 1.0), [(3, 4), (3, 1)]),
    (lambda a, b: F.dot(a, b), [(3, 4), (4, 2)]),
    (lambda a, b: F.dot(a, b), [(2, 3, 4), (4,)]),
    (lambda a, b: -(a ** 3) @ b, [(2, 3), (3, 2)]),
], ids=['mul-add-sub', 'divide', 'dot', 'dot-vector', 'power-matmul'])
def test_gradient_check_on_the_active_backend(function, shapes):
    rng = np.random.default_rng(3)
    errors = check_function(function, *[rng.standard_normal(shape) for shape in shapes])
    assert len(errors) == len(shapes) and max(errors) < 1e-6
