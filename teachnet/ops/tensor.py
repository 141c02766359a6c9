"""Tensor: an array that remembers it may need a gradient.

A ``Tensor`` wraps one array of the active backend (``.data``). When it comes out of an
op that ran while a tape was recording, backward fills ``.grad`` with dLoss/dTensor,
an array of the same shape. A ``Parameter`` is a Tensor that a layer owns and an
optimizer updates (a kernel W, a bias b).

Arithmetic on tensors (``a + b``, ``a * 2``, ``a @ W``, ``-a``, ``a[0]``) runs the ops of
``teachnet.ops``, so a loss written as ``K.mean(K.square(y_pred - y_true))`` is
differentiable with nothing more to write.
"""
from teachnet.backend import array_module as am
from teachnet.ops.row_gradient import RowGradient


class Tensor:
    """An array of the active backend, with a slot for its gradient.

    # Attributes
        data: the array (numpy, cupy or strict, as the backend says).
        grad: dLoss/d(data) after backward, else None: an array of data's shape.
        grad_rows: None, or the ids of the only rows of ``grad`` that can be non-zero
            (sorted, unique), when backward knows them: an embedding lookup's gradient
            reaches only the rows it looked up (``row_gradient``). Setting ``grad``
            clears it.
        requires_grad: whether backward should compute ``grad``.
        name: an optional label shown in traces.
        mask: for a batch of sequences, which timesteps are real (True) and which are
            padding (False), shape (batch, timesteps); None when every step counts.
    """
    __slots__ = ('data', '_grad', 'grad_rows', 'requires_grad', 'name', 'mask', '__weakref__')
    __array_priority__ = 1000       # `array + tensor` calls Tensor.__radd__
    __array_ufunc__ = None          # ... and never lets NumPy turn a tensor into an array

    def __init__(self, data, requires_grad=False, name=None):
        self.data = data
        self._grad = self.grad_rows = None
        self.requires_grad = requires_grad
        self.name = name
        self.mask = None

    @property
    def grad(self):
        """dLoss/d(data) after backward, else None. A gradient that backward kept as its
        rows alone (``row_gradient``) is written out in full the first time it is read."""
        if isinstance(self._grad, RowGradient):
            self._grad = self._grad.dense()     # (grad_rows stays true of it)
        return self._grad

    @grad.setter
    def grad(self, value):
        self._grad = value
        self.grad_rows = None           # a new gradient: no promise about its rows

    @property
    def has_grad(self):
        """Whether backward gave this tensor a gradient (without writing one out)."""
        return self._grad is not None

    @property
    def row_gradient(self):
        """The gradient as a ``RowGradient`` (its non-zero rows and their values) when only
        the rows ``grad_rows`` can be non-zero, else None."""
        if self._grad is None or self.grad_rows is None:
            return None
        if isinstance(self._grad, RowGradient):
            return self._grad
        return RowGradient(self.grad_rows, self._grad[self.grad_rows], self._grad.shape)    # read off the full array

    # -- what the array looks like
    @property
    def shape(self):
        return self.data.shape

    @property
    def ndim(self):
        return self.data.ndim

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def size(self):
        return self.data.size

    def __len__(self):
        return len(self.data)

    def numpy(self):
        """A host NumPy copy of the values."""
        return am.to_numpy(self.data)

    def item(self):
        return self.numpy().item()

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __bool__(self):
        return bool(self.item())

    def __repr__(self):
        label = f", name={self.name!r}" if self.name else ''
        return f"Tensor({self.numpy()!r}{label})"

    # -- arithmetic builds ops (imported lazily: the ops import this module)
    def __add__(self, other):
        return _functions().add(self, other)

    def __radd__(self, other):
        return _functions().add(other, self)

    def __sub__(self, other):
        return _functions().subtract(self, other)

    def __rsub__(self, other):
        return _functions().subtract(other, self)

    def __mul__(self, other):
        return _functions().multiply(self, other)

    def __rmul__(self, other):
        return _functions().multiply(other, self)

    def __truediv__(self, other):
        return _functions().divide(self, other)

    def __rtruediv__(self, other):
        return _functions().divide(other, self)

    def __pow__(self, other):
        return _functions().pow(self, other)

    def __neg__(self):
        return _functions().negative(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return _functions().abs(self)

    def __matmul__(self, other):
        return _functions().dot(self, other)

    def __rmatmul__(self, other):
        return _functions().dot(other, self)

    def __getitem__(self, index):
        return _functions().getitem(self, index)

    def __eq__(self, other):
        return _functions().equal(self, other)

    def __ne__(self, other):
        return _functions().not_equal(self, other)

    def __gt__(self, other):
        return _functions().greater(self, other)

    def __ge__(self, other):
        return _functions().greater_equal(self, other)

    def __lt__(self, other):
        return _functions().less(self, other)

    def __le__(self, other):
        return _functions().less_equal(self, other)

    __hash__ = object.__hash__

    @property
    def T(self):
        return _functions().transpose(self)

    def reshape(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return _functions().reshape(self, shape)

    def sum(self, axis=None, keepdims=False):
        return _functions().sum(self, axis=axis, keepdims=keepdims)

    def mean(self, axis=None, keepdims=False):
        return _functions().mean(self, axis=axis, keepdims=keepdims)


class Parameter(Tensor):
    """A trainable array owned by a layer, such as a Dense layer's kernel ``W``.

    ``name`` follows Keras 2's naming, ``'dense_1/kernel'``; ``grad`` holds the gradient
    of the last backward pass until the optimizer has used it.
    """
    __slots__ = ('trainable',)

    def __init__(self, data, name=None, trainable=True):
        super().__init__(data, requires_grad=trainable, name=name)
        self.trainable = trainable

    def __repr__(self):
        return f"Parameter({self.name!r}, shape={self.shape})"


def data_of(value):
    """The array inside a Tensor; anything else is returned unchanged."""
    return value.data if isinstance(value, Tensor) else value


_functions_module = None


def _functions():
    global _functions_module
    if _functions_module is None:
        from teachnet.ops import functions
        _functions_module = functions
    return _functions_module
