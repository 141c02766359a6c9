"""Dense: the fully connected layer, z = x·W + b, then an activation.

Each of the ``output_dim`` units looks at every input feature: unit j computes
z_j = Σ_k x_k W_kj + b_j, and the layer returns a = f(z) for its activation f.
"""
from teachnet import activations, initializers, regularizers
from teachnet.layers.base import Layer, refuse_constraints
from teachnet.ops.linear import linear
from teachnet.utils.shapes import format_shape


class Dense(Layer):
    """A regular densely connected layer: ``output = activation(dot(input, W) + b)``.

    # Arguments
        output_dim (Keras 2: units): the number of units.
        init (kernel_initializer): how W starts; 'glorot_uniform' by default.
        activation: name of an activation ('relu', 'softmax', ...) or a function; linear when None.
        bias (use_bias): whether the layer has b. b starts at zero (bias_initializer).
        W_regularizer, b_regularizer (kernel_regularizer, bias_regularizer),
        activity_regularizer: penalties added to the loss while training.
        W_constraint, b_constraint (kernel_constraint, bias_constraint): only None (no
            constraint) is supported; the names are accepted so that saved configs load.
        input_dim: the input size, when this is the first layer.

    # Input shape
        (batch, input_dim), or (batch, ..., input_dim): the last axis is transformed.

    # Output shape
        (batch, output_dim), or (batch, ..., output_dim).

    # Example
        model.add(Dense(32, input_dim=784, activation='relu'))

    Weights, as ``get_weights`` returns them: ``[W (input_dim, output_dim), b (output_dim,)]``.
    """

    supports_masking = True

    def __init__(self, output_dim=None, init='glorot_uniform', activation=None, W_regularizer=None,
                 b_regularizer=None, activity_regularizer=None, bias=True, W_constraint=None, b_constraint=None,
                 bias_initializer='zero', **kwargs):
        super().__init__(**kwargs)
        self.output_dim = output_dim
        if not isinstance(self.output_dim, int) or isinstance(self.output_dim, bool) or self.output_dim < 1:
            raise ValueError(f"Dense layer {self.name}: output_dim (units) must be a positive integer, "
                             f"got {self.output_dim!r}.")
        refuse_constraints(f"Dense layer {self.name}", W_constraint=W_constraint, b_constraint=b_constraint)
        self.init = init
        self.bias_init = bias_initializer
        self.activation = activations.get(activation)
        self.use_bias = bias
        self.W_regularizer = regularizers.get(W_regularizer)
        self.b_regularizer = regularizers.get(b_regularizer)
        self.activity_regularizer = regularizers.get(activity_regularizer)

    def check_input(self, input_shape):
        super().check_input(input_shape)
        if len(input_shape) < 2 or input_shape[-1] is None:
            raise ValueError(f"Dense layer {self.name} needs input of shape (batch, ..., features) "
                             f"with a known number of features, got {format_shape(input_shape)}.")

    def build(self, input_shape):
        input_dim = input_shape[-1]
        self.W = self.add_weight((input_dim, self.output_dim), self.init, 'kernel', self.W_regularizer)
        self.b = (self.add_weight((self.output_dim,), self.bias_init, 'bias', self.b_regularizer)
                  if self.use_bias else None)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.output_dim,)

    def call(self, x, training=False):
        z = linear(x, self.W, self.b)
        return z if self.activation is activations.linear else self.activation(z)

    def get_config(self):
        config = super().get_config()
        config.update(output_dim=self.output_dim, init=initializers.serialize(self.init),
                      activation=activations.serialize(self.activation),
                      bias=self.use_bias, W_regularizer=regularizers.serialize(self.W_regularizer),
                      b_regularizer=regularizers.serialize(self.b_regularizer),
                      activity_regularizer=regularizers.serialize(self.activity_regularizer))
        if self.bias_init not in ('zero', 'zeros'):          # Keras 1 configs have no such key
            config['bias_initializer'] = initializers.serialize(self.bias_init)
        return config
