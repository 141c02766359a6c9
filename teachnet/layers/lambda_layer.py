"""Lambda: wrap any function of a tensor as a layer.

Written with ``teachnet.backend`` functions (or tensor arithmetic), the function is made
of ops, so it trains and shows up in traces like any other layer.
"""
from teachnet.backend import array_module as am
from teachnet.layers.base import Layer
from teachnet.ops.tape import no_tape
from teachnet.ops.tensor import Tensor
from teachnet.utils.shapes import format_shape


class Lambda(Layer):
    """Wraps ``function(x)`` (or ``function(x, **arguments)``) as a layer.

    # Arguments
        function: a function of one tensor, returning a tensor.
        output_shape: the output shape of one sample (a tuple without the batch axis), or a
            function of the full input shape; when omitted, it is found by running the
            function on a small probe batch.
        arguments: keyword arguments passed to ``function``.

    Saving keeps only the function's name: ``model_from_json(..., custom_objects={name: fn})``
    gives it back (code is never loaded from a file).
    """

    def __init__(self, function, output_shape=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError(f"Lambda layer {self.name}: function must be callable, got {function!r}.")
        self.function = function
        self.declared_output_shape = output_shape
        self.arguments = dict(arguments or {})

    def compute_output_shape(self, input_shape):
        declared = self.declared_output_shape
        if callable(declared):
            return tuple(declared(tuple(input_shape)))
        if declared is not None:
            return (input_shape[0],) + tuple(declared)
        return self._probe_output_shape(input_shape)

    def _probe_output_shape(self, input_shape):
        if any(d is None for d in input_shape[1:]):
            return tuple(input_shape)
        probe_shape = (2,) + tuple(input_shape[1:])
        probe = Tensor(am.to_device(am.host.full(probe_shape, 0.5, dtype=am.floatx())))
        try:
            with no_tape():
                result = self.function(probe, **self.arguments)
        except Exception as error:
            raise ValueError(f"Lambda layer {self.name}: could not find the output shape by running the "
                             f"function on input of shape {format_shape(input_shape)} ({error}); "
                             "give output_shape=.") from error
        shape = tuple(getattr(result, 'shape', ()))
        if not shape or shape[0] != 2:
            return (None,) + shape[1:] if shape else (None,)
        return (input_shape[0],) + shape[1:]

    def call(self, x, training=False):
        result = self.function(x, **self.arguments)
        if not isinstance(result, Tensor):
            result = Tensor(am.to_device(result) if not am.is_device_array(result) else result)
        return result

    def get_config(self):
        config = super().get_config()
        config['function'] = getattr(self.function, '__name__', repr(self.function))
        if self.declared_output_shape is not None and not callable(self.declared_output_shape):
            config['output_shape'] = tuple(self.declared_output_shape)
        if self.arguments:
            config['arguments'] = self.arguments
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        name = config.pop('function')
        function = (custom_objects or {}).get(name)
        if function is None:
            raise ValueError(f"Lambda layer {config.get('name')}: its function {name!r} is not saved with the "
                             f"model (code is never loaded from files); pass custom_objects={{'{name}': ...}}.")
        return cls(function, **config)
