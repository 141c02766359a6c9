"""Layers that resize images and sequences without weights: ZeroPadding, UpSampling, Cropping.

* ZeroPadding adds rows and columns of zeros around each feature map (so that a following
  'valid' convolution keeps the size); backward drops the gradient of those zeros.
* UpSampling repeats every pixel ``size`` times along each axis (nearest neighbour):
  y[i, j] = x[⌊i / s_r⌋, ⌊j / s_c⌋]; backward adds up the gradients of the copies.
* Cropping cuts rows and columns off the borders; backward puts zeros where they were.

Images are channels first by default (``teachnet.backend.image_data_format()``); a layer's
``dim_ordering='tf'`` / ``data_format='channels_last'`` says otherwise. Sequences are
(batch, steps, features).
"""
from teachnet.layers.registry import register
from teachnet.layers.base import Layer
from teachnet.layers.conv_utils import normalize_data_format, normalize_tuple
from teachnet.ops import functions as F
from teachnet.ops.convolution import zero_pad
from teachnet.utils.shapes import format_shape


def _pairs(value, what, layer):
    """((before, after), (before, after)) for two axes, from an int, (rows, cols),
    ((top, bottom), (left, right)), Keras 1's (top, bottom, left, right) or its dict."""
    if isinstance(value, dict):
        value = tuple(value.get(key, 0) for key in ('top_pad', 'bottom_pad', 'left_pad', 'right_pad'))
    if isinstance(value, int) and not isinstance(value, bool):
        value = (value, value)
    value = tuple(tuple(v) if isinstance(v, (tuple, list)) else v for v in value)
    if len(value) == 4 and all(isinstance(v, int) for v in value):
        value = (value[:2], value[2:])
    elif len(value) == 2 and all(isinstance(v, int) for v in value):
        value = ((value[0], value[0]), (value[1], value[1]))
    if not (len(value) == 2 and all(isinstance(pair, tuple) and len(pair) == 2 and all(
            isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in pair) for pair in value)):
        raise ValueError(f"Layer {layer}: {what} must be an int, (rows, cols), ((top, bottom), (left, right)) "
                         f"of non-negative integers, got {value!r}.")
    return value


def _pair(value, what, layer):
    """(before, after) for one axis, from an int or a pair of non-negative ints."""
    pair = (value, value) if isinstance(value, int) and not isinstance(value, bool) else tuple(value)
    if len(pair) != 2 or not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in pair):
        raise ValueError(f"Layer {layer}: {what} must be an int or a pair (before, after) of non-negative "
                         f"integers, got {value!r}.")
    return pair


def _check_rank(layer, input_shape, rank, expected):
    if len(input_shape) != rank:
        raise ValueError(f"Layer {layer.name} ({type(layer).__name__}) expects {rank}-D input {expected}, "
                         f"got input shape {format_shape(input_shape)}.")


class _ImageLayer(Layer):
    """A layer over images whose rows and columns sit where ``data_format`` puts them."""

    def __init__(self, dim_ordering='default', **kwargs):
        super().__init__(**kwargs)
        self.data_format = normalize_data_format(dim_ordering)

    @property
    def spatial_axes(self):
        return (2, 3) if self.data_format == 'channels_first' else (1, 2)

    def check_input(self, input_shape):
        super().check_input(input_shape)
        _check_rank(self, input_shape, 4, '(batch, channels, rows, cols)' if self.data_format == 'channels_first'
                    else '(batch, rows, cols, channels)')

    def get_config(self):
        config = super().get_config()
        config['dim_ordering'] = 'th' if self.data_format == 'channels_first' else 'tf'
        return config


def _grown(shape, axes, amounts):
    """``shape`` with each axis in ``axes`` grown by (before + after) of ``amounts`` (None stays None)."""
    shape = list(shape)
    for axis, (before, after) in zip(axes, amounts):
        shape[axis] = None if shape[axis] is None else shape[axis] + before + after
    return tuple(shape)


@register
class ZeroPadding1D(Layer):
    """Adds zeros at the start and end of each sequence: (batch, steps, features) ->
    (batch, left + steps + right, features).

    # Arguments
        padding: an int (the same on both sides) or (left, right).
    """

    def __init__(self, padding=1, **kwargs):
        super().__init__(**kwargs)
        self.padding = _pair(padding, 'padding', self.name)

    def check_input(self, input_shape):
        super().check_input(input_shape)
        _check_rank(self, input_shape, 3, '(batch, steps, features)')

    def compute_output_shape(self, input_shape):
        return _grown(input_shape, (1,), (self.padding,))

    def call(self, x, training=False):
        return zero_pad(x, ((0, 0), self.padding, (0, 0)))

    def get_config(self):
        config = super().get_config()
        config['padding'] = self.padding
        return config


@register
class ZeroPadding2D(_ImageLayer):
    """Adds rows and columns of zeros around each feature map.

    # Arguments
        padding: an int, (rows, cols) for the same amount on both sides,
            ((top, bottom), (left, right)), or Keras 1's (top, bottom, left, right).
        dim_ordering (data_format): 'th' / 'channels_first' or 'tf' / 'channels_last'.

    # Input shape
        (batch, channels, rows, cols) channels first, else (batch, rows, cols, channels).

    # Output shape
        rows + top + bottom and cols + left + right in place of rows and cols.
    """

    def __init__(self, padding=(1, 1), **kwargs):
        super().__init__(**kwargs)
        self.padding = _pairs(padding, 'padding', self.name)

    def compute_output_shape(self, input_shape):
        return _grown(input_shape, self.spatial_axes, self.padding)

    def call(self, x, training=False):
        pad_width = [(0, 0)] * 4
        for axis, pair in zip(self.spatial_axes, self.padding):
            pad_width[axis] = pair
        return zero_pad(x, pad_width)

    def get_config(self):
        config = super().get_config()
        (top, bottom), (left, right) = self.padding
        config['padding'] = (top, left) if (top, left) == (bottom, right) else (top, bottom, left, right)
        return config


@register
class UpSampling1D(Layer):
    """Repeats each step ``length`` times: (batch, steps, features) -> (batch, steps·length, features).

    # Arguments
        length (Keras 2: size): how many copies of each step.
    """

    def __init__(self, length=2, **kwargs):
        super().__init__(**kwargs)
        (self.length,) = normalize_tuple(length, 1, 'length (size)', self.name)

    def check_input(self, input_shape):
        super().check_input(input_shape)
        _check_rank(self, input_shape, 3, '(batch, steps, features)')

    def compute_output_shape(self, input_shape):
        steps = input_shape[1]
        return (input_shape[0], None if steps is None else steps * self.length, input_shape[2])

    def call(self, x, training=False):
        return F.repeat_elements(x, self.length, axis=1)

    def get_config(self):
        config = super().get_config()
        config['length'] = self.length
        return config


@register
class UpSampling2D(_ImageLayer):
    """Repeats each row ``size[0]`` times and each column ``size[1]`` times (nearest neighbour).

    y[.., i, j] = x[.., ⌊i / size[0]⌋, ⌊j / size[1]⌋]

    # Arguments
        size: an int or (rows, cols): the upsampling factors.
        dim_ordering (data_format): 'th' / 'channels_first' or 'tf' / 'channels_last'.

    # Output shape
        rows·size[0] and cols·size[1] in place of rows and cols.
    """

    def __init__(self, size=(2, 2), **kwargs):
        super().__init__(**kwargs)
        self.size = normalize_tuple(size, 2, 'size', self.name)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        for axis, factor in zip(self.spatial_axes, self.size):
            shape[axis] = None if shape[axis] is None else shape[axis] * factor
        return tuple(shape)

    def call(self, x, training=False):
        for axis, factor in zip(self.spatial_axes, self.size):
            if factor > 1:
                x = F.repeat_elements(x, factor, axis=axis)
        return x

    def get_config(self):
        config = super().get_config()
        config['size'] = self.size
        return config


@register
class Cropping2D(_ImageLayer):
    """Cuts rows and columns off the borders of each feature map.

    # Arguments
        cropping: ((top, bottom), (left, right)); an int or (rows, cols) crops the same on
            both sides.
        dim_ordering (data_format): 'th' / 'channels_first' or 'tf' / 'channels_last'.

    # Output shape
        rows - top - bottom and cols - left - right in place of rows and cols.
    """

    def __init__(self, cropping=((0, 0), (0, 0)), **kwargs):
        super().__init__(**kwargs)
        self.cropping = _pairs(cropping, 'cropping', self.name)

    def check_input(self, input_shape):
        super().check_input(input_shape)
        for axis, (before, after) in zip(self.spatial_axes, self.cropping):
            if input_shape[axis] is not None and before + after >= input_shape[axis]:
                raise ValueError(f"Layer {self.name} (Cropping2D): cropping {self.cropping} removes "
                                 f"{before + after} of the {input_shape[axis]} entries of axis {axis} of its input "
                                 f"{format_shape(input_shape)}; at least one must remain.")

    def compute_output_shape(self, input_shape):
        return _grown(input_shape, self.spatial_axes, [(-b, -a) for b, a in self.cropping])

    def call(self, x, training=False):
        index = [slice(None)] * 4
        for axis, (before, after) in zip(self.spatial_axes, self.cropping):
            index[axis] = slice(before, x.shape[axis] - after)
        return F.getitem(x, tuple(index))

    def get_config(self):
        config = super().get_config()
        config['cropping'] = self.cropping
        return config
