"""Passes over a batch a few samples at a time, shared among threads (sample_passes)."""
import threading
import time

import pytest

from teachnet.backend import array_module as am
from teachnet.backend import sample_passes


@pytest.mark.backend_independent
@pytest.mark.parametrize('threads', [1, 2, 3])
@pytest.mark.parametrize('n, per_pass', [(10, 3), (7, 1), (4, 8), (0, 1)])
def test_every_sample_in_exactly_one_pass_of_at_most_per_pass(monkeypatch, threads, n, per_pass):
    """The passes cover the batch once. The threads work at the same time, each taking
    passes until none is left (each thread's first pass waits at a barrier for all of them,
    so the test would hang and fail if one thread ran alone), the caller's among them."""
    monkeypatch.setattr(sample_passes, 'pass_threads', lambda: threads)
    passes = -(-n // per_pass)
    working = min(threads, passes)
    together = threading.Barrier(max(1, working), timeout=10)
    seen, names, lock = [], set(), threading.Lock()

    def one_pass(first, last):
        name = threading.current_thread().name
        with lock:
            first_of_thread = name not in names
            names.add(name)
        if first_of_thread:
            together.wait()                        # broken (an error) unless the threads run at once
        with lock:
            seen.append((first, last))

    sample_passes.for_each_pass(n, per_pass, one_pass)
    covered = sorted(sample for first, last in seen for sample in range(first, last))
    assert covered == list(range(n))
    assert sorted(seen) == [(first, min(n, first + per_pass)) for first in range(0, n, per_pass)]
    assert len(names) == working
    assert n == 0 or threading.current_thread().name in names


@pytest.mark.backend_independent
def test_a_failing_pass_raises_in_the_caller_after_every_pass_ended(monkeypatch):
    monkeypatch.setattr(sample_passes, 'pass_threads', lambda: 2)
    started, finished, lock = threading.Event(), [], threading.Lock()

    def one_pass(first, last):
        if first == 0:
            started.wait(10)                       # fail once the other thread has a pass
            raise ValueError('pass 0 failed')
        started.set()
        with lock:
            finished.append(first)

    with pytest.raises(ValueError, match='pass 0 failed'):
        sample_passes.for_each_pass(4, 1, one_pass)
    assert sorted(finished) == [1, 2, 3]           # the other thread took the rest, to the end


@pytest.mark.backend_independent
def test_shared_passes_run_their_products_on_one_blas_thread(monkeypatch):
    """Two threads each asking the matrix library for its threads would wait on each other:
    while the passes are shared, the library runs every product on one thread."""
    monkeypatch.setattr(sample_passes, 'pass_threads', lambda: 2)
    entered = []

    class Recorder:
        def __enter__(self):
            entered.append('one thread')

        def __exit__(self, *exc_info):
            entered.append('restored')

    def one_pass(first, last):
        helper = threading.current_thread() is not threading.main_thread()
        time.sleep(0.05 if helper else 0.01)       # both threads get a pass; the other thread's ends last
        entered.append('pass')

    monkeypatch.setattr(am, 'one_blas_thread', Recorder)
    sample_passes.for_each_pass(4, 1, one_pass)
    assert entered[0] == 'one thread' and entered[-1] == 'restored' and entered.count('pass') == 4


@pytest.mark.backend_independent
def test_a_forked_process_makes_its_own_threads(monkeypatch):
    """A pool made before a fork has no threads in the child: the child makes its own
    instead of waiting forever for the parent's."""
    import multiprocessing

    if 'fork' not in multiprocessing.get_all_start_methods():
        pytest.skip('no fork here')
    monkeypatch.setattr(sample_passes, 'pass_threads', lambda: 2)
    sample_passes.for_each_pass(4, 1, lambda first, last: None)        # the parent's pool
    context = multiprocessing.get_context('fork')
    child = context.Process(target=sample_passes.for_each_pass, args=(4, 1, _nothing))
    child.start()
    child.join(20)
    finished = child.exitcode == 0
    if child.is_alive():
        child.kill()
    assert finished


def _nothing(first, last):
    pass
