"""Passes over a batch a few samples at a time, shared among threads on a multi-core host.

Some ops (the convolution's im2col with its product, col2im) work through the batch a few
samples per pass, so that what a pass copies or adds stays in the processor's cache. The
passes are independent of each other: each one reads its samples and writes its own rows
of the result. So when more than one thread is allowed, the passes can be shared out:

    thread 1: samples 0 .. n/2 - 1, a few at a time
    thread 2: samples n/2 .. n - 1, a few at a time

Each thread computes exactly what the single thread would have computed for its samples
(the same copies, the same products on the same rows, the same additions), so the result
is the same to the last bit, whatever the number of threads. NumPy's copies, ufuncs and
matrix products let go of Python's interpreter lock while they run, so the threads really
do work at the same time.

How many threads: as many as the matrix library may use (``am.blas_threads()``, which
``threadpoolctl.threadpool_limits`` sets). While the threads share the passes, the matrix
library runs each of their products on one thread: two threads each sharing their own
products out again would wait on each other. On a GPU there is one pass over all samples
anyway.
"""
from concurrent.futures import ThreadPoolExecutor, wait

from teachnet.backend import array_module as am

_pools = {}          # one pool of worker threads per thread count, made when first needed


def pass_threads():
    """How many threads the passes over a batch share: 1 on a GPU, else as many as the
    host's matrix library may use."""
    return 1 if am.get_backend() == 'cupy' else am.blas_threads()


def shares(n, samples_per_pass, threads):
    """The samples [0, n) cut into at most ``threads`` consecutive shares of whole passes,
    as (first, last) pairs: 32 samples, 4 per pass, 2 threads -> (0, 16), (16, 32)."""
    passes = -(-n // max(1, samples_per_pass))
    count = max(1, min(threads, passes))
    cuts = [min(n, (passes * k // count) * samples_per_pass) for k in range(count + 1)]
    return [(cuts[k], cuts[k + 1]) for k in range(count)]


def for_each_pass(n, samples_per_pass, one_pass, flops_per_pass=0):
    """Call ``one_pass(first, last)`` for samples [first, last), ``samples_per_pass`` at a
    time, over the n samples of a batch; ``one_pass`` writes only its own samples' part of
    the result.

    On one thread the passes run in order, here; their products take
    ``am.threads_for_product(flops_per_pass)``. With more threads allowed, the passes are
    cut into one consecutive share per thread (``shares``), each run in order on its own
    thread (the first on the calling one), with the matrix library on one thread meanwhile."""
    parts = shares(n, samples_per_pass, pass_threads())
    if len(parts) == 1:
        with am.threads_for_product(flops_per_pass):
            _run_share(0, n, samples_per_pass, one_pass)
        return
    helpers = len(parts) - 1                 # the calling thread takes the first share itself
    pool = _pools.get(helpers)
    if pool is None:
        pool = _pools[helpers] = ThreadPoolExecutor(helpers, thread_name_prefix='teachnet-pass')
    with am.one_blas_thread():
        running = [pool.submit(_run_share, first, last, samples_per_pass, one_pass) for first, last in parts[1:]]
        try:
            _run_share(*parts[0], samples_per_pass, one_pass)
        finally:
            wait(running)                    # every share done before the library gets its threads back
    for share in running:
        share.result()                       # raises what a pass raised


def _run_share(first, last, samples_per_pass, one_pass):
    for start in range(first, last, samples_per_pass):
        one_pass(start, min(last, start + samples_per_pass))
