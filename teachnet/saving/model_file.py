"""save_model / load_model: a whole model in one HDF5 file.

The file holds everything needed to go on training without the code that built the model,
in the layout Keras uses::

    /                       attrs: model_config     the architecture, model.to_json()
                                   training_config  how it was compiled (JSON; see training_config)
                                   keras_version, backend
    /model_weights          the weights, laid out as save_weights lays them out
    /optimizer_weights      the optimizer's iterations and slots

``load_model`` rebuilds the layers from ``model_config``, loads the weights, compiles the
model as it was compiled, and gives the optimizer its state back, so that the next
``train_on_batch`` makes exactly the update the saved model would have made.

Functions of your own (a Lambda layer's function, a custom loss or metric) are saved by
name only: a file never holds code, so ``load_model(path, custom_objects={'name': fn})``
must give them back.
"""
import json
import os

from teachnet.layers.registry import deserialize
from teachnet.saving import hdf5_files, keras_layout, weights
from teachnet.saving.training_config import (compile_from_config, restore_optimizer_state, training_config,
                                             write_optimizer_state)


def save_model(model, filepath, overwrite=True, include_optimizer=True):
    """Write the model's architecture, weights and training state to ``filepath``.

    # Arguments
        model: a Sequential model.
        filepath: where to write; the file is replaced in one step when complete.
        overwrite: False refuses to replace an existing file (FileExistsError).
        include_optimizer: False leaves out the training configuration and the optimizer's
            state: the loaded model is then not compiled.
    """
    model_json = model.to_json()
    trained = include_optimizer and getattr(model, 'optimizer', None) is not None
    training_json = json.dumps(training_config(model)) if trained else None
    with hdf5_files.atomic_hdf5_writer(filepath, overwrite) as hdf5_file:
        hdf5_files.write_text(hdf5_file, 'keras_version', keras_layout.LAYOUT_KERAS_VERSION)
        hdf5_files.write_text(hdf5_file, 'backend', keras_layout.BACKEND_NAME)
        hdf5_files.write_text(hdf5_file, 'model_config', model_json)
        keras_layout.write_layers(hdf5_file.create_group('model_weights'), weights.layers_of(model))
        if trained:
            hdf5_files.write_text(hdf5_file, 'training_config', training_json)
            write_optimizer_state(hdf5_file.create_group('optimizer_weights'), model.optimizer,
                                  model._trainable_params())


def _json_attribute(hdf5_file, name, where):
    text = hdf5_files.read_text(hdf5_file, name)
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError as error:
        raise ValueError(f"{where}: the attribute {name!r} is not valid JSON ({error}).") from error


def load_model(filepath, custom_objects=None, compile=True):
    """Rebuild the model saved by ``save_model`` (or by Keras's ``model.save``).

    # Arguments
        filepath: the HDF5 file.
        custom_objects: a dict from names to your own functions and layer classes (a
            Lambda layer's function, a custom loss or metric).
        compile: False returns the model uncompiled, even if it was saved compiled.

    # Returns
        The model, compiled as it was when saved (if it was), its optimizer restored.

    # Raises
        FileNotFoundError: no file at ``filepath``.
        ValueError: not an HDF5 file, no model in it, or a function of your own that
            ``custom_objects`` does not provide.
    """
    where = os.fspath(filepath)
    custom_objects = dict(custom_objects or {})
    with hdf5_files.open_hdf5_for_reading(filepath) as hdf5_file:
        model_config = _json_attribute(hdf5_file, 'model_config', where)
        if model_config is None:
            raise ValueError(f"{where} holds no model (it has no 'model_config' attribute). A file written "
                             "by save_weights loads into a model you build with model.load_weights(path).")
        model = _model_from_config(model_config, custom_objects, where)
        weights.assign_weights(weights.read_pairs(weights.layers_of(model), hdf5_file, False, where), where)
        config = _json_attribute(hdf5_file, 'training_config', where)
        if compile and config is not None:
            compile_from_config(model, config, custom_objects, where)
            if 'optimizer_weights' in hdf5_file:
                restore_optimizer_state(hdf5_file['optimizer_weights'], model.optimizer,
                                        model._trainable_params(), where)
    return model


def _model_from_config(config, custom_objects, where):
    """Rebuild the model that ``config`` describes by its class, Sequential or Model: the
    model classes register themselves where the layers do (``teachnet.layers.registry``)."""
    if not isinstance(config, dict) or config.get('class_name') not in ('Sequential', 'Model') \
            or 'config' not in config:
        found = f"class_name {config.get('class_name')!r}" if isinstance(config, dict) else f"a {type(config).__name__}"
        raise ValueError(f"{where} holds a model description teachnet cannot rebuild ({found}); it reads "
                         "Sequential and Model architectures as model.to_json() writes them.")
    return deserialize(config, custom_objects)
