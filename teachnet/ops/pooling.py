"""Pooling: summarise each small window of a feature map by one number.

A pooling window of size F slides with stride S along each spatial axis (the rows and
columns of an image, the steps of a sequence); the channels are pooled one by one. For a
2-D window at output position (i, j), over the input positions (r, c) it covers,

    max pooling:      y_ij = max_{(r, c) in window ij} x_rc
    average pooling:  y_ij = (1/n_ij) Σ_{(r, c) in window ij} x_rc

'valid' padding keeps only windows that fit inside x; 'same' pads x so that there are
⌈L/S⌉ windows along an axis of length L (see teachnet/layers/conv_utils.py). Max pooling
pads with -∞, which never wins; average pooling divides by n_ij, the number of *real*
(unpadded) elements in the window, as TensorFlow and Keras do.

How it is computed without a loop over samples, channels or pixels: for every offset
(a, b) inside the window, the input elements at that offset of *all* windows form one
strided slice of x,

    x[a : a + S·(out_rows - 1) + 1 : S,  b : b + S·(out_cols - 1) + 1 : S]

which has the output's shape. A pool of 2 x 2 has four such slices; the loop runs over
these few offsets only, and every slice covers the whole batch and every channel.

Backward sends the gradient back through the same slices:

    max pooling:      dL/dx_rc = Σ over the windows that x_rc won of g_ij
    average pooling:  dL/dx_rc = Σ over the windows that hold x_rc of g_ij / n_ij

When windows overlap (stride smaller than the pool) one input element belongs to several
windows; adding each offset's slice into the gradient in turn sums those contributions.

Ties in max pooling: when several elements of a window hold the maximum, the first one
(in row-major order within the window) wins and receives the whole gradient. The op keeps
the winner of every window, so that a trace shows which input won each window.
"""
import itertools
import math

from teachnet.backend import array_module as am
from teachnet.backend.image_format import normalize_data_format
from teachnet.ops import reductions
from teachnet.ops.op import Op
from teachnet.ops.operands import array_of, as_tensor_operand

POOL_MODES = ('max', 'avg')


def spatial_axes(ndim, data_format):
    """The spatial axes of an array with ``ndim`` axes: after the channels when channels
    come first, (batch, channels, rows, cols) -> (2, 3); else between batch and channels,
    (batch, rows, cols, channels) -> (1, 2)."""
    return tuple(range(2, ndim)) if data_format == 'channels_first' else tuple(range(1, ndim - 1))


def output_length(length, size, padding, stride):
    """How many windows fit along an axis of ``length``: ⌈L/S⌉ for 'same',
    ⌈(L - F + 1)/S⌉ for 'valid' (the rule of teachnet/layers/conv_utils.py)."""
    return -(-length // stride) if padding == 'same' else -(-(length - size + 1) // stride)


def padding_amounts(length, size, padding, stride):
    """(before, after) padded elements along one axis: for 'same', P = (⌈L/S⌉ - 1)·S + F - L
    (at least 0), the smaller half before; none for 'valid'."""
    if padding != 'same':
        return 0, 0
    total = max((output_length(length, size, padding, stride) - 1) * stride + size - length, 0)
    return total // 2, total - total // 2


def first_offset_holding(parts, y):
    """The winner of every window: the first offset k (in row-major order) whose part
    holds the maximum y, counted as the offsets before it that did not:

        winner = Σ_{k < last} [parts[0] ≠ y and ... and parts[k] ≠ y]

    A window where the first offset wins adds nothing; where offsets 0 and 1 lose and 2
    wins, 1 + 1. Each term is the one before it, and-ed with one comparison, so the whole
    is a few passes over the output (faster than an argmax over the stacked parts, or than
    writing each offset's k where it matches). Laid out in memory as y is."""
    last = len(parts) - 1
    dtype = 'int8' if last < 128 else 'int32'
    if last == 0:                                           # a window of one element
        return am.xp().zeros_like(y, dtype=dtype)
    losing = parts[0] != y                                  # True where offset 0 is not the maximum
    winner = losing.astype(dtype)
    for part in parts[1:last]:
        losing &= part != y                                 # ... nor any offset up to this one
        winner += losing
    return winner


class Pool(Op):
    """Max or average pooling over the ``spatial_axes`` of x (one, two or more of them).

    # Arguments
        mode: 'max' or 'avg'.
        pool_size, strides: one int per spatial axis.
        padding: 'valid' or 'same'.
        spatial_axes: the axes of x that the window slides along.
    """
    input_names = ('x',)

    def __init__(self, mode, pool_size, strides, padding, spatial_axes):
        if mode not in POOL_MODES:
            raise ValueError(f"Pooling mode must be 'max' or 'avg', got {mode!r}.")
        self.mode, self.padding = mode, padding
        self.pool_size, self.strides = tuple(pool_size), tuple(strides)
        self.spatial_axes = tuple(spatial_axes)
        self.name = f'{mode}_pool{len(self.pool_size)}d'
        window = ' x '.join(str(f) for f in self.pool_size)
        self.formula = (f'y = max of each {window} window of x' if mode == 'max'
                        else f'y = mean of the real elements of each {window} window of x')
        self.backward_formula = ('dL/dx = Σ over the windows x won of g' if mode == 'max'
                                 else 'dL/dx = Σ over the windows holding x of g / n')

    # ------------------------------------------------------------------ geometry
    def plan(self, input_shape):
        """Output lengths and (before, after) padding along each spatial axis."""
        lengths = [input_shape[a] for a in self.spatial_axes]
        for length, size in zip(lengths, self.pool_size):
            if self.padding == 'valid' and size > length:
                raise ValueError(f"{self.name}: a pool of size {self.pool_size} does not fit in an input of "
                                 f"shape {tuple(input_shape)} with 'valid' padding.")
        self.output_lengths = tuple(output_length(length, size, self.padding, stride)
                                    for length, size, stride in zip(lengths, self.pool_size, self.strides))
        self.pads = tuple(padding_amounts(length, size, self.padding, stride)
                          for length, size, stride in zip(lengths, self.pool_size, self.strides))

    def offsets(self):
        """Every offset inside the window, in row-major order: (0, 0), (0, 1), ..."""
        return itertools.product(*[range(size) for size in self.pool_size])

    def window_slice(self, ndim, offset):
        """The index that picks, from the padded x, the element at ``offset`` of every window."""
        index = [slice(None)] * ndim
        for axis, start, stride, count in zip(self.spatial_axes, offset, self.strides, self.output_lengths):
            index[axis] = slice(start, start + stride * (count - 1) + 1, stride)
        return tuple(index)

    def interior(self, ndim):
        """The index of the real x inside the padded x."""
        index = [slice(None)] * ndim
        for axis, (before, _), length in zip(self.spatial_axes, self.pads, self.input_lengths):
            index[axis] = slice(before, before + length)
        return tuple(index)

    def padded(self, x, fill):
        """x with ``fill`` around it where 'same' padding asks for it (x itself otherwise)."""
        if not any(before or after for before, after in self.pads):
            return x
        shape = list(x.shape)
        for axis, (before, after) in zip(self.spatial_axes, self.pads):
            shape[axis] += before + after
        padded = am.xp().full(tuple(shape), fill, dtype=x.dtype)
        padded[self.interior(x.ndim)] = x
        return padded

    def real_counts(self, ndim, dtype):
        """n: how many real (unpadded) elements each window holds, shaped to broadcast
        against the output. Along one axis window o covers padded positions
        [o·S, o·S + F), of which [before, before + L) are real; n multiplies the axes' counts.
        Without padding every window is full: n = the pool's size."""
        if not any(before or after for before, after in self.pads):
            return float(math.prod(self.pool_size))
        xp = am.xp()
        count = 1
        for axis, o, stride, size, (before, _), length in zip(self.spatial_axes, self.output_lengths, self.strides,
                                                               self.pool_size, self.pads, self.input_lengths):
            start = xp.arange(o) * stride
            along = xp.minimum(start + size, before + length) - xp.maximum(start, before)
            shape = [1] * ndim
            shape[axis] = o
            count = count * along.reshape(shape)
        return count.astype(dtype)

    # ------------------------------------------------------------------ forward / backward
    def forward(self, x):
        xp = am.xp()
        self.input_shape, self.input_order = x.shape, am.memory_order(x)
        self.input_lengths = tuple(x.shape[a] for a in self.spatial_axes)
        self.plan(x.shape)
        if self.mode == 'max':
            windows = self.padded(x, -float('inf'))
            # one strided slice per offset: y = max over the offsets, element by element
            parts = [windows[self.window_slice(x.ndim, o)] for o in self.offsets()]
            y = xp.maximum(parts[0], parts[1]) if len(parts) > 1 else parts[0].copy()
            for part in parts[2:]:
                xp.maximum(y, part, out=y)
            self.winner = first_offset_holding(parts, y)
            return y
        windows = self.padded(x, 0)
        total = None
        for offset in self.offsets():
            part = windows[self.window_slice(x.ndim, offset)]
            if total is None:
                total = part.copy()
            else:
                total += part
        self.counts = self.real_counts(x.ndim, x.dtype)
        return total / self.counts

    def backward(self, g):
        ndim = len(self.input_shape)
        padded_shape = list(self.input_shape)
        for axis, (before, after) in zip(self.spatial_axes, self.pads):
            padded_shape[axis] += before + after
        xp = am.xp()
        overlapping = any(stride < size for stride, size in zip(self.strides, self.pool_size))
        # windows side by side that cover x exactly (a 2 x 2 pool on 28 x 28): every element
        # of dL/dx is written once below, so it needs no zeros first
        tiled = not overlapping and all(
            stride == size and count * stride == padded_shape[axis]
            for axis, stride, size, count in zip(self.spatial_axes, self.strides, self.pool_size, self.output_lengths))
        grad = (am.empty_in_order if tiled else am.zeros_in_order)(padded_shape, self.input_order, g.dtype)   # laid out as x
        share = g / self.counts if self.mode == 'avg' else None
        for k, offset in enumerate(self.offsets()):
            # dL/dx at this offset of every window: g where that element won (max), g/n (avg)
            where = self.window_slice(ndim, offset)
            if overlapping:             # an element in several windows: add up their shares
                grad[where] += g * (self.winner == k) if self.mode == 'max' else share
            elif self.mode == 'max':    # each element in one window at most: write straight into dL/dx
                xp.multiply(g, self.winner == k, out=grad[where])
            else:
                grad[where] = share
        if grad.shape != tuple(self.input_shape):
            grad = grad[self.interior(ndim)]
        return (grad,)

    # ------------------------------------------------------------------ inspection
    def winner_positions(self):
        """Max pooling: for each spatial axis, an array (the output's shape) holding the
        position in x of the element that won each window."""
        xp = am.xp()
        positions, rest = [], self.winner
        sizes = self.pool_size
        for i, (axis, stride, (before, _), count) in enumerate(
                zip(self.spatial_axes, self.strides, self.pads, self.output_lengths)):
            inner = 1
            for size in sizes[i + 1:]:
                inner *= size
            offset, rest = rest // inner, rest % inner
            shape = [1] * self.winner.ndim
            shape[axis] = count
            start = (xp.arange(count) * stride - before).reshape(shape)
            positions.append(start + offset)
        return positions

    def winners(self):
        """Max pooling: the flat spatial index of each window's winner in x (for 2-D,
        row · cols + col; for 1-D, the step), a host array of the output's shape."""
        flat = None
        for position, length in zip(self.winner_positions(), self.input_lengths):
            flat = position if flat is None else flat * length + position
        return am.to_numpy(flat)

    def describe(self):
        facts = {'pool_size': self.pool_size, 'strides': self.strides, 'padding': self.padding,
                 'spatial_axes': self.spatial_axes}
        if self.mode == 'max' and getattr(self, 'winner', None) is not None:
            facts['winners'] = self.winners()
            if len(self.pool_size) == 2:
                facts['winner index'] = f'row·{self.input_lengths[1]} + col in x'
        return facts


# ----------------------------------------------------------------------------- functions

def _pool(mode, x, pool_size, strides, padding, data_format):
    x = as_tensor_operand(x)
    pool_size = (pool_size,) if isinstance(pool_size, int) else tuple(pool_size)
    strides = pool_size if strides is None else (strides,) * len(pool_size) if isinstance(strides, int) \
        else tuple(strides)
    ndim = array_of(x).ndim
    if ndim != len(pool_size) + 2 or len(strides) != len(pool_size):
        raise ValueError(f"{mode}_pool: a pool of size {pool_size} (strides {strides}) needs an input with "
                         f"{len(pool_size) + 2} axes (batch, {len(pool_size)} spatial, channels), "
                         f"got shape {tuple(array_of(x).shape)}.")
    padding = str(padding).lower()
    if padding not in ('valid', 'same'):
        raise ValueError(f"{mode}_pool: padding must be 'valid' or 'same', got {padding!r}.")
    axes = spatial_axes(ndim, normalize_data_format(data_format))
    return Pool(mode, pool_size, strides, padding, axes).apply(x)


def max_pool(x, pool_size, strides=None, padding='valid', data_format=None):
    """The maximum of each window; ``pool_size`` and ``strides`` (default: the pool size)
    are an int (1-D) or a tuple with one entry per spatial axis. ``data_format`` None means
    the global image data format."""
    return _pool('max', x, pool_size, strides, padding, data_format)


def avg_pool(x, pool_size, strides=None, padding='valid', data_format=None):
    """The mean of the real (unpadded) elements of each window; arguments as ``max_pool``."""
    return _pool('avg', x, pool_size, strides, padding, data_format)


def pool2d(x, pool_size, strides=(1, 1), border_mode='valid', dim_ordering='default', pool_mode='max'):
    """Keras's backend spelling: 2-D max (``pool_mode='max'``) or average ('avg') pooling."""
    if pool_mode not in POOL_MODES:
        raise ValueError(f"pool2d: pool_mode must be 'max' or 'avg', got {pool_mode!r}.")
    return _pool(pool_mode, x, pool_size, strides, border_mode, dim_ordering)


def global_max_pool(x, data_format=None):
    """The maximum over all spatial positions, per sample and channel: (batch, channels).

    A reduction (teachnet/ops/reductions.py): where several positions tie for the maximum
    they share its gradient equally."""
    x = as_tensor_operand(x)
    return reductions.max(x, axis=spatial_axes(array_of(x).ndim, normalize_data_format(data_format)))


def global_avg_pool(x, data_format=None):
    """The mean over all spatial positions, per sample and channel: (batch, channels)."""
    x = as_tensor_operand(x)
    return reductions.mean(x, axis=spatial_axes(array_of(x).ndim, normalize_data_format(data_format)))
