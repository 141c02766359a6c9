"""Model: a graph of layers, from ``Input`` tensors to output tensors.

    a = Input(shape=(784,))
    b = Input(shape=(784,))
    shared = Dense(64, activation='relu')
    merged = concatenate([shared(a), shared(b)])
    prediction = Dense(1, activation='sigmoid')(merged)
    model = Model(input=[a, b], output=prediction)      # Keras 2: Model([a, b], prediction)

The model keeps the layer calls (nodes) in topological order (see ``teachnet.engine.graph``)
and ``forward`` replays them on real Tensors: each node's layer runs on the values of the
node's input tensors. Since the replay uses the very layers that were called, a shared
layer uses one set of weights in every call, and backward adds up its gradients.

A model is also a layer: calling it on symbolic tensors adds it to another graph as one node.
It trains as a Sequential model does (``teachnet.engine.training``); what several inputs
and outputs add (a loss per output, data by name) is in ``teachnet.engine.outputs``.
"""
import json

from teachnet.backend import array_module as am
from teachnet.engine import graph
from teachnet.engine.topology import call_layer, check_model_call, is_symbolic, nodes_of
from teachnet.engine.training import Training
from teachnet.engine.model_files import ModelFilesAndSummary
from teachnet.layers.registry import register
from teachnet.utils.naming import unique_name
from teachnet.ops.tensor import Tensor
from teachnet.engine.layer_container import LayerContainer

KERAS_VERSION = '1.2.2'


def _unique(params):
    seen, unique = set(), []
    for p in params:
        if id(p) not in seen:
            seen.add(id(p))
            unique.append(p)
    return unique


class Model(LayerContainer, ModelFilesAndSummary, Training):
    """A model made of layers called on tensors, from ``Input``\\ s to outputs.

    # Arguments
        input (Keras 2: inputs): the input tensor, or a list of them (made by ``Input``).
        output (Keras 2: outputs): the output tensor, or a list of them.
        name: the model's name.

    # Example
        x = Input(shape=(20,))
        h = Dense(64, activation='relu')(x)
        y = Dense(10, activation='softmax')(h)
        model = Model(input=x, output=y)
        model.compile(optimizer='rmsprop', loss='categorical_crossentropy', metrics=['accuracy'])
    """

    def __init__(self, input=None, output=None, name=None, inputs=None, outputs=None):
        super().__init__()
        self.name = name or unique_name('model')
        given_inputs = inputs if input is None else input
        given_outputs = outputs if output is None else output
        if given_inputs is None or given_outputs is None:
            raise TypeError(f"Model {self.name} needs its inputs and outputs: Model(input=x, output=y) "
                            "(Keras 2: Model(inputs, outputs)).")
        self._listed_inputs = isinstance(given_inputs, (list, tuple))
        self._listed_outputs = isinstance(given_outputs, (list, tuple))
        self.inputs = graph.check_inputs(given_inputs, self.name)
        self.outputs = graph.check_outputs(given_outputs, self.name)
        self.nodes = graph.ordered_nodes(self.inputs, self.outputs, self.name)
        self.layers = graph.layers_in_order(self.nodes, self.name)
        in_model = {id(node) for node in self.nodes}
        self._node_index = {}
        for layer in self.layers:          # each layer's calls in this model, numbered 0, 1, ...
            own = [node for node in nodes_of(layer) if id(node) in in_model]
            self._node_index.update((id(node), i) for i, node in enumerate(own))
        self.input_layers = [t.layer for t in self.inputs]
        self.output_layers = [t.layer for t in self.outputs]
        self.trainable = True
        self.built = True

    # ------------------------------------------------------------------ the graph
    def node_index(self, node):
        """The number of ``node`` among its layer's calls inside this model."""
        return self._node_index[id(node)]

    def layer_nodes(self, layer):
        """The calls of ``layer`` in this model, in order."""
        return [node for node in self.nodes if node.layer is layer]

    def reference(self, tensor):
        """Keras 1's name of a tensor of this model: 'dense_1[0][0]'."""
        return f'{tensor.layer.name}[{self.node_index(tensor.node)}][{tensor.index}]'

    def get_layer(self, name=None, index=None):
        """A layer by its name (or by its position in ``model.layers``)."""
        if index is not None:
            return self.layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(f"Model {self.name} has no layer named {name!r}; its layers: "
                         f"{', '.join(layer.name for layer in self.layers)}.")

    def _require_layers(self):
        """A Model always has its layers (it is built from them)."""

    def _pick(self, items, listed):
        return list(items) if listed or len(items) > 1 else items[0]

    @property
    def input(self):
        return self._pick(self.inputs, self._listed_inputs)

    @property
    def output(self):
        return self._pick(self.outputs, self._listed_outputs)

    @property
    def input_shape(self):
        return self._pick([t.shape for t in self.inputs], False)

    @property
    def output_shape(self):
        return self._pick([t.shape for t in self.outputs], False)

    def _input_names(self):
        return [layer.name for layer in self.input_layers]

    def _input_shapes(self):
        return [t.shape for t in self.inputs]

    def _input_dtypes(self):
        """Each input's dtype: the Input's own, else what the layers reading it want."""
        dtypes = []
        for tensor in self.inputs:
            wanted = [node.layer.input_dtype for node in self.nodes if any(t is tensor for t in node.inputs)
                      and getattr(node.layer, 'input_dtype', None)]
            dtypes.append(tensor.layer.input_dtype or (wanted[0] if wanted else None) or am.floatx())
        return dtypes

    def _output_names(self):
        return [layer.name for layer in self.output_layers]

    def _output_shapes(self):
        return [t.shape for t in self.outputs]

    # ------------------------------------------------------------------ running
    def forward(self, inputs, training=False):
        """Run the nodes in order on Tensors: one per model input (a list, or a single
        Tensor for a one-input model). Returns one Tensor per output."""
        tensors = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        if len(tensors) != len(self.inputs):
            raise ValueError(f"Model {self.name} takes {len(self.inputs)} input(s) "
                             f"({', '.join(self._input_names())}), got {len(tensors)}.")
        values = {id(symbol): value for symbol, value in zip(self.inputs, tensors)}
        for node in self.nodes:
            if not node.inputs:
                continue                                 # an Input: its value is the data
            arguments = [values[id(t)] for t in node.inputs]
            result = node.layer(arguments if len(arguments) > 1 else arguments[0], training)
            results = result if isinstance(result, list) else [result]
            values.update((id(symbol), value) for symbol, value in zip(node.outputs, results))
        outputs = [values[id(t)] for t in self.outputs]
        return outputs[0] if len(outputs) == 1 else outputs

    def __call__(self, x, training=False):
        """On symbolic tensors: add this model to another graph, as a layer. On data: run it."""
        if is_symbolic(x):
            return call_layer(self, x)
        arrays = list(x) if isinstance(x, (list, tuple)) and len(self.inputs) > 1 else [x]
        tensors = [a if isinstance(a, Tensor) else Tensor(am.to_device(a, dtype=dtype))
                   for a, dtype in zip(arrays, self._input_dtypes())]
        return self.forward(tensors, training)

    def symbolic_output_shapes(self, input_shapes):
        """Called as a layer on tensors of ``input_shapes``: check them, give the output shapes."""
        check_model_call(self, self._input_shapes(), input_shapes)
        return self._output_shapes()

    # ------------------------------------------------------------------ weights
    @property
    def params(self):
        """Every parameter once (a shared layer's weights are one set)."""
        return _unique(p for layer in self.layers for p in layer.params)

    @property
    def trainable_weights(self):
        if not self.trainable:
            return []
        return _unique(p for layer in self.layers if getattr(layer, 'trainable', True) for p in layer.trainable_weights)

    def count_params(self):
        return int(sum(p.data.size for p in self.params))

    # ------------------------------------------------------------------ describing
    def get_config(self):
        """Keras 1's graph config: 'layers' (each with its 'inbound_nodes'), 'input_layers',
        'output_layers'."""
        from teachnet.engine.graph_config import graph_config
        return graph_config(self)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from teachnet.engine.graph_config import model_from_graph_config
        return model_from_graph_config(cls, config, custom_objects)

    def to_json(self, **json_kwargs):
        """The architecture as a JSON string (no weights)."""
        return json.dumps({'class_name': 'Model', 'config': self.get_config(),
                           'keras_version': KERAS_VERSION, 'backend': 'teachnet'}, **json_kwargs)

    def __repr__(self):
        return (f"<Model {self.name}: {len(self.inputs)} input(s), {len(self.outputs)} output(s), "
                f"{len(self.layers)} layers>")


register(Model)             # by class name, so that saved files and other models rebuild it
