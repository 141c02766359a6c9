"""Layers: compositions of ops, each with its math in its docstring.

    from teachnet.layers import Dense, Activation, Dropout, Convolution2D, MaxPooling2D
"""
from teachnet.layers.registry import LAYER_CLASSES, register, deserialize
from teachnet.layers.base import Layer
from teachnet.layers.dense import Dense
from teachnet.layers.activation import Activation
from teachnet.layers.dropout import Dropout
from teachnet.layers.reshaping import Flatten, Reshape, Permute, RepeatVector
from teachnet.layers.lambda_layer import Lambda

for _core in (Dense, Activation, Dropout, Flatten, Reshape, Permute, RepeatVector, Lambda):
    register(_core)

from teachnet.layers.pooling import (  # noqa: E402  (pooling registers itself through `register`)
    MaxPooling1D, AveragePooling1D, MaxPooling2D, AveragePooling2D, GlobalMaxPooling1D,
    GlobalAveragePooling1D, GlobalMaxPooling2D, GlobalAveragePooling2D, MaxPool1D, AvgPool1D, MaxPool2D,
    AvgPool2D, GlobalMaxPool1D, GlobalAvgPool1D, GlobalMaxPool2D, GlobalAvgPool2D)
from teachnet.layers.merge import Merge  # noqa: E402
from teachnet.layers.convolutional import Convolution1D, Convolution2D, Conv1D, Conv2D  # noqa: E402
from teachnet.layers.image_reshaping import (  # noqa: E402
    ZeroPadding1D, ZeroPadding2D, UpSampling1D, UpSampling2D, Cropping2D)
from teachnet.layers.embeddings import Embedding, Masking  # noqa: E402
from teachnet.layers.recurrent import Recurrent, SimpleRNN, LSTM, GRU  # noqa: E402
from teachnet.layers.wrappers import TimeDistributed, Bidirectional  # noqa: E402

__all__ = ['Layer', 'Dense', 'Activation', 'Dropout', 'Flatten', 'Reshape', 'Permute', 'RepeatVector',
           'Lambda', 'Merge', 'LAYER_CLASSES', 'register', 'deserialize',
           'Convolution1D', 'Convolution2D', 'Conv1D', 'Conv2D', 'ZeroPadding1D', 'ZeroPadding2D',
           'UpSampling1D', 'UpSampling2D', 'Cropping2D', 'Embedding', 'Masking', 'Recurrent', 'SimpleRNN',
           'LSTM', 'GRU', 'TimeDistributed', 'Bidirectional',
           'MaxPooling1D', 'AveragePooling1D', 'MaxPooling2D', 'AveragePooling2D', 'GlobalMaxPooling1D',
           'GlobalAveragePooling1D', 'GlobalMaxPooling2D', 'GlobalAveragePooling2D', 'MaxPool1D', 'AvgPool1D',
           'MaxPool2D', 'AvgPool2D', 'GlobalMaxPool1D', 'GlobalAvgPool1D', 'GlobalMaxPool2D', 'GlobalAvgPool2D']

from teachnet.layers.input_layer import Input, InputLayer  # noqa: E402  (the functional API)
from teachnet.layers.merge_functions import (  # noqa: E402
    merge, concatenate, add, multiply, average, maximum, dot)

__all__ += ['Input', 'InputLayer', 'merge', 'concatenate', 'add', 'multiply', 'average', 'maximum', 'dot']
