"""Layers: compositions of ops, each with its math in its docstring."""
from teachnet.layers.base import Layer
from teachnet.layers.dense import Dense
from teachnet.layers.activation import Activation
from teachnet.layers.dropout import Dropout
from teachnet.layers.reshaping import Flatten, Reshape, Permute, RepeatVector
from teachnet.layers.lambda_layer import Lambda

#: class name -> class, for rebuilding models from their config
LAYER_CLASSES = {cls.__name__: cls for cls in
                 (Dense, Activation, Dropout, Flatten, Reshape, Permute, RepeatVector, Lambda)}


def register(cls):
    """Make a layer class known to ``model_from_json`` / ``load_model``."""
    LAYER_CLASSES[cls.__name__] = cls
    return cls


def deserialize(spec, custom_objects=None):
    """Rebuild a layer from ``{'class_name': ..., 'config': {...}}``."""
    custom_objects = custom_objects or {}
    class_name = spec.get('class_name')
    cls = custom_objects.get(class_name) or LAYER_CLASSES.get(class_name)
    if cls is None:
        raise ValueError(f"Unknown layer class {class_name!r}; known: {', '.join(sorted(LAYER_CLASSES))}. "
                         "Pass custom_objects for your own layers.")
    if cls is Lambda:
        return cls.from_config(spec['config'], custom_objects=custom_objects)
    return cls.from_config(_with_custom_functions(spec['config'], custom_objects))


#: config keys whose value may name a user's function (``activation='scaled_tanh'``)
_FUNCTION_KEYS = ('activation', 'regularizer', 'init', 'initializer')


def _with_custom_functions(config, custom_objects):
    """The config with every function setting that names one of ``custom_objects``
    replaced by that function, as Keras 1's ``custom_objects`` does."""
    return {key: custom_objects[value] if key.endswith(_FUNCTION_KEYS) and isinstance(value, str)
            and value in custom_objects else value
            for key, value in config.items()}


__all__ = ['Layer', 'Dense', 'Activation', 'Dropout', 'Flatten', 'Reshape', 'Permute', 'RepeatVector',
           'Lambda', 'LAYER_CLASSES', 'register', 'deserialize']
