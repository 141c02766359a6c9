"""Sequential: a stack of layers, each feeding the next.

Only the first layer needs to be told its input shape; every later layer is built on the
output shape of the one before, as soon as it is added. A layer that cannot take that
shape is refused at ``add`` time, with both shapes in the message, and the model stays
as it was.

A model whose first layer is a ``Merge`` takes one input array per branch input, as a
list: ``model.fit([x_left, x_right], y)``.

To training, a Sequential model is a graph with one output and one input (or its branches'
inputs): it describes them (``_input_names``, ``_output_shapes``...) and trains with the
same ``compile``, ``fit`` and ``predict`` as a functional ``Model`` (``teachnet.engine.training``).
"""
import json

from teachnet.backend import array_module as am
from teachnet.engine.training import Training
from teachnet.engine.model_files import ModelFilesAndSummary
from teachnet.layers import Layer, deserialize, register
from teachnet.ops.tensor import Tensor
from teachnet.layers.symbolic import call_layer, check_model_call, is_symbolic
from teachnet.engine.layer_container import LayerContainer
from teachnet.utils.naming import unique_name
from teachnet.utils.shapes import format_shape

KERAS_VERSION = '1.2.2'


@register                   # by class name, so that saved files, Merge branches and models rebuild it
class Sequential(LayerContainer, ModelFilesAndSummary, Training):
    """A linear stack of layers.

    # Arguments
        layers: a list of layers to add, in order.
        name: the model's name.

    # Example
        model = Sequential([Dense(32, input_dim=784), Activation('relu'), Dense(10),
                            Activation('softmax')])
        model.compile(optimizer='rmsprop', loss='categorical_crossentropy', metrics=['accuracy'])
    """

    def __init__(self, layers=None, name=None):
        super().__init__()
        self.name = name or unique_name('sequential')
        self.layers = []
        for layer in layers or []:
            self.add(layer)

    # ------------------------------------------------------------------ building
    def add(self, layer):
        """Append ``layer``, building it on the current output shape."""
        if not isinstance(layer, Layer):
            raise TypeError(f"Sequential.add expects a layer (such as Dense(32)), got {layer!r} "
                            f"of type {type(layer).__name__}.")
        if any(existing is layer for existing in self.layers):
            raise ValueError(f"Layer {layer.name} is already in model {self.name}; create a new layer instead.")
        if any(existing.name == layer.name for existing in self.layers):
            raise ValueError(f"Model {self.name} already has a layer named {layer.name!r}; layer names "
                             "must be unique in a model.")
        if self.layers:
            input_shape = self.layers[-1].output_shape
            if layer.batch_input_shape is not None:
                declared = layer.batch_input_shape
                if len(declared) != len(input_shape) or any(
                        d is not None and s is not None and d != s for d, s in zip(declared[1:], input_shape[1:])):
                    raise ValueError(f"Layer {layer.name} declares input shape {format_shape(declared)}, but the "
                                     f"previous layer {self.layers[-1].name} outputs {format_shape(input_shape)}.")
        else:
            if layer.batch_input_shape is None and not layer.built:
                raise ValueError(f"The first layer of a Sequential model must be told its input shape: "
                                 f"give {layer.name} an input_shape, batch_input_shape or input_dim argument, "
                                 f"e.g. Dense(32, input_dim=784).")
            input_shape = layer.batch_input_shape or layer.input_shape
        try:
            layer.ensure_built(input_shape)
        except (ValueError, TypeError) as error:
            if str(error).startswith(('Layer ', f'{type(layer).__name__} layer {layer.name}')):
                raise
            raise ValueError(f"Layer {layer.name} ({type(layer).__name__}) cannot take input of shape "
                             f"{format_shape(input_shape)}: {error}") from error
        self.layers.append(layer)
        self._compiled_params = None

    def pop(self):
        """Remove the last layer."""
        if not self.layers:
            raise ValueError(f"Model {self.name} has no layers to pop.")
        self.layers.pop()
        self._compiled_params = None

    def _require_layers(self):
        if not self.layers:
            raise ValueError(f"Model {self.name} has no layers yet: add some with model.add(...).")

    @property
    def input_shape(self):
        self._require_layers()
        return self.layers[0].input_shape

    @property
    def output_shape(self):
        self._require_layers()
        return self.layers[-1].output_shape

    @property
    def input_dtype(self):
        self._require_layers()
        return self.layers[0].input_dtype or am.floatx()

    # ------------------------------------------------------------------ the graph: inputs and output
    def _first_merge(self):
        first = self.layers[0] if self.layers else None
        return first if getattr(first, 'branches', None) else None      # a Merge of branches

    def _input_layers(self):
        """The layers that take the model's inputs: the first layer, or the first layers of
        the branches of a first Merge (nested merges flattened)."""
        self._require_layers()
        merge = self._first_merge()
        return merge.input_layers if merge else [self.layers[0]]

    def _input_names(self):
        return [layer.name for layer in self._input_layers()]

    def _input_shapes(self):
        merge = self._first_merge()
        return list(merge.input_shape) if merge else [self.input_shape]

    def _input_dtypes(self):
        return [layer.input_dtype or am.floatx() for layer in self._input_layers()]

    def _describe_inputs(self):
        merge = self._first_merge()
        return '; '.join(merge.input_descriptions()) if merge else ', '.join(self._input_names())

    def _output_names(self):
        self._require_layers()
        return [self.layers[-1].name]

    def _output_shapes(self):
        return [self.output_shape]

    @property
    def flattened_layers(self):
        """The layers in the order a weight file holds them: a first Merge is replaced by
        its branches' layers (as Keras 1 saved them)."""
        merge = self._first_merge()
        return merge.flattened_layers() + self.layers[1:] if merge else list(self.layers)

    # ------------------------------------------------------------------ running
    def forward(self, x, training=False):
        """Run every layer in turn on the Tensor ``x``."""
        for layer in self.layers:
            x = layer(x, training)
        return x

    def __call__(self, x, training=False):
        if is_symbolic(x):                     # the functional API: the whole model used as a layer
            return call_layer(self, x)
        if isinstance(x, (list, tuple)) and self._first_merge():
            return self.forward(list(x), training)      # the Merge converts each input
        if not isinstance(x, Tensor):
            x = Tensor(am.to_device(x, dtype=self.input_dtype))
        return self.forward(x, training)

    def symbolic_output_shapes(self, input_shapes):
        """Called as a layer on tensors of ``input_shapes`` (checked): the output shape."""
        check_model_call(self, self._input_shapes(), input_shapes)
        return [self.output_shape]

    # ------------------------------------------------------------------ weights
    @property
    def params(self):
        return [p for layer in self.layers for p in layer.params]

    @property
    def trainable_weights(self):
        return [p for layer in self.layers if layer.trainable for p in layer.trainable_weights]

    def count_params(self):
        return sum(layer.count_params() for layer in self.layers)

    # ------------------------------------------------------------------ describing
    def get_config(self):
        """Keras 1's Sequential config: a list of ``{'class_name', 'config'}``, one per layer
        (a Merge nests its branches' configs)."""
        return [{'class_name': type(layer).__name__, 'config': layer.get_config()} for layer in self.layers]

    @classmethod
    def from_config(cls, config, custom_objects=None):
        layer_specs = config['layers'] if isinstance(config, dict) else config
        model = cls(name=config.get('name') if isinstance(config, dict) else None)
        for spec in layer_specs:
            model.add(deserialize(spec, custom_objects))
        return model

    def to_json(self, **json_kwargs):
        """The architecture as a JSON string (no weights)."""
        return json.dumps({'class_name': 'Sequential', 'config': self.get_config(),
                           'keras_version': KERAS_VERSION, 'backend': 'teachnet'}, **json_kwargs)

    def __repr__(self):
        return f"<Sequential {self.name}: {len(self.layers)} layers>"


def model_from_config(config, custom_objects=None):
    """Rebuild a model from ``{'class_name': 'Sequential' or 'Model', 'config': ...}``."""
    if isinstance(config, dict) and config.get('class_name') == 'Model' and 'config' in config:
        return Model.from_config(config['config'], custom_objects)
    if not isinstance(config, dict) or config.get('class_name') != 'Sequential' or 'config' not in config:
        found = (f"class_name {config.get('class_name')!r}" if isinstance(config, dict)
                 else f"a {type(config).__name__}")
        raise ValueError("A model description must be a dict {'class_name': 'Sequential' (or 'Model'), 'config': ...} "
                         f"as model.to_json() writes it; got {found}.")
    return Sequential.from_config(config['config'], custom_objects)


def model_from_json(json_string, custom_objects=None):
    """Rebuild a model (architecture only, fresh weights) from ``model.to_json()``."""
    try:
        config = json.loads(json_string)
    except (TypeError, ValueError) as error:
        raise ValueError(f"model_from_json expects the JSON string that model.to_json() returns: {error}") from error
    return model_from_config(config, custom_objects)


from teachnet.engine.functional import Model  # noqa: E402,F401  (Keras: keras.models.Model)
from teachnet.saving import load_model  # noqa: E402,F401  (Keras: keras.models.load_model)
