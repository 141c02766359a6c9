"""Layer: the common life of every layer.

A layer is born with its settings (``Dense(32, activation='relu')``), is *built* once it
knows the shape of its input (that is when its weights are created, since W's shape
depends on the input's), and is then *called* on batches of data.

* ``build(input_shape)``            create the parameters (``add_weight``)
* ``compute_output_shape(shape)``   the shape the layer will produce, without running it
* ``call(x, training)``             the forward computation, written with ops, so that the
                                    tape records it and backward comes for free

Shapes always include the batch axis first, as ``None`` when any batch size goes:
``(None, 784)``. Parameters are ``Parameter`` tensors: ``layer.params``; after a backward
pass each one's ``.grad`` holds dL/dθ until the optimizer has used it.
"""
import numbers

from teachnet.backend import array_module as am
from teachnet.ops import tape as _tape
from teachnet.ops.tensor import Parameter, Tensor
from teachnet.layers.keras2_names import keras1_arguments
from teachnet.layers.symbolic import call_layer, is_symbolic
from teachnet import initializers
from teachnet.utils.naming import snake_case, unique_name
from teachnet.utils.shapes import format_shape


def refuse_constraints(layer_label, **constraints):
    """Weight constraints (Keras's ``W_constraint=maxnorm(2)``...) are not implemented: refuse
    them, naming the ones given, rather than train without them unannounced."""
    given = ', '.join(f'{name}={value!r}' for name, value in constraints.items() if value is not None)
    if given:
        raise ValueError(f"{layer_label}: weight constraints are not supported (got {given}); train "
                         "without them.")


def _checked_shape(layer_name, shape):
    """A shape given by the user, as a tuple: sizes are positive integers, or None for any size."""
    if not isinstance(shape, (tuple, list)) or not all(
            size is None or (isinstance(size, numbers.Integral) and not isinstance(size, bool) and size > 0)
            for size in shape):
        raise ValueError(f"Layer {layer_name}: input_shape, input_dim and batch_input_shape need sizes that are "
                         f"positive integers (or None for any size), such as input_shape=(784,); got {shape!r}.")
    return tuple(shape)


class Layer:
    """The base of every layer.

    # Arguments (accepted by every layer)
        input_shape: shape of one sample, without the batch axis, e.g. ``(784,)``.
        batch_input_shape: the full input shape, batch axis first (``None`` for any size).
        input_dim: for layers over vectors, the same as ``input_shape=(input_dim,)``.
        name: a name unique in the model; by default the class name with a counter.
        trainable: whether the optimizer updates this layer's weights.
        weights: initial weights, a list of arrays as ``get_weights`` returns them.

    Every layer is written with Keras 1's argument names and also takes Keras 2's
    (``Dense(units=32)``): see ``teachnet.layers.keras2_names``.
    """
    #: dtype the model converts input data to when this layer comes first (None: floatx)
    input_dtype = None
    #: whether the layer accepts a masked input (padding timesteps marked in ``x.mask``)
    supports_masking = False
    #: whether ``call`` takes the input's mask: ``call(x, training, mask)``
    uses_mask = False
    #: what ``layer.trace(x)`` runs: ``teachnet.inspect.trace_layer``, set by ``import teachnet``
    #: (inspection sits above the layers, so they never import it)
    tracer = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if '__init__' in cls.__dict__:                  # Keras 2's names, translated in one place
            cls.__init__ = keras1_arguments(cls.__init__)

    def __init__(self, name=None, input_shape=None, batch_input_shape=None, input_dim=None,
                 input_length=None, trainable=True, weights=None, batch_size=None, dtype=None,
                 **unknown):
        if unknown:
            names = ', '.join(sorted(unknown))
            raise TypeError(f"{type(self).__name__} got unexpected keyword argument(s): {names}.")
        self.name = name or unique_name(snake_case(type(self).__name__))
        self.trainable = trainable
        if input_dim is not None and input_shape is None:
            input_shape = self.input_shape_from_dim(input_dim, input_length)
        if batch_input_shape is None and input_shape is not None:
            batch_input_shape = (batch_size,) + _checked_shape(self.name, input_shape)
        self.batch_input_shape = None if batch_input_shape is None else _checked_shape(self.name, batch_input_shape)
        self.params = []
        self.regularizers = []          # (parameter, regularizer) pairs
        self.activity_regularizer = None
        self.built = False
        self.input_shape = None
        self.output_shape = None
        self._initial_weights = weights

    def input_shape_from_dim(self, input_dim, input_length):
        """What ``input_dim`` means for this layer: one vector of that size."""
        return (input_dim,)

    # ------------------------------------------------------------------ building
    def build(self, input_shape):
        """Create the parameters for inputs of ``input_shape``. Layers without weights
        need not override it. Building twice changes nothing: ``add_weight`` gives back the
        weights the layer already has (their values kept), and refuses other shapes."""

    def compute_output_shape(self, input_shape):
        """The output shape for ``input_shape`` (batch axis included). Default: unchanged."""
        return input_shape

    def compute_mask(self, x, mask):
        """The mask of the output, given the input Tensor and its mask: by default the input's
        mask passes through (layers that change the time axis override this)."""
        return mask

    def get_output_shape_for(self, input_shape):   # the Keras 1 name
        return self.compute_output_shape(input_shape)

    def add_weight(self, shape, initializer, name, regularizer=None, trainable=True):
        """Create a parameter of ``shape`` drawn on the host by ``initializer``, moved to the
        active backend; its name is '<layer>/<name>' as in Keras 2. A layer built before
        already has it: that same parameter comes back (a layer never holds two of one weight)."""
        existing = next((p for p in self.params if p.name == f'{self.name}/{name}'), None)
        if existing is not None:
            if tuple(existing.shape) != tuple(shape):
                raise ValueError(f"Layer {self.name} is built already: its weight {existing.name} has shape "
                                 f"{tuple(existing.shape)}, and building it again asks for shape {tuple(shape)}. "
                                 "A layer takes one input shape: make a new layer for the other one.")
            return existing
        values = initializers.get(initializer)(tuple(shape), dim_ordering='tf')
        param = Parameter(am.to_device(values, dtype=am.floatx()), name=f'{self.name}/{name}',
                          trainable=trainable and self.trainable)
        self.params.append(param)
        if regularizer is not None:
            self.regularizers.append((param, regularizer))
        return param

    def ensure_built(self, input_shape):
        """Build for ``input_shape`` (once), check it, and return the output shape."""
        input_shape = tuple(input_shape)
        if self.built:
            self.check_shape_compatible(input_shape)
            return self.output_shape
        self.check_input(input_shape)
        output_shape = tuple(self.compute_output_shape(input_shape))
        self.build(input_shape)
        self.input_shape, self.output_shape, self.built = input_shape, output_shape, True
        if self._initial_weights is not None:
            weights, self._initial_weights = self._initial_weights, None
            self.set_weights(weights)
        return output_shape

    def check_input(self, input_shape):
        """Refuse input shapes this layer cannot take (override to add rules)."""
        if self.batch_input_shape is not None and len(self.batch_input_shape) != len(input_shape):
            raise ValueError(f"Layer {self.name} expects input of shape "
                             f"{format_shape(self.batch_input_shape)}, got {format_shape(input_shape)}.")

    def check_shape_compatible(self, input_shape):
        expected = self.input_shape
        if len(expected) != len(input_shape) or any(
                e is not None and g is not None and e != g for e, g in zip(expected, input_shape)):
            raise ValueError(f"Layer {self.name} was built for input of shape {format_shape(expected)}, "
                             f"got {format_shape(input_shape)}.")

    # ------------------------------------------------------------------ running
    def call(self, x, training=False):
        """The forward pass on a Tensor; written with ops."""
        raise NotImplementedError

    def __call__(self, x, training=False):
        if not isinstance(x, Tensor):
            if is_symbolic(x):                   # the functional API: Dense(10)(Input(shape=(4,)))
                return call_layer(self, x)
            x = Tensor(am.to_device(x, dtype=self.input_dtype or am.floatx()))
        if not self.built:
            self.ensure_built((None,) + tuple(x.shape[1:]))
        mask = x.mask
        if mask is not None and not self.supports_masking:
            raise ValueError(f"Layer {self.name} ({type(self).__name__}) does not support masking, but its input "
                             "is masked (by mask_zero=True or a Masking layer before it); put a layer that "
                             "consumes the mask, such as an LSTM, in between.")
        locations = _tape._location              # label every op inside with this layer's name
        outer = locations[-1]
        locations.append({**outer, 'layer': self.name} if outer else {'layer': self.name})
        try:
            output = self.call(x, training, mask) if self.uses_mask else self.call(x, training)
            output_mask = self.compute_mask(x, mask)
            if output_mask is not None or output.mask is not None:
                output.mask = output_mask
            if self.activity_regularizer is not None and _tape.recording_tape() is not None:
                # the loss of the batch computed on this tape includes P(a) of this output
                _tape.recording_tape().add_penalty(f'{self.name}/activity', self.activity_regularizer(output))
        except (ValueError, TypeError):
            self.check_shape_compatible(tuple(x.shape))   # a wrong input shape says so, by name
            raise
        finally:
            locations.pop()
        return output

    def trace(self, x, grad_output=None, training=True):
        """Run forward and backward on ``x`` and return the steps, as
        ``teachnet.inspect.trace_layer`` does (backward starts from ``grad_output``, ones by
        default: the gradient of the sum of the outputs)."""
        return self.tracer(x, grad_output=grad_output, training=training)

    def reset_states(self):
        """Forget carried state (stateful recurrent layers); nothing to do here."""

    # ------------------------------------------------------------------ weights
    @property
    def weights(self):
        return list(self.params)

    @property
    def trainable_weights(self):
        return [p for p in self.params if p.trainable]

    @property
    def non_trainable_weights(self):
        return [p for p in self.params if not p.trainable]

    def count_params(self):
        return int(sum(p.data.size for p in self.params))

    def get_weights(self):
        """The layer's weights as host NumPy arrays, in Keras 2's layout and order."""
        return [am.to_numpy(p.data).copy() for p in self.params]

    def set_weights(self, weights):
        """Replace the weights by copies of ``weights`` (as ``get_weights`` returns them):
        training never changes the caller's arrays. All are checked before any is changed,
        so a bad list leaves the layer as it was."""
        weights = list(weights)
        if len(weights) != len(self.params):
            raise ValueError(f"Layer {self.name} has {len(self.params)} weight arrays "
                             f"({', '.join(p.name for p in self.params) or 'none'}), "
                             f"but set_weights received {len(weights)}.")
        new_values = []
        for param, value in zip(self.params, weights):
            value = am.to_numpy(value)
            if tuple(value.shape) != tuple(param.shape):
                raise ValueError(f"Layer {self.name}: weight {param.name} has shape {tuple(param.shape)}, "
                                 f"but the array given has shape {tuple(value.shape)}.")
            on_device = am.to_device(value, dtype=param.data.dtype)
            new_values.append(on_device.copy() if on_device is value else on_device)   # never the caller's array
        for param, value in zip(self.params, new_values):
            param.data = value

    # ------------------------------------------------------------------ config
    def get_config(self):
        """The settings that rebuild this layer (``type(layer).from_config(config)``)."""
        config = {'name': self.name, 'trainable': self.trainable}
        if self.batch_input_shape is not None:
            config['batch_input_shape'] = self.batch_input_shape
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        shape = format_shape(self.output_shape) if self.output_shape else 'not built'
        return f"<{type(self).__name__} {self.name}: {shape}>"
