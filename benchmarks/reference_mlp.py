"""The yardstick: a multilayer perceptron trained by hand, in plain NumPy.

This is what a careful person writes when they know exactly which network they train and
want it fast: no tape, no layers, no callbacks -- one function that runs forward, backward
and the update for a batch, reusing arrays in place wherever that is natural. teachnet's
benchmarks compare its ``fit`` with this.

The network, for a batch x of n samples (float32 throughout):

    forward   z_l = h_{l-1}·W_l + b_l
              a_l = f(z_l)                       f = relu or tanh (hidden layers)
              h_l = a_l ⊙ m_l                    inverted dropout: m_l ∈ {0, 1/(1-p)}
              p   = softmax(z_L)                 (the output layer)
              L   = -1/n Σ_i Σ_k y_ik log(clip(p_ik, ε, 1 - ε))

    backward  dL/dz_L = (p - y) / n              softmax and crossentropy together
              dL/dW_l = h_{l-1}ᵀ·dz_l,  dL/db_l = Σ_i dz_l
              dL/dh_{l-1} = dz_l·W_lᵀ            (not computed for the input x)
              dL/dz_{l-1} = dL/dh_{l-1} ⊙ m ⊙ f'(z)   relu: 1 where a > 0; tanh: 1 - a²

    update    (Keras 1's rules, with lr_t = lr / (1 + decay · iterations))
      RMSprop   s ← ρ·s + (1-ρ)·g²;   θ ← θ - lr_t·g / (√s + ε)
      SGD       v ← μ·v - lr_t·g;     θ ← θ + μ·v - lr_t·g (Nesterov)  or  θ ← θ + v

The RMSprop averages s that fade below the normal floats are set to zero, as teachnet does
(``teachnet.optimizers.subnormals``): without that, after an epoch or two most of them are
subnormal numbers and each update takes ten times as long, for the same weights.

Dropout masks come from ``numpy.random.Generator.random(shape, dtype=float32) >= p``,
drawn hidden layer by hidden layer, so with the same generator the masks are the ones
teachnet draws.
"""
import numpy as np


def clear_subnormals(slot, sample_step=61):
    """Set the subnormal numbers of ``slot`` to zero, when a sample of every sample_step-th
    number holds some."""
    sample = np.abs(slot.reshape(-1)[::sample_step])
    if np.any((sample < np.finfo(slot.dtype).tiny) & (sample > 0)):
        np.putmask(slot, np.abs(slot) < np.finfo(slot.dtype).tiny, 0)

FLOAT = np.float32


def glorot_uniform(rng, fan_in, fan_out):
    """W ~ U(-r, r) with r = √(6 / (fan_in + fan_out)), as float32."""
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=(fan_in, fan_out)).astype(FLOAT)


class ReferenceMLP:
    """A softmax classifier with ``len(sizes) - 2`` hidden layers, trained batch by batch.

    # Arguments
        sizes: layer widths, input first: ``(784, 512, 512, 10)``.
        activation: 'relu' or 'tanh' for the hidden layers.
        dropout: p, the fraction of hidden units dropped while training (0 for none).
        optimizer: 'rmsprop' or 'sgd'.
        lr, rho, epsilon: RMSprop's settings (Keras 1 defaults).
        momentum, nesterov: SGD's settings.
        decay: learning-rate decay per update.
        seed: seeds the initial weights and, with ``seed + 1``, the dropout masks.
    """

    def __init__(self, sizes, activation='relu', dropout=0.0, optimizer='rmsprop', lr=None,
                 rho=0.9, epsilon=1e-8, momentum=0.0, nesterov=False, decay=0.0, seed=0):
        if activation not in ('relu', 'tanh'):
            raise ValueError(f"ReferenceMLP: activation must be 'relu' or 'tanh', got {activation!r}.")
        if optimizer not in ('rmsprop', 'sgd'):
            raise ValueError(f"ReferenceMLP: optimizer must be 'rmsprop' or 'sgd', got {optimizer!r}.")
        rng = np.random.default_rng(seed)
        self.weights = [glorot_uniform(rng, m, n) for m, n in zip(sizes[:-1], sizes[1:])]
        self.biases = [np.zeros(n, dtype=FLOAT) for n in sizes[1:]]
        self.activation, self.dropout, self.optimizer = activation, float(dropout), optimizer
        self.lr = (0.001 if optimizer == 'rmsprop' else 0.01) if lr is None else lr
        self.rho, self.epsilon = rho, epsilon
        self.momentum, self.nesterov, self.decay = momentum, nesterov, decay
        self.iterations = 0
        self.slots = [np.zeros_like(p) for p in self.params()]
        self.mask_rng = np.random.default_rng(seed + 1)

    def params(self):
        """W_1, b_1, W_2, b_2, ... (the order of the slots and of the gradients)."""
        return [p for pair in zip(self.weights, self.biases) for p in pair]

    def set_params(self, arrays):
        """Replace the weights by float32 copies of ``arrays`` (ordered as ``params``)."""
        arrays = [np.array(a, dtype=FLOAT) for a in arrays]
        self.weights, self.biases = arrays[0::2], arrays[1::2]

    # ------------------------------------------------------------------ one batch

    def train_batch(self, x, y):
        """Forward, backward and update on one batch; returns the loss before the update."""
        n = x.shape[0]
        last = len(self.weights) - 1
        inputs, outputs, masks = [], [], []        # h_{l-1}, a_l and m_l of each hidden layer
        h = x
        for W, b in zip(self.weights[:last], self.biases[:last]):
            inputs.append(h)
            a = h @ W
            a += b
            if self.activation == 'relu':
                np.maximum(a, 0, out=a)
            else:
                np.tanh(a, out=a)
            outputs.append(a)
            if self.dropout:
                mask = self.mask_rng.random(a.shape, dtype=FLOAT)
                np.greater_equal(mask, self.dropout, out=mask)
                mask *= 1.0 / (1.0 - self.dropout)
                masks.append(mask)
                h = a * mask
            else:
                h = a
        inputs.append(h)
        p = h @ self.weights[last]                  # softmax of z_L, in place
        p += self.biases[last]
        p -= p.max(axis=1, keepdims=True)
        np.exp(p, out=p)
        p /= p.sum(axis=1, keepdims=True)
        picked = (p * y).sum(axis=1)                # p of the target class (one-hot y)
        loss = -np.log(np.clip(picked, 1e-7, 1 - 1e-7)).mean()

        dz = p - y                                  # dL/dz_L = (p - y) / n
        dz *= 1.0 / n
        grads = [None] * (2 * len(self.weights))
        for layer in range(last, -1, -1):
            grads[2 * layer] = inputs[layer].T @ dz
            grads[2 * layer + 1] = dz.sum(axis=0)
            if layer == 0:
                break
            dz = dz @ self.weights[layer].T         # dL/dh_{l-1}, then dL/dz_{l-1} in place
            if self.dropout:
                dz *= masks[layer - 1]
            a = outputs[layer - 1]
            if self.activation == 'relu':
                dz *= a > 0
            else:
                slope = a * a                       # 1 - a²
                np.subtract(1, slope, out=slope)
                dz *= slope
        self.update(grads)
        return loss

    def update(self, grads):
        """One step of the optimizer on every parameter, in place."""
        lr = self.lr / (1.0 + self.decay * self.iterations) if self.decay else self.lr
        for theta, g, slot in zip(self.params(), grads, self.slots):
            if self.optimizer == 'rmsprop':
                work = np.square(g)                 # s ← ρ·s + (1-ρ)·g²
                work *= 1.0 - self.rho
                slot *= self.rho
                slot += work
                np.sqrt(slot, out=work)             # θ ← θ - lr·g / (√s + ε)
                work += self.epsilon
                np.divide(g, work, out=work)
                work *= lr
                theta -= work
                clear_subnormals(slot)
            else:
                g *= lr                             # g is ours: it becomes lr·g
                if not self.momentum:
                    theta -= g
                    continue
                slot *= self.momentum               # v ← μ·v - lr·g
                slot -= g
                if self.nesterov:
                    theta -= g                      # θ ← θ + μ·v - lr·g
                    g[...] = slot
                    g *= self.momentum
                    theta += g
                else:
                    theta += slot
        self.iterations += 1

    # ------------------------------------------------------------------ whole data sets

    def fit_epoch(self, x, y, batch_size, rng=None):
        """One pass over (x, y) in batches, shuffled by ``rng`` (in order when None);
        returns the per-batch losses as Python floats, as a training loop would log them."""
        count = x.shape[0]
        order = None if rng is None else rng.permutation(count)
        losses = []
        for start in range(0, count, batch_size):
            if order is None:
                xb, yb = x[start:start + batch_size], y[start:start + batch_size]
            else:
                ids = order[start:start + batch_size]
                xb, yb = x[ids], y[ids]
            losses.append(float(self.train_batch(xb, yb)))
        return losses

    def predict(self, x):
        """Class probabilities (no dropout)."""
        h = x
        for W, b in zip(self.weights[:-1], self.biases[:-1]):
            h = h @ W
            h += b
            if self.activation == 'relu':
                np.maximum(h, 0, out=h)
            else:
                np.tanh(h, out=h)
        z = h @ self.weights[-1]
        z += self.biases[-1]
        z -= z.max(axis=1, keepdims=True)
        np.exp(z, out=z)
        z /= z.sum(axis=1, keepdims=True)
        return z
