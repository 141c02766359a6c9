"""Keras 2 spellings: one table (teachnet.layers.keras2_names), applied to every layer.

Each entry of the table is tried on a layer that has its Keras 1 name: the Keras 2
spelling must build the same layer as the Keras 1 one, and another layer than the
default, so the setting really arrived.
"""
import inspect

import pytest

from teachnet.layers import (GRU, LAYER_CLASSES, LSTM, Conv2D, Convolution1D, Convolution2D, Dense, Dropout,
                             Embedding, InputLayer, Layer, MaxPooling1D, MaxPooling2D, SimpleRNN, UpSampling1D)
from teachnet.layers.keras2_names import KERAS1_NAMES
from teachnet.regularizers import l2

pytestmark = pytest.mark.backend_independent          # constructors only: no arrays

REG = l2(0.01)
CONV2D = {'nb_filter': 4, 'nb_row': 3, 'nb_col': 3}

#: (layer class, the other arguments, the Keras 2 spelling, the Keras 1 one)
CASES = [
    (Dense, {}, {'units': 7}, {'output_dim': 7}),
    (Dense, {'output_dim': 2}, {'kernel_initializer': 'he_normal'}, {'init': 'he_normal'}),
    (Embedding, {'input_dim': 5, 'output_dim': 2}, {'embeddings_initializer': 'zero'}, {'init': 'zero'}),
    (LSTM, {'output_dim': 2}, {'recurrent_initializer': 'zero'}, {'inner_init': 'zero'}),
    (Dense, {'output_dim': 2}, {'kernel_regularizer': REG}, {'W_regularizer': REG}),
    (Embedding, {'input_dim': 5, 'output_dim': 2}, {'embeddings_regularizer': REG}, {'W_regularizer': REG}),
    (SimpleRNN, {'output_dim': 2}, {'recurrent_regularizer': REG}, {'U_regularizer': REG}),
    (Dense, {'output_dim': 2}, {'bias_regularizer': REG}, {'b_regularizer': REG}),
    (Dense, {'output_dim': 2}, {'kernel_constraint': 'maxnorm'}, {'W_constraint': 'maxnorm'}),
    (Embedding, {'input_dim': 5, 'output_dim': 2}, {'embeddings_constraint': 'maxnorm'}, {'W_constraint': 'maxnorm'}),
    (GRU, {'output_dim': 2}, {'recurrent_constraint': 'maxnorm'}, {'U_constraint': 'maxnorm'}),
    (Dense, {'output_dim': 2}, {'bias_constraint': 'maxnorm'}, {'b_constraint': 'maxnorm'}),
    (Dense, {'output_dim': 2}, {'use_bias': False}, {'bias': False}),
    (GRU, {'output_dim': 2}, {'recurrent_activation': 'sigmoid'}, {'inner_activation': 'sigmoid'}),
    (LSTM, {'output_dim': 2}, {'unit_forget_bias': False}, {'forget_bias_init': 'zero'}),
    (LSTM, {'output_dim': 2}, {'implementation': 2}, {'consume_less': 'gpu'}),
    (Dropout, {}, {'rate': 0.3}, {'p': 0.3}),
    (SimpleRNN, {'output_dim': 2}, {'dropout': 0.2}, {'dropout_W': 0.2}),
    (GRU, {'output_dim': 2}, {'recurrent_dropout': 0.2}, {'dropout_U': 0.2}),
    (Convolution2D, {'nb_row': 3, 'nb_col': 3}, {'filters': 4}, {'nb_filter': 4}),
    (Convolution2D, {'nb_filter': 4}, {'kernel_size': (3, 2)}, {'nb_row': 3, 'nb_col': 2}),
    (Convolution1D, {'nb_filter': 4}, {'kernel_size': 3}, {'filter_length': 3}),
    (Convolution2D, CONV2D, {'strides': (2, 1)}, {'subsample': (2, 1)}),
    (Convolution1D, {'nb_filter': 4, 'filter_length': 3}, {'strides': 2}, {'subsample_length': 2}),
    (MaxPooling1D, {}, {'strides': 1}, {'stride': 1}),
    (Convolution2D, CONV2D, {'padding': 'same'}, {'border_mode': 'same'}),
    (MaxPooling1D, {}, {'pool_size': 3}, {'pool_length': 3}),
    (MaxPooling2D, {}, {'data_format': 'channels_last'}, {'dim_ordering': 'tf'}),
    (UpSampling1D, {}, {'size': 3}, {'length': 3}),
    (InputLayer, {'input_shape': (3,)}, {'dtype': 'int32'}, {'input_dtype': 'int32'}),
]


def outcome(layer_class, **kwargs):
    """The layer's config without its name, or the error it was refused with."""
    try:
        layer = layer_class(name='same', **kwargs)
    except (TypeError, ValueError) as error:
        return f'{type(error).__name__}: {error}'
    config = layer.get_config()
    del config['name']
    return config


def test_every_entry_of_the_table_is_tried():
    tried = {(next(iter(keras2)), next(iter(keras1))) for _, _, keras2, keras1 in CASES}
    assert tried == {(keras2, keras1) for keras2, names in KERAS1_NAMES.items() for keras1 in names}


@pytest.mark.parametrize('layer_class, others, keras2, keras1', CASES,
                         ids=[f'{next(iter(c[2]))}-{c[0].__name__}' for c in CASES])
def test_the_keras2_spelling_reaches_the_layer(layer_class, others, keras2, keras1):
    default = outcome(layer_class, **others)
    result = outcome(layer_class, **others, **keras2)
    assert result == outcome(layer_class, **others, **keras1) != default
    if isinstance(result, str):                  # refused (weight constraints): the error names the setting
        assert f'{next(iter(keras1))}=' in result


@pytest.mark.parametrize('make, words', [
    (lambda: Dense(3, units=4), r'Dense layer: output_dim=3 and units=4 are two names for one setting and disagree'),
    (lambda: Dropout(0.2, rate=0.5, name='drop'), r'Dropout layer drop: p=0.2 and rate=0.5'),
    (lambda: MaxPooling1D(pool_length=2, pool_size=3), r'pool_length=2 and pool_size=3'),
    (lambda: Conv2D(8, (3, 3), kernel_size=(2, 2)), r'nb_row=\(3, 3\) and kernel_size=\(2, 2\)'),
    (lambda: LSTM(4, forget_bias_init='one', unit_forget_bias=False),
     r"forget_bias_init='one' and unit_forget_bias=False"),
    (lambda: MaxPooling2D(dim_ordering='th', data_format='channels_last'),
     r"dim_ordering='th' and data_format='channels_last'"),
], ids=['units', 'rate-positional', 'pool_size', 'kernel_size', 'unit_forget_bias', 'data_format'])
def test_both_spellings_with_different_values_are_refused(make, words):
    with pytest.raises(ValueError, match=words):
        make()


def test_both_spellings_that_agree_and_keras2_nones_are_accepted():
    assert Dense(3, units=3).output_dim == 3
    assert MaxPooling2D(dim_ordering='tf', data_format='channels_last').data_format == 'channels_last'
    dense = Dense(units=3, W_regularizer=REG, kernel_regularizer=None, use_bias=None)
    assert dense.W_regularizer is REG and dense.use_bias is True


def test_names_in_no_table_are_still_refused():
    with pytest.raises(TypeError, match='unexpected keyword argument.*kernel_size'):
        Dense(3, kernel_size=3)


def test_a_layer_of_your_own_takes_the_keras2_names_too():
    class Scale(Layer):
        def __init__(self, output_dim, init='one', **kwargs):
            super().__init__(**kwargs)
            self.output_dim, self.init = output_dim, init

    layer = Scale(units=4, kernel_initializer='zero', name='scale')
    assert (layer.output_dim, layer.init, layer.name) == (4, 'zero', 'scale')


def test_constructors_are_written_with_one_name_per_setting():
    """No constructor names both spellings of a setting: the table translates them."""
    both = []
    for layer_class in LAYER_CLASSES.values():
        for cls in layer_class.__mro__:
            if issubclass(cls, Layer) and '__init__' in cls.__dict__:
                names = inspect.signature(cls.__init__).parameters
                both += [f'{cls.__name__}({keras1}, {keras2})' for keras2, keras1_names in KERAS1_NAMES.items()
                         for keras1 in keras1_names if keras2 in names and keras1 in names]
    assert not both
