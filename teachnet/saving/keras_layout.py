"""The Keras 1 / Keras 2 weight layout: one HDF5 group per layer.

A file written by ``model.save_weights`` (in Keras 1, Keras 2 and teachnet alike) looks
like this, for ``Dense(32, input_dim=784)`` then ``Activation('relu')``::

    /                                   attrs: layer_names = [b'dense_1', b'activation_1']
                                               keras_version, backend
    /dense_1                            attrs: weight_names = [b'dense_1/kernel:0',
                                                               b'dense_1/bias:0']
    /dense_1/dense_1/kernel:0           dataset (784, 32)
    /dense_1/dense_1/bias:0             dataset (32,)
    /activation_1                       attrs: weight_names = []   (a layer without weights)

Every layer gets a group, in the model's order, even one without weights. A layer's
arrays are the datasets its ``weight_names`` list, in that order (a '/' in a name makes
a sub-group, as in any file path). Keras 1 called the same arrays ``dense_1_W`` and
``dense_1_b``; the names do not matter when loading, only their order.

A whole-model file (``model.save``) keeps exactly this layout inside a group named
``model_weights``.
"""
from collections import namedtuple

from teachnet.saving import hdf5_files

#: The version of Keras whose layout (weight names and array shapes) these files follow.
LAYOUT_KERAS_VERSION = '2.2.4'
BACKEND_NAME = 'teachnet'

#: One layer as the file holds it: its name, its arrays' names and the arrays (host NumPy).
SavedLayer = namedtuple('SavedLayer', ['name', 'weight_names', 'arrays'])


def weight_names_of(layer, count=None):
    """The names the layer's ``count`` arrays (``get_weights()``) are stored under: Keras 2's
    '<layer>/<weight>:0' from the parameters' names, or '<layer>/param_<i>:0' when the
    parameters do not name them one to one."""
    params = layer.params
    count = len(params) if count is None else count
    names = [f'{param.name}:0' if param.name else '' for param in params]
    if count != len(params) or '' in names or len(set(names)) != len(names):
        names = [f'{layer.name}/param_{index}:0' for index in range(count)]
    return names


def write_layers(group, layers):
    """Write every layer's weights into ``group`` in the layout above."""
    hdf5_files.write_text_list(group, 'layer_names', [layer.name for layer in layers])
    hdf5_files.write_text(group, 'backend', BACKEND_NAME)
    hdf5_files.write_text(group, 'keras_version', LAYOUT_KERAS_VERSION)
    for layer in layers:
        layer_group = group.create_group(layer.name)
        arrays = layer.get_weights()
        names = weight_names_of(layer, len(arrays))
        hdf5_files.write_text_list(layer_group, 'weight_names', names)
        for name, values in zip(names, arrays):
            layer_group.create_dataset(name, data=values)


def holds_keras_layout(group):
    """True when ``group`` is laid out as above (it lists its ``layer_names``)."""
    return hdf5_files.has_attribute(group, 'layer_names')


def read_layers(group, where):
    """Every layer that ``group`` lists, in order, as SavedLayer tuples.

    ``where`` names the file in error messages.
    """
    saved = []
    for layer_name in hdf5_files.read_text_list(group, 'layer_names'):
        if layer_name not in group:
            raise ValueError(f"{where}: the file lists a layer {layer_name!r} but has no group for it.")
        layer_group = group[layer_name]
        names = hdf5_files.read_text_list(layer_group, 'weight_names')
        arrays = []
        for name in names:
            if name not in layer_group:
                raise ValueError(f"{where}: layer {layer_name!r} lists a weight {name!r} that is not in the file.")
            arrays.append(hdf5_files.read_numbers(layer_group[name], f"{where}, layer {layer_name!r}, weight {name!r}"))
        saved.append(SavedLayer(layer_name, names, arrays))
    return saved


def keras_version_of(group):
    """The Keras version that wrote the file ('1.2.2', '2.2.4'...), or None if unknown."""
    return hdf5_files.read_text(group, 'keras_version')
