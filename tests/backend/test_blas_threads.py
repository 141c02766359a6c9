"""How many BLAS threads a host matrix product gets: one inside one_blas_thread and in a
recurrent loop, one for mid-sized products (threads_for_product), all of them for big
ones, and tiny ones left alone."""
import numpy as np
import pytest

from teachnet.backend import array_module as am
from teachnet.ops.recurrent_activations import ARRAY_ACTIVATIONS
from teachnet.ops.recurrent_lstm import LSTMSequence

threadpoolctl = pytest.importorskip('threadpoolctl')


def blas_threads():
    """The threads of the BLAS library NumPy calls, asked of the library itself. (Not every
    BLAS in the process: SciPy, imported by other tests, brings its own, which NumPy never
    calls and teachnet leaves alone.)"""
    return max(library.get_num_threads() for library in am._blas_controllers())


@pytest.fixture
def two_threads():
    """BLAS on two threads for the test (a one-thread machine would show nothing)."""
    with threadpoolctl.threadpool_limits(None):
        controllers = am._blas_controllers()
        if not controllers:
            pytest.skip('no BLAS library that threadpoolctl can control')
        kept = [library.get_num_threads() for library in controllers]
        for library in controllers:
            library.set_num_threads(2)
        yield
        for library, threads in zip(controllers, kept):
            library.set_num_threads(threads)


@pytest.mark.backend_independent
@pytest.mark.parametrize('flops, threads', [(1e3, 2),                                # tiny: the library decides
                                            (am.THREADED_PRODUCT_FLOPS / 10, 1),     # mid-sized: one thread
                                            (am.THREADED_PRODUCT_FLOPS, 2)])         # big: shared
def test_threads_for_product_by_size(two_threads, flops, threads):
    assert blas_threads() == 2
    with am.threads_for_product(flops):
        assert blas_threads() == threads
    assert blas_threads() == 2                      # restored afterwards


@pytest.mark.backend_independent
def test_one_blas_thread_nests_and_restores(two_threads):
    with am.one_blas_thread():
        assert blas_threads() == 1
        with am.threads_for_product(am.THREADED_PRODUCT_FLOPS / 10):
            assert blas_threads() == 1
        assert blas_threads() == 1                  # the inner context did not restore 2 early
    assert blas_threads() == 2


@pytest.mark.backend_independent
def test_one_blas_thread_after_an_error_inside(two_threads):
    """An error inside the block leaves nothing behind: the next block still asks for one
    thread (inner blocks skip asking only while an outer one is open)."""
    with pytest.raises(ZeroDivisionError):
        with am.one_blas_thread():
            with am.one_blas_thread():
                1 / 0
    assert blas_threads() == 2
    with am.one_blas_thread():
        assert blas_threads() == 1
    assert blas_threads() == 2


@pytest.mark.backend_independent
def test_a_recurrent_loop_runs_its_products_on_one_thread(two_threads):
    """h_{t-1}·U of an LSTM(128) is 2·n·128·512 operations a step (1.3e8 for a batch of
    1024), and still runs on one thread: the numbers then do not depend on the threads.
    The threads are back afterwards."""
    op = LSTMSequence(128, ARRAY_ACTIVATIONS['tanh'], ARRAY_ACTIVATIONS['hard_sigmoid'])
    with op.loop_threads():
        assert blas_threads() == 1
    assert blas_threads() == 2
