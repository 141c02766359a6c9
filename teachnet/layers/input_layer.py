"""Input: where the data enters a functional model.

``Input(shape=(784,))`` makes an ``InputLayer`` and returns its output, a symbolic tensor of
shape (None, 784) (see ``teachnet.layers.symbolic``). The layer has no weights and computes
nothing: when the model runs, the array given for this input simply *is* its output.

    x = Input(shape=(784,), name='pixels')
    y = Dense(10, activation='softmax')(x)
    model = Model(input=x, output=y)
    model.fit(images, labels)            # or model.fit({'pixels': images}, labels)
"""
from teachnet.backend import array_module as am
from teachnet.layers.base import Layer
from teachnet.layers.registry import register
from teachnet.layers.symbolic import Node
from teachnet.utils.naming import unique_name
from teachnet.utils.shapes import format_shape


@register
class InputLayer(Layer):
    """The entry point of a functional model: no weights, its output is the input data.

    # Arguments
        input_shape: shape of one sample, without the batch axis.
        batch_input_shape: the full shape, batch axis first (``None`` for any size).
        input_dtype: the dtype the data is converted to (floatx when None; 'int32' for
            word indices going into an Embedding).
        name: the input's name (a dict of arrays passed to ``fit`` is keyed by it).
    """

    def __init__(self, input_shape=None, batch_input_shape=None, input_dtype=None, name=None, sparse=False,
                 batch_size=None):
        if input_shape is None and batch_input_shape is None:
            raise ValueError("Input needs a shape: Input(shape=(784,)) for samples of 784 numbers, or "
                             "Input(batch_shape=(None, 784)).")
        if sparse:
            raise ValueError(f"Input {name}: sparse inputs are not supported; pass dense arrays.")
        super().__init__(name=name or unique_name('input'), input_shape=input_shape, batch_input_shape=batch_input_shape,
                         batch_size=batch_size)
        self.input_dtype = input_dtype
        shape = self.batch_input_shape
        self.input_shape = self.output_shape = shape
        self.built = True
        self.output_tensor = Node(self, [], [shape], self.input_dtype or am.floatx()).outputs[0]

    def call(self, x, training=False):
        return x

    def get_config(self):
        return {'batch_input_shape': self.batch_input_shape, 'input_dtype': self.input_dtype,
                'sparse': False, 'name': self.name}

    def __repr__(self):
        return f"<InputLayer {self.name}: {format_shape(self.batch_input_shape)}>"


def Input(shape=None, batch_shape=None, name=None, dtype=None, sparse=False, tensor=None):
    """A symbolic tensor standing for the model's input data.

    # Arguments
        shape: shape of one sample, without the batch axis: ``(784,)``, ``(3, 32, 32)``.
        batch_shape: the full shape with the batch axis first, ``(None, 784)``; a number
            there fixes the batch size (stateful recurrent models need it).
        name: the input's name, unique in the model (by default input_1, input_2...).
        dtype: the dtype the data is converted to ('float32' by default; 'int32' for
            word indices).

    # Returns
        A ``SymbolicTensor`` of shape ``(None,) + shape``.
    """
    if tensor is not None:
        raise ValueError("Input(tensor=...) is not supported: teachnet inputs are always fed with arrays.")
    if shape is not None and not isinstance(shape, (tuple, list)):
        raise ValueError(f"Input shape must be a tuple, such as shape=(784,) (note the comma); got {shape!r}.")
    layer = InputLayer(input_shape=None if shape is None else tuple(shape),
                       batch_input_shape=None if batch_shape is None else tuple(batch_shape),
                       input_dtype=dtype, name=name, sparse=sparse)
    return layer.output_tensor
