"""Embedding and Masking: from integer ids to vectors, and marking padded timesteps.

Text reaches a network as sequences of word (or character) ids, padded to one length
with id 0. ``Embedding`` turns each id into a learnt vector (row id of a matrix W), so
``(batch, timesteps)`` integers become ``(batch, timesteps, dim)`` floats that an LSTM
can read. With ``mask_zero=True`` it also marks the padding: the output carries a mask
``ids != 0`` of shape (batch, timesteps), and the recurrent layers after it skip the
masked steps (they keep their previous state there).

``Masking`` does the same for float sequences: a timestep whose features all equal
``mask_value`` is padding.
"""
from teachnet import initializers, regularizers
from teachnet.backend import array_module as am
from teachnet.layers.registry import register
from teachnet.layers.base import Layer, refuse_constraints
from teachnet.ops.arithmetic import multiply
from teachnet.ops.embedding import embedding_lookup
from teachnet.utils.shapes import format_shape


@register
class Embedding(Layer):
    """Turns positive integers (ids) into dense vectors of fixed size: row ``id`` of W.

    # Arguments
        input_dim: the vocabulary size: ids run from 0 to input_dim - 1.
        output_dim: the size of each vector.
        init (Keras 2: embeddings_initializer): how W starts; 'uniform' is U(-0.05, 0.05).
        input_length: the length of the sequences, when it is fixed (needed by a Flatten
            or Dense after the embedding).
        mask_zero: whether id 0 is padding to be masked out for the layers that follow
            (then no real word may have id 0: the vocabulary is 1..input_dim - 1).
        W_regularizer (embeddings_regularizer), activity_regularizer: penalties.
        dropout: while training, the fraction of ids (whole rows of W) dropped for a
            batch; kept rows are scaled by 1/(1 - dropout).
        weights: initial weights, ``[W (input_dim, output_dim)]``.

    # Input shape
        (batch, input_length) integer ids.

    # Output shape
        (batch, input_length, output_dim).

    # Example
        model.add(Embedding(1000, 64, input_length=10))   # (None, 10) ids -> (None, 10, 64)
    """

    input_dtype = 'int32'
    supports_masking = True

    def __init__(self, input_dim, output_dim, init='uniform', input_length=None, W_regularizer=None,
                 activity_regularizer=None, W_constraint=None, mask_zero=False, weights=None, dropout=0.,
                 **kwargs):
        if 'input_shape' not in kwargs and 'batch_input_shape' not in kwargs:
            kwargs['input_shape'] = (input_length,)
        super().__init__(weights=weights, **kwargs)
        for label, value in (('input_dim', input_dim), ('output_dim', output_dim)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"Embedding layer {self.name}: {label} must be a positive integer, got {value!r}.")
        if not isinstance(dropout, (int, float)) or not 0 <= dropout < 1:
            raise ValueError(f"Embedding layer {self.name}: dropout must be a number in [0, 1), got {dropout!r}.")
        refuse_constraints(f"Embedding layer {self.name}", W_constraint=W_constraint)
        self.input_dim, self.output_dim = input_dim, output_dim
        self.input_length = input_length
        self.init = init
        self.mask_zero = bool(mask_zero)
        self.dropout = dropout
        self.W_regularizer = regularizers.get(W_regularizer)
        self.activity_regularizer = regularizers.get(activity_regularizer)

    def check_input(self, input_shape):
        super().check_input(input_shape)
        if len(input_shape) != 2:
            raise ValueError(f"Embedding layer {self.name} expects input of shape (batch, input_length) "
                             f"holding integer ids, got {format_shape(input_shape)}.")

    def build(self, input_shape):
        self.W = self.add_weight((self.input_dim, self.output_dim), self.init, 'embeddings', self.W_regularizer)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.output_dim,)

    def compute_mask(self, x, mask):
        if not self.mask_zero:
            return None
        return am.xp().not_equal(x.data, 0)

    def call(self, x, training=False):
        ids = x.data
        if ids.dtype.kind not in 'iu':
            ids = ids.astype('int32')          # float ids (as Keras 1 allowed) are truncated
        output = embedding_lookup(ids, self.W, self.name)
        if training and self.dropout > 0:       # drop whole words: one draw per row of W
            keep = am.random_keep((self.input_dim,), self.dropout, dtype=output.data.dtype)
            keep = keep.astype(output.data.dtype) / (1. - self.dropout)
            output = multiply(output, keep[ids][..., None])
        return output

    def get_config(self):
        config = super().get_config()
        config.update(input_dim=self.input_dim, output_dim=self.output_dim, init=initializers.serialize(self.init),
                      input_length=self.input_length, mask_zero=self.mask_zero, dropout=self.dropout,
                      W_regularizer=regularizers.serialize(self.W_regularizer),
                      activity_regularizer=regularizers.serialize(self.activity_regularizer))
        return config


@register
class Masking(Layer):
    """Marks as padding every timestep whose features all equal ``mask_value``.

    Output: the input, with padded timesteps set to 0; mask: (batch, timesteps), True
    where some feature differs from ``mask_value``, i.e. m_t = any_k(x_tk ≠ mask_value).
    Recurrent layers after it skip the masked timesteps.

    # Arguments
        mask_value: the value that marks padding (0 by default).

    # Input shape
        (batch, timesteps, features).

    # Example
        model.add(Masking(mask_value=0., input_shape=(timesteps, features)))
        model.add(LSTM(32))
    """

    supports_masking = True

    def __init__(self, mask_value=0., **kwargs):
        super().__init__(**kwargs)
        self.mask_value = mask_value

    def check_input(self, input_shape):
        super().check_input(input_shape)
        if len(input_shape) < 3:
            raise ValueError(f"Masking layer {self.name} expects input of shape (batch, timesteps, features), "
                             f"got {format_shape(input_shape)}.")

    def _timestep_mask(self, data):
        return am.xp().any(data != self.mask_value, axis=-1)

    def compute_mask(self, x, mask):
        return self._timestep_mask(x.data)

    def call(self, x, training=False):
        keep = self._timestep_mask(x.data).astype(x.data.dtype)
        return multiply(x, keep[..., None])

    def get_config(self):
        config = super().get_config()
        config['mask_value'] = self.mask_value
        return config
