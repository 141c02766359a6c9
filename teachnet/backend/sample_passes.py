"""Passes over a batch a few samples at a time, shared among threads on a multi-core host.

Some ops (the convolution's im2col with its product, col2im) work through the batch a few
samples per pass, so that what a pass copies or adds stays in the processor's cache. The
passes are independent of each other: each one reads its samples and writes its own rows
of the result. So when more than one thread is allowed, the threads can share them: each
takes the next pass that nobody has taken yet,

    thread 1: samples 0-3, then 8-11, then 12-15, ...
    thread 2: samples 4-7, then 16-19, ...

Each pass computes exactly what it computes on a single thread (the same copies, the
same products on the same rows, the same additions), so the result is the same to the
last bit, whatever the number of threads and whichever thread took which pass. NumPy's
copies, ufuncs and matrix products let go of Python's interpreter lock while they run,
so the threads really do work at the same time.

How many threads: as many as the matrix library may use (``am.blas_threads()``, which
``threadpoolctl.threadpool_limits`` sets). While the threads share the passes, the matrix
library runs each of their products on one thread: two threads each sharing their own
products out again would wait on each other. On a GPU there is one pass over all samples
anyway.
"""
import os
import threading
from concurrent.futures import ThreadPoolExecutor, wait

from teachnet.backend import array_module as am

_pools = {}          # (process, helper count) -> a pool of worker threads, made when first needed


def pass_threads():
    """How many threads the passes over a batch share: 1 on a GPU, else as many as the
    host's matrix library may use."""
    return 1 if am.get_backend() == 'cupy' else am.blas_threads()


def helper_pool(count):
    """A pool of ``count`` worker threads, made the first time this process asks for it
    (a forked process has none of its parent's threads)."""
    key = (os.getpid(), count)
    pool = _pools.get(key)
    if pool is None:
        pool = _pools[key] = ThreadPoolExecutor(count, thread_name_prefix='teachnet-pass')
    return pool


def for_each_pass(n, samples_per_pass, one_pass, flops_per_pass=0):
    """Call ``one_pass(first, last)`` for samples [first, last), ``samples_per_pass`` at a
    time, over the n samples of a batch; ``one_pass`` writes only its own samples' part of
    the result.

    On one thread the passes run in order, here; their products take
    ``am.threads_for_product(flops_per_pass)``. With more threads allowed, each thread
    (the calling one among them) takes the next pass not yet taken until none is left, with
    the matrix library on one thread meanwhile: a thread slowed down by another program
    on its core then simply takes fewer passes."""
    threads = min(pass_threads(), len(range(0, n, max(1, samples_per_pass))))
    if threads <= 1:
        with am.threads_for_product(flops_per_pass):
            for first in range(0, n, samples_per_pass):
                one_pass(first, min(n, first + samples_per_pass))
        return
    firsts, taking = iter(range(0, n, samples_per_pass)), threading.Lock()

    def take_passes():
        while True:
            with taking:
                first = next(firsts, None)
            if first is None:
                return
            one_pass(first, min(n, first + samples_per_pass))

    pool = helper_pool(threads - 1)
    with am.one_blas_thread():
        helpers = [pool.submit(take_passes) for _ in range(threads - 1)]
        try:
            take_passes()
        finally:
            wait(helpers)                    # every pass done before the library gets its threads back
    for helper in helpers:
        helper.result()                      # raises what a pass raised
