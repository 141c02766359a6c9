"""The strict test backend: NumPy that behaves like CuPy where CuPy is strict.

Why it exists
-------------
On a GPU, an array lives in device memory and NumPy cannot see it. CuPy therefore refuses
three things that NumPy silently allows:

* turning a device array into a host array behind your back (``numpy.asarray(gpu_array)``,
  or any NumPy function given a device array) -- copies to the host must be explicit,
  ``gpu_array.get()``;
* mixing a device array with a host array in one operation (``gpu_array + host_array``);
* reductions that hand back a Python number: ``gpu_array.sum()`` is a 0-d device array,
  and turning it into a ``float`` waits for the GPU (do that once per logged value).

Code written and tested only with NumPy breaks on the first GPU it meets. Continuous
integration has no GPU, so teachnet tests the whole suite a second time on this module:
``teachnet.backend.set_backend('strict')`` makes it the array module ``xp``. It computes
with NumPy, but every array is a ``StrictArray`` that refuses exactly what CuPy refuses.
Code that would break on a GPU breaks here first, on any laptop.

How it works
------------
A ``StrictArray`` wraps a private NumPy array. It is deliberately *not* a subclass of
``numpy.ndarray``: ``numpy.asarray(subclass)`` would quietly strip the wrapper away.

* ``__array__`` raises, so NumPy cannot convert it implicitly.
* ``__array_ufunc__`` and ``__array_function__`` let ``numpy.tanh(a)`` or
  ``numpy.concatenate([a, b])`` run on the wrapped arrays and wrap the result again --
  and refuse when a plain NumPy array takes part.
* This module answers ``xp.<name>`` for any NumPy function or ufunc (``xp.dot``,
  ``xp.add.at``, ``xp.multiply.outer``...) through a module ``__getattr__`` that unwraps the
  arguments, refuses host arrays, and wraps the results.

Transfers are explicit, as with CuPy: ``asarray``/``array`` copy host data in, ``get()``
and ``asnumpy`` copy it out. Python numbers and NumPy scalars (``numpy.float32(1)``) mix
freely with strict arrays, as they do with CuPy arrays. Stricter than CuPy in one place:
``a[i] = host_array`` is refused too, so that every host -> device copy is written down.
"""
import functools
import numbers

import numpy
from numpy.lib.mixins import NDArrayOperatorsMixin

__all__ = ['StrictArray', 'ndarray', 'asarray', 'array', 'asnumpy']

_CONVERSION_REFUSED = ("Implicit conversion to a NumPy array is not allowed on the strict "
                       "backend (nor on a GPU): use .get() or teachnet.backend.to_numpy(array) "
                       "to copy it to the host explicitly.")


def _mixing_refused(where, host):
    return TypeError(
        f"{where} received a host numpy.ndarray (shape {host.shape}, {host.dtype}) where the "
        f"strict backend needs a StrictArray: like CuPy, it does not mix host and device arrays. "
        f"Move the host array with teachnet.backend.to_device(...) or xp.asarray(...), or bring "
        f"device arrays to the host with teachnet.backend.to_numpy(...).")


# ----------------------------------------------------------------------------- unwrap / wrap

def _unwrap(value, where):
    """The NumPy values to compute with: StrictArray -> its array, host arrays refused.

    Goes into lists, tuples and dicts (``concatenate([a, b])``, index tuples, ``out=``).
    Python numbers, NumPy scalars, dtypes, strings, slices and None pass unchanged.
    """
    if isinstance(value, StrictArray):
        return value._array
    if isinstance(value, numpy.ndarray):
        raise _mixing_refused(where, value)
    if isinstance(value, (list, tuple)):
        return type(value)(_unwrap(item, where) for item in value)
    if isinstance(value, dict):
        return {key: _unwrap(item, where) for key, item in value.items()}
    return value


def _operand(value, where):
    """An operand of arithmetic: like ``_unwrap``, but a Python list is host data too."""
    if isinstance(value, (list, tuple)):
        raise TypeError(f"{where}: a Python {type(value).__name__} is host data; the strict "
                        f"backend, like CuPy, needs xp.asarray(...) first.")
    return _unwrap(value, where)


def _wrap(result):
    """Wrap NumPy results: arrays and NumPy scalars become StrictArray (0-d for scalars,
    as CuPy's reductions return 0-d arrays); lists and tuples are wrapped item by item."""
    if isinstance(result, (numpy.ndarray, numpy.generic)):
        return StrictArray(numpy.asarray(result))
    if isinstance(result, tuple) and hasattr(result, '_fields'):      # a named tuple
        return type(result)(*[_wrap(item) for item in result])
    if isinstance(result, (list, tuple)):
        return type(result)(_wrap(item) for item in result)
    return result


# ----------------------------------------------------------------------------- the array

class DeviceMemory:
    """What ``StrictArray.data`` gives: an opaque handle, as ``cupy.ndarray.data`` is a
    memory pointer. It is not an array, so code that confuses ``array.data`` with a
    teachnet ``Tensor.data`` fails here instead of on a GPU."""
    __slots__ = ('nbytes',)

    def __init__(self, nbytes):
        self.nbytes = nbytes

    def __repr__(self):
        return f"<strict device memory, {self.nbytes} bytes>"


class StrictArray(NDArrayOperatorsMixin):
    """An array of the strict backend: NumPy inside, CuPy's rules outside.

    Build one with ``asarray``/``array`` (or any ``xp`` function), never directly.
    Arithmetic, comparisons, indexing and the usual methods work as on ``numpy.ndarray``;
    implicit conversion to NumPy and mixing with NumPy arrays raise ``TypeError``.
    """
    __slots__ = ('_array',)
    __hash__ = None                 # mutable, like every array

    def __init__(self, host_array):
        if not isinstance(host_array, numpy.ndarray):
            raise TypeError(f"StrictArray wraps a numpy.ndarray, got {type(host_array).__name__}; "
                            f"use teachnet.backend.strict.asarray(...).")
        self._array = host_array

    # -- what NumPy may and may not do with it
    def __array__(self, dtype=None, copy=None):
        raise TypeError(_CONVERSION_REFUSED)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return getattr(_StrictUfunc(ufunc), method)(*inputs, **kwargs)

    def __array_function__(self, function, types, args, kwargs):
        where = f"numpy.{function.__name__}"
        return _wrap(function(*_unwrap(args, where), **_unwrap(kwargs, where)))

    # -- explicit copies to the host
    def get(self):
        """A host NumPy copy (what ``cupy.ndarray.get()`` does)."""
        return self._array.copy()

    # -- what it looks like
    shape = property(lambda self: self._array.shape, doc="The shape, a tuple of ints.")
    ndim = property(lambda self: self._array.ndim, doc="The number of axes.")
    dtype = property(lambda self: self._array.dtype, doc="The element type.")
    size = property(lambda self: self._array.size, doc="The number of elements.")
    nbytes = property(lambda self: self._array.nbytes, doc="The bytes the elements take.")
    itemsize = property(lambda self: self._array.itemsize, doc="The bytes one element takes.")
    strides = property(lambda self: self._array.strides, doc="Bytes to step along each axis.")
    data = property(lambda self: DeviceMemory(self._array.nbytes),
                    doc="An opaque memory handle (not an array), as in CuPy.")
    T = property(lambda self: StrictArray(self._array.T), doc="The transpose.")

    @property
    def flags(self):
        return self._array.flags

    def __repr__(self):
        prefix = 'strict_array('
        body = numpy.array2string(self._array, separator=', ', prefix=prefix)
        return f"{prefix}{body}, dtype={self._array.dtype})"

    def __str__(self):              # printing copies to the host, as CuPy does
        return str(self._array)

    def __format__(self, spec):
        return format(self._array, spec)

    # -- Python's protocols
    def __len__(self):
        return len(self._array)

    def __iter__(self):             # yields strict sub-arrays, never host values
        for i in range(len(self._array)):
            yield StrictArray(self._array[i])

    def __bool__(self):
        return bool(self._array)

    def __float__(self):
        return float(self._array)

    def __int__(self):
        return int(self._array)

    def __complex__(self):
        return complex(self._array)

    def item(self, *args):
        """The one element (or the one at ``args``) as a Python number: a device sync."""
        return self._array.item(*args)

    def tolist(self):
        return self._array.tolist()

    # -- indexing: index arrays must be strict arrays (or ints, slices, lists)
    def __getitem__(self, index):
        return _wrap(self._array[_unwrap(index, 'indexing a strict array')])

    def __setitem__(self, index, value):
        where = 'assigning into a strict array'
        self._array[_unwrap(index, where)] = _unwrap(value, where)

    def fill(self, value):
        self._array.fill(_unwrap(value, 'StrictArray.fill'))


def _delegate(name):
    """A StrictArray method that runs ``numpy.ndarray.<name>`` on the wrapped array."""
    method = getattr(numpy.ndarray, name)

    def strict_method(self, *args, **kwargs):
        where = f"StrictArray.{name}"
        return _wrap(method(self._array, *_unwrap(args, where), **_unwrap(kwargs, where)))

    strict_method.__name__ = name
    strict_method.__doc__ = f"As numpy.ndarray.{name}; strict arrays in, strict arrays out."
    return strict_method


for _name in ('reshape', 'astype', 'copy', 'view', 'ravel', 'flatten', 'transpose', 'swapaxes',
              'squeeze', 'repeat', 'take', 'put', 'diagonal', 'sum', 'mean', 'max', 'min',
              'argmax', 'argmin', 'any', 'all', 'std', 'var', 'clip', 'dot', 'cumsum',
              'cumprod', 'prod', 'round', 'conj', 'nonzero', 'sort', 'argsort', 'trace'):
    setattr(StrictArray, _name, _delegate(_name))
del _name

ndarray = StrictArray               # `isinstance(a, xp.ndarray)` works on every backend


# ----------------------------------------------------------------------------- ufuncs

class _StrictUfunc:
    """A NumPy ufunc seen through the strict rules: ``xp.tanh``, ``xp.add.at``, ...

    Each method unwraps strict arrays, refuses host arrays, runs the NumPy ufunc and wraps
    the result. With ``out=``, the strict arrays given as ``out`` are filled and returned.
    """

    def __init__(self, ufunc):
        self._ufunc = ufunc
        self.__name__ = ufunc.__name__
        self.__doc__ = ufunc.__doc__

    def __getattr__(self, name):    # nin, nout, identity, types...
        if name.startswith('__'):
            raise AttributeError(name)
        return getattr(self._ufunc, name)

    def __repr__(self):
        return f"<strict ufunc {self.__name__!r}>"

    def _run(self, method, operands, kwargs):
        where = f"{self.__name__}" if method == '__call__' else f"{self.__name__}.{method}"
        out = kwargs.get('out')
        if out is not None:
            out = out if isinstance(out, tuple) else (out,)
            kwargs['out'] = tuple(_unwrap(o, where) for o in out)
        kwargs = {key: (value if key == 'out' else _unwrap(value, where))
                  for key, value in kwargs.items()}
        result = getattr(self._ufunc, method)(*[_operand(x, where) for x in operands], **kwargs)
        if out is not None:
            return out[0] if len(out) == 1 else out
        return _wrap(result)

    def __call__(self, *operands, **kwargs):
        return self._run('__call__', operands, kwargs)

    def reduce(self, array, *args, **kwargs):
        return self._run('reduce', (array,), {**dict(zip(('axis', 'dtype', 'out'), args)), **kwargs})

    def accumulate(self, array, *args, **kwargs):
        return self._run('accumulate', (array,), {**dict(zip(('axis', 'dtype', 'out'), args)), **kwargs})

    def outer(self, a, b, **kwargs):
        return self._run('outer', (a, b), kwargs)

    def reduceat(self, array, indices, *args, **kwargs):
        where = f"{self.__name__}.reduceat"
        return _wrap(self._ufunc.reduceat(_operand(array, where), _unwrap(indices, where),
                                          *_unwrap(args, where), **_unwrap(kwargs, where)))

    def at(self, target, indices, values=None):
        """Unbuffered in-place ``target[indices] (op)= values``: repeated indices all count."""
        where = f"{self.__name__}.at"
        if not isinstance(target, StrictArray):
            raise TypeError(f"{where}: the target must be a strict array, got {type(target).__name__}.")
        arguments = [_unwrap(indices, where)]
        if values is not None:
            arguments.append(_unwrap(values, where))
        self._ufunc.at(target._array, *arguments)


# ----------------------------------------------------------------------------- the module face

def asarray(value, dtype=None):
    """Host data (NumPy array, list, number) -> a strict array: the explicit transfer in,
    like ``cupy.asarray``. The host data is copied, as a GPU copy would be independent."""
    if isinstance(value, StrictArray):
        return value if dtype is None or value.dtype == dtype else value.astype(dtype)
    return StrictArray(numpy.array(_unwrap_host(value), dtype=dtype, copy=True))


def array(value, dtype=None, copy=True):
    """Like ``asarray``, but copies a strict array too unless ``copy=False``."""
    if isinstance(value, StrictArray):
        return StrictArray(numpy.array(value._array, dtype=dtype, copy=copy or None))
    return asarray(value, dtype=dtype)


def asnumpy(value):
    """A host NumPy copy of a strict array (``cupy.asnumpy``); host data passes through."""
    return value.get() if isinstance(value, StrictArray) else numpy.asarray(value)


def _unwrap_host(value):
    """Host data for ``asarray``: strict arrays nested in lists are unwrapped too."""
    if isinstance(value, (list, tuple)):
        return [_unwrap_host(item) for item in value]
    return value._array if isinstance(value, StrictArray) else value


def _strict_function(function):
    """A NumPy function that takes and returns strict arrays and refuses host arrays."""
    @functools.wraps(function)
    def strict_function(*args, **kwargs):
        where = f"xp.{function.__name__}"
        return _wrap(function(*_unwrap(args, where), **_unwrap(kwargs, where)))
    return strict_function


@functools.lru_cache(maxsize=None)
def __getattr__(name):
    """``xp.<name>`` for any NumPy name: ufuncs and functions go through the strict rules;
    types (dtypes such as ``float32``, ``finfo``) and constants (``pi``, ``inf``,
    ``newaxis``) are NumPy's own."""
    if name == 'random':
        raise AttributeError("The strict backend has no random module: draw on the host with "
                             "teachnet.backend.array_module.host_rng(), or on the device with "
                             "array_module.random_uniform(shape).")
    if name.startswith('__'):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    try:
        value = getattr(numpy, name)
    except AttributeError:
        raise AttributeError(f"The strict backend (NumPy underneath) has no {name!r}.") from None
    if isinstance(value, numpy.ufunc):
        return _StrictUfunc(value)
    if isinstance(value, (type, numbers.Number, numpy.generic)) or value is None:
        return value
    if callable(value):
        return _strict_function(value)
    if name in ('linalg', 'fft'):
        return _StrictNamespace(value)
    raise AttributeError(f"The strict backend does not offer numpy.{name}.")


class _StrictNamespace:
    """A NumPy sub-module (``xp.linalg``, ``xp.fft``) whose functions follow the strict rules."""

    def __init__(self, module):
        self._module = module

    def __getattr__(self, name):
        value = getattr(self._module, name)
        return _strict_function(value) if callable(value) and not isinstance(value, type) else value


def __dir__():
    return sorted(set(globals()) | set(dir(numpy)) - {'random'})
