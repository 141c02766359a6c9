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
   where dZ holds dL/d(pre-activation) of every gate at every step.

Every timestep's gate values are kept (they are needed for backward anyway) in arrays of
shape (timesteps, batch, units), and backward keeps the gradient that reached each
timestep's state. ``op.describe()`` hands the gates to a trace and
``op.describe_backward()`` the gradients through time: a student sees from the very run
that trained whether gradients vanish or explode along the sequence.

Conventions shared by every cell here:

* arrays inside the op are *time-major*: (timesteps, batch, ...), in the order the steps
  are processed (with ``go_backwards`` the last input comes first);
* a mask (batch, timesteps) marks real steps; at a masked step the state is carried over
  unchanged, h_t = h_{t-1} (and c_t = c_{t-1}), so the gradient passes straight through;
* ``recurrent_mask`` (batch, units), the dropout of ``dropout_U``, multiplies h_{t-1}
  wherever it meets U, the same units dropped at every step of a sequence.
"""
from teachnet.backend import array_module as am
from teachnet.ops.op import Op
from teachnet.ops.operands import wants_gradient


# ----------------------------------------------------------------------------- activations on arrays
# Inside the loop over time an activation is applied in place to a slice of the gate
# array, and its slope da/dz is later computed for all timesteps at once from the
# stored output a (the pre-activations z need not be kept).

def _tanh(z):
    am.xp().tanh(z, out=z)


def _tanh_slope(a):                    # 1 - a²
    slope = a * a
    am.xp().subtract(1, slope, out=slope)
    return slope


def _sigmoid(z):                       # σ(z) = ½ (1 + tanh(z/2)): no overflow of e⁻ᶻ
    z *= 0.5
    am.xp().tanh(z, out=z)
    z += 1
    z *= 0.5


def _sigmoid_slope(a):                 # a (1 - a)
    slope = 1 - a
    slope *= a
    return slope


def _hard_sigmoid(z):                  # clip(0.2 z + 0.5, 0, 1)
    z *= 0.2
    z += 0.5
    am.xp().clip(z, 0, 1, out=z)


def _hard_sigmoid_slope(a):            # 0.2 on the line, 0 where clipped
    slope = ((a > 0) & (a < 1)).astype(a.dtype)
    slope *= 0.2
    return slope


def _relu(z):
    am.xp().maximum(z, 0, out=z)


def _relu_slope(a):
    return (a > 0).astype(a.dtype)


def _linear(z):
    pass


def _linear_slope(a):
    return am.xp().ones_like(a)


def _softsign(z):                      # z / (1 + |z|)
    xp = am.xp()
    denominator = xp.abs(z)
    denominator += 1
    z /= denominator


def _softsign_slope(a):                # 1 / (1 + |z|)² = (1 - |a|)²
    slope = 1 - am.xp().abs(a)
    slope *= slope
    return slope


#: activation name -> (apply in place, slope from the output)
ARRAY_ACTIVATIONS = {'tanh': (_tanh, _tanh_slope), 'sigmoid': (_sigmoid, _sigmoid_slope),
                     'hard_sigmoid': (_hard_sigmoid, _hard_sigmoid_slope), 'relu': (_relu, _relu_slope),
                     'linear': (_linear, _linear_slope), 'softsign': (_softsign, _softsign_slope)}


def array_activation(function, layer_name, argument):
    """The in-place (apply, slope) pair for a teachnet activation function, or a
    ValueError naming the layer when a recurrent cell cannot use it."""
    name = getattr(function, '__name__', None)
    if name not in ARRAY_ACTIVATIONS:
        raise ValueError(f"Layer {layer_name}: {argument} must be one of "
                         f"{', '.join(sorted(ARRAY_ACTIVATIONS))} in a recurrent layer, got {name or function!r}.")
    return ARRAY_ACTIVATIONS[name]


# ----------------------------------------------------------------------------- the shared op

class RecurrentSequence(Op):
    """The part every cell shares: time-major layout, the input projection X·W + b, masks,
    the final products of backward, and what a trace shows. A cell subclass writes
    ``run(projection, recurrent_kernel, bias)`` (the loop over time; returns H, the
    states h_0 ... h_T of shape (T + 1, n, units)) and ``backprop(dH)`` (the loop back;
    returns dZ for X·W, dL/dU and dL/db)."""
    input_names = ('x', 'W', 'U', 'b')
    #: gate name -> column block of the projection, in Keras 2's order
    gate_names = ()

    def __init__(self, units, activation, inner_activation=None, initial_states=(), mask=None,
                 go_backwards=False, return_sequences=False, recurrent_mask=None):
        self.units = units
        self.activate, self.activation_slope = activation
        self.inner, self.inner_slope = inner_activation or activation
        self.initial_states = initial_states
        self.mask = mask
        self.go_backwards = go_backwards
        self.return_sequences = return_sequences
        self.recurrent_mask = recurrent_mask
        self.grad_h = None

    # -- forward
    def forward(self, x, kernel, recurrent_kernel, bias=None):
        xp = am.xp()
        n, t, d = x.shape
        steps = x.transpose(1, 0, 2)
        if self.go_backwards:
            steps = steps[::-1]
        self.x_rows = steps.reshape(t * n, d)                       # (T·n, d): every x_t, time-major
        self.kernel, self.recurrent_kernel, self.has_bias = kernel, recurrent_kernel, bias is not None
        projection = xp.dot(self.x_rows, kernel)                    # P = X·W, all timesteps at once
        if bias is not None:
            projection += bias if bias.ndim == 1 else bias[0]
        self._prepare_mask(t)
        self.h = self.run(projection.reshape(t, n, -1), recurrent_kernel, bias)
        if self.return_sequences:
            return self.h[1:].transpose(1, 0, 2)                    # (n, T, units)
        return self.h[t]                                            # the last state

    def _prepare_mask(self, t):
        """Time-major views of the mask: ``keep`` (1 at real steps) and ``carry`` (1 at
        masked steps, where the state is carried over), both (T, n, 1)."""
        self.carry = self.keep = self.carry_bool = None
        if self.mask is None:
            return
        real = self.mask.T[:, :, None]
        if self.go_backwards:
            real = real[::-1]
        dtype = self.kernel.dtype
        self.carry_bool = ~real
        self.keep, self.carry = real.astype(dtype), self.carry_bool.astype(dtype)

    def carry_masked(self, s, *states):
        """At masked steps, new state = previous state: ``states`` are (array of all
        states, T + 1 long) and step ``s`` writes entry s + 1."""
        if self.carry_bool is not None:
            for array in states:
                am.xp().copyto(array[s + 1], array[s], where=self.carry_bool[s])

    def dropped(self, h):
        """h ⊙ m_U, the state as the recurrent kernel sees it (h itself without dropout)."""
        return h if self.recurrent_mask is None else h * self.recurrent_mask

    def final_states(self):
        """The states after the last step (for stateful layers): [h_T] (LSTM: [h_T, c_T])."""
        return [self.h[-1]]

    # -- backward
    def backward(self, g):
        xp = am.xp()
        t, n, units = self.h.shape[0] - 1, self.h.shape[1], self.units
        if self.return_sequences:
            grad_h = g.transpose(1, 0, 2).copy()                     # dL/dh_t from the outputs
        else:
            grad_h = xp.zeros((t, n, units), dtype=g.dtype)
            grad_h[-1] = g
        self.grad_h = grad_h                # becomes the TOTAL dL/dh_t as the loop goes back
        grad_z, grad_recurrent, grad_bias = self.backprop(grad_h)
        rows = grad_z.reshape(t * n, -1)
        grad_kernel = xp.dot(self.x_rows.T, rows)                   # dL/dW = Xᵀ·dZ
        grad_x = None
        if wants_gradient(self, 0):
            grad_x = xp.dot(rows, self.kernel.T).reshape(t, n, -1)   # dL/dX = dZ·Wᵀ
            if self.go_backwards:
                grad_x = grad_x[::-1]
            grad_x = grad_x.transpose(1, 0, 2)
        if not self.has_bias:
            return grad_x, grad_kernel, grad_recurrent
        return grad_x, grad_kernel, grad_recurrent, grad_bias

    def split_masked(self, s, grad):
        """(the part of ``grad`` that reaches step s's computation, the part carried
        straight to step s - 1): (grad, None) without a mask."""
        if self.keep is None:
            return grad, None
        return grad * self.keep[s], grad * self.carry[s]

    def recurrent_grad(self, grad_z, previous_states):
        """dL/dU = Σ_t (h_{t-1} ⊙ m_U)ᵀ·dz_t, one product over all timesteps."""
        t, n = grad_z.shape[:2]
        states = self.dropped(previous_states).reshape(t * n, -1)
        return am.xp().dot(states.T, grad_z.reshape(t * n, -1))

    # -- what a trace shows
    def gates(self):
        """gate name -> (T, n, units) array of its values at every step."""
        return {'h': self.h[1:]}

    def describe(self):
        facts = {'timesteps': self.h.shape[0] - 1, 'go_backwards': self.go_backwards,
                 'masked steps': 0 if self.carry_bool is None else int(self.carry_bool.sum())}
        facts.update(self.gates())
        return facts

    def gradients_through_time(self):
        """'dL/dh' (and 'dL/dc') -> (T, n, units): the total gradient that reached each
        step's state in the last backward pass (empty before backward)."""
        return {} if self.grad_h is None else {'dL/dh': self.grad_h}

    def describe_backward(self):
        return self.gradients_through_time()
