"""The feature map explorer: every conv and pooling layer, the chosen image's maps, the filters."""
import io

import numpy as np
import pytest
from matplotlib import image as mpimage

from teachnet.backend import array_module as am
from teachnet.inspect import feature_maps
from teachnet.inspect.image_layers import image_layers, layer_filters, sample_maps
from teachnet.layers import Convolution2D, Dense, Flatten, Input, MaxPooling2D, Merge, merge
from teachnet.models import Model, Sequential
from teachnet.widgets import FeatureMaps


def images(channels_first=True, seed=4):
    shape = (3, 2, 8, 8) if channels_first else (3, 8, 8, 2)
    return np.random.RandomState(seed).rand(*shape)


def test_channels_come_first_whatever_the_layout():
    for ordering, first in (('th', True), ('tf', False)):
        am.seed(4)
        shape = (2, 8, 8) if first else (8, 8, 2)
        model = Sequential([Convolution2D(4, 3, 3, input_shape=shape, dim_ordering=ordering, name='c'),
                            MaxPooling2D(dim_ordering=ordering, name='p'), Flatten(), Dense(1)])
        x = images(first)
        maps = feature_maps(model, x, 'c')
        expected = maps[1] if first else np.moveaxis(maps[1], -1, 0)
        np.testing.assert_allclose(sample_maps(model, x, 'c', sample=1), expected)
        kernel = model.layers[0].get_weights()[0]                       # (rows, cols, in, out)
        np.testing.assert_allclose(layer_filters(model, 'c')[3, 1], kernel[:, :, 1, 3])
        assert layer_filters(model, 'p') is None


def test_the_dropdown_lists_conv_and_pooling_layers_inside_merge_branches_and_graphs():
    left = Sequential([Convolution2D(2, 3, 3, input_shape=(2, 8, 8), dim_ordering='th', name='left_conv'),
                       Flatten()])
    right = Sequential([MaxPooling2D(input_shape=(2, 8, 8), dim_ordering='th', name='right_pool'), Flatten()])
    merged = Sequential([Merge([left, right], mode='concat'), Dense(1)])
    assert image_layers(merged) == ['left_conv', 'right_pool']
    a = Input(shape=(2, 8, 8))
    b = Convolution2D(3, 3, 3, dim_ordering='th', name='g_conv')(a)
    out = Dense(1)(Flatten()(MaxPooling2D(dim_ordering='th', name='g_pool')(b)))
    assert image_layers(Model(input=a, output=out)) == ['g_conv', 'g_pool']


def png_size(data):
    return mpimage.imread(io.BytesIO(data)).shape[:2]


def test_choosing_a_layer_and_an_image_shows_its_maps_and_filters():
    am.seed(5)
    model = Sequential([Convolution2D(4, 3, 3, input_shape=(2, 8, 8), dim_ordering='th', name='c'),
                        MaxPooling2D(dim_ordering='th', name='p'), Flatten(), Dense(1)])
    x = images()
    explorer = FeatureMaps(model, x)
    assert 'teachnet-explorer' in explorer.widget._dom_classes
    assert list(explorer.layer.options) == ['c', 'p']
    np.testing.assert_allclose(explorer.maps, sample_maps(model, x, 'c', 0))
    assert explorer.filters.shape == (4, 2, 3, 3) and 'filters' in explorer.filters_caption.value
    first = explorer.maps_image.value
    explorer.sample.value = 2
    np.testing.assert_allclose(explorer.maps, sample_maps(model, x, 'c', 2))
    assert explorer.maps_image.value != first and 'image 2' in explorer.caption.value
    explorer.layer.value = 'p'
    assert explorer.maps.shape == (4, 3, 3) and explorer.filters is None
    assert explorer.filters_image.layout.display == 'none' and 'pooling' in explorer.filters_caption.value
    assert png_size(explorer.maps_image.value)[0] >= 3


def test_a_model_without_images_is_refused():
    model = Sequential([Dense(1, input_dim=3)])
    with pytest.raises(ValueError, match='no convolution or pooling'):
        FeatureMaps(model, np.ones((1, 3)))
