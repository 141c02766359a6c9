"""Every recurrent layer of a model, under the name that ``gates`` and ``gradients_through_time`` take.

A recurrent layer on its own answers to its own name ('lstm_1'), wherever it sits: in a
Sequential, in a branch of a Merge, in a functional graph, in a nested model. Two
wrappers run recurrent layers inside them, and those are named after the wrapper:

* ``Bidirectional(LSTM(4), name='bi')`` runs two LSTMs, each with its own weights:
  ``'bi/forward'`` reads x_1, x_2, ..., x_T and ``'bi/backward'`` reads x_T, ..., x_1;
* ``TimeDistributed(LSTM(4), name='td')`` runs one LSTM on every step of an outer
  sequence: ``'td'`` (its batch is every (sample, outer step) pair, sample-major).

::

    recurrent_layers(model)      # {'lstm_1': <LSTM>, 'bi/forward': <LSTM>, 'bi/backward': <LSTM>}
    recurrent_layers(model)['bi/backward'].go_backwards       # True: it reads x_T first
"""
from teachnet.inspect.layer_outputs import all_layers
from teachnet.layers.recurrent_base import Recurrent
from teachnet.layers.wrappers import Bidirectional, TimeDistributed

KINDS = 'recurrent layer (LSTM, GRU, SimpleRNN)'


def _runs(layer, name):
    """{name: recurrent layer} for the recurrent layers that ``layer`` runs under ``name``."""
    if isinstance(layer, Recurrent):
        return {name: layer}
    if isinstance(layer, Bidirectional):
        return {f'{name}/forward': layer.forward_layer, f'{name}/backward': layer.backward_layer}
    if isinstance(layer, TimeDistributed):
        return _runs(layer.layer, name)
    return {}


def recurrent_layers(model):
    """Every recurrent layer of ``model`` (or the layer itself, for a recurrent layer), in
    order, as {name: the layer that runs}; the names are those the inspect functions take."""
    if not hasattr(model, 'layers'):
        return _runs(model, model.name)
    found = {}
    for layer in all_layers(model):
        found.update(_runs(layer, layer.name))
    return found


def address(where):
    """The name of the recurrent layer an op ran in, from the op's location (``op.where``):
    the layer's name, with '/forward' or '/backward' inside a Bidirectional."""
    where = where or {}
    direction = where.get('direction')
    return f"{where.get('layer')}/{direction}" if direction else where.get('layer')


def require_recurrent_layer(model_or_layer, layer_name=None):
    """The name of the recurrent layer to look at (the first one when ``layer_name`` is
    None); refuses, before anything runs, a model with none or a name it does not have."""
    found = recurrent_layers(model_or_layer)
    is_model = hasattr(model_or_layer, 'layers')
    if not found:
        layers = all_layers(model_or_layer) if is_model else [model_or_layer]
        kinds = ', '.join(dict.fromkeys(type(layer).__name__ for layer in layers))
        what = (f"Model {model_or_layer.name!r} has no {KINDS}: its layers are {kinds}" if is_model
                else f"Layer {model_or_layer.name!r} is a {kinds}, not a {KINDS}")
        raise ValueError(f"{what}. gates and gradients_through_time look inside a recurrent layer; for the "
                         "others, see feature_maps(model, x, layer_name) or model.trace(x, y).")
    if layer_name is None:
        return next(iter(found))
    if layer_name in found:
        return layer_name
    names = ', '.join(repr(name) for name in found)
    both = [name for name in found if name.startswith(f'{layer_name}/')]
    hint = (f" Layer {layer_name!r} is a Bidirectional: it runs two recurrent layers with their own "
            f"weights; name one of them: {' or '.join(repr(name) for name in both)}." if both else '')
    owner = 'Model' if is_model else 'Layer'
    raise ValueError(f"{owner} {model_or_layer.name!r} has no {KINDS} named {layer_name!r}.{hint} "
                     f"Its recurrent layers are: {names}.")
