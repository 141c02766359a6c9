"""Indexing where the backends differ: adding into repeated indices, and sliding windows.

``scatter_add``, ``scatter_add_rows`` and ``sum_rows_by_id`` add values into the places
(rows) that indices name, repeats included, the same to the last bit on every backend;
``sliding_windows`` views every window a kernel visits without copying (each backend
through its own ``as_strided``). Layers and ops call these instead of branching on the backend.
"""
from teachnet.backend import array_module as am


def scatter_add(target, indices, values):
    """``target[indices] += values``, adding up repeated indices (in place).

    ``add.at`` (NumPy, CuPy and the strict backend alike) adds every repeat; a plain
    ``target[indices] += values`` would keep only one of them.
    """
    am.xp().add.at(target, indices, values)
    return target


def scatter_add_rows(row_count, indices, values):
    """(sums, named): a new (row_count, dim) array ``sums`` whose row r is the sum of
    ``values[k]`` over every k with ``indices[k] == r`` (zero for rows never named); and
    ``named``, the rows named, sorted, each once. ``sum_rows_by_id`` computes the sums;
    this writes them into a full array."""
    named, sums = sum_rows_by_id(indices, values)
    out = am.xp().zeros((row_count, values.shape[-1]), dtype=values.dtype)
    out[named] = sums
    return out, named


def sum_rows_by_id(indices, values):
    """(named, sums): ``named`` the ids in ``indices`` (k,), sorted, each once, and ``sums``
    (len(named), dim), where sums[j] is the sum of ``values[k]`` (values: (k, dim)) over
    every k with ``indices[k] == named[j]``: dL/dW of an embedding lookup, on the rows of W
    it looked up (every other row's is zero).

    The ids are sorted, so that equal ids sit side by side, and each run of equal ids is
    summed at once with ``add.reduceat``:

        ids sorted:   3 3 3 7 9 9          runs start at 0, 3, 4
        named = [3, 7, 9]    sums = [the sum of rows 0..2,  row 3,  the sum of rows 4..5]

    The sums come out the same, to the last bit, on every run. (``add.at`` on a GPU adds
    repeats with atomic additions, in whatever order the threads finish; on the host it
    walks the ids one by one, slowly.) On the host, each run's first row is copied across
    (for an id named once, that is its sum), and only the repeated ids' rows go through
    ``add.reduceat``, which is faster there than one reduceat over thousands of runs of
    length 1.
    """
    xp, name = am.xp(), am.get_backend()
    if indices.size == 0:
        return indices[:0], xp.zeros((0, values.shape[-1]), dtype=values.dtype)
    order = xp.argsort(indices, kind='stable')
    ids = indices[order]
    new_run = xp.empty(ids.shape, dtype=bool)
    new_run[0] = True
    xp.not_equal(ids[1:], ids[:-1], out=new_run[1:])
    starts = xp.flatnonzero(new_run)
    named = ids[starts]
    if name != 'numpy':            # CuPy, and the strict backend standing in for it: no host sync
        return named, xp.add.reduceat(values[order], starts, axis=0)
    counts = xp.diff(xp.concatenate([starts, xp.asarray([ids.size])]))
    sums = xp.take(values, order[starts], axis=0)                  # each run's first row
    repeated = xp.flatnonzero(counts > 1)
    if repeated.size:
        run_lengths = counts[repeated]
        repeats = xp.take(values, order[xp.repeat(counts > 1, counts)], axis=0)    # the repeated ids' rows, by run
        run_starts = xp.cumsum(run_lengths) - run_lengths
        sums[repeated] = xp.add.reduceat(repeats, run_starts, axis=0)
    return named, sums


def sliding_windows(x, window_shape, strides, axes):
    """A read-only view of every window of ``x`` that a sliding kernel visits: no copy.

    For x of shape (n, rows, cols, c), ``window_shape=(kh, kw)``, ``strides=(sh, sw)`` and
    ``axes=(1, 2)`` the view has shape (n, rows', cols', c, kh, kw) and

        view[n, i, j, c, a, b] = x[n, i·sh + a, j·sw + b, c]

    with rows' = (rows - kh) // sh + 1 window positions (cols' likewise). The windowed
    axes keep their places and the offsets inside a window come last, as NumPy's
    ``sliding_window_view`` orders them. Neighbouring windows overlap, so the view shows
    the same memory several times: read it (copy it, multiply it), never write into it.
    NumPy, CuPy and the strict backend each get the view through their own ``as_strided``.
    """
    shape, steps = list(x.shape), list(x.strides)
    for axis, window, stride in zip(axes, window_shape, strides):
        shape[axis] = (x.shape[axis] - window) // stride + 1
        steps[axis] = x.strides[axis] * stride
    shape += list(window_shape)
    steps += [x.strides[axis] for axis in axes]
    return _read_only_view(x, shape, steps)


def shifted_runs(matrix, shifts, length):
    """A read-only view of ``length`` consecutive rows of ``matrix`` from several starting
    rows, one run per shift: no copy. With ``shifts = ((kh, step_a), (kw, step_b))``

        view[a, b, t, :] = matrix[t + a·step_a + b·step_b, :]       a < kh, b < kw, t < length

    Runs that start close together overlap in memory: read the view, never write into it.
    The last run must end inside ``matrix``."""
    last_row = sum((count - 1) * step for count, step in shifts) + length - 1
    if length < 0 or last_row >= matrix.shape[0]:
        raise ValueError(f'runs of {length} rows with shifts {shifts} go past the {matrix.shape[0]} rows')
    row_bytes = matrix.strides[0]
    shape = [count for count, _ in shifts] + [length, *matrix.shape[1:]]
    steps = [step * row_bytes for _, step in shifts] + list(matrix.strides)
    return _read_only_view(matrix, shape, steps)


def _read_only_view(x, shape, steps):
    """x's memory seen with another shape and strides (in bytes): each backend's own
    ``as_strided``."""
    if am.get_backend() == 'cupy':
        from cupy.lib.stride_tricks import as_strided
        return as_strided(x, shape=tuple(shape), strides=tuple(steps))
    from numpy.lib.stride_tricks import as_strided
    if am.get_backend() == 'strict':        # view the NumPy array inside, wrap the view again
        return am.xp().StrictArray(as_strided(x._array, shape=tuple(shape), strides=tuple(steps), writeable=False))
    return as_strided(x, shape=tuple(shape), strides=tuple(steps), writeable=False)


# ----------------------------------------------------------------------------- memory layout
