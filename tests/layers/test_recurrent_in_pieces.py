"""A big recurrent layer computes its products in pieces of steps beside its loop
(teachnet.ops.recurrent_pieces): the same numbers as the reference cells, and the same bits
whatever the number of threads."""
import numpy as np
import pytest

from teachnet.backend import array_module as am
from teachnet.backend import sample_passes
from teachnet.layers.lstm import LSTM
from teachnet.layers.simple_rnn import SimpleRNN
from teachnet.models import Sequential
from teachnet.ops import recurrent_pieces
from teachnet.ops.recurrent_pieces import StepPieces, pieces_of_steps
from teachnet.ops.tape import Tape
from teachnet.ops.tensor import Tensor

from .test_reference_cells import SCENARIOS, fast_against_reference


@pytest.fixture
def counted_pieces(monkeypatch):
    """Counts the passes forward and back that went in pieces."""
    counts = {'forward': 0, 'backward': 0}
    run_beside, backward_beside = StepPieces.run_beside_projection, StepPieces.backward_beside_loop

    def forward(self, *args):
        counts['forward'] += 1
        return run_beside(self, *args)

    def backward(self, *args):
        counts['backward'] += 1
        return backward_beside(self, *args)
    monkeypatch.setattr(StepPieces, 'run_beside_projection', forward)
    monkeypatch.setattr(StepPieces, 'backward_beside_loop', backward)
    return counts


def test_pieces_of_steps_cover_the_steps_in_order():
    for t in (1, 4, 7, 8, 9, 80, 81):
        pieces = pieces_of_steps(t)
        assert [step for first, last in pieces for step in range(first, last)] == list(range(t))
        assert len(pieces) <= recurrent_pieces.PIECES + 1


@pytest.mark.parametrize('threads', [1, 2])
@pytest.mark.parametrize('scenario', sorted(SCENARIOS))
@pytest.mark.parametrize('kind', ['LSTM', 'SimpleRNN'])
def test_in_pieces_against_the_reference_forward_and_backward(monkeypatch, counted_pieces, kind, scenario,
                                                              threads):
    """Every layer goes in pieces here (of one step: T = 4), with helpers or without."""
    monkeypatch.setattr(recurrent_pieces, 'PIECES_FROM_FLOPS', 0)
    monkeypatch.setattr(sample_passes, 'pass_threads', lambda: threads)
    fast_against_reference(kind, SCENARIOS[scenario], np.random.default_rng(sorted(SCENARIOS).index(scenario)),
                           f'{kind} in pieces')
    assert counted_pieces == {'forward': 1, 'backward': 1}


@pytest.mark.parametrize('kind', ['LSTM', 'SimpleRNN'])
def test_the_loops_wait_for_slow_helpers(monkeypatch, counted_pieces, kind):
    """Helpers that come to every piece late (20 ms): before a step reads its projection,
    the loop must make sure its piece is done (here by running it itself), and the pieces
    back must run after their steps; the numbers stay right."""
    import threading
    import time

    from teachnet.backend import beside_a_loop

    run_if_free = beside_a_loop._Piece.run_if_free

    def late(piece):
        if threading.current_thread() is not threading.main_thread():
            time.sleep(0.02)
        return run_if_free(piece)
    monkeypatch.setattr(beside_a_loop._Piece, 'run_if_free', late)
    monkeypatch.setattr(recurrent_pieces, 'PIECES_FROM_FLOPS', 0)
    monkeypatch.setattr(sample_passes, 'pass_threads', lambda: 2)
    fast_against_reference(kind, SCENARIOS['sequences_with_dropout'], np.random.default_rng(3),
                           f'{kind} with late helpers')
    assert counted_pieces == {'forward': 1, 'backward': 1}


@pytest.mark.parametrize('kind', ['LSTM', 'SimpleRNN'])
def test_pieces_run_the_moment_they_are_handed_over(monkeypatch, counted_pieces, kind):
    """A helper as fast as can be: each piece runs as soon as it is added. A piece must
    therefore be handed over only once everything it reads is final."""
    from teachnet.backend.beside_a_loop import BesideALoop

    add = BesideALoop.add

    def at_once(self, work, *args):
        number = add(self, work, *args)
        self.wait_for(number)
        return number
    monkeypatch.setattr(BesideALoop, 'add', at_once)
    monkeypatch.setattr(recurrent_pieces, 'PIECES_FROM_FLOPS', 0)
    monkeypatch.setattr(sample_passes, 'pass_threads', lambda: 1)
    fast_against_reference(kind, SCENARIOS['masked_backwards_sequences_with_dropout'], np.random.default_rng(4),
                           f'{kind}, pieces at once')
    assert counted_pieces == {'forward': 1, 'backward': 1}


def _big_layer_pass(cls, threads, x, grad_output, seed=0):
    """(output, dL/dx, dL/dW, dL/dU, dL/db) of a fresh layer from the same weights."""
    rng = np.random.default_rng(seed)
    layer = cls(x.shape[2], return_sequences=True, input_shape=x.shape[1:])
    Sequential([layer])
    layer.set_weights([rng.uniform(-0.2, 0.2, w.shape).astype(w.dtype) for w in layer.get_weights()])
    x_tensor = Tensor(am.to_device(x), requires_grad=True)
    threadpoolctl = pytest.importorskip('threadpoolctl')
    with threadpoolctl.threadpool_limits(threads):
        with Tape() as tape:
            y = layer(x_tensor, training=True)
        tape.backward(y, am.to_device(grad_output))
    return [am.to_numpy(a) for a in (y.data, x_tensor.grad, *[p.grad for p in layer.params])]



@pytest.mark.parametrize('cls', [LSTM, SimpleRNN])
def test_a_big_layer_gives_the_same_bits_on_one_and_two_threads(monkeypatch, counted_pieces, cls):
    """Big enough to go in pieces by its size alone (no setting changed): with two threads
    a helper computes some pieces, with one the caller all of them; not one bit differs."""
    if not am._blas_controllers():
        pytest.skip('no BLAS library that threadpoolctl can control')
    rng = np.random.default_rng(1)
    n, t, units = 64, 24, 96 if cls is LSTM else 160
    x = rng.standard_normal((n, t, units)).astype('float32')
    grad_output = rng.standard_normal((n, t, units)).astype('float32')
    one = _big_layer_pass(cls, 1, x, grad_output)
    monkeypatch.setattr(sample_passes, 'pass_threads', lambda: 2)       # helpers even on a one-core machine
    two = _big_layer_pass(cls, 2, x, grad_output)
    assert counted_pieces == {'forward': 2, 'backward': 2}
    for what, a, b in zip(('output', 'dL/dx', 'dL/dW', 'dL/dU', 'dL/db'), one, two):
        np.testing.assert_array_equal(a, b, err_msg=f'{cls.__name__}: {what} differs between one and two threads')
    monkeypatch.setattr(recurrent_pieces, 'PIECES_FROM_FLOPS', float('inf'))   # one product of all steps
    whole = _big_layer_pass(cls, 1, x, grad_output)
    for what, a, b in zip(('output', 'dL/dx', 'dL/dW', 'dL/dU', 'dL/db'), one, whole):
        scale = np.abs(b).max()
        np.testing.assert_allclose(a, b, rtol=0, atol=2e-6 * scale,
                                   err_msg=f'{cls.__name__}: {what} in pieces differs from one product')
