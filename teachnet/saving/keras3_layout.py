"""The Keras 3 weight layout (``.weights.h5``): a path per layer, numbered arrays.

Keras 3 stores each layer's variables under a path, in the layer's own order::

    /layers/dense/vars/0            kernel (784, 32)
    /layers/dense/vars/1            bias (32,)
    /layers/activation/vars         (empty: no weights)
    /layers/dense_1/vars/0          ...
    /vars                           the model's own variables (none for a Sequential)

The name in the path comes from the layer's *class*, counted per class in the model's
order ('dense', 'dense_1', 'dense_2'... ; 'conv2d' for a Conv2D), not from the layer's
name, so that two copies of one architecture share their paths. Some earlier writers used
the layer's name instead, and TensorFlow's Keras 2.13+ put the layers under
``_layer_checkpoint_dependencies`` rather than ``layers``. All of these are read here.

A layer made of other layers keeps their variables in groups of its own, below its path::

    /layers/lstm/cell/vars/0                        an LSTM's kernel (3, 4·units): the cell's
    /layers/bidirectional/forward_layer/cell/vars/0 ... then backward_layer/cell/vars/...
    /layers/time_distributed/layer/vars/0           the wrapped layer's kernel

Those groups are read in ``NESTED_GROUPS`` order, after the layer's own ``vars``: the
order in which teachnet's ``get_weights`` lists them (Keras 3 keeps the gate order of
Keras 2: i, f, c, o for an LSTM, z, r, h for a GRU), so the arrays load as they are.

There is no list of layer names in the file, and HDF5 lists a group's members in
alphabetical order ('dense_10' before 'dense_2'), so the order is not read from the file:
the model's layers are walked in order and each one's path is looked up, as Keras does.
"""
from teachnet.utils.naming import snake_case
from teachnet.saving import hdf5_files
from teachnet.saving.keras_layout import SavedLayer

#: the folders that hold the layers' paths, in the order they are tried
LAYER_CONTAINERS = ('layers', '_layer_checkpoint_dependencies')

#: the groups in which Keras 3 keeps the variables of the layers inside a layer: a
#: recurrent layer's cell, a Bidirectional's two layers, a wrapper's layer (in this order)
NESTED_GROUPS = ('cell', 'forward_layer', 'backward_layer', 'layer')


#: Keras 1 class names whose Keras 3 class has another name
KERAS3_CLASS_NAMES = {
    'Convolution1D': 'Conv1D', 'Convolution2D': 'Conv2D', 'Convolution3D': 'Conv3D',
    'AtrousConvolution1D': 'Conv1D', 'AtrousConvolution2D': 'Conv2D',
    'Deconvolution2D': 'Conv2DTranspose', 'SeparableConvolution2D': 'SeparableConv2D',
}


def layer_container(group):
    """The group holding the layers' paths, or None when ``group`` is not in this layout."""
    for name in LAYER_CONTAINERS:
        if name in group and hasattr(group[name], 'keys'):
            return group[name]
    return None


def read_variables(layer_group, where, prefix=''):
    """The arrays of one layer, as a list of (path, array): first its own ``vars/0, 1...``,
    then those of the layers nested inside it (``NESTED_GROUPS``); empty for a weightless layer."""
    variables = layer_group['vars'] if 'vars' in layer_group else {}
    numbers = sorted(variables.keys(), key=lambda name: int(name) if name.isdigit() else -1)
    if numbers != [str(index) for index in range(len(numbers))]:
        raise ValueError(f"{where}: the arrays in {prefix}vars should be numbered 0, 1, 2..., "
                         f"found {sorted(variables.keys())}.")
    arrays = [(f'{prefix}vars/{name}', hdf5_files.read_numbers(variables[name], f"{where}, {prefix}vars/{name}"))
              for name in numbers]
    for name in NESTED_GROUPS:
        if name in layer_group:
            arrays += read_variables(layer_group[name], where, f'{prefix}{name}/')
    unknown = [name for name in layer_group.keys() if name not in ('vars',) + NESTED_GROUPS
               and hdf5_files.holds_arrays(layer_group[name])]
    if unknown:
        raise ValueError(f"{where}: arrays in {', '.join(prefix + name for name in unknown)}, where teachnet "
                         f"looks only in vars and in the nested groups {', '.join(NESTED_GROUPS)}: the file "
                         "comes from a layer that teachnet cannot load; load the other layers with by_name=True.")
    return arrays


def class_based_keys(layers):
    """Each layer's Keras 3 path name: its class in snake case, counted per class."""
    seen, keys = {}, []
    for layer in layers:
        class_name = type(layer).__name__
        base = snake_case(KERAS3_CLASS_NAMES.get(class_name, class_name))
        count = seen.get(base, 0)
        keys.append(base if count == 0 else f'{base}_{count}')
        seen[base] = count + 1
    return keys


def read_saved_layers(container, where):
    """Every layer path in the file, as {key: SavedLayer}."""
    saved = {}
    for key in container.keys():
        saved[key] = saved_layer(container, key, where)
    return saved


def saved_layer(container, key, where):
    """One layer path as a SavedLayer (its arrays named by their paths: 'vars/0', 'cell/vars/1'...)."""
    variables = read_variables(container[key], f"{where}, layer {key!r}")
    return SavedLayer(key, [path for path, _ in variables], [array for _, array in variables])


def match_in_order(layers, container, where):
    """Pair every model layer that has weights with its arrays in the file.

    The class-based paths are tried first, then the layers' names. Every path in the
    file that holds arrays must be used: a file with more weighted layers than the model
    is a different architecture.

    Returns a list of (layer, SavedLayer).
    """
    saved = read_saved_layers(container, where)
    weighted_in_file = {key for key, entry in saved.items() if entry.arrays}
    weighted_layers = [layer for layer in layers if layer.params]
    for keys in (class_based_keys(layers), [layer.name for layer in layers]):
        key_of = {id(layer): key for layer, key in zip(layers, keys)}
        wanted = [key_of[id(layer)] for layer in weighted_layers]
        if all(key in saved for key in wanted) and weighted_in_file <= set(wanted):
            return [(layer, saved[key_of[id(layer)]]) for layer in weighted_layers]
    raise ValueError(
        f"{where}: the Keras 3 weight file does not fit this model. The model's layers with "
        f"weights are {[layer.name for layer in weighted_layers]} (looked up as "
        f"{[key for layer, key in zip(layers, class_based_keys(layers)) if layer.params]}); "
        f"the file holds weights for {sorted(weighted_in_file)}.")


def match_by_name(layers, container, where):
    """Pair the model layers whose name is a path in the file with their arrays."""
    pairs = []
    for layer in layers:
        if layer.name in container:
            pairs.append((layer, saved_layer(container, layer.name, where)))
    return pairs
