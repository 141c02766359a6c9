"""Recurrent ops: a whole sequence through one recurrent cell, recorded as ONE op.

A recurrent layer reads a sequence x_1 ... x_T and keeps a state h that it updates at
every timestep from the input and from its own previous value:

    h_t = cell(x_t, h_{t-1})

Written with small ops, a sequence of 80 steps would put hundreds of records on the
tape. Instead each cell (SimpleRNN, LSTM, GRU) is one op over the whole sequence, in
three moves that keep the work where it is cheapest:

1. the input projections of ALL timesteps at once, one matrix product
       P = X·W + b          X: the T·n rows x_t of every sample, W: (input_dim, k·units)
2. a loop over time doing only what truly depends on the previous step: the recurrent
   product h_{t-1}·U and the gate arithmetic, written in place into preallocated arrays;
3. backward through time (BPTT): the same loop run backwards, carrying dL/dh (and for an
   LSTM dL/dc) from step t to step t-1; then the weight gradients in one product each,
       dL/dW = Xᵀ·dZ      dL/dU = H_prevᵀ·dZ      dL/db = Σ dZ      dL/dX = dZ·Wᵀ
   where dZ holds dL/d(pre-activation) of every gate at every step (dL/dW and dL/dU
   even in one product, [X | H_prev]ᵀ·dZ, when U sees h_{t-1} itself).

A big LSTM or SimpleRNN does 1 and 3 in pieces of a few steps, beside the loop, on the
other cores (``teachnet.ops.recurrent_pieces``).

Every timestep's gate values are kept (they are needed for backward anyway), and
backward keeps the gradient that reached each timestep's state. ``op.describe()`` hands
the gates to a trace and ``op.describe_backward()`` the gradients through time, each as
a (timesteps, batch, units) array: a student sees, from the very run that trained,
whether gradients vanish or explode along the sequence.

Conventions shared by every cell here:

* arrays inside the op are *time-major*, in the order the steps are processed (with
  ``go_backwards`` the last input comes first), and each step's arrays are transposed,
  (units, batch), so that every gate is one contiguous block (see RecurrentSequence);
* a mask (batch, timesteps) marks real steps; at a masked step the state is carried over
  unchanged, h_t = h_{t-1} (and c_t = c_{t-1}), so the gradient passes straight through;
* ``recurrent_mask`` (batch, units), the dropout of ``dropout_U``, multiplies h_{t-1}
  wherever it meets U, the same units dropped at every step of a sequence.

For a first reading, ``teachnet.layers.reference_cells`` has each cell for one timestep,
written plainly (batch-major, Keras's gate order, nothing folded), and runs it over time
step by step; the tests check every op here against those references, forward and backward.
"""
from teachnet.backend import array_module as am
from teachnet.ops.op import Op
from teachnet.ops.operands import wants_gradient
from teachnet.ops.recurrent_pieces import StepPieces


# ----------------------------------------------------------------------------- the shared op

#: small index and scale arrays, made once per (setting, units, dtype, backend)
_SMALL_ARRAYS = {}


def _small(key, make):
    """The small array(s) kept under ``key``, made by ``make()`` the first time."""
    found = _SMALL_ARRAYS.get(key)
    if found is None:
        if len(_SMALL_ARRAYS) > 64:
            _SMALL_ARRAYS.clear()
        found = _SMALL_ARRAYS[key] = make()
    return found


def columns(blocks):
    """(T, m, n) blocks, one per timestep, side by side as one (m, T·n) matrix: column
    s·n + i belongs to sample i at step s. The weight gradients are one product each over
    these columns (a copy, made once per backward pass)."""
    t, m, n = blocks.shape
    return blocks.transpose(1, 0, 2).reshape(m, t * n)


def in_every_column(vector, n):
    """A (rows, n) array whose every column is ``vector``: what is added to each step's
    (rows, n) block. Added to a (T, rows, n) array, it runs through memory in long stretches;
    the (rows, 1) view ``vector[:, None]`` gives the same sums, but NumPy would then run its
    inner loop once per row and step, n numbers at a time (twice as long in all here)."""
    block = am.xp().empty((vector.shape[0], n), dtype=vector.dtype)
    block[...] = vector[:, None]
    return block


def times_transposed(left, grad_z):
    """left · dZᵀ, a weight gradient summed over every step and sample (left: Xᵀ or H_prev
    as (m, T·n) columns, dZ: (k·units, T·n)). Computed as (dZ · leftᵀ)ᵀ: the same numbers,
    in the orientation the matrix library runs fastest here."""
    return am.xp().dot(grad_z, left.T).T


def row_sums(grad_z):
    """dL/db = Σ over the columns of dZ, computed as dZ·1 (a matrix-vector product, faster
    than a sum along the rows)."""
    xp, length, dtype = am.xp(), grad_z.shape[1], grad_z.dtype
    return xp.dot(grad_z, _small(('ones', length, dtype, am.get_backend()), lambda: xp.ones(length, dtype=dtype)))


class RecurrentSequence(StepPieces, Op):
    """The part every cell shares: the layout, the input projection, masks, dropout of
    the recurrent input, the weight gradients and what a trace shows.

    Layout: inside the op every per-step array is stored TRANSPOSED, (units, batch), and
    time-major: states H (T + 1, units, n), gates (T, k·units, n). Then each gate's block
    of rows is one contiguous piece of memory, and the gate arithmetic runs on contiguous
    arrays (about three times faster than on column slices). The formulas are the same,
    transposed: z_tᵀ = Wᵀ·x_tᵀ + Uᵀ·h_{t-1}ᵀ + b.

    A cell may also keep its gate blocks in another order than Keras's (``block_order``:
    the LSTM keeps o, i, f, c~ so that its three σ gates are one block); the rows of W,
    U and b are permuted to match once per call, and the gradients permuted back
    (``gradient_columns``, in the same pass that undoes the folding).

    A cell subclass writes ``run(projection)`` (the loop over time, with the recurrent
    kernel ``self.recurrent_t``, Uᵀ with the activations' scales folded in; returns H)
    and ``backprop(dH)`` (the loop back; returns dZ', the gradient of the folded gate
    pre-activations at every step, (T, k·units, n), or with ``unfolds_gradients`` dZ
    itself), and ``weight_grads(dZ columns)`` when its dL/dW, dL/dU and dL/db are not the
    plain ones.
    """
    input_names = ('x', 'W', 'U', 'b')
    #: which activation each block of k·units rows uses: 'inner' (σ) or 'activation' (g)
    blocks = ()
    #: the Keras block kept at each position inside the op (None: Keras's own order)
    block_order = None
    #: whether ``backprop`` returns dL/dz itself (slopes s·core', U unfolded in the loop
    #: back) rather than dL/dz' of the folded pre-activations, to be scaled afterwards
    unfolds_gradients = False

    def __init__(self, units, activation, inner_activation=None, initial_states=(), mask=None,
                 go_backwards=False, return_sequences=False, recurrent_mask=None):
        self.units = units
        self.activation = activation                    # ArrayActivation objects
        self.inner = inner_activation or activation
        self.initial_states = [state.T for state in initial_states]          # (units, n)
        self.mask = mask
        self.go_backwards = go_backwards
        self.return_sequences = return_sequences
        self.recurrent_mask = None if recurrent_mask is None else am.xp().ascontiguousarray(recurrent_mask.T)
        self.grad_h = None

    # -- forward
    def forward(self, x, kernel, recurrent_kernel, bias=None):
        # the biggest products outside the loop (x·W over all steps, and backward's dL/dW
        # and dL/dX) take 2·T·n·d·k·units operations: mid-sized ones run on one BLAS thread
        self.product_flops = 2 * x.size * kernel.shape[-1]
        with am.threads_for_product(self.product_flops):
            return self._forward(x, kernel, recurrent_kernel, bias)

    def _forward(self, x, kernel, recurrent_kernel, bias=None):
        n, t, d = x.shape
        steps = x.transpose(1, 0, 2)                                # (T, n, d): x_t at steps[t]
        if self.go_backwards:
            steps = steps[::-1]
        self.steps = steps
        self.kernel, self.recurrent_kernel, self.has_bias = kernel, recurrent_kernel, bias is not None
        scale, offset = self._folding(kernel.dtype)
        self.order, self.restore_order = self._permutation()
        order = self.order
        self.row_scale = (None if scale is None or self.unfolds_gradients
                          else scale if order is None else scale[self.restore_order])      # Keras order

        def rows(matrix):                   # W, U or b with the op's column order and σ's scale, transposed
            if order is not None:
                matrix = matrix.take(order, axis=-1)                    # a copy: scale it in place
                if scale is not None:
                    matrix *= scale
            elif scale is not None:
                matrix = matrix * scale
            # Wᵀ as a transposed view: the products below run faster on it than on a copy
            # laid out row by row (the same numbers: measured, benchmarks/README.md)
            return matrix.T
        self.recurrent_t, kernel_t = rows(recurrent_kernel), rows(kernel)
        added = None                                                # b (and the folding's offset) in every column
        if bias is not None:
            bias_t = rows(bias if bias.ndim == 1 else bias[0]) + (0 if offset is None else offset)
            added = in_every_column(bias_t, n)
            self.recurrent_bias = None if bias.ndim == 1 else rows(bias[1])
        elif offset is not None:
            added = in_every_column(offset, n)
        self._prepare_mask()
        projection = self.projection_buffer(t, n, am.host.result_type(kernel.dtype, x.dtype))
        if self.in_pieces():                                        # beside the loop (recurrent_pieces)
            self.h = self.run_beside_projection(kernel_t, steps, projection, added)
        else:
            self.h = self.run(self.input_projections(kernel_t, steps, added, projection))   # (T + 1, units, n)
        if self.return_sequences:
            return self.h[1:].transpose(2, 0, 1)                    # (n, T, units)
        return self.h[t].T                                          # the last state (n, units)

    @staticmethod
    def input_projections(kernel_t, steps, added, out=None):
        """Wᵀ·x_tᵀ (+ ``added``, the bias block) for every step in ``steps`` (T', n, d) at
        once, into ``out`` (T', k·units, n; a new array when None)."""
        out = am.xp().matmul(kernel_t, steps.transpose(0, 2, 1), out=out)
        if added is not None:
            out += added
        return out

    def projection_buffer(self, t, n, dtype):
        """Where the input projections go, a (T, k·units, n) array (or view), or None for a
        new array. A cell that keeps more per step than its gates (the LSTM keeps c_{t-1}
        beside them) hands a view of its own array, so that no copy is needed."""
        return None

    def _folding(self, dtype):
        """Per-row scale s and offset o of the gates' activations (see
        ``teachnet.ops.recurrent_activations``), or (None, None) when nothing folds."""
        key = ('folding', self.inner, self.activation, self.blocks, self.units, dtype, am.get_backend())
        return _small(key, lambda: self._make_folding(dtype))

    def _make_folding(self, dtype):
        chosen = tuple(self.inner if block == 'inner' else self.activation for block in self.blocks)
        if not any(activation.folds for activation in chosen):
            return None, None
        scale = am.host.repeat([activation.scale for activation in chosen], self.units)
        offset = am.host.repeat([activation.offset for activation in chosen], self.units)
        return am.to_device(scale, dtype=dtype), am.to_device(offset, dtype=dtype)

    def _permutation(self):
        """(row order, inverse order) as index arrays for ``block_order``, or (None, None)."""
        if self.block_order is None:
            return None, None
        return _small(('order', self.block_order, self.units, am.get_backend()), self._make_permutation)

    def _make_permutation(self):
        host, u = am.host, self.units
        order = host.concatenate([host.arange(block * u, (block + 1) * u) for block in self.block_order])
        return am.to_device(order), am.to_device(host.argsort(order))

    def _block_runs(self):
        """(rows in Keras's order, rows in the op's order) as pairs of slices, one pair per
        run of blocks that keep their neighbours: LSTM's o, i, f, c~ is two runs, (i, f, c)
        at rows u:4u and o at rows 0:u. Without ``block_order``, one run: every row."""
        if self.block_order is None:
            return ((slice(None), slice(None)),)
        return _small(('runs', self.block_order, self.units), self._make_block_runs)

    def _make_block_runs(self):
        u, runs = self.units, []
        for position, block in enumerate(self.block_order):
            if runs and block == runs[-1][0] + runs[-1][2]:              # follows the previous block
                runs[-1][2] += 1
            else:
                runs.append([block, position, 1])
        return tuple((slice(block * u, (block + count) * u), slice(position * u, (position + count) * u))
                     for block, position, count in runs)

    def _prepare_mask(self):
        """Time-major masks, (T, 1, n): ``keep`` is 1 at real steps, ``carry`` 1 at masked
        steps (where the state is carried over)."""
        self.carry = self.keep = self.carry_bool = None
        if self.mask is None:
            return
        real = self.mask.T[:, None, :]
        if self.go_backwards:
            real = real[::-1]
        dtype = self.kernel.dtype
        self.carry_bool = ~real
        self.keep, self.carry = real.astype(dtype), self.carry_bool.astype(dtype)

    def carry_masked(self, s, *states):
        """At masked steps, new state = previous state: ``states`` are arrays of all
        states, T + 1 long, and step ``s`` writes entry s + 1."""
        if self.carry_bool is not None:
            for array in states:
                am.xp().copyto(array[s + 1], array[s], where=self.carry_bool[s])

    def loop_threads(self):
        """The BLAS threads for the loop's products h_{t-1}·U: ONE, whatever their size.

        Measured on a quiet 2-core machine, two threads ran an LSTM(128) step's product
        (batch 32, 4.2e6 operations) 1.45x faster, and the IMDB LSTM trained 10-15% faster
        with two threads in its loop; but on a busy machine each such product waits for a
        second core (130-230 us instead of 40), hundreds of times a batch, and with two
        threads the library splits some shapes' sums differently (an LSTM(257) with a batch
        of 64 got other last bits in dL/dU and dL/db than with one thread), where the loop
        on one thread gives the same numbers whatever the threads outside it."""
        return am.one_blas_thread()

    def dropped(self, h):
        """h ⊙ m_U, the state as the recurrent kernel sees it (h itself without dropout)."""
        return h if self.recurrent_mask is None else h * self.recurrent_mask

    def final_states(self):
        """The states after the last step, (n, units) each (LSTM: h_T and c_T)."""
        return [self.h[-1].T]

    # -- backward
    def backward(self, g):
        with am.threads_for_product(self.product_flops):
            return self._backward(g)

    def _backward(self, g):
        xp = am.xp()
        t, units, n = self.h.shape[0] - 1, self.units, self.h.shape[2]
        if self.return_sequences:
            grad_h = g.transpose(1, 2, 0).copy()                    # dL/dh_t from the outputs
        else:
            grad_h = xp.zeros((t, units, n), dtype=g.dtype)
            grad_h[-1] = g.T
        self.grad_h = grad_h                # becomes the TOTAL dL/dh_t as the loop goes back
        if self.in_pieces():                # beside the loop (recurrent_pieces)
            grad_kernel, grad_recurrent, grad_bias, grad_x = self.backward_beside_loop(
                grad_h, wants_gradient(self, 0))
        else:
            grad_z = self.gradient_columns(self.backprop(grad_h))       # (k·units, T·n), Keras's order
            grad_kernel, grad_recurrent, grad_bias = self.weight_grads(grad_z)
            grad_x = xp.dot(grad_z.T, self.kernel.T) if wants_gradient(self, 0) else None    # dL/dX = dZ·Wᵀ
        if grad_x is not None:
            grad_x = grad_x.reshape(t, n, -1)
            if self.go_backwards:
                grad_x = grad_x[::-1]
            grad_x = grad_x.transpose(1, 0, 2)
        if not self.has_bias:
            return grad_x, grad_kernel, grad_recurrent
        return grad_x, grad_kernel, grad_recurrent, grad_bias

    def gradient_columns(self, grad_z):
        """dZ' (T, k·units, n), the gradients of the folded pre-activations in the op's block
        order, as dL/dz of every step in Keras's order, side by side: (k·units, T·n) columns
        (see ``columns``). Each run of blocks is copied across in place, then the folding
        undone, dL/dz = s · dL/dz', on the contiguous result (not for a cell whose
        ``backprop`` unfolds its gradients itself: ``row_scale`` is then None)."""
        t, rows, n = grad_z.shape
        side_by_side = am.xp().empty((rows, t, n), dtype=grad_z.dtype)
        self.gradient_columns_into(grad_z, side_by_side)
        return side_by_side.reshape(rows, t * n)

    def gradient_columns_into(self, grad_z, side_by_side):
        """``gradient_columns`` of the steps in ``grad_z`` (T', k·units, n), written into
        ``side_by_side`` (k·units, T', n)."""
        for keras_rows, op_rows in self._block_runs():
            side_by_side[keras_rows] = grad_z[:, op_rows].transpose(1, 0, 2)
        if self.row_scale is not None:
            side_by_side *= self.row_scale[:, None, None]

    def weight_grads(self, grad_z):
        """(dL/dW, dL/dU, dL/db) from the gradient columns dZ (k·units, T·n):

            dL/dW = Σ_t x_tᵀ·dz_t      dL/dU = Σ_t (h_{t-1} ⊙ m_U)ᵀ·dz_t      dL/db = Σ_t dz_t

        W meets x_t and U meets h_{t-1} ⊙ m_U in the same sum, so both gradients are ONE
        product: [x_t | h_{t-1} ⊙ m_U] side by side, one row per step and sample (the rows
        in dZ's column order), times dZ. Its first d columns are dL/dW, the others dL/dU.
        (A copy of X and one of H_prev are needed for the product anyway: one product of
        width d + units runs faster than two of widths d and units.)"""
        t, n, d = self.steps.shape
        both = self.weight_products(0, t, grad_z)                   # (d + units, k·units)
        return both[:d], both[d:], self.bias_gradient(grad_z) if self.has_bias else None

    def weight_products(self, first, last, grad_z):
        """[dL/dW; dL/dU] of steps first..last - 1 alone, from their dZ columns."""
        _, n, d = self.steps.shape
        inputs = am.xp().empty((last - first, n, d + self.units), dtype=grad_z.dtype)
        inputs[..., :d] = self.steps[first:last]                    # x_t
        previous = inputs[..., d:]
        previous[...] = self.h[first:last].transpose(0, 2, 1)      # h_{t-1}
        if self.recurrent_mask is not None:
            previous *= self.recurrent_mask.T                       # ⊙ m_U
        return times_transposed(inputs.reshape((last - first) * n, -1).T, grad_z)

    def bias_gradient(self, grad_z):
        """dL/db = Σ_t dz_t, from all of dZ's columns."""
        return row_sums(grad_z)

    def kernel_grad(self, grad_z):
        """dL/dW = Xᵀ·dZ alone, for a cell whose U meets more than h_{t-1} (the GRU)."""
        t, n, d = self.steps.shape
        return times_transposed(self.steps.reshape(t * n, d).T, grad_z)

    def split_masked(self, s, grad):
        """(the part of ``grad`` that reaches step s's computation, the part carried
        straight to step s - 1): (grad, None) without a mask."""
        if self.keep is None:
            return grad, None
        return grad * self.keep[s], grad * self.carry[s]

    # -- what a trace shows: (T, n, units) arrays, as a student indexes them
    def gates(self):
        """gate name -> (T, n, units) array of its values at every step."""
        return {'h': self.h[1:].transpose(0, 2, 1)}

    def describe(self):
        facts = {'timesteps': self.h.shape[0] - 1, 'go_backwards': self.go_backwards,
                 'masked steps': 0 if self.carry_bool is None else int(self.carry_bool.sum()),
                 'activation': self.activation.name, 'inner activation': self.inner.name}
        facts.update(self.gates())
        for name, state in zip(('h_0', 'c_0'), self.initial_states):       # the states step 1 starts from
            facts[name] = state.T
        if self.recurrent_mask is not None:
            facts['recurrent mask'] = self.recurrent_mask.T                 # dropout_U's m_U, (n, units)
        return facts

    def gradients_through_time(self):
        """'dL/dh' (and 'dL/dc') -> (T, n, units): the total gradient that reached each
        step's state in the last backward pass (empty before backward)."""
        return {} if self.grad_h is None else {'dL/dh': self.grad_h.transpose(0, 2, 1)}

    def describe_backward(self):
        return self.gradients_through_time()
