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
from teachnet.widgets.filters import RGB, channel_grid, filters_png, rgb_grid


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


def test_the_channel_picker_shows_each_input_channels_kernels_on_one_signed_scale():
    am.seed(6)
    model = Sequential([Convolution2D(4, 3, 3, input_shape=(2, 8, 8), dim_ordering='th', name='c'), Flatten()])
    explorer = FeatureMaps(model, images())
    kernels = layer_filters(model, 'c')
    assert [label for label, _ in explorer.channel.options] == ['input channel 0', 'input channel 1']
    assert 'input channel 0 of 2' in explorer.filters_caption.value
    first = explorer.filters_image.value
    explorer.channel.value = 1
    assert explorer.filters_image.value == filters_png(kernels, 1) != first
    assert 'input channel 1 of 2' in explorer.filters_caption.value
    grid, bound = channel_grid(kernels, 1)
    assert bound == np.abs(kernels[:, 1]).max()
    np.testing.assert_allclose(grid[:3, 4:7], kernels[1, 1])            # filter 1, after a gap of one pixel
    assert grid[0, 3] == 0                                              # the gap: white
    explorer.layer.value = 'c'                                          # (re-choosing keeps it working)
    assert explorer.channel.layout.display == ''


def test_three_input_channels_are_drawn_as_red_green_and_blue():
    am.seed(7)
    model = Sequential([Convolution2D(2, 3, 3, input_shape=(6, 6, 3), dim_ordering='tf', name='colour'),
                        Flatten()])
    kernel, bias = model.layers[0].get_weights()                       # (3, 3, in, out)
    kernel[:] = 0
    kernel[:, :, 0, 0] = 1.0                                            # filter 0 looks for red
    kernel[:, :, 2, 1] = -1.0                                           # filter 1 is against blue
    model.layers[0].set_weights([kernel, bias])
    explorer = FeatureMaps(model, np.random.RandomState(7).rand(2, 6, 6, 3))
    assert explorer.channel.value == RGB and 'red, green and blue' in explorer.filters_caption.value
    assert explorer.filters_image.value == filters_png(layer_filters(model, 'colour'), RGB)
    colours = rgb_grid(layer_filters(model, 'colour'))
    np.testing.assert_allclose(colours[1, 1], [1.0, 0.5, 0.5])          # red
    np.testing.assert_allclose(colours[1, 5], [0.5, 0.5, 0.0])          # no blue: yellowish
    assert png_size(explorer.filters_image.value)[0] >= 3
    explorer.channel.value = 2
    assert explorer.filters_image.value == filters_png(layer_filters(model, 'colour'), 2)


def test_a_shared_convolution_gets_a_picker_of_its_call():
    am.seed(8)
    a, b = Input(shape=(2, 8, 8)), Input(shape=(2, 8, 8))
    shared = Convolution2D(3, 3, 3, dim_ordering='th', name='shared')
    joined = merge([Flatten()(shared(a)), Flatten()(shared(b))], mode='concat')
    model = Model(input=[a, b], output=Dense(1)(joined))
    x = [images(seed=8), images(seed=9)]
    explorer = FeatureMaps(model, x)
    assert explorer.calls == 2 and explorer.node_index.layout.display == ''
    np.testing.assert_allclose(explorer.maps, sample_maps(model, x, 'shared', 0, node_index=0))
    explorer.node_index.value = 1
    np.testing.assert_allclose(explorer.maps, sample_maps(model, x, 'shared', 0, node_index=1))
    assert 'call 1 of 2' in explorer.caption.value
    assert not np.allclose(explorer.maps, sample_maps(model, x, 'shared', 0, node_index=0))
    assert FeatureMaps(model, x, node_index=1).node_index.value == 1
    with pytest.raises(ValueError, match='node_index must be 0 to 1'):
        FeatureMaps(model, x, node_index=2)


def test_layers_of_a_model_used_inside_a_functional_graph_are_listed_and_shown():
    am.seed(9)
    inner = Sequential([Convolution2D(2, 3, 3, input_shape=(2, 8, 8), dim_ordering='th', name='inner_conv'),
                        MaxPooling2D(dim_ordering='th', name='inner_pool')])
    a = Input(shape=(2, 8, 8))
    model = Model(input=a, output=Dense(1)(Flatten()(inner(a))))
    explorer = FeatureMaps(model, images(), layer='inner_pool')
    assert list(explorer.layer.options) == ['inner_conv', 'inner_pool'] and explorer.filters is None
    np.testing.assert_allclose(explorer.maps, sample_maps(model, images(), 'inner_pool', 0))
    assert explorer.node_index.layout.display == 'none' and explorer.channel.layout.display == 'none'
    with pytest.raises(ValueError, match="no convolution or pooling layer of that name; they are: inner_conv"):
        FeatureMaps(model, images(), layer='nope')
