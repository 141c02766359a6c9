"""Work done on the other cores while this thread runs a loop that must go step by step.

A recurrent layer's loop over time keeps one core busy: each step needs the one before.
Much of the work around the loop does not wait for it. Going forward, the input
projections of later steps can be computed while the loop works on earlier ones; going
back, the weight gradients of the steps the loop has already finished can be. So the
op cuts that work into pieces and hands them here:

    beside = BesideALoop()
    beside.add(project, 10, 20)            # pieces, in the order the loop will need them
    beside.add(project, 20, 30)
    ...                                    # the loop, calling beside.wait_for(k) before it
                                           # reads what piece k writes
    beside.finish()                        # every piece done (this thread helps)

The helper threads take the pieces in order; a piece they have not started when this
thread needs it (or when the loop is over) this thread runs itself. With one thread
allowed (``am.blas_threads()``), there are no helpers and this thread runs every piece.

Each piece computes exactly the same numbers whichever thread runs it: the matrix library
runs on one thread while pieces are out (the caller holds ``am.one_blas_thread()``), and
every piece writes only its own part of the results. A piece's numbers therefore do not
depend on how many threads there are or on which thread took it. NumPy's copies, ufuncs
and products let go of Python's interpreter lock while they compute, so the helpers
really run at the same time as the loop.
"""
import threading

from teachnet.backend import sample_passes


class _Piece:
    def __init__(self, work, args):
        self.work, self.args = work, args
        self.claimed = threading.Lock()        # taken by the thread that runs the piece
        self.done = threading.Event()
        self.error = None

    def run_if_free(self):
        """Run the piece here unless another thread has taken it."""
        if not self.claimed.acquire(blocking=False):
            return
        try:
            self.work(*self.args)
        except BaseException as error:         # handed to the caller in ``finish``
            self.error = error
        finally:
            self.done.set()


class BesideALoop:
    """Pieces of work shared with helper threads while the calling thread runs a loop."""

    def __init__(self):
        threads = sample_passes.pass_threads()
        self.pool = sample_passes.helper_pool(threads - 1) if threads > 1 else None
        self.pieces = []

    def has_helpers(self):
        """Whether other threads take pieces (else this thread runs them all)."""
        return self.pool is not None

    def add(self, work, *args):
        """Queue ``work(*args)``; returns the piece's number for ``wait_for``. Without
        helpers nothing runs yet: the piece waits for ``wait_for`` or ``finish``."""
        piece = _Piece(work, args)
        self.pieces.append(piece)
        if self.pool is not None:
            self.pool.submit(piece.run_if_free)
        return len(self.pieces) - 1

    def wait_for(self, number):
        """Return once piece ``number`` is done (running it here if nobody took it)."""
        piece = self.pieces[number]
        piece.run_if_free()
        piece.done.wait()

    def finish(self):
        """Run here every piece nobody took, wait for the others, and raise what a piece
        raised."""
        for piece in self.pieces:
            piece.run_if_free()
        for piece in self.pieces:
            piece.done.wait()
        for piece in self.pieces:
            if piece.error is not None:
                raise piece.error
