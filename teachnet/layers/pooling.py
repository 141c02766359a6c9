"""Pooling layers: shrink feature maps by summarising small windows.

A pooling layer slides a window over the steps of a sequence (1-D) or over the rows and
columns of an image (2-D) and keeps one number per window and channel: the largest
(max pooling) or the mean (average pooling). With ``pool_size=(2, 2)`` and the default
strides (the pool size) each 2 x 2 block of an image becomes one pixel, so the rows and
columns halve while the channels stay. Pooling has no weights; its backward pass sends
each window's gradient back to the input that won it (max) or spreads it evenly (average).
The math and the vectorised computation are in teachnet/ops/pooling.py.

Global pooling keeps one number per channel for the whole sequence or image:
(batch, rows, cols, channels) -> (batch, channels).

Images are channels-first by default, (batch, channels, rows, cols), as in the Keras 1
guide; ``dim_ordering='tf'`` (Keras 2: ``data_format='channels_last'``) takes
(batch, rows, cols, channels). Sequences are (batch, steps, features).
"""
from teachnet.layers.registry import register
from teachnet.layers.base import Layer
from teachnet.layers.conv_utils import (conv_output_length, normalize_data_format, normalize_padding,
                                        normalize_tuple)
from teachnet.ops.pooling import avg_pool, global_avg_pool, global_max_pool, max_pool, spatial_axes
from teachnet.utils.shapes import format_shape

_KERAS1_ORDERING = {'channels_first': 'th', 'channels_last': 'tf'}


def _data_format(layer, value):
    try:
        return normalize_data_format(value)
    except ValueError as error:
        raise ValueError(f"Layer {layer.name}: {error}") from None


class _Pooling(Layer):
    """What 1-D and 2-D pooling share: the window, the strides, the padding and the shapes.

    Subclasses set ``rank`` (spatial axes), ``mode`` ('max' or 'avg'), ``axis_names``
    and, in ``__init__``, ``pool_size``, ``strides``, ``padding`` and ``data_format``.
    """
    rank = None
    mode = None

    def _set_window(self, pool_size, strides, padding):
        self.pool_size = normalize_tuple(pool_size, self.rank, 'pool_size', self.name)
        self.strides = self.pool_size if strides is None else normalize_tuple(strides, self.rank, 'strides',
                                                                               self.name)
        self.padding = normalize_padding(padding, self.name)

    def spatial_axes(self):
        """Axes of the input (batch included) that the window slides along."""
        return spatial_axes(self.rank + 2, self.data_format)

    def expected_input(self):
        names = ('channels',) + self.axis_names if self.data_format == 'channels_first' \
            else self.axis_names + ('channels',)
        return '(batch, ' + ', '.join(names) + ')'

    def check_input(self, input_shape):
        super().check_input(input_shape)
        what = f"Layer {self.name} ({type(self).__name__})"
        if len(input_shape) != self.rank + 2:
            raise ValueError(f"{what} expects a {self.rank + 2}-D input {self.expected_input()}, "
                             f"got input shape {format_shape(input_shape)}.")
        for axis, size in zip(self.spatial_axes(), self.pool_size):
            length = input_shape[axis]
            if self.padding == 'valid' and length is not None and size > length:
                raise ValueError(f"{what}: pool_size {self.pool_size} does not fit in input of shape "
                                 f"{format_shape(input_shape)} {self.expected_input()} with 'valid' padding "
                                 f"(border_mode); use a smaller pool or padding 'same'.")

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        for axis, size, stride in zip(self.spatial_axes(), self.pool_size, self.strides):
            shape[axis] = conv_output_length(input_shape[axis], size, self.padding, stride)
        return tuple(shape)

    def call(self, x, training=False):
        pool = max_pool if self.mode == 'max' else avg_pool
        return pool(x, self.pool_size, self.strides, self.padding, self.data_format)


class _Pooling1D(_Pooling):
    """Pooling over the steps of sequences.

    # Arguments
        pool_length (Keras 2: pool_size): the window length, 2 by default.
        stride (strides): how far the window moves; None means the pool length.
        border_mode (padding): 'valid' (only windows inside the sequence) or 'same'
            (padded so that there are ⌈steps / stride⌉ windows).

    # Input shape
        (batch, steps, features)

    # Output shape
        (batch, pooled_steps, features)
    """
    rank, axis_names = 1, ('steps',)

    def __init__(self, pool_length=2, stride=None, border_mode='valid', **kwargs):
        super().__init__(**kwargs)
        self.data_format = 'channels_last'
        self._set_window(pool_length, stride, border_mode)

    def get_config(self):
        config = super().get_config()
        config.update(pool_length=self.pool_size[0], stride=self.strides[0], border_mode=self.padding)
        return config


class _Pooling2D(_Pooling):
    """Pooling over the rows and columns of images.

    # Arguments
        pool_size: (rows, cols) of the window, or one int for both; (2, 2) by default.
        strides: (rows, cols) the window moves by; None means the pool size.
        border_mode (Keras 2: padding): 'valid' or 'same'.
        dim_ordering (data_format): 'th' / 'channels_first' or 'tf' / 'channels_last';
            by default the global image data format (channels first unless changed).

    # Input shape
        (batch, channels, rows, cols) channels first, (batch, rows, cols, channels) last.

    # Output shape
        (batch, channels, pooled_rows, pooled_cols), or (batch, pooled_rows, pooled_cols, channels).
    """
    rank, axis_names = 2, ('rows', 'cols')

    def __init__(self, pool_size=(2, 2), strides=None, border_mode='valid', dim_ordering='default', **kwargs):
        super().__init__(**kwargs)
        self.data_format = _data_format(self, dim_ordering)
        self._set_window(pool_size, strides, border_mode)

    def get_config(self):
        config = super().get_config()
        config.update(pool_size=self.pool_size, strides=self.strides, border_mode=self.padding,
                      dim_ordering=_KERAS1_ORDERING[self.data_format])
        return config


@register
class MaxPooling1D(_Pooling1D):
    __doc__ = """Max pooling over steps: y_t = max of x over the window of steps t·S ... t·S + F - 1,
    for each feature. Ties go to the first maximum in the window.
    """ + _Pooling1D.__doc__ + """
    # Example
        model.add(MaxPooling1D(pool_length=2))      # (batch, 10, 64) -> (batch, 5, 64)
    """
    mode = 'max'


@register
class AveragePooling1D(_Pooling1D):
    __doc__ = """Average pooling over steps: y_t = the mean of x over the window's real (unpadded)
    steps, for each feature.
    """ + _Pooling1D.__doc__ + """
    # Example
        model.add(AveragePooling1D(pool_length=3, stride=1, border_mode='same'))
    """
    mode = 'avg'


@register
class MaxPooling2D(_Pooling2D):
    __doc__ = """Max pooling over rows and columns: y_ij = max of x over window (i, j), for each
    channel. Ties go to the first maximum of the window (row by row). ``layer.trace(x)``
    shows which input won each window.
    """ + _Pooling2D.__doc__ + """
    # Example
        model.add(MaxPooling2D(pool_size=(2, 2)))    # (batch, 32, 98, 98) -> (batch, 32, 49, 49)
    """
    mode = 'max'


@register
class AveragePooling2D(_Pooling2D):
    __doc__ = """Average pooling over rows and columns: y_ij = the mean of x over the real
    (unpadded) elements of window (i, j), for each channel.
    """ + _Pooling2D.__doc__ + """
    # Example
        model.add(AveragePooling2D(pool_size=(2, 2), strides=(1, 1), border_mode='same'))
    """
    mode = 'avg'


# ----------------------------------------------------------------------------- global pooling

class _GlobalPooling(Layer):
    """One number per channel over every spatial position (a max or a mean)."""
    rank = None
    mode = None
    data_format = 'channels_last'

    def check_input(self, input_shape):
        super().check_input(input_shape)
        if len(input_shape) != self.rank + 2:
            raise ValueError(f"Layer {self.name} ({type(self).__name__}) expects a {self.rank + 2}-D input "
                             f"{self.expected_input}, got input shape {format_shape(input_shape)}.")

    def compute_output_shape(self, input_shape):
        channels = input_shape[1] if self.data_format == 'channels_first' else input_shape[-1]
        return (input_shape[0], channels)

    def call(self, x, training=False):
        pool = global_max_pool if self.mode == 'max' else global_avg_pool
        return pool(x, self.data_format)


class _GlobalPooling1D(_GlobalPooling):
    """Over all steps of sequences.

    # Input shape
        (batch, steps, features)

    # Output shape
        (batch, features)
    """
    rank, expected_input = 1, '(batch, steps, features)'


class _GlobalPooling2D(_GlobalPooling):
    """Over all rows and columns of images.

    # Arguments
        dim_ordering (Keras 2: data_format): 'th' / 'channels_first' or 'tf' / 'channels_last';
            by default the global image data format.

    # Input shape
        (batch, channels, rows, cols) channels first, (batch, rows, cols, channels) last.

    # Output shape
        (batch, channels)
    """
    rank = 2

    def __init__(self, dim_ordering='default', **kwargs):
        super().__init__(**kwargs)
        self.data_format = _data_format(self, dim_ordering)

    @property
    def expected_input(self):
        return '(batch, channels, rows, cols)' if self.data_format == 'channels_first' \
            else '(batch, rows, cols, channels)'

    def get_config(self):
        config = super().get_config()
        config['dim_ordering'] = _KERAS1_ORDERING[self.data_format]
        return config


@register
class GlobalMaxPooling1D(_GlobalPooling1D):
    __doc__ = """The largest value of each feature over all steps: y_f = max_t x_tf.
    Positions tying for the maximum share its gradient equally.
    """ + _GlobalPooling1D.__doc__
    mode = 'max'


@register
class GlobalAveragePooling1D(_GlobalPooling1D):
    __doc__ = """The mean of each feature over all steps: y_f = (1/T) Σ_t x_tf.
    """ + _GlobalPooling1D.__doc__
    mode = 'avg'


@register
class GlobalMaxPooling2D(_GlobalPooling2D):
    __doc__ = """The largest value of each channel over the whole image: y_c = max_ij x_ijc.
    Positions tying for the maximum share its gradient equally.
    """ + _GlobalPooling2D.__doc__
    mode = 'max'


@register
class GlobalAveragePooling2D(_GlobalPooling2D):
    __doc__ = """The mean of each channel over the whole image: y_c = (1/(rows·cols)) Σ_ij x_ijc.
    """ + _GlobalPooling2D.__doc__
    mode = 'avg'


# Keras 2's short names
MaxPool1D, AvgPool1D, MaxPool2D, AvgPool2D = MaxPooling1D, AveragePooling1D, MaxPooling2D, AveragePooling2D
GlobalMaxPool1D, GlobalAvgPool1D = GlobalMaxPooling1D, GlobalAveragePooling1D
GlobalMaxPool2D, GlobalAvgPool2D = GlobalMaxPooling2D, GlobalAveragePooling2D
