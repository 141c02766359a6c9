"""Shape ops: the same numbers, rearranged (reshape, transpose, slices, concatenation...).

These ops move values around without changing them, so backward moves the gradient
back the same way: a reshape is undone by reshaping to the old shape, a transpose by the
inverse transpose, a concatenation by cutting the gradient into the original pieces.
Where one input value lands in several output places (repeat, tile, gather, an index
list with repeats) its gradient is the *sum* over those places.

Also here: ``batch_dot`` (one matrix product per sample) and ``l2_normalize``, which
Keras's backend lists beside them.
"""
from teachnet.backend import array_module as am
from teachnet.backend import indexing
from teachnet.ops.op import Op
from teachnet.ops.operands import array_of as _data, as_tensor_operand, normalize_axes
from teachnet.ops.tensor import Tensor

L2_EPSILON = 1e-12


class Reshape(Op):
    """y = x with another shape (same values, same order); dL/dx = g with x's shape."""

    def __init__(self, shape, name='reshape'):
        self.shape, self.name = tuple(shape), name
        self.formula = f'y = {name}(x)'

    def describe(self):
        return {'shape': self.shape}

    def forward(self, x):
        self.input_shape = x.shape
        return x.reshape(self.shape)

    def backward(self, g):
        return (g.reshape(self.input_shape),)


class Permute(Op):
    """y = x with its axes reordered: y's axis i is x's axis pattern[i]."""
    name, formula = 'permute_dimensions', 'y = xᵀ'

    def __init__(self, pattern):
        self.pattern = tuple(pattern)

    def describe(self):
        return {'pattern': self.pattern}

    def forward(self, x):
        return am.xp().transpose(x, self.pattern)

    def backward(self, g):              # the inverse permutation puts each axis back
        inverse = tuple(sorted(range(len(self.pattern)), key=self.pattern.__getitem__))
        return (am.xp().transpose(g, inverse),)


class Concatenate(Op):
    name, formula = 'concatenate', 'y = [x₁, x₂, …]'

    def __init__(self, axis):
        self.axis = axis

    def describe(self):
        return {'axis': self.axis}

    def forward(self, *arrays):
        self.sizes = [a.shape[self.axis] for a in arrays]
        return am.xp().concatenate(arrays, axis=self.axis)

    def backward(self, g):              # cut g into the pieces the inputs were
        lead = (slice(None),) * self.axis
        grads, start = [], 0
        for size in self.sizes:
            grads.append(g[lead + (slice(start, start + size),)])
            start += size
        return tuple(grads)


class Stack(Op):
    name, formula = 'stack', 'y = [x₁; x₂; …]'

    def __init__(self, axis):
        self.axis = axis

    def describe(self):
        return {'axis': self.axis}

    def forward(self, *arrays):
        return am.xp().stack(arrays, axis=self.axis)

    def backward(self, g):
        lead = (slice(None),) * self.axis
        return tuple(g[lead + (i,)] for i in range(g.shape[self.axis]))


class GetItem(Op):
    """y = x[index]. Backward writes g into a zero array at the indexed places; an index
    array may name a place twice, so it *adds* there (a scatter-add)."""
    name, formula = 'getitem', 'y = x[index]'

    def __init__(self, index):
        self.index = index
        self.basic = _is_basic(index)

    def forward(self, x):
        self.input_shape = x.shape
        return x[self.index]

    def backward(self, g):
        grad = am.xp().zeros(self.input_shape, dtype=g.dtype)
        if self.basic:                  # slices and integers: no place is named twice
            grad[self.index] = g
        else:
            indexing.scatter_add(grad, self.index, g)
        return (grad,)


class Gather(Op):
    """y = rows of ``reference`` picked by ``indices`` (an embedding lookup).

    dL/dreference adds each row's gradients over all the places that row was picked.
    """
    name, formula = 'gather', 'y = reference[indices]'

    def forward(self, reference, indices):
        self.reference_shape, self.indices = reference.shape, indices
        return am.xp().take(reference, indices, axis=0)

    def backward(self, g):
        if len(self.reference_shape) == 2:          # a matrix of rows: the fast row scatter-add
            rows, _ = indexing.scatter_add_rows(self.reference_shape[0], self.indices.reshape(-1),
                                                g.reshape(-1, self.reference_shape[1]))
            return rows, None
        grad = am.xp().zeros(self.reference_shape, dtype=g.dtype)
        return indexing.scatter_add(grad, self.indices, g), None


class Repeat(Op):
    """(batch, dim) -> (batch, n, dim): each sample's vector repeated n times."""
    name, formula = 'repeat', 'y_t = x  (t = 1…n)'

    def __init__(self, n):
        self.n = n

    def describe(self):
        return {'n': self.n}

    def forward(self, x):
        return am.xp().repeat(x[:, None, :], self.n, axis=1)

    def backward(self, g):              # x fed all n copies: add their gradients
        return (g.sum(axis=1),)


class RepeatElements(Op):
    """Each slice along ``axis`` repeated ``rep`` times in place: [a, b] -> [a, a, b, b]."""
    name, formula = 'repeat_elements', 'y = repeat(x)'

    def __init__(self, rep, axis):
        self.rep, self.axis = rep, axis

    def describe(self):
        return {'rep': self.rep, 'axis': self.axis}

    def forward(self, x):
        self.input_shape = x.shape
        return am.xp().repeat(x, self.rep, axis=self.axis)

    def backward(self, g):              # group each element's copies on a new axis, add
        shape, axis = self.input_shape, self.axis
        grouped = g.reshape(shape[:axis] + (shape[axis], self.rep) + shape[axis + 1:])
        return (grouped.sum(axis=axis + 1),)


class Tile(Op):
    """The whole of x repeated ``reps[i]`` times along axis i."""
    name, formula = 'tile', 'y = tile(x)'

    def __init__(self, reps):
        self.reps = reps

    def describe(self):
        return {'reps': self.reps}

    def forward(self, x):
        self.input_shape = x.shape
        return am.xp().tile(x, self.reps)

    def backward(self, g):              # split every axis into (copy, original), add copies
        ndim = g.ndim
        reps = (1,) * (ndim - len(self.reps)) + tuple(self.reps)
        shape = (1,) * (ndim - len(self.input_shape)) + tuple(self.input_shape)
        split = tuple(n for pair in zip(reps, shape) for n in pair)
        grad = g.reshape(split).sum(axis=tuple(range(0, 2 * ndim, 2)))
        return (grad.reshape(self.input_shape),)


class BatchDot(Op):
    """One matrix product per sample: z[b] = Σ_k x[b, …, k, …] y[b, …, k, …].

    The contracted axis of x is moved last and the one of y first (after the batch), so
    that z = x·y is a batched matrix product; then dL/dx = g·yᵀ and dL/dy = xᵀ·g per sample.
    """
    name, formula = 'batch_dot', 'z_b = x_b · y_b'

    def __init__(self, axes):
        self.axes = axes

    def describe(self):
        return {'axes': self.axes}

    def forward(self, x, y):
        xp = am.xp()
        ax, ay = self.axes
        self.x_moved = xp.moveaxis(x, ax, -1)           # (b, …rest_x, k)
        self.y_moved = xp.moveaxis(y, ay, 1)            # (b, k, …rest_y)
        batch, k = x.shape[0], x.shape[ax]
        self.x_mat = self.x_moved.reshape(batch, -1, k)
        self.y_mat = self.y_moved.reshape(batch, k, -1)
        rest = self.x_moved.shape[1:-1] + self.y_moved.shape[2:]
        z = xp.matmul(self.x_mat, self.y_mat).reshape((batch,) + rest)
        return z if z.ndim > 1 else z.reshape(batch, 1)

    def backward(self, g):
        xp = am.xp()
        g = g.reshape(self.x_mat.shape[:2] + self.y_mat.shape[2:])
        grad_x = xp.matmul(g, xp.swapaxes(self.y_mat, 1, 2)).reshape(self.x_moved.shape)
        grad_y = xp.matmul(xp.swapaxes(self.x_mat, 1, 2), g).reshape(self.y_moved.shape)
        ax, ay = self.axes
        return xp.moveaxis(grad_x, -1, ax), xp.moveaxis(grad_y, 1, ay)


class L2Normalize(Op):
    """y = x / ‖x‖ with ‖x‖ = √max(Σ x², ε) over ``axis``.

    dL/dx = (g - y Σ(g ⊙ y)) / ‖x‖: the part of g along y is removed, since stretching x
    does not change y. Where Σ x² ≤ ε the norm is the constant √ε and dL/dx = g / √ε.
    """
    name, formula = 'l2_normalize', 'y = x / ‖x‖'

    def __init__(self, axis):
        self.axis = axis

    def describe(self):
        return {'axis': self.axis}

    def forward(self, x):
        xp = am.xp()
        self.axes = normalize_axes(self.axis, x.ndim)
        squares = (x * x).sum(axis=self.axes, keepdims=True)
        self.large = squares > L2_EPSILON
        self.norm = xp.sqrt(xp.maximum(squares, L2_EPSILON))
        self.y = x / self.norm
        return self.y

    def backward(self, g):
        y = self.y
        along = (g * y).sum(axis=self.axes, keepdims=True)
        along = am.xp().where(self.large, along, 0)
        return ((g - y * along) / self.norm,)


# ----------------------------------------------------------------------------- helpers

def _is_basic(index):
    """True for indices made of integers, slices, None and ``...`` only (no arrays)."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(part is None or part is Ellipsis or isinstance(part, slice)
               or (isinstance(part, int) and not isinstance(part, bool)) for part in parts)


def _device_index(index):
    """An index with its arrays (tensors, lists, host arrays) on the active backend."""
    if isinstance(index, tuple):
        return tuple(_device_index(part) for part in index)
    if isinstance(index, Tensor):
        return index.data
    if isinstance(index, list) or (isinstance(index, am.host.ndarray)
                                   and not am.is_device_array(index)):
        return am.to_device(index)
    return index


# ----------------------------------------------------------------------------- functions

def reshape(x, shape):
    """x with shape ``shape`` (one entry may be -1: whatever is left)."""
    return Reshape(shape).apply(as_tensor_operand(x))


def permute_dimensions(x, pattern):
    """x with axes reordered: ``permute_dimensions(x, (0, 2, 1))`` swaps the last two."""
    return Permute(pattern).apply(as_tensor_operand(x))


def transpose(x):
    """x with the order of its axes reversed (the matrix transpose for 2-D x)."""
    x = as_tensor_operand(x)
    return Permute(tuple(range(_data(x).ndim))[::-1]).apply(x)


def expand_dims(x, axis=-1, dim=None):
    """x with a new axis of length 1 at ``axis`` (Keras 1 spells it ``dim``)."""
    x = as_tensor_operand(x)
    axis = axis if dim is None else dim
    shape = list(_data(x).shape)
    shape.insert(axis % (len(shape) + 1), 1)
    return Reshape(shape, 'expand_dims').apply(x)


def squeeze(x, axis=None):
    """x without the axis ``axis`` of length 1 (None: without every axis of length 1)."""
    x = as_tensor_operand(x)
    shape = _data(x).shape
    axes = tuple(a for a, size in enumerate(shape) if size == 1) if axis is None else \
        normalize_axes(axis, len(shape))
    for a in axes:
        if shape[a] != 1:
            raise ValueError(f"squeeze: axis {a} of shape {shape} has length {shape[a]}, not 1.")
    return Reshape([s for a, s in enumerate(shape) if a not in axes], 'squeeze').apply(x)


def flatten(x):
    """All of x as one vector (1-D)."""
    return Reshape((-1,), 'flatten').apply(as_tensor_operand(x))


def batch_flatten(x):
    """(batch, d1, d2, …) -> (batch, d1·d2·…): each sample as one vector."""
    x = as_tensor_operand(x)
    return Reshape((_data(x).shape[0], -1), 'batch_flatten').apply(x)


def concatenate(tensors, axis=-1):
    """The tensors joined along ``axis`` (all other lengths must agree)."""
    tensors = [as_tensor_operand(t) for t in tensors]
    return Concatenate(axis % _data(tensors[0]).ndim).apply(*tensors)


def stack(tensors, axis=0):
    """The tensors (all of one shape) stacked along a new axis ``axis``."""
    tensors = [as_tensor_operand(t) for t in tensors]
    return Stack(axis % (_data(tensors[0]).ndim + 1)).apply(*tensors)


def getitem(x, index):
    """x[index]: integers, slices, None, ``...``, integer or boolean index arrays."""
    return GetItem(_device_index(index)).apply(as_tensor_operand(x))


def repeat(x, n):
    """Repeat each sample's vector n times: (batch, dim) -> (batch, n, dim)."""
    x = as_tensor_operand(x)
    if _data(x).ndim != 2:
        raise ValueError(f"repeat expects a 2-D (batch, dim) tensor, got shape {_data(x).shape}.")
    return Repeat(n).apply(x)


def repeat_elements(x, rep, axis):
    """Each slice of x along ``axis`` repeated ``rep`` times: [a, b] -> [a, a, b, b]."""
    x = as_tensor_operand(x)
    return RepeatElements(rep, axis % _data(x).ndim).apply(x)


def tile(x, n):
    """x repeated as a whole, n[i] times along axis i (an int repeats the last axis)."""
    return Tile(tuple(n) if isinstance(n, (tuple, list)) else (n,)).apply(as_tensor_operand(x))


def gather(reference, indices):
    """The rows ``reference[indices]`` (float indices are truncated to integers)."""
    indices = _data(as_tensor_operand(indices))
    if indices.dtype.kind not in 'iu':
        indices = indices.astype('int64')
    return Gather().apply(as_tensor_operand(reference), indices)


def batch_dot(x, y, axes=None):
    """Per-sample dot product of x and y along ``axes`` (the batch is axis 0).

    ``axes`` is an int (the same axis of both) or a pair (axis of x, axis of y); by default
    the last axis of x against the second-to-last of y (the last when y is 2-D). The
    result holds x's remaining axes then y's; when nothing remains it is (batch, 1).

    # Example
        x (32, 20) and y (32, 20), axes=1 -> (32, 1): one dot product per sample.
        x (32, 10, 20) and y (32, 30, 20), axes=(2, 2) -> (32, 10, 30).
    """
    x, y = as_tensor_operand(x), as_tensor_operand(y)
    (nx, ny), shapes = (_data(x).ndim, _data(y).ndim), (_data(x).shape, _data(y).shape)
    if axes is None:
        axes = (nx - 1, ny - 1 if ny == 2 else ny - 2)
    axes = (axes, axes) if isinstance(axes, int) else axes
    axes = tuple(int(a[0] if isinstance(a, (tuple, list)) else a) % n
                 for a, n in zip(axes, (nx, ny)))
    if 0 in axes or min(nx, ny) < 2 or shapes[0][axes[0]] != shapes[1][axes[1]]:
        raise ValueError(f"batch_dot contracts one non-batch axis of x with one of y, of the "
                         f"same length; got shapes {shapes[0]} and {shapes[1]}, axes {axes}.")
    return BatchDot(axes).apply(x, y)


def l2_normalize(x, axis=None):
    """x divided by its Euclidean norm over ``axis`` (None: over everything)."""
    return L2Normalize(axis).apply(as_tensor_operand(x))
