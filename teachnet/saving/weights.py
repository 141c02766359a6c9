"""save_weights / load_weights: a model's weights to and from an HDF5 file.

Saving writes the Keras 1/2 layout (see ``keras_layout``), so the file also loads into
Keras. Loading reads three kinds of file:

* the Keras 1/2 layout, as ``save_weights`` writes it, or inside the ``model_weights``
  group of a whole-model file (``model.save``, in Keras or in teachnet);
* the Keras 3 layout of ``.weights.h5`` files (see ``keras3_layout``), recurrent layers
  and their wrappers included.

A weight file holds numbers, not settings: the model that loads it must compute what the
saving one computed. Keras 3's LSTM and GRU use ``recurrent_activation='sigmoid'`` and its
GRU ``reset_after=True``, while teachnet's defaults are Keras 1's (``inner_activation=
'hard_sigmoid'``, ``reset_after=False``): to predict what Keras 3 predicts, write
``LSTM(units, inner_activation='sigmoid')`` and ``GRU(units, inner_activation='sigmoid',
reset_after=True)``.

Two ways to decide which arrays go to which layer:

* **by order** (the default): the layers *with weights* are paired in order, the file's
  with the model's, skipping layers without weights (Activation, Dropout...). The names
  do not matter, so Keras 1's ``dense_1_W`` loads into teachnet's ``dense_1/kernel``.
  The architectures must agree: the same number of layers with weights, the same number
  of arrays in each, the same shapes.
* **by name** (``by_name=True``): only the layers whose name is also in the file are
  loaded; the others keep their weights. Useful to reuse part of a trained model.

A model that starts with a Merge is saved as Keras 1 saved it: its branches' layers
take the Merge's place, one group each, in branch order (``model.flattened_layers``).

Everything is checked before anything is changed: a file that does not fit the model
leaves every weight as it was, and the error says which layer, which array and both shapes.
"""
import os

from teachnet.saving import hdf5_files, keras3_layout, keras_layout


def save_weights(model, filepath, overwrite=True):
    """Write every layer's weights to ``filepath`` (HDF5, Keras's layout).

    # Arguments
        model: a model with ``layers``.
        filepath: where to write; the file is replaced in one step when complete.
        overwrite: False refuses to replace an existing file (FileExistsError).
    """
    with hdf5_files.atomic_hdf5_writer(filepath, overwrite) as hdf5_file:
        keras_layout.write_layers(hdf5_file, layers_of(model))


def load_weights(model, filepath, by_name=False):
    """Set the model's weights from an HDF5 file (Keras 1, 2 or 3 layout).

    # Arguments
        model: a model with ``layers``, already built.
        filepath: the HDF5 file.
        by_name: False pairs the layers with weights in order; True loads only the
            layers whose names are in the file.

    # Raises
        FileNotFoundError: no file at ``filepath``.
        ValueError: not an HDF5 file, an unknown layout, or weights that do not fit the
            model (the message names the layer and both shapes); the model is unchanged.
    """
    where = os.fspath(filepath)
    with hdf5_files.open_hdf5_for_reading(filepath) as hdf5_file:
        pairs = read_pairs(layers_of(model), hdf5_file, by_name, where)
    assign_weights(pairs, where)


def layers_of(model):
    """The layers whose weights a file holds, in order: the branches' layers of a Merge
    stand in its place."""
    return list(getattr(model, 'flattened_layers', model.layers))


def read_pairs(layers, hdf5_file, by_name, where):
    """Read the file and pair model layers with saved layers: a list of (layer, SavedLayer)."""
    container = keras3_layout.layer_container(hdf5_file)
    group = find_keras_layout(hdf5_file)
    if group is None and container is not None:
        match = keras3_layout.match_by_name if by_name else keras3_layout.match_in_order
        return match(layers, container, where)
    if group is None:
        raise ValueError(f"{where} is an HDF5 file, but not one of saved weights: expected a "
                         f"'layer_names' attribute (Keras 1/2), a 'model_weights' group (a saved "
                         f"model) or a 'layers' group (Keras 3); found {sorted(hdf5_file.keys())}.")
    saved = keras_layout.read_layers(group, where)
    pairs = match_by_name(layers, saved) if by_name else match_in_order(layers, saved, where)
    # as in Keras, a file that does not say which version wrote it is from Keras 1
    version = keras_layout.keras_version_of(group) or keras_layout.keras_version_of(hdf5_file) or '1'
    if version.startswith('1'):
        backend = hdf5_files.read_text(group, 'backend') or hdf5_files.read_text(hdf5_file, 'backend')
        pairs = [(layer, from_keras1(layer, entry, backend)) for layer, entry in pairs]
    return pairs


def find_keras_layout(hdf5_file):
    """The group in the Keras 1/2 layout: the file itself, or its 'model_weights' group."""
    if keras_layout.holds_keras_layout(hdf5_file):
        return hdf5_file
    if 'model_weights' in hdf5_file and keras_layout.holds_keras_layout(hdf5_file['model_weights']):
        return hdf5_file['model_weights']
    return None


def from_keras1(layer, entry, backend):
    """A layer whose Keras 1 arrays differ from Keras 2's (such as recurrent layers that
    stored each gate apart) converts them with ``convert_keras1_weights(arrays, backend)``;
    the others (Dense...) are stored alike in both and pass unchanged."""
    convert = getattr(layer, 'convert_keras1_weights', None)
    if convert is None or not entry.arrays:
        return entry
    return entry._replace(arrays=list(convert(list(entry.arrays), backend)))


def match_in_order(layers, saved, where):
    """Pair the layers with weights, in order, the model's with the file's."""
    weighted_layers = [layer for layer in layers if layer.params]
    weighted_saved = [entry for entry in saved if entry.weight_names]
    if len(weighted_layers) != len(weighted_saved):
        raise ValueError(
            f"{where} holds weights for {len(weighted_saved)} layer(s) "
            f"({', '.join(entry.name for entry in weighted_saved) or 'none'}), but the model has "
            f"{len(weighted_layers)} layer(s) with weights "
            f"({', '.join(layer.name for layer in weighted_layers) or 'none'}). Loading by order "
            f"needs the same architecture; by_name=True loads the layers whose names match.")
    return list(zip(weighted_layers, weighted_saved))


def match_by_name(layers, saved):
    """Pair the model's layers with the file's layers of the same name."""
    saved_by_name = {entry.name: entry for entry in saved}
    return [(layer, saved_by_name[layer.name]) for layer in layers if layer.name in saved_by_name]


def check_fits(layer, entry, where):
    """Raise a ValueError unless the saved arrays have the count and shapes of the layer's
    ``get_weights()`` (Keras 2's layout, which ``set_weights`` takes)."""
    current = layer.get_weights()
    names = keras_layout.weight_names_of(layer, len(current))
    if len(entry.arrays) != len(current):
        raise ValueError(
            f"Layer {layer.name} ({type(layer).__name__}) has {len(current)} weight array(s) "
            f"({', '.join(names) or 'none'}), but layer {entry.name!r} in {where} has "
            f"{len(entry.arrays)} ({', '.join(entry.weight_names) or 'none'}).")
    for name, now, array, saved_name in zip(names, current, entry.arrays, entry.weight_names):
        if tuple(array.shape) != tuple(now.shape):
            raise ValueError(
                f"Layer {layer.name} ({type(layer).__name__}): weight {name} has shape "
                f"{tuple(now.shape)}, but {saved_name!r} of layer {entry.name!r} in {where} has "
                f"shape {tuple(array.shape)}.{reset_after_hint(layer, now.shape, array.shape)}")


def reset_after_hint(layer, shape, saved_shape):
    """What to do when a GRU's bias was saved for the other ``reset_after``: the bias is
    (2, 3·units) when the reset gate acts after the recurrent product (Keras 3's default),
    (3·units,) when it acts before (Keras 1's)."""
    if not hasattr(layer, 'reset_after') or {len(shape), len(saved_shape)} != {1, 2}:
        return ''
    wanted = len(saved_shape) == 2
    return (f" The file's GRU was built with reset_after={wanted}"
            f"{' (the default of Keras 3)' if wanted else ''}: build this layer with "
            f"GRU(..., reset_after={wanted}).")


def assign_weights(pairs, where):
    """Check every pair, then (only then) set the weights."""
    for layer, entry in pairs:
        check_fits(layer, entry, where)
    for layer, entry in pairs:
        layer.set_weights(entry.arrays)
