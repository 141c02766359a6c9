"""Passes over a batch a few samples at a time, shared among threads (sample_passes)."""
import threading

import pytest

from teachnet.backend import array_module as am
from teachnet.backend import sample_passes


@pytest.mark.backend_independent
@pytest.mark.parametrize('n, per_pass, threads, expected', [
    (32, 4, 2, [(0, 16), (16, 32)]),
    (10, 3, 2, [(0, 6), (6, 10)]),               # 4 passes of 3, 3, 3, 1: two each
    (9, 3, 2, [(0, 3), (3, 9)]),                 # 3 passes: one, then two
    (5, 1, 3, [(0, 1), (1, 3), (3, 5)]),
    (3, 4, 2, [(0, 3)]),                         # one pass: nothing to share
    (2, 1, 8, [(0, 1), (1, 2)]),                 # no more shares than passes
    (0, 1, 2, [(0, 0)]),
])
def test_shares_are_consecutive_whole_passes(n, per_pass, threads, expected):
    assert sample_passes.shares(n, per_pass, threads) == expected


@pytest.mark.backend_independent
@pytest.mark.parametrize('threads', [1, 2, 3])
@pytest.mark.parametrize('n, per_pass', [(10, 3), (7, 1), (4, 8), (0, 1)])
def test_every_sample_in_exactly_one_pass_of_at_most_per_pass(monkeypatch, threads, n, per_pass):
    """The passes cover the batch once; the shares run at the same time, one per thread
    (each share's first pass waits at a barrier for all of them), the first on the caller's."""
    monkeypatch.setattr(sample_passes, 'pass_threads', lambda: threads)
    parts = sample_passes.shares(n, per_pass, threads)
    together = threading.Barrier(len(parts), timeout=10)
    seen, names, lock = [], set(), threading.Lock()

    def one_pass(first, last):
        if any(first == share_first for share_first, _ in parts):
            together.wait()                        # broken (an error) unless every share runs at once
        with lock:
            seen.append((first, last))
            names.add(threading.current_thread().name)

    sample_passes.for_each_pass(n, per_pass, one_pass)
    covered = sorted(sample for first, last in seen for sample in range(first, last))
    assert covered == list(range(n))
    assert all(0 < last - first <= per_pass for first, last in seen)
    assert len(names) == (len(parts) if n else 0)
    assert n == 0 or threading.current_thread().name in names


@pytest.mark.backend_independent
def test_a_failing_pass_raises_in_the_caller_after_every_share_ended(monkeypatch):
    monkeypatch.setattr(sample_passes, 'pass_threads', lambda: 2)
    finished = []

    def one_pass(first, last):
        if first == 0:
            raise ValueError('pass 0 failed')
        finished.append(first)

    with pytest.raises(ValueError, match='pass 0 failed'):
        sample_passes.for_each_pass(4, 1, one_pass)
    assert finished == [2, 3]                      # the other share ran to its end



@pytest.mark.backend_independent
def test_shared_passes_run_their_products_on_one_blas_thread(monkeypatch):
    """Two threads each asking the matrix library for its threads would wait on each other:
    while the passes are shared, the library runs every product on one thread."""
    monkeypatch.setattr(sample_passes, 'pass_threads', lambda: 2)
    monkeypatch.setattr(am, 'blas_threads', lambda: 2)
    entered = []

    class Recorder:
        def __enter__(self):
            entered.append('one thread')

        def __exit__(self, *exc_info):
            entered.append('restored')

    monkeypatch.setattr(am, 'one_blas_thread', Recorder)
    sample_passes.for_each_pass(4, 1, lambda first, last: entered.append('pass'))
    assert entered[0] == 'one thread' and entered[-1] == 'restored' and entered.count('pass') == 4
