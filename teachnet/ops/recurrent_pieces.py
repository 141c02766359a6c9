"""A big recurrent layer's products beside its loop over time, in pieces of steps.

The loop over time runs on one core (``RecurrentSequence.loop_threads``). For a big layer
(the IMDB example's LSTM(128) over 80 steps) the products around the loop take as long as
the loop itself: the input projections P = X·W + b before it, and after the loop back the
weight gradients [X | H_prev]ᵀ·dZ and dL/dX = dZ·Wᵀ. None of them needs the whole loop:

* forward, step t's projection p_t = x_t·W + b is all that step t reads of them, so the
  steps' projections are computed in pieces of a few steps, and the loop starts as soon as
  the first piece is there;
* backward, the loop finishes the steps from the last to the first, and a finished piece
  of steps has its dz_t: its share of dL/dW, dL/dU and dL/dX,

      Σ_{t in piece} [x_t | h_{t-1} ⊙ m_U]ᵀ·dz_t      and      dz_t·Wᵀ,

  can be computed while the loop goes on through earlier steps.

The pieces go to the other cores (``teachnet.backend.beside_a_loop``); with one core, this
thread computes them itself, the same products in the same pieces. dL/dW and dL/dU are the
pieces' shares added in the order of the pieces, so they are the same numbers whichever
thread computed what. (They are other sums than one product over all steps, and may
differ from it in the last bits: which layers go in pieces depends on their size alone,
never on the threads.)
"""
from teachnet.backend import array_module as am
from teachnet.backend.beside_a_loop import BesideALoop

#: a layer goes in pieces when its products outside the loop take at least this many
#: floating-point operations (the size from which they would share threads anyway)
PIECES_FROM_FLOPS = am.THREADED_PRODUCT_FLOPS

#: how many pieces the steps are cut into
PIECES = 4


def pieces_of_steps(t):
    """[(first step, step after the last)] of the pieces of T steps, in order. The piece
    with step 0 is cut in two, a quarter and the rest: nothing runs beside it (forward, the
    loop waits for it; backward, the loop has ended when it is done)."""
    size = -(-t // PIECES)
    quarter = -(-size // 4)
    first_pieces = [(0, quarter), (quarter, size)] if 1 <= quarter < min(size, t) else [(0, min(size, t))]
    return first_pieces + [(first, min(t, first + size)) for first in range(size, t, size)]


class StepPieces:
    """What ``RecurrentSequence`` does in pieces of steps for a big layer. A cell's loop
    calls ``inputs_ready(s)`` before step s reads its projection, and its loop back
    ``gradients_ready(s)`` once step s's dz is final."""
    #: whether the cell's loops call the two hooks (and its weight gradients are the plain ones)
    goes_in_pieces = False
    _waiting_for = _finished_at = _beside = _piece_back = None

    def in_pieces(self):
        return self.goes_in_pieces and am.get_backend() != 'cupy' and self.product_flops >= PIECES_FROM_FLOPS

    # -- forward
    def run_beside_projection(self, kernel_t, steps, projection, added):
        """H from ``run``, with the projections Wᵀ·x_tᵀ (+ ``added``, the bias block)
        computed piece by piece into ``projection`` (T, k·units, n) beside the loop."""
        xp = am.xp()
        t, n = steps.shape[:2]
        if projection is None:
            projection = xp.empty((t, kernel_t.shape[0], n), dtype=am.host.result_type(kernel_t.dtype, steps.dtype))

        def project(first, last):
            self.input_projections(kernel_t, steps[first:last], added, projection[first:last])
        pieces = pieces_of_steps(t)
        beside = BesideALoop()              # (asks how many threads there are: before there is one)
        with am.one_blas_thread():
            if not beside.has_helpers():    # the same pieces, all before the loop (none evicts the loop's arrays)
                for first, last in pieces:
                    project(first, last)
                return self.run(projection)
            project(*pieces[0])
            self._waiting_for = {first: beside.add(project, first, last) for first, last in pieces[1:]}
            self._beside = beside
            try:
                return self.run(projection)
            finally:
                self._waiting_for = self._beside = None
                beside.finish()

    def inputs_ready(self, s):
        """Wait until step s's projection is computed (no-op unless in pieces)."""
        if self._waiting_for is not None and s in self._waiting_for:
            self._beside.wait_for(self._waiting_for[s])

    # -- backward
    def backward_beside_loop(self, grad_h, wants_grad_x):
        """(dL/dW, dL/dU, dL/db or None, dL/dX rows or None), with the loop back from
        ``backprop`` and each finished piece's shares computed beside it. A piece's dZ
        columns are an array of their own: products run faster on contiguous columns
        than on a slice of all steps' columns."""
        xp = am.xp()
        t, n, d = self.steps.shape
        rows = self.recurrent_kernel.shape[1]
        grad_x = xp.empty((t * n, d), dtype=grad_h.dtype) if wants_grad_x else None
        pieces = pieces_of_steps(t)
        shares = [None] * len(pieces)

        def piece_back(number, grad_z, first, last):
            columns = xp.empty((rows, last - first, n), dtype=grad_z.dtype)
            self.gradient_columns_into(grad_z[first:last], columns)
            columns = columns.reshape(rows, (last - first) * n)
            weights = self.weight_products(first, last, columns)             # (d + units, k·units)
            shares[number] = (weights, self.bias_gradient(columns) if self.has_bias else None)
            if grad_x is not None:
                xp.dot(columns.T, self.kernel.T, out=grad_x[first * n:last * n])     # dz_t·Wᵀ
        beside = BesideALoop()              # (asks how many threads there are: before there is one)
        with am.one_blas_thread():
            self._finished_at = {first: (number, last) for number, (first, last) in enumerate(pieces)}
            self._beside, self._piece_back = beside, piece_back
            try:
                self.backprop(grad_h)
            finally:
                self._finished_at = self._beside = self._piece_back = None
                beside.finish()
        both, grad_bias = shares[0]
        for weights, bias in shares[1:]:                    # in the pieces' order, whoever computed them
            both += weights
            if bias is not None:
                grad_bias += bias
        return both[:d], both[d:], grad_bias, grad_x

    def gradients_ready(self, s, grad_z):
        """Step s of the loop back is done, its dz in ``grad_z`` (T, k·units, n): when it
        completes a piece of steps, that piece's shares go beside the loop."""
        if self._finished_at is not None and s in self._finished_at:
            number, last = self._finished_at[s]
            self._beside.add(self._piece_back, number, grad_z, s, last)
