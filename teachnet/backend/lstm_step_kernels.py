"""One LSTM timestep's gate arithmetic as ONE kernel on a GPU (CuPy), forward and backward.

On a GPU every NumPy-style call inside the loop over time is a kernel launch of its own,
and at the sizes of a classroom model (a batch of 32, 128 units) the GPU finishes each
launch long before Python has issued the next one: an LSTM step written as ten array
calls waits ten times for Python. So on CuPy the loop of ``teachnet.ops.recurrent_lstm``
makes two launches a step instead: the product h_{t-1}·U (cuBLAS) and one of the kernels
below, where each GPU thread computes one (unit, sample) element of the step:

    forward    z    += h_{t-1}·U                      (the product, added here)
               o, i, f = σ(z_o), σ(z_i), σ(z_f);  c~ = tanh(z_c)     (σ: the folded core)
               c_t  = i ⊙ c~ + f ⊙ c_{t-1};  h_t = o ⊙ tanh(c_t)
    backward   dh   = dL/dh_t (+ U·dz_{t+1}, ⊙ m_U under recurrent dropout)
               dc   = dh ⊙ o ⊙ g'(c_t) (+ dL/dc_{t+1} ⊙ f_{t+1})
               dz   = slopes ⊙ [dh ⊙ g(c_t); dc ⊙ c~; dc ⊙ c_{t-1}; dc ⊙ i]

the same formulas, in the same order, as the array calls of ``recurrent_lstm`` (which read
them step by step). Each product and sum is rounded on its own (``mul``/``add`` below
keep the compiler from merging them into fused multiply-adds), so the results differ
from NumPy's only where the two libraries' tanh differ, in the last bits.

The same source compiles for the host with a C++ compiler, each kernel then a plain loop
over the elements: the tests compile it with g++ and run the op's loop through it on NumPy
arrays (``use_host_kernels``), so the arithmetic a GPU would run is checked on any machine
(and that it compiles for a GPU, with nvcc, where nvcc is installed).
"""
import contextlib
import ctypes
import hashlib
import os
import subprocess
import tempfile
import warnings

from teachnet.backend import array_module as am

SOURCE = r'''
#ifdef __CUDACC__                          /* for the GPU: one thread per element */
#define KERNEL extern "C" __global__
#define FOR_EACH_ELEMENT(count) long long k = blockIdx.x * (long long)blockDim.x + threadIdx.x; if (k < count)
__device__ inline float mul(float a, float b) { return __fmul_rn(a, b); }
__device__ inline double mul(double a, double b) { return __dmul_rn(a, b); }
__device__ inline float add(float a, float b) { return __fadd_rn(a, b); }
__device__ inline double add(double a, double b) { return __dadd_rn(a, b); }
#else                                      /* for the host (the tests): a loop over the elements */
#include <math.h>
#define KERNEL extern "C"
#define __device__
#define FOR_EACH_ELEMENT(count) for (long long k = 0; k < count; ++k)
inline float mul(float a, float b) { return a * b; }
inline double mul(double a, double b) { return a * b; }
inline float add(float a, float b) { return a + b; }
inline double add(double a, double b) { return a + b; }
#endif

__device__ inline float tanh_of(float x) { return tanhf(x); }
__device__ inline double tanh_of(double x) { return tanh(x); }

/* the gates' core after folding (teachnet.ops.recurrent_activations): 0 clip(y, 0, 1)
   (hard_sigmoid), 1 (1 + tanh y) / 2 (sigmoid), 2 tanh y */
template <typename real> __device__ inline real gate_core(real y, int kind) {
    if (kind == 0) return y < (real)0 ? (real)0 : (y > (real)1 ? (real)1 : y);
    if (kind == 1) return mul(add(tanh_of(y), (real)1), (real)0.5);
    return tanh_of(y);
}

/* element k of a step: rows o, i, f, c~ of z and of h_{t-1}·U are `block` = units·n apart */
template <typename real> __device__ inline void forward_element(
        long long k, long long block, real* z, const real* recurrent, const real* c_before,
        real* c_after, real* g_of_c, real* h_after, int inner) {
    real o = gate_core(add(z[k], recurrent[k]), inner);
    real i = gate_core(add(z[block + k], recurrent[block + k]), inner);
    real f = gate_core(add(z[2 * block + k], recurrent[2 * block + k]), inner);
    real c_tilde = tanh_of(add(z[3 * block + k], recurrent[3 * block + k]));
    z[k] = o; z[block + k] = i; z[2 * block + k] = f; z[3 * block + k] = c_tilde;   /* kept for backward */
    real c = add(mul(i, c_tilde), mul(f, c_before[k]));                         /* c_t = i c~ + f c_{t-1} */
    real g = tanh_of(c);
    c_after[k] = c; g_of_c[k] = g; h_after[k] = mul(o, g);                       /* h_t = o tanh(c_t) */
}

/* dz holds the gates' slopes on entry and dL/dz on return; dc holds o g'(c_t) on entry and
   dL/dc_t on return; dh becomes the total dL/dh_t when `from_later` adds U dz_{t+1} */
template <typename real> __device__ inline void backward_element(
        long long k, long long block, real* dz, real* dc, const real* dc_later, const real* f_later,
        real* dh, const real* from_later, const real* recurrent_mask, const real* gates,
        const real* c_before, const real* g_of_c, int later, int masked) {
    real d_h = dh[k];
    if (later) {
        real carried = masked ? mul(from_later[k], recurrent_mask[k]) : from_later[k];
        d_h = add(d_h, carried);
        dh[k] = d_h;
    }
    real d_c = mul(dc[k], d_h);                                                  /* dh o g'(c_t) */
    if (later) d_c = add(d_c, mul(dc_later[k], f_later[k]));                     /* + dc_{t+1} f_{t+1} */
    dc[k] = d_c;
    dz[k] = mul(dz[k], mul(d_h, g_of_c[k]));                                     /* do  = dh g(c_t) */
    dz[block + k] = mul(dz[block + k], mul(gates[3 * block + k], d_c));          /* di  = dc c~ */
    dz[2 * block + k] = mul(dz[2 * block + k], mul(c_before[k], d_c));           /* df  = dc c_{t-1} */
    dz[3 * block + k] = mul(dz[3 * block + k], mul(d_c, gates[block + k]));      /* dc~ = dc i */
}

#define STEP_KERNELS(real)                                                                      \
KERNEL void lstm_forward_step_##real(long long block, real* z, const real* recurrent,          \
        const real* c_before, real* c_after, real* g_of_c, real* h_after, int inner) {          \
    FOR_EACH_ELEMENT(block) forward_element<real>(k, block, z, recurrent, c_before, c_after,  \
                                                  g_of_c, h_after, inner);                      \
}                                                                                               \
KERNEL void lstm_backward_step_##real(long long block, real* dz, real* dc, const real* dc_later, \
        const real* f_later, real* dh, const real* from_later, const real* recurrent_mask,       \
        const real* gates, const real* c_before, const real* g_of_c, int later, int masked) {   \
    FOR_EACH_ELEMENT(block) backward_element<real>(k, block, dz, dc, dc_later, f_later, dh,    \
        from_later, recurrent_mask, gates, c_before, g_of_c, later, masked);                   \
}
STEP_KERNELS(float)
STEP_KERNELS(double)
'''

#: the gates' activations a kernel computes, by name, and the code the kernels know them by
INNER_KINDS = {'hard_sigmoid': 0, 'sigmoid': 1, 'tanh': 2}

#: threads per GPU block
THREADS = 256

#: whether an LSTM's steps go through the kernels where they can (False: the array calls,
#: on a GPU too; for comparing the two)
ENABLED = True

KERNEL_NAMES = tuple(f'lstm_{direction}_step_{real}' for direction in ('forward', 'backward')
                     for real in ('float', 'double'))

_gpu_functions = None         # name -> the kernel compiled for the GPU
_gpu_refused = None           # why CuPy could not compile the kernels, once it has tried
_host_library = None
_host_kernels_on = False


def serves(sequence, dtype):
    """Whether the kernels can run this LSTM's steps: on CuPy (or on the host kernels the
    tests switch on), in float32 or float64, with σ one of ``INNER_KINDS`` and g = tanh,
    and no masked steps (those carry their states over, outside the kernels)."""
    backend = am.get_backend()
    if not ENABLED or not (backend == 'cupy' or (backend == 'numpy' and _host_kernels_on)):
        return False
    return (str(dtype) in ('float32', 'float64') and sequence.inner.name in INNER_KINDS
            and sequence.activation.name == 'tanh' and sequence.keep is None
            and (backend != 'cupy' or _gpu_ready()))


def _gpu_ready():
    """Whether the kernels are compiled for this GPU. If CuPy's compiler refuses them, a
    warning says why, once, and the LSTM keeps its array calls (slower, the same formulas)."""
    global _gpu_functions, _gpu_refused
    if _gpu_functions is None and _gpu_refused is None:
        try:
            module = am.xp().RawModule(code=SOURCE)
            _gpu_functions = {name: module.get_function(name) for name in KERNEL_NAMES}   # compiled now
        except Exception as error:                   # a compiler's refusal: any kind of error
            _gpu_refused = f'{type(error).__name__}: {error}'
            warnings.warn(f'teachnet: the LSTM step kernels did not compile on this GPU ({_gpu_refused}); '
                          f'LSTM steps run as array calls instead.', RuntimeWarning, stacklevel=2)
    return _gpu_functions is not None


def forward_step(z, recurrent, c_before, c_after, g_of_c, h_after, inner_name):
    """One forward step on the (k·units, n) block ``z`` (the input projections, turned into
    the gates in place) and the (units, n) states; every array C-contiguous."""
    block = c_before.size
    _launch('lstm_forward_step', z.dtype, block,
            (z, recurrent, c_before, c_after, g_of_c, h_after), (INNER_KINDS[inner_name],))


def backward_step(grad_z, grad_c, grad_c_later, forget_later, grad_h, from_later, recurrent_mask,
                  gates, c_before, g_of_c):
    """One step back. ``grad_c_later``, ``forget_later`` and ``from_later`` (U·dz of the
    step after) are None at the last step; ``recurrent_mask`` None without dropout_U."""
    later, masked = from_later is not None, recurrent_mask is not None
    stand_in = grad_h                                   # any array, where a pointer goes unused
    arrays = (grad_z, grad_c, grad_c_later if later else stand_in, forget_later if later else stand_in,
              grad_h, from_later if later else stand_in, recurrent_mask if masked else stand_in,
              gates, c_before, g_of_c)
    _launch('lstm_backward_step', grad_z.dtype, grad_h.size, arrays, (int(later), int(masked)))


def _launch(name, dtype, block, arrays, flags):
    real = 'float' if str(dtype) == 'float32' else 'double'
    if am.get_backend() == 'cupy':
        kernel = _gpu_functions[f'{name}_{real}']                     # compiled by ``serves``
        blocks = (block + THREADS - 1) // THREADS
        kernel((blocks,), (THREADS,), (am.host.int64(block),) + tuple(arrays) + tuple(am.host.int32(f) for f in flags))
        return
    function = getattr(_host_kernels(), f'{name}_{real}')
    function(ctypes.c_longlong(block), *[ctypes.c_void_p(array.ctypes.data) for array in arrays],
             *[ctypes.c_int(f) for f in flags])


# ----------------------------------------------------------------------------- on the host

def host_compiler():
    """The C++ compiler the host kernels are built with (``CXX``, else g++), or None."""
    import shutil
    return shutil.which(os.environ.get('CXX', 'g++'))


def _host_kernels():
    """The kernels compiled for the host, as a shared library (built once per source)."""
    global _host_library
    if _host_library is None:
        compiler = host_compiler()
        if compiler is None:
            raise RuntimeError('The host LSTM step kernels need a C++ compiler (g++, or one named by CXX).')
        digest = hashlib.sha256(SOURCE.encode()).hexdigest()[:16]
        user = getattr(os, 'getuid', lambda: 'user')()
        folder = os.path.join(tempfile.gettempdir(), f'teachnet-lstm-steps-{user}')
        os.makedirs(folder, exist_ok=True)
        library = os.path.join(folder, f'steps-{digest}.so')
        if not os.path.exists(library):
            source = os.path.join(folder, f'steps-{digest}.{os.getpid()}.cpp')
            with open(source, 'w') as file:
                file.write(SOURCE)
            building = f'{library}.{os.getpid()}'
            built = subprocess.run([compiler, '-O2', '-ffp-contract=off', '-shared', '-fPIC', '-o', building, source],
                                   capture_output=True, text=True)
            if built.returncode != 0:
                raise RuntimeError(f'{compiler} could not build the host LSTM step kernels:\n{built.stderr}')
            os.replace(building, library)            # whole, or not there: another process may build it too
        _host_library = ctypes.CDLL(library)
    return _host_library


@contextlib.contextmanager
def use_host_kernels():
    """Run the LSTM's steps through the kernels compiled for the host while active (on the
    numpy backend): how the tests check the GPU's arithmetic without a GPU."""
    global _host_kernels_on
    _host_kernels()                                   # built before the first step needs it
    before, _host_kernels_on = _host_kernels_on, True
    try:
        yield
    finally:
        _host_kernels_on = before
