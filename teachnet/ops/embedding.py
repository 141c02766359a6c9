"""The embedding lookup: each integer id picks one row of a weight matrix.

A word id is a number, and numbers say nothing about meaning (word 17 is not "close" to
word 18). An embedding gives every id v of a vocabulary of size V a learnt vector, row v
of a matrix W (V, dim):

    forward    y[i, t] = W[ids[i, t]]                 (batch, timesteps) -> (batch, timesteps, dim)

which is the same as multiplying a one-hot vector e_v by W, without building e_v.
Backward, each row of W receives the gradients of every place that picked it:

    dL/dW[v] = Σ over (i, t) with ids[i, t] = v of  g[i, t]      (zero for ids not in the batch)

Frequent ids (padding 0, "the", ...) appear many times in one batch, so the sum must add
repeats rather than keep one of them; ``backend.indexing.sum_rows_by_id`` does it with a
sort and a sum over each run of equal ids, which gives the same bits on every run, on a
GPU too. The ids have no gradient.

Every other row of dL/dW is zero, so backward hands dL/dW over as a ``RowGradient``: the
rows that got a gradient and their sums. With a vocabulary of 20,000 words and a batch
that holds 2,000 of them, an optimizer such as RMSprop then does its full update on those
rows only, and the full (V, dim) array of dL/dW is written only when someone reads
``W.grad``.
"""
from teachnet.backend import array_module as am
from teachnet.backend import indexing
from teachnet.ops.op import Op
from teachnet.ops.row_gradient import RowGradient


class EmbeddingLookup(Op):
    name, formula = 'embedding', 'y[i, t] = W[ids[i, t]]'
    backward_formula = 'dL/dW[v] = Σ_{(i, t): ids[i, t] = v} g[i, t]'
    input_names = ('ids', 'W')

    def __init__(self, layer_name='embedding'):
        self.layer_name = layer_name

    def forward(self, ids, embeddings):
        vocabulary = embeddings.shape[0]
        if ids.size:
            low, high = int(ids.min()), int(ids.max())
            if low < 0 or high >= vocabulary:
                raise ValueError(f"Layer {self.layer_name}: ids must lie in [0, {vocabulary - 1}] "
                                 f"(input_dim={vocabulary}), but the input holds ids from {low} to {high}.")
        self.ids, self.vocabulary = ids, vocabulary
        return am.xp().take(embeddings, ids, axis=0)

    def backward(self, g):
        looked_up, sums = indexing.sum_rows_by_id(self.ids.reshape(-1), g.reshape(-1, g.shape[-1]))
        return None, RowGradient(looked_up, sums, (self.vocabulary, g.shape[-1]))

    def describe(self):
        return {'vocabulary': self.vocabulary}


def embedding_lookup(ids, embeddings, layer_name='embedding'):
    """The rows of ``embeddings`` picked by the integer array ``ids``: (..., dim)."""
    return EmbeddingLookup(layer_name).apply(ids, embeddings)
