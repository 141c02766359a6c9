"""Work handed to helper threads beside a loop (beside_a_loop): every piece runs once, the
caller waits for the one it needs, runs what nobody took, and hears of a failed piece."""
import threading

import pytest

from teachnet.backend import sample_passes
from teachnet.backend.beside_a_loop import BesideALoop


@pytest.mark.backend_independent
@pytest.mark.parametrize('threads', [1, 2, 3])
def test_every_piece_runs_exactly_once_and_is_done_when_waited_for(monkeypatch, threads):
    monkeypatch.setattr(sample_passes, 'pass_threads', lambda: threads)
    ran, lock = [], threading.Lock()

    def piece(number):
        with lock:
            ran.append((number, threading.current_thread().name))
    beside = BesideALoop()
    numbers = [beside.add(piece, number) for number in range(20)]
    assert numbers == list(range(20))
    for number in (3, 11):
        beside.wait_for(number)
        assert number in [done for done, _ in ran]
    beside.finish()
    assert sorted(number for number, _ in ran) == list(range(20))
    if threads == 1:                       # no helpers: the caller ran every piece, in order
        assert ran[0] == (3, threading.current_thread().name)
        assert {name for _, name in ran} == {threading.current_thread().name}


@pytest.mark.backend_independent
def test_helpers_work_while_the_caller_loops(monkeypatch):
    """A helper takes a piece while the caller is busy elsewhere: the piece finishes although
    the caller never runs it (it waits at an event the piece sets, for at most 10 s)."""
    monkeypatch.setattr(sample_passes, 'pass_threads', lambda: 2)
    taken = threading.Event()
    beside = BesideALoop()
    beside.add(lambda: taken.set())
    assert taken.wait(10), 'no helper took the piece'
    beside.finish()


@pytest.mark.backend_independent
@pytest.mark.parametrize('threads', [1, 2])
def test_a_failing_piece_raises_in_finish_after_every_piece_ended(monkeypatch, threads):
    monkeypatch.setattr(sample_passes, 'pass_threads', lambda: threads)
    finished = []

    def piece(number):
        if number == 1:
            raise ValueError('piece 1 failed')
        finished.append(number)
    beside = BesideALoop()
    for number in range(4):
        beside.add(piece, number)
    with pytest.raises(ValueError, match='piece 1 failed'):
        beside.finish()
    assert sorted(finished) == [0, 2, 3]
