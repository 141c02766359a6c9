"""Symbolic tensors and nodes: the graph that the functional API builds.

In the functional API no data flows while the model is written down. ``Input`` gives a
*symbolic tensor*: a placeholder that knows only its shape (batch axis ``None``) and dtype.
Calling a layer on it builds the layer for that shape and returns a new symbolic tensor::

    x = Input(shape=(784,))                    # (None, 784)
    h = Dense(64, activation='relu')(x)        # (None, 64): dense_1 built for 784 inputs
    y = Dense(10, activation='softmax')(h)     # (None, 10)

Each call is recorded as a **node**: the layer, the symbolic tensors that went in, the ones
that came out. Following the nodes back from ``y`` to ``x`` recovers the whole computation,
which is what ``Model(input=x, output=y)`` runs on real data later.

A layer called twice has two nodes but one set of weights: it is *shared*. When both
calls are part of one computation, the same parameter θ feeds two ops, and backward adds
the two contributions, dL/dθ = dL/dθ|call 1 + dL/dθ|call 2, as the chain rule says.

Names follow Keras 1: ``dense_1[1][0]`` is output 0 of node 1 (the second call) of dense_1.

This is the layers' own business (``Layer.__call__`` comes here when given a symbolic
tensor), so it lives with them; ``teachnet.engine.functional`` builds models on it.
"""
from teachnet.backend import array_module as am
from teachnet.utils.shapes import format_shape


class Node:
    """One call of a layer on symbolic tensors.

    # Attributes
        layer: the layer (or model) that was called.
        inputs: the symbolic tensors it was called on, in order.
        outputs: the symbolic tensors it returned (several for a model with several outputs).
        index: this call's number among the layer's calls (0 for the first).
    """

    def __init__(self, layer, inputs, output_shapes, output_dtype):
        self.layer = layer
        self.inputs = list(inputs)
        nodes = nodes_of(layer)
        self.index = len(nodes)
        nodes.append(self)
        self.outputs = [SymbolicTensor(shape, output_dtype, self, i) for i, shape in enumerate(output_shapes)]

    def __repr__(self):
        sources = ', '.join(t.name for t in self.inputs) or 'data'
        return f"<Node {self.layer.name}[{self.index}] <- {sources}>"


def nodes_of(layer):
    """The nodes (calls on symbolic tensors) of ``layer``, kept on the layer itself."""
    nodes = layer.__dict__.get('inbound_nodes')
    if nodes is None:
        nodes = layer.__dict__['inbound_nodes'] = []
    return nodes


class SymbolicTensor:
    """A placeholder for a batch of data: a shape (batch axis first, ``None`` for any size),
    a dtype, and the node that produced it (``.node``; ``.layer`` is that node's layer)."""

    def __init__(self, shape, dtype, node, index=0):
        self.shape = tuple(shape)
        self.dtype = dtype
        self.node = node
        self.index = index

    @property
    def layer(self):
        return self.node.layer

    @property
    def ndim(self):
        return len(self.shape)

    @property
    def name(self):
        """Keras 1's reference: '<layer>[<node index>][<tensor index>]'."""
        return f'{self.node.layer.name}[{self.node.index}][{self.index}]'

    def __repr__(self):
        shape = '(' + ', '.join('None' if d is None else str(d) for d in self.shape) + ')'
        return f"<SymbolicTensor {self.name} shape={shape} dtype={self.dtype}>"


def is_symbolic(x):
    """Whether ``x`` is a symbolic tensor or a non-empty list of them."""
    if isinstance(x, SymbolicTensor):
        return True
    return isinstance(x, (list, tuple)) and len(x) > 0 and all(isinstance(t, SymbolicTensor) for t in x)


def check_model_call(model, expected, got):
    """A model called as a layer must get tensors of its input shapes (None fits any size)."""
    fits = len(got) == len(expected) and all(
        len(g) == len(e) and all(a is None or b is None or a == b for a, b in zip(g[1:], e[1:]))
        for g, e in zip(got, expected))
    if not fits:
        raise ValueError(f"Model {model.name} takes input(s) of shape {', '.join(format_shape(s) for s in expected)}, "
                         f"but was called on {', '.join(format_shape(s) for s in got)}.")


def call_layer(layer, x):
    """Call ``layer`` on the symbolic tensor ``x`` (or a list of them): build the layer on
    the shape, record a node, return the output symbolic tensor(s).

    Two kinds of layer take a list of tensors, and say so by what they have: a model used
    as a layer (``symbolic_output_shapes``) and a layer that joins tensors into one, such
    as Merge (``joined_output_shape``)."""
    if isinstance(x, (list, tuple)) and not is_symbolic(x):
        raise TypeError(f"Layer {layer.name} was called on a list mixing symbolic tensors (from Input) with "
                        "other values; call it on symbolic tensors only.")
    tensors = list(x) if isinstance(x, (list, tuple)) else [x]
    if hasattr(layer, 'symbolic_output_shapes'):            # a Model used as a layer
        shapes = layer.symbolic_output_shapes([t.shape for t in tensors])
    elif hasattr(layer, 'joined_output_shape'):             # a Merge: several tensors in, one out
        shapes = [layer.joined_output_shape(tensors)]
    else:
        if isinstance(x, (list, tuple)):
            if len(tensors) != 1:
                raise TypeError(f"Layer {layer.name} ({type(layer).__name__}) takes one tensor, but was called on "
                                f"a list of {len(tensors)}; join them first, e.g. concatenate([a, b]).")
        shapes = [_layer_output_shape(layer, tensors[0])]
    node = Node(layer, tensors, shapes, am.floatx())
    return node.outputs[0] if len(node.outputs) == 1 else list(node.outputs)


def _layer_output_shape(layer, tensor):
    """Build ``layer`` for the tensor's shape (or check it fits the built layer)."""
    shape = tensor.shape
    declared = layer.batch_input_shape
    if declared is not None and not layer.built and (len(declared) != len(shape) or any(
            d is not None and s is not None and d != s for d, s in zip(declared[1:], shape[1:]))):
        raise ValueError(f"Layer {layer.name} ({type(layer).__name__}) declares input shape {format_shape(declared)}, "
                         f"but was called on {tensor.name} of shape {format_shape(shape)}.")
    try:
        layer.ensure_built(shape)
        return tuple(layer.compute_output_shape(shape))
    except (ValueError, TypeError) as error:
        message = str(error)
        if message.startswith('Layer ') and format_shape(shape) in message:
            raise
        raise ValueError(f"Layer {layer.name} ({type(layer).__name__}) cannot take {tensor.name} of shape "
                         f"{format_shape(shape)}: {message}") from error
