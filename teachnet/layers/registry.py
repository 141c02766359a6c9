"""Layer classes by name, so a saved architecture can be built again.

``model.to_json()`` stores each layer as ``{'class_name': 'Dense', 'config': {...}}``;
``deserialize`` looks the class name up here and calls ``from_config``. Every layer class
is registered with ``@register``, and so are the model classes (``Sequential``, ``Model``),
since a model can stand where a layer does (a Merge branch, a model inside a model): that
is how layers and saved files rebuild models without importing them. A user's own layers
and functions come in through ``custom_objects``, since code is never loaded from a file.
"""
import inspect

#: class name -> class
LAYER_CLASSES = {}

#: config keys whose value may name a user's function (``activation='scaled_tanh'``)
_FUNCTION_KEYS = ('activation', 'regularizer', 'init', 'initializer')


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
    config = _with_custom_functions(spec['config'], custom_objects)
    if 'custom_objects' in inspect.signature(cls.from_config).parameters:
        return cls.from_config(config, custom_objects=custom_objects)   # layers holding functions or layers
    return cls.from_config(config)


def _with_custom_functions(config, custom_objects):
    """The config with every function setting that names one of ``custom_objects``
    replaced by that function, as Keras 1's ``custom_objects`` does."""
    if not isinstance(config, dict):              # a Sequential model's config: the list of its layers
        return config
    return {key: custom_objects[value] if key.endswith(_FUNCTION_KEYS) and isinstance(value, str)
            and value in custom_objects else value
            for key, value in config.items()}
