"""Keras 2 spellings of Keras 1 arguments: ``Dense(units=32)`` is ``Dense(output_dim=32)``.

Keras 2 renamed many arguments (``output_dim`` -> ``units``, ``init`` ->
``kernel_initializer``, ``border_mode`` -> ``padding``...). teachnet's layers are written
with the Keras 1 names; the table below translates the Keras 2 ones, for every layer, in
one place: ``Layer`` wraps each subclass's ``__init__`` with ``keras1_arguments``.

A Keras 2 name is translated for a constructor that takes the Keras 1 name and not the
Keras 2 one: ``strides`` is ``subsample`` for Convolution2D, ``stride`` for MaxPooling1D,
and stays ``strides`` for MaxPooling2D, whose Keras 1 name it is too. A Keras 2 argument
given as None is left out (None is its default), and both spellings given with different
values are refused.
"""
import functools
import inspect

#: Keras 2 name -> the Keras 1 name(s) of the same setting; a constructor takes the first it has
KERAS1_NAMES = {
    'units': ('output_dim',),
    'kernel_initializer': ('init',),
    'embeddings_initializer': ('init',),
    'recurrent_initializer': ('inner_init',),
    'kernel_regularizer': ('W_regularizer',),
    'embeddings_regularizer': ('W_regularizer',),
    'recurrent_regularizer': ('U_regularizer',),
    'bias_regularizer': ('b_regularizer',),
    'kernel_constraint': ('W_constraint',),
    'embeddings_constraint': ('W_constraint',),
    'recurrent_constraint': ('U_constraint',),
    'bias_constraint': ('b_constraint',),
    'use_bias': ('bias',),
    'recurrent_activation': ('inner_activation',),
    'unit_forget_bias': ('forget_bias_init',),
    'implementation': ('consume_less',),
    'rate': ('p',),
    'dropout': ('dropout_W',),
    'recurrent_dropout': ('dropout_U',),
    'filters': ('nb_filter',),
    'kernel_size': ('nb_row', 'filter_length'),     # Convolution2D reads a pair in nb_row as rows and cols
    'strides': ('subsample', 'subsample_length', 'stride'),
    'padding': ('border_mode',),
    'pool_size': ('pool_length',),
    'data_format': ('dim_ordering',),
    'size': ('length',),
    'dtype': ('input_dtype',),
}

#: Keras 2 values that Keras 1 spells otherwise: name -> {Keras 2 value: Keras 1 value}
KERAS1_VALUES = {
    'data_format': {'channels_first': 'th', 'channels_last': 'tf'},
    'implementation': {0: 'cpu', 1: 'mem', 2: 'gpu'},
    'unit_forget_bias': {True: 'one', False: None},    # None: the forget gate's bias starts as the others
}


def keras1_value(keras2_name, value):
    """``value`` as Keras 1 spells it: 'channels_first' -> 'th' for data_format."""
    try:
        return KERAS1_VALUES.get(keras2_name, {}).get(value, value)
    except TypeError:                                   # an unhashable value (a list) has one spelling
        return value


def _same(a, b):
    try:
        return bool(a == b)
    except (TypeError, ValueError):                     # arrays compare elementwise
        return a is b


def keras1_arguments(init):
    """``init`` (a layer's ``__init__``), also taking the Keras 2 names of the Keras 1
    arguments it has; a constructor with none of them is returned as it is."""
    parameters = inspect.signature(init).parameters
    renames = {}
    for keras2_name, keras1_names in KERAS1_NAMES.items():
        keras1_name = next((name for name in keras1_names if name in parameters), None)
        if keras1_name is not None and keras2_name not in parameters:
            renames[keras2_name] = keras1_name
    if not renames:
        return init
    positional = [name for name, p in parameters.items() if p.kind is p.POSITIONAL_OR_KEYWORD][1:]   # no self

    @functools.wraps(init)
    def init_with_keras2_names(self, *args, **kwargs):
        args = list(args)
        for keras2_name, keras1_name in renames.items():
            given = kwargs.pop(keras2_name, None)
            if given is None:
                continue
            value = keras1_value(keras2_name, given)
            position = positional.index(keras1_name) if keras1_name in positional[:len(args)] else None
            earlier = kwargs.get(keras1_name) if position is None else args[position]
            if earlier is not None and not _same(earlier, value):
                layer = f"{type(self).__name__} layer {kwargs['name']}" if kwargs.get('name') else \
                    f"{type(self).__name__} layer"
                raise ValueError(f"{layer}: {keras1_name}={earlier!r} and {keras2_name}={given!r} are two names "
                                 "for one setting and disagree; give one of them.")
            if position is None:
                kwargs[keras1_name] = value
            else:
                args[position] = value
        return init(self, *args, **kwargs)
    return init_with_keras2_names
