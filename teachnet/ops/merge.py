"""Merge ops: several branches in, one tensor out -- and the gradient split back.

A Merge layer joins the outputs x_1, …, x_K of K branches into one tensor z. In backward
each branch receives its own share of dL/dz, and that share is what trains the branch:

    sum      z = Σ_k x_k                 dL/dx_k = g
    ave      z = (1/K) Σ_k x_k           dL/dx_k = g / K
    mul      z = Π_k x_k                 dL/dx_k = g ⊙ Π_{j≠k} x_j
    max      z = max_k x_k               dL/dx_k = g where x_k holds the max (ties share it), else 0
    concat   z = [x_1, x_2, …] (axis)    dL/dx_k = the slice of g where x_k sits
    dot      z_b = x_b · y_b             dL/dx_b = g_b · y_bᵀ,   dL/dy_b = x_bᵀ · g_b
    cos      z = x·y / max(‖x‖ ‖y‖, ε)   the dot's gradient, less the part that only stretches x or y

(g is dL/dz; in dot and cos each sample b has its own product, over the ``dot_axes``.)

Every op is told the names of its branches, so a trace labels each input by the branch it
came from, and ``describe()`` says what each branch contributed (its shape, for concat the
slice of z it occupies) and how the gradient splits back into the branches.
"""
import functools

from teachnet.backend import array_module as am
from teachnet.ops.op import Op
from teachnet.ops.operands import as_tensor_operand
from teachnet.ops.shapes import BatchDot

#: the merge modes known by name (a function of the list of branch outputs is a mode too)
MERGE_MODES = ('sum', 'mul', 'concat', 'ave', 'cos', 'dot', 'max')


class MergeOp(Op):
    """The shared part of merge ops: the branch names (trace labels) and their shapes."""

    def __init__(self, branch_names=None):
        self.branch_names = list(branch_names) if branch_names else None
        self.shapes = ()

    @property
    def input_names(self):
        return self.branch_names

    def remember(self, arrays):
        self.shapes = [tuple(a.shape) for a in arrays]

    def names(self):
        return self.branch_names or [f'x_{k + 1}' for k in range(len(self.shapes))]

    def shares(self):
        """What each branch receives of g = dL/dz, in words, one per branch."""
        return ['g'] * len(self.shapes)

    def describe(self):
        names = self.names()
        return {'branches': ', '.join(f'{name} {shape}' for name, shape in zip(names, self.shapes)),
                'gradient split': ', '.join(f'{name} <- {share}' for name, share in zip(names, self.shares()))}


class SumMerge(MergeOp):
    name, formula = 'merge_sum', 'z = Σ_k x_k'
    backward_formula = 'dL/dx_k = g for every branch k'

    def forward(self, *arrays):
        self.remember(arrays)
        return functools.reduce(lambda a, b: a + b, arrays)

    def backward(self, g):
        return (g,) * len(self.shapes)


class AverageMerge(MergeOp):
    name, formula = 'merge_ave', 'z = (1/K) Σ_k x_k'
    backward_formula = 'dL/dx_k = g / K for every branch k'

    def forward(self, *arrays):
        self.remember(arrays)
        return functools.reduce(lambda a, b: a + b, arrays) * (1.0 / len(arrays))

    def backward(self, g):
        share = g * (1.0 / len(self.shapes))
        return (share,) * len(self.shapes)

    def shares(self):
        return [f'g / {len(self.shapes)}'] * len(self.shapes)


class MultiplyMerge(MergeOp):
    name, formula = 'merge_mul', 'z = Π_k x_k'
    backward_formula = 'dL/dx_k = g ⊙ Π_{j≠k} x_j'

    def forward(self, *arrays):
        self.remember(arrays)
        self.arrays = arrays
        return functools.reduce(lambda a, b: a * b, arrays)

    def backward(self, g):
        grads = []
        for k in range(len(self.arrays)):        # a loop over branches, not over elements
            others = [a for j, a in enumerate(self.arrays) if j != k]
            grads.append(functools.reduce(lambda a, b: a * b, others, g))
        return tuple(grads)

    def shares(self):
        names = self.names()
        return ['g ⊙ ' + ' ⊙ '.join(n for j, n in enumerate(names) if j != k) for k in range(len(names))]


class MaximumMerge(MergeOp):
    name, formula = 'merge_max', 'z = max_k x_k'
    backward_formula = 'dL/dx_k = g where x_k is the max (ties share it), else 0'

    def forward(self, *arrays):
        self.remember(arrays)
        xp = am.xp()
        self.z = functools.reduce(xp.maximum, arrays)
        self.winners = [a == self.z for a in arrays]
        return self.z

    def backward(self, g):
        ties = functools.reduce(lambda a, b: a + b, [w.astype(g.dtype) for w in self.winners])
        share = g / ties                          # ties >= 1: every z comes from some branch
        return tuple(share * w for w in self.winners)

    def shares(self):
        size = self.winners[0].size
        return [f'g at the {int(w.sum())} of {size} places where it is the max' for w in self.winners]


class ConcatMerge(MergeOp):
    name, formula = 'merge_concat', 'z = [x_1, x_2, …] along an axis'
    backward_formula = 'dL/dx_k = the slice of g where x_k sits'

    def __init__(self, axis, branch_names=None):
        super().__init__(branch_names)
        self.axis = axis

    def forward(self, *arrays):
        self.remember(arrays)
        self.axis = self.axis % arrays[0].ndim
        return am.xp().concatenate(arrays, axis=self.axis)

    def slices(self):
        """(start, stop) along the axis, for each branch in order."""
        spans, start = [], 0
        for shape in self.shapes:
            spans.append((start, start + shape[self.axis]))
            start += shape[self.axis]
        return spans

    def backward(self, g):             # cut g back into the pieces the branches gave
        lead = (slice(None),) * self.axis
        return tuple(g[lead + (slice(start, stop),)] for start, stop in self.slices())

    def places(self):
        """Each branch's place in z as index text, such as '[:, 0:32]'."""
        texts = []
        for start, stop in self.slices():
            index = [':'] * len(self.shapes[0])
            index[self.axis] = f'{start}:{stop}'
            texts.append(f"[{', '.join(index)}]")
        return texts

    def shares(self):
        return [f'g{place}' for place in self.places()]

    def describe(self):
        facts = super().describe()
        placed = [f'{name} {shape} -> z{place}' for name, shape, place in zip(self.names(), self.shapes, self.places())]
        return {'axis': self.axis, 'branches': ', '.join(placed), 'gradient split': facts['gradient split']}


class DotMerge(BatchDot, MergeOp):
    """One dot product per sample over ``axes`` = (axis of x, axis of y); see BatchDot."""
    name, formula = 'merge_dot', 'z_b = x_b · y_b'
    backward_formula = 'dL/dx_b = g_b · y_bᵀ,  dL/dy_b = x_bᵀ · g_b'

    def __init__(self, axes, branch_names=None):
        MergeOp.__init__(self, branch_names)
        self.axes = tuple(axes)

    def forward(self, x, y):
        self.remember((x, y))
        return BatchDot.forward(self, x, y)

    def shares(self):
        x, y = self.names()
        return [f'g · {y}ᵀ (per sample)', f'{x}ᵀ · g (per sample)']

    def describe(self):
        return {'dot_axes': self.axes, **MergeOp.describe(self)}


class CosMerge(MergeOp):
    """Cosine proximity per sample: z = x·y / max(‖x‖ ‖y‖, ε) over ``axes``.

    With p = x·y, n_x = ‖x‖, n_y = ‖y‖, D = max(n_x n_y, ε) and g = dL/dz:

        dL/dp   = g / D
        dL/dn_x = -Σ g p n_y / D²   (only where n_x n_y > ε; below, D is the constant ε)
        dL/dx   = (g / D) · yᵀ + (dL/dn_x / n_x) x       since dn_x/dx = x / n_x

    and the same for y. For 2-D branches (batch, d) the result is (batch, 1); for more
    axes it holds the cosine of every pair of vectors, as a dot product would.
    """
    name, formula = 'merge_cos', 'z = x·y / max(‖x‖ ‖y‖, ε)'
    backward_formula = 'dL/dx = (g / D)·yᵀ + (dL/d‖x‖ / ‖x‖) x,  D = max(‖x‖ ‖y‖, ε); alike for y'

    def __init__(self, axes, branch_names=None):
        super().__init__(branch_names)
        self.axes = tuple(axes)

    def forward(self, x, y):
        xp = am.xp()
        self.remember((x, y))
        ax, ay = self.axes
        self.x_moved = xp.moveaxis(x, ax, -1)            # (b, …rest_x, k)
        self.y_moved = xp.moveaxis(y, ay, 1)             # (b, k, …rest_y)
        batch, k = x.shape[0], x.shape[ax]
        xm, ym = self.x_moved.reshape(batch, -1, k), self.y_moved.reshape(batch, k, -1)
        self.xm, self.ym = xm, ym
        self.p = xp.matmul(xm, ym)                                    # (b, m, n)
        self.nx = xp.sqrt((xm * xm).sum(axis=2, keepdims=True))       # (b, m, 1)
        self.ny = xp.sqrt((ym * ym).sum(axis=1, keepdims=True))       # (b, 1, n)
        self.d = self.nx * self.ny
        self.denominator = xp.maximum(self.d, am.epsilon())
        z = (self.p / self.denominator).reshape((batch,) + self.x_moved.shape[1:-1] + self.y_moved.shape[2:])
        return z if z.ndim > 1 else z.reshape(batch, 1)

    def backward(self, g):
        xp = am.xp()
        xm, ym, nx, ny, denominator = self.xm, self.ym, self.nx, self.ny, self.denominator
        g = g.reshape(self.p.shape)
        grad_p = g / denominator
        grad_d = -(g * self.p / (denominator * denominator)) * (self.d > am.epsilon())
        grad_nx = (grad_d * ny).sum(axis=2, keepdims=True)
        grad_ny = (grad_d * nx).sum(axis=1, keepdims=True)
        safe_nx, safe_ny = xp.where(nx > 0, nx, 1), xp.where(ny > 0, ny, 1)   # grad_n is 0 where n is 0
        grad_x = xp.matmul(grad_p, xp.swapaxes(ym, 1, 2)) + xm * (grad_nx / safe_nx)
        grad_y = xp.matmul(xp.swapaxes(xm, 1, 2), grad_p) + ym * (grad_ny / safe_ny)
        ax, ay = self.axes
        return (xp.moveaxis(grad_x.reshape(self.x_moved.shape), -1, ax),
                xp.moveaxis(grad_y.reshape(self.y_moved.shape), 1, ay))

    def shares(self):
        x, y = self.names()
        return [f'(g / D)·{y}ᵀ less the part along {x}', f'{x}ᵀ·(g / D) less the part along {y}']

    def describe(self):
        return {'dot_axes': self.axes, **super().describe()}


# ----------------------------------------------------------------------------- axes

def dot_axes_pair(dot_axes, shapes):
    """Keras 1's ``dot_axes`` as a pair (axis of x, axis of y), checked against ``shapes``.

    An int means the same axis of both (a negative one counts from each end); a pair gives
    each branch its own. The batch axis 0 cannot be contracted, and the two axes must
    have the same length.
    """
    ndims = [len(shape) for shape in shapes]
    if isinstance(dot_axes, bool) or not isinstance(dot_axes, (int, tuple, list)) or (
            isinstance(dot_axes, (tuple, list)) and (len(dot_axes) != 2 or not all(
                isinstance(a, int) and not isinstance(a, bool) for a in dot_axes))):
        raise ValueError(f"dot_axes must be an int or a pair of ints (axis of the first branch, axis "
                         f"of the second), got {dot_axes!r}.")
    axes = (dot_axes, dot_axes) if isinstance(dot_axes, int) else tuple(dot_axes)
    pair = []
    for axis, ndim, shape in zip(axes, ndims, shapes):
        if not -ndim <= axis < ndim or axis % ndim == 0:
            raise ValueError(f"dot_axes {dot_axes!r}: axis {axis} is out of range for a branch output of shape "
                             f"{_text(shape)}; the axes go from 1 to {ndim - 1} (or -1 to {-(ndim - 1)}), "
                             "0 being the batch axis.")
        pair.append(axis % ndim)
    sizes = [shape[axis] for shape, axis in zip(shapes, pair)]
    if None not in sizes and sizes[0] != sizes[1]:
        raise ValueError(f"dot_axes {dot_axes!r} pairs axis {pair[0]} of shape {_text(shapes[0])} (length "
                         f"{sizes[0]}) with axis {pair[1]} of shape {_text(shapes[1])} (length {sizes[1]}): "
                         "the lengths must agree.")
    return tuple(pair)


def check_shapes(mode, shapes, concat_axis=-1, dot_axes=-1):
    """Refuse branch output ``shapes`` that ``mode`` cannot join, with a ValueError that
    says why. Returns ``dot_axes`` as a pair for 'dot' and 'cos'."""
    if mode in ('dot', 'cos'):
        if len(shapes) != 2:
            raise ValueError(f"mode '{mode}' takes exactly 2 branches, got {len(shapes)}.")
        return dot_axes_pair(dot_axes, shapes)
    if len({len(s) for s in shapes}) > 1:
        raise ValueError(f"mode '{mode}' needs branch outputs with the same number of axes.")
    ndim = len(shapes[0])
    if mode == 'concat':
        if not -ndim <= concat_axis < ndim or concat_axis % ndim == 0:
            raise ValueError(f"concat_axis {concat_axis} is out of range; it goes from 1 to {ndim - 1} "
                             "(or -1), 0 being the batch axis.")
        axis = concat_axis % ndim
        if len({s[1:axis] + s[axis + 1:] for s in shapes}) > 1:
            raise ValueError(f"mode 'concat' (concat_axis {concat_axis}) needs branch outputs that agree on "
                             "every axis but the concat axis.")
    elif len({s[1:] for s in shapes}) > 1:
        raise ValueError(f"mode '{mode}' needs branch outputs of one shape.")
    return dot_axes


def output_shape(mode, shapes, concat_axis=-1, dot_axes=-1):
    """The shape a merge by ``mode`` gives for branch outputs of ``shapes`` (batch first)."""
    batch = shapes[0][0]
    if mode == 'concat':
        axis = concat_axis % len(shapes[0])
        sizes = [s[axis] for s in shapes]
        return shapes[0][:axis] + (None if None in sizes else sum(sizes),) + shapes[0][axis + 1:]
    if mode in ('dot', 'cos'):
        ax, ay = dot_axes_pair(dot_axes, shapes)
        rest = shapes[0][1:ax] + shapes[0][ax + 1:] + shapes[1][1:ay] + shapes[1][ay + 1:]
        return (batch,) + (rest or (1,))
    return tuple(shapes[0])


def _text(shape):
    return '(' + ', '.join('None' if d is None else str(d) for d in shape) + (',)' if len(shape) == 1 else ')')


# ----------------------------------------------------------------------------- functions

def _operands(tensors):
    tensors = [as_tensor_operand(t) for t in tensors]
    if len(tensors) < 2:
        raise ValueError(f"A merge needs at least 2 tensors, got {len(tensors)}.")
    return tensors


def merge_sum(tensors, branch_names=None):
    """Σ_k x_k, elementwise."""
    return SumMerge(branch_names).apply(*_operands(tensors))


def merge_ave(tensors, branch_names=None):
    """(1/K) Σ_k x_k, elementwise."""
    return AverageMerge(branch_names).apply(*_operands(tensors))


def merge_mul(tensors, branch_names=None):
    """Π_k x_k, elementwise."""
    return MultiplyMerge(branch_names).apply(*_operands(tensors))


def merge_max(tensors, branch_names=None):
    """max_k x_k, elementwise."""
    return MaximumMerge(branch_names).apply(*_operands(tensors))


def merge_concat(tensors, axis=-1, branch_names=None):
    """The tensors joined along ``axis`` (all other lengths must agree)."""
    return ConcatMerge(axis, branch_names).apply(*_operands(tensors))


def _pair(tensors, mode):
    tensors = _operands(tensors)
    if len(tensors) != 2:
        raise ValueError(f"Merge mode '{mode}' takes exactly 2 tensors, got {len(tensors)}.")
    return tensors


def merge_dot(tensors, dot_axes=-1, branch_names=None):
    """One dot product per sample over ``dot_axes`` (Keras 1: (batch, d)·(batch, d) -> (batch, 1))."""
    x, y = _pair(tensors, 'dot')
    axes = dot_axes_pair(dot_axes, [tuple(x.shape), tuple(y.shape)])
    return DotMerge(axes, branch_names).apply(x, y)


def merge_cos(tensors, dot_axes=-1, branch_names=None):
    """Cosine proximity per sample over ``dot_axes``: (batch, d), (batch, d) -> (batch, 1)."""
    x, y = _pair(tensors, 'cos')
    axes = dot_axes_pair(dot_axes, [tuple(x.shape), tuple(y.shape)])
    return CosMerge(axes, branch_names).apply(x, y)
