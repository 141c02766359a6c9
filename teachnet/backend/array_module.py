"""Which array library computes: NumPy on the CPU, CuPy on a GPU, or the strict test backend.

This is the bottom of teachnet. It is the only module that imports numpy or cupy;
everything above it asks here for the active array module::

    from teachnet.backend import array_module as am
    xp = am.xp()              # numpy, cupy, or the strict test module
    z = xp.tanh(a)

Three backends:

* ``numpy``  -- arrays live in host memory.
* ``cupy``   -- arrays live on the GPU; ``to_numpy`` copies them back for printing and plots.
* ``strict`` -- NumPy underneath, but as strict as CuPy: an array of this backend refuses
  to be turned into a host array implicitly and refuses to mix with host arrays. Code
  that would break on a GPU breaks here first, on any laptop.

Choose with the environment variable ``TEACHNET_BACKEND=numpy|cupy|strict|auto`` before
importing teachnet, or with ``teachnet.backend.set_backend(name)`` before building a model.
``auto`` takes CuPy only where it imports and sees a GPU, else NumPy.

Where CuPy differs from NumPy (random generators, host transfer) the difference is
handled here, once, and never in a layer; adding into repeated indices and sliding
windows are handled the same way in ``teachnet.backend.indexing``.
"""
import contextlib
import copy
import os

import numpy

from teachnet.backend import dropout_draws, host_memory

host_memory.on_import()         # a batch's freed arrays stay mapped for the next batch

#: NumPy itself, for work that always happens on the host: initial weights (drawn with
#: a seeded host generator so that one seed gives one model on every backend), data
#: loading, printing and plotting.
host = numpy

BACKEND_NAMES = ('numpy', 'cupy', 'strict', 'auto')

_xp = numpy
_name = 'numpy'
_floatx = 'float32'
_epsilon = 1e-7
_host_rng = numpy.random.default_rng()
_device_rng = None          # created lazily for the active backend


# ----------------------------------------------------------------------------- choosing

def _cupy_with_gpu():
    """Return the cupy module if it imports and sees at least one GPU, else None."""
    try:
        import cupy
        if cupy.cuda.runtime.getDeviceCount() > 0:
            return cupy
    except Exception:       # no cupy, no driver, no device: all mean "no GPU here"
        return None
    return None


def set_backend(name):
    """Make ``name`` ('numpy', 'cupy', 'strict' or 'auto') the active array backend.

    Arrays made before the switch stay where they are: build models after choosing.
    """
    global _xp, _name, _device_rng
    if name not in BACKEND_NAMES:
        raise ValueError(f"Unknown backend {name!r}: expected one of {', '.join(BACKEND_NAMES)}.")
    if name == 'auto':
        cupy = _cupy_with_gpu()
        name = 'cupy' if cupy is not None else 'numpy'
    if name == 'numpy':
        module = numpy
    elif name == 'cupy':
        try:
            import cupy as module
        except ImportError as error:
            raise ImportError("The 'cupy' backend needs CuPy: pip install 'teachnet[gpu]' "
                              "(or the cupy-cudaXXx wheel matching your CUDA).") from error
    else:
        from teachnet.backend import strict as module
    _xp, _name, _device_rng = module, name, None
    return name


def get_backend():
    """The name of the active backend: 'numpy', 'cupy' or 'strict'."""
    return _name


def xp():
    """The active array module (numpy, cupy or the strict test module)."""
    return _xp


# ----------------------------------------------------------------------------- dtypes

def floatx():
    """The default float type, as a string: 'float32' unless changed."""
    return _floatx


def set_floatx(value):
    """Set the default float type ('float16', 'float32' or 'float64')."""
    global _floatx
    if value not in ('float16', 'float32', 'float64'):
        raise ValueError(f"floatx must be 'float16', 'float32' or 'float64', got {value!r}.")
    _floatx = value


def epsilon():
    """The fuzz factor used to keep logs and divisions finite (1e-7 as in Keras)."""
    return _epsilon


def set_epsilon(value):
    global _epsilon
    _epsilon = float(value)


# ----------------------------------------------------------------------------- moving data

def is_device_array(value):
    """True when ``value`` is an array of the active backend."""
    return isinstance(value, _xp.ndarray)


def to_device(value, dtype=None):
    """Copy a host array (or list, or number) to the active backend, as ``dtype``.

    The one explicit host -> device transfer. An array already on the device is returned
    as it is (cast when ``dtype`` differs).
    """
    if isinstance(value, _xp.ndarray):
        return value if dtype is None or value.dtype == dtype else value.astype(dtype)
    return _xp.asarray(numpy.asarray(value, dtype=dtype))


def to_numpy(value):
    """Copy an array of any backend (or a teachnet Tensor) to a host NumPy array."""
    if not isinstance(value, numpy.ndarray) and not hasattr(value, 'get'):
        value = getattr(value, 'data', value)      # a Tensor: its array (cupy's .data is memory)
    if isinstance(value, numpy.ndarray):
        return value
    if hasattr(value, 'get'):          # cupy arrays and strict arrays: explicit copy
        return value.get()
    return numpy.asarray(value)


#: NumPy's clip as a bare ufunc (``numpy.clip`` is a Python function around it, with checks
#: that cost more than the clipping itself on a small array); None where NumPy lacks it
_numpy_clip_ufunc = getattr(getattr(numpy, '_core', None), 'umath', None)
_numpy_clip_ufunc = getattr(_numpy_clip_ufunc, 'clip', None)


def clip_into(x, low, high, out):
    """out = min(max(x, low), high), elementwise, in one pass; ``out`` may be x itself.

    Inside a loop over timesteps this runs on small arrays, where the cost of a call
    matters more than its arithmetic: on NumPy it calls the clip ufunc directly (about
    1.2 us for a (96, 64) block, against 3 us for ``minimum`` then ``maximum``)."""
    if _name == 'numpy' and _numpy_clip_ufunc is not None:
        return _numpy_clip_ufunc(x, low, high, out=out)
    return _xp.clip(x, low, high, out=out)


_blas_libraries = []           # threadpoolctl's controllers of the loaded BLAS libraries, found once


def _blas_controllers():
    if not _blas_libraries:
        try:
            from threadpoolctl import ThreadpoolController
            _blas_libraries.append(ThreadpoolController().select(user_api='blas').lib_controllers)
        except Exception:           # no threadpoolctl: products keep their threads
            _blas_libraries.append([])
    return _blas_libraries[0]


def blas_threads():
    """How many threads host matrix products may use now (1 when threadpoolctl, which
    tells, is missing)."""
    return max([library.get_num_threads() for library in _blas_controllers()], default=1)


_inside_one_thread = 0         # how many one_blas_thread blocks are open now


class one_blas_thread:
    """Context manager: host matrix products run on ONE thread while it is active.

    A loop over timesteps multiplies small matrices ((128, 512)·(512, 32)) hundreds of
    times. Splitting each over threads gains little, and when another program keeps a
    core busy every product waits for the slowest thread: ten times slower, not two.
    The big products outside such loops keep all threads. Uses threadpoolctl (installed
    with scikit-learn); without it, or on CuPy, this does nothing. Inside another
    ``one_blas_thread`` block it does nothing either: the products already have one thread
    (asking the libraries again would cost a few microseconds a time).
    """

    def __enter__(self):
        global _inside_one_thread
        self.restore = []
        if _name != 'cupy' and not _inside_one_thread:
            for library in _blas_controllers():
                threads = library.get_num_threads()
                if threads > 1:
                    library.set_num_threads(1)
                    self.restore.append((library, threads))
        _inside_one_thread += 1
        return self

    def __exit__(self, *exc_info):
        global _inside_one_thread
        _inside_one_thread -= 1
        for library, threads in self.restore:
            library.set_num_threads(threads)
        return False


#: A host matrix product of fewer floating-point operations than this runs on one BLAS
#: thread (see ``threads_for_product``). Measured on a 2-core machine (benchmarks/README.md):
#: the stacked LSTMs, whose products are all below 5e6, trained as fast with one thread as
#: with two on the quiet machine, and up to 14 times slower with two on the busy one (a product
#: whose two threads wait for a core takes milliseconds). After a product on several
#: threads, OpenBLAS's idle threads keep a core busy waiting for work for about 0.1 s,
#: which takes that core from teachnet's own threads (``sample_passes``, the convolution's
#: passes): the guide's convnet, whose Dense(256) products are 2.6e7, took 50 ms a batch on
#: two threads with them threaded and 36 ms without. Bigger products (the IMDB LSTM's
#: 3.4e8, the large MLP's 6.7e7 and up) keep both threads.
THREADED_PRODUCT_FLOPS = 5e7

#: OpenBLAS runs products of up to 65536·4 multiply-adds on one thread by itself
_ONE_THREAD_ANYWAY = 2 * 65536 * 4


_ALL_THREADS = contextlib.nullcontext()      # changes nothing: products keep the threads they have


def threads_for_product(flops):
    """Context manager for host matrix products of about ``flops`` operations each
    (2·m·k·n for an (m, k)·(k, n) product): one BLAS thread when they are mid-sized
    (below ``THREADED_PRODUCT_FLOPS``), all threads when they are big enough to share.
    Tiny products are left alone: the library already runs them on one thread, and
    switching would cost more than they do.

        with am.threads_for_product(2 * m * k * n):
            z = xp.dot(p, w)
    """
    if _name == 'cupy' or flops <= _ONE_THREAD_ANYWAY or flops >= THREADED_PRODUCT_FLOPS:
        return _ALL_THREADS
    return one_blas_thread()


def memory_order(x):
    """The axes of ``x`` from the one that steps furthest in memory to the nearest, or
    None when x is C-ordered (0, 1, ..., ndim - 1), the order arrays are made in anyway.

    A channels-first view of a channels-last image, x.transpose(0, 3, 1, 2), gives
    (0, 2, 3, 1): its channels sit side by side in memory. Elementwise arithmetic between
    arrays laid out alike runs straight through memory; between arrays laid out
    differently it has to stride, which costs several times more, so ops that allocate an
    array for x create it in x's order."""
    if x.flags.c_contiguous:
        return None
    return tuple(sorted(range(x.ndim), key=lambda axis: -x.strides[axis]))


def zeros_in_order(shape, order, dtype):
    """Zeros of ``shape`` whose axes lie in memory in ``order`` (see ``memory_order``;
    None: C order)."""
    return _axes_in_order(_xp.zeros(_stored_shape(shape, order), dtype=dtype), order)


def empty_in_order(shape, order, dtype):
    """Like ``zeros_in_order``, without writing the zeros: for an array that is about to be
    filled completely."""
    return _axes_in_order(_xp.empty(_stored_shape(shape, order), dtype=dtype), order)


def _stored_shape(shape, order):
    """``shape`` with its axes in memory ``order`` (as stored; C order when None)."""
    return tuple(shape) if order is None else tuple(shape[axis] for axis in order)


def _axes_in_order(stored, order):
    """An array made with its axes in memory ``order``, seen with the caller's axes again."""
    return stored if order is None else stored.transpose(tuple(order.index(axis) for axis in range(len(order))))


# ----------------------------------------------------------------------------- randomness

def seed(value):
    """Seed every random source teachnet uses: initial weights, shuffling, dropout.

    Also seeds NumPy's global generator, which the guide's programs use for their data.
    The same seed gives bit-identical training on the same machine and backend.
    """
    global _host_rng, _device_rng
    _host_rng = numpy.random.default_rng(value)
    _device_rng = None
    numpy.random.seed(value)
    _device_rng = _make_device_rng(value)


def _make_device_rng(seed_value):
    if _name == 'cupy':
        return _xp.random.default_rng(seed_value)
    return numpy.random.default_rng(None if seed_value is None else seed_value + 1)


def host_rng():
    """The seeded NumPy generator for initial weights and shuffling (host side)."""
    return _host_rng


def random_uniform(shape, dtype=None, order=None):
    """Uniform [0, 1) samples of ``shape`` on the active backend (dropout masks).

    ``order``: the axes' order in memory (see ``memory_order``), C order when None. The
    samples are drawn in memory order, so the same seed gives the same numbers in the
    same places of memory whatever the order."""
    dtype, stored_shape = dtype or _floatx, _stored_shape(shape, order)
    if str(dtype) == 'float16':              # generators draw float32 or float64 only
        return _in_order(_dropout_generator().random(stored_shape, dtype='float32').astype(dtype), order)
    return _in_order(_dropout_generator().random(stored_shape, dtype=dtype), order)


def random_keep(shape, rate, dtype=None, order=None):
    """``random_uniform(shape, dtype, order) >= rate``: where a dropout of ``rate`` keeps its
    units. On the host, decided from the generator's words (``dropout_draws``): 40% faster."""
    kept = None if _name == 'cupy' else dropout_draws.keep(
        _dropout_generator(), _stored_shape(shape, order), rate, dtype or _floatx)
    return random_uniform(shape, dtype, order) >= rate if kept is None else _in_order(kept, order)


def _in_order(stored, order):
    """Samples drawn in memory order as the active backend's array, axes in ``order``."""
    stored = _axes_in_order(stored, order)
    return _xp.asarray(stored) if _name == 'strict' else stored


def _dropout_generator():
    """The generator of dropout masks (``dropout_draws``), made when first needed."""
    global _device_rng
    if _device_rng is None:
        _device_rng = _make_device_rng(int(_host_rng.integers(2 ** 31)))
    return _device_rng


def random_state():
    """A copy of every random source's state now (the host generator and the dropout
    generator), for ``restored_random_state`` to draw the same numbers again: a dropout
    mask drawn after ``random_state()`` is drawn again, the same, inside
    ``with restored_random_state(state):``. Taking it changes nothing that is drawn later.
    A device generator that cannot be copied (a backend's generator without copy support)
    is left out: then the dropout masks are not restored."""
    return _generator_snapshot(_host_rng), _generator_snapshot(_device_rng)


#: in a random_state(): this generator could not be copied, so it is not restored
_UNCOPIED = 'not copied'


def _generator_snapshot(generator):
    """What restarts ``generator`` where it is now. A NumPy generator's state is a few
    numbers (``bit_generator.state``), read in microseconds; a copy of the whole generator
    takes a hundred times longer, and is made only for other generators (CuPy's)."""
    if isinstance(generator, numpy.random.Generator):
        return type(generator.bit_generator), generator.bit_generator.state
    try:
        return copy.deepcopy(generator)
    except TypeError:
        return _UNCOPIED


def _generator_from(snapshot):
    """A generator that draws what the snapshotted one would have drawn next."""
    if isinstance(snapshot, tuple):
        bit_generator_type, state = snapshot
        generator = numpy.random.Generator(bit_generator_type())
        generator.bit_generator.state = state
        return generator
    return copy.deepcopy(snapshot)


class restored_random_state:
    """Context manager: inside, the random sources start from ``state`` (a
    ``random_state()``), so that a computation draws what it drew then (replaying a
    training step, its dropout masks included). On exit the generators that were there
    before are back, untouched."""

    def __init__(self, state):
        self.state = state

    def __enter__(self):
        global _host_rng, _device_rng
        self.outside = (_host_rng, _device_rng)
        host, device = self.state
        _host_rng = _generator_from(host)
        if device is not _UNCOPIED:
            _device_rng = _generator_from(device)
        return self

    def __exit__(self, *exc_info):
        global _host_rng, _device_rng
        _host_rng, _device_rng = self.outside
        return False


class same_dropout_masks:
    """Context manager for a check that runs one forward pass many times in training mode
    (a gradient check with dropout): ``restart()`` starts the dropout generator over from
    ``seed``, so that every pass after a restart draws the same masks; ``before_each_call(f)``
    is ``f`` restarting first. On exit the generator that was there before is back,
    untouched: the masks of later training are those it would have drawn anyway."""

    def __init__(self, seed=0):
        self.seed = seed

    def __enter__(self):
        self.outside = _device_rng
        self.restart()
        return self

    def restart(self):
        global _device_rng
        _device_rng = _make_device_rng(self.seed)

    def before_each_call(self, function):
        def with_the_same_masks(*args, **kwargs):
            self.restart()
            return function(*args, **kwargs)
        return with_the_same_masks

    def __exit__(self, *exc_info):
        global _device_rng
        _device_rng = self.outside
        return False


def _backend_from_environment():
    name = os.environ.get('TEACHNET_BACKEND', 'numpy').strip().lower() or 'numpy'
    set_backend(name)


_backend_from_environment()
