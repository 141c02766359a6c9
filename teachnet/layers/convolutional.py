"""Convolution layers: small filters slid over an image (2-D) or a sequence (1-D).

A Dense layer connects every input to every unit. A convolution layer instead looks at a
small window (3x3 pixels, say) at a time, and uses the *same* filter weights at every
position: a filter that detects an edge detects it anywhere in the image. Each of the
``nb_filter`` filters gives one feature map:

    z[n,k,i,j] = Σ_{a,b,c} x[n, c, i·s+a, j·s+b] · W[a,b,c,k] + b_k       (channels first)

and the layer returns a = f(z) for its activation f. The computation itself (im2col and
one matrix product) lives in ``teachnet.ops.convolution``; the shape arithmetic
('valid' and 'same' padding, strides) in ``conv_utils``.

The kernel is stored as (rows, cols, in, out) -- Keras 2's layout -- whatever the image
layout, so weights move to and from Keras unchanged.
"""
from teachnet import activations, initializers, regularizers
from teachnet.layers.registry import register
from teachnet.layers.base import Layer, refuse_constraints
from teachnet.layers.conv_utils import (
    conv_output_length, normalize_data_format, normalize_padding, normalize_tuple, same_padding,
)
from teachnet.ops.convolution import conv1d, conv2d
from teachnet.utils.shapes import format_shape


class _Convolution(Layer):
    """What Convolution1D and Convolution2D share; ``rank`` is the number of spatial axes."""
    rank = 2

    def __init__(self, nb_filter, kernel_size, subsample, border_mode, dim_ordering, activation, bias, init,
                 bias_initializer, W_regularizer, b_regularizer, activity_regularizer, constraints,
                 dilation_rate, **kwargs):
        super().__init__(**kwargs)
        kind = type(self).__name__
        if not isinstance(nb_filter, int) or isinstance(nb_filter, bool) or nb_filter < 1:
            raise ValueError(f"Layer {self.name} ({kind}): nb_filter (filters) must be a positive integer, "
                             f"got {nb_filter!r}.")
        if kernel_size is None:
            raise ValueError(f"Layer {self.name} ({kind}): the kernel size is missing (nb_row and nb_col, "
                             "filter_length, or kernel_size).")
        refuse_constraints(f"Layer {self.name} ({kind})", W_constraint=constraints[0], b_constraint=constraints[1])
        if normalize_tuple(dilation_rate, self.rank, 'dilation_rate', self.name) != (1,) * self.rank:
            raise ValueError(f"Layer {self.name} ({kind}): dilated convolutions are not supported, "
                             f"got dilation_rate={dilation_rate!r}.")
        self.filters = nb_filter
        self.kernel_size = normalize_tuple(kernel_size, self.rank, 'the kernel size', self.name)
        self.strides = normalize_tuple(subsample, self.rank, 'subsample (strides)', self.name)
        self.padding = normalize_padding(border_mode, self.name)
        self.data_format = normalize_data_format(dim_ordering) if self.rank == 2 else 'channels_last'
        self.activation = activations.get(activation)
        self.use_bias = bias
        self.init, self.bias_init = init, bias_initializer
        self.W_regularizer = regularizers.get(W_regularizer)
        self.b_regularizer = regularizers.get(b_regularizer)
        self.activity_regularizer = regularizers.get(activity_regularizer)

    # ------------------------------------------------------------------ shapes
    def _spatial_axes(self):
        """Where the spatial axes and the channel axis sit in the input shape."""
        if self.data_format == 'channels_first':
            return tuple(range(2, 2 + self.rank)), 1
        return tuple(range(1, 1 + self.rank)), self.rank + 1

    def check_input(self, input_shape):
        super().check_input(input_shape)
        kind = type(self).__name__
        expected = {1: '(batch, steps, channels)', 2: '(batch, channels, rows, cols)'
                    if self.data_format == 'channels_first' else '(batch, rows, cols, channels)'}[self.rank]
        if len(input_shape) != self.rank + 2:
            raise ValueError(f"Layer {self.name} ({kind}) expects {self.rank + 2}-D input {expected}, "
                             f"got input shape {format_shape(input_shape)}.")
        spatial, channel = self._spatial_axes()
        if input_shape[channel] is None:
            raise ValueError(f"Layer {self.name} ({kind}) needs the number of input channels "
                             f"(axis {channel} of {expected}) to be known, got {format_shape(input_shape)}.")
        if self.padding == 'valid':
            for axis, window in zip(spatial, self.kernel_size):
                if input_shape[axis] is not None and input_shape[axis] < window:
                    raise ValueError(
                        f"Layer {self.name} ({kind}): kernel {'x'.join(map(str, self.kernel_size))} is larger "
                        f"than its input {format_shape(input_shape)} {expected} with border_mode='valid' "
                        f"(axis {axis} has {input_shape[axis]} < {window}); use a smaller kernel, a larger "
                        "input or border_mode='same'.")

    def compute_output_shape(self, input_shape):
        spatial, channel = self._spatial_axes()
        shape = list(input_shape)
        for axis, window, stride in zip(spatial, self.kernel_size, self.strides):
            shape[axis] = conv_output_length(input_shape[axis], window, self.padding, stride)
        shape[channel] = self.filters
        return tuple(shape)

    def _pads(self, input_shape):
        """(before, after) zeros for each spatial axis of an input of ``input_shape``."""
        spatial, _ = self._spatial_axes()
        if self.padding == 'valid':
            return tuple((0, 0) for _ in spatial)
        return tuple(same_padding(input_shape[axis], window, stride)
                     for axis, window, stride in zip(spatial, self.kernel_size, self.strides))

    # ------------------------------------------------------------------ weights and forward
    def build(self, input_shape):
        _, channel = self._spatial_axes()
        kernel_shape = self.kernel_size + (input_shape[channel], self.filters)
        self.W = self.add_weight(kernel_shape, self._kernel_initializer(), 'kernel', self.W_regularizer)
        self.b = (self.add_weight((self.filters,), self.bias_init, 'bias', self.b_regularizer)
                  if self.use_bias else None)

    def _kernel_initializer(self):
        return self.init

    def call(self, x, training=False):
        z = self._convolve(x)
        return z if self.activation is activations.linear else self.activation(z)

    # ------------------------------------------------------------------ config
    def _common_config(self):
        config = super().get_config()
        config.update(nb_filter=self.filters, init=initializers.serialize(self.init),
                      activation=activations.serialize(self.activation), border_mode=self.padding)
        return config

    def _regularizer_config(self, config):
        config.update(W_regularizer=regularizers.serialize(self.W_regularizer),
                      b_regularizer=regularizers.serialize(self.b_regularizer),
                      activity_regularizer=regularizers.serialize(self.activity_regularizer),
                      W_constraint=None, b_constraint=None, bias=self.use_bias)
        if self.bias_init not in ('zero', 'zeros'):          # Keras 1 configs have no such key
            config['bias_initializer'] = initializers.serialize(self.bias_init)
        return config


@register
class Convolution2D(_Convolution):
    """2-D convolution: ``nb_filter`` filters of ``nb_row`` x ``nb_col`` slid over an image.

    z[n,k,i,j] = Σ_{a,b,c} x[n, c, i·s+a, j·s+b] · W[a,b,c,k] + b_k, then a = f(z).

    # Arguments
        nb_filter (Keras 2: filters): the number of filters, i.e. of output feature maps.
        nb_row, nb_col (kernel_size): the kernel's rows and columns.
        init (kernel_initializer): how W starts; 'glorot_uniform' by default.
        activation: an activation name or function; linear when None.
        border_mode (padding): 'valid' (only positions where the kernel fits inside the
            image) or 'same' (zeros around the image so the output keeps its size when
            the stride is 1).
        subsample (strides): the step (rows, cols) between kernel positions.
        dim_ordering (data_format): 'th' / 'channels_first' (channels, rows, cols) or 'tf' /
            'channels_last' (rows, cols, channels); by default
            ``teachnet.backend.image_data_format()``, channels first unless changed.
        W_regularizer, b_regularizer (kernel_regularizer, bias_regularizer),
        activity_regularizer: penalties added to the loss while training.
        bias (use_bias): whether the layer has b; b starts at zero (bias_initializer).

    # Input shape
        (batch, channels, rows, cols) channels first, or (batch, rows, cols, channels).

    # Output shape
        (batch, nb_filter, rows', cols') or (batch, rows', cols', nb_filter), where
        rows' = ⌈(rows - nb_row + 1) / s⌉ for 'valid' and ⌈rows / s⌉ for 'same'.

    # Example
        model.add(Convolution2D(32, 3, 3, border_mode='valid', input_shape=(3, 100, 100)))
        # now model.output_shape == (None, 32, 98, 98)

    Weights, as ``get_weights`` returns them: ``[W (nb_row, nb_col, channels, nb_filter), b (nb_filter,)]``.
    """

    def __init__(self, nb_filter=None, nb_row=None, nb_col=None, init='glorot_uniform', activation=None,
                 border_mode='valid', subsample=(1, 1), dim_ordering='default', W_regularizer=None,
                 b_regularizer=None, activity_regularizer=None, W_constraint=None, b_constraint=None,
                 bias=True, dilation_rate=1, bias_initializer='zero', **kwargs):
        # Convolution2D(32, 3, 3), or (32, (3, 3)) as Keras 2's kernel_size
        kernel_size = nb_row if nb_row is None or nb_col is None else (nb_row, nb_col)
        super().__init__(nb_filter, kernel_size, subsample, border_mode, dim_ordering, activation, bias, init,
                         bias_initializer, W_regularizer, b_regularizer, activity_regularizer,
                         (W_constraint, b_constraint), dilation_rate, **kwargs)

    def _convolve(self, x):
        return conv2d(x, self.W, self.b, self.strides, self._pads(x.shape), self.data_format)

    def get_config(self):
        config = self._common_config()
        config.update(nb_row=self.kernel_size[0], nb_col=self.kernel_size[1], subsample=self.strides,
                      dim_ordering='th' if self.data_format == 'channels_first' else 'tf')
        return self._regularizer_config(config)


@register
class Conv2D(Convolution2D):
    """Keras 2's spelling of Convolution2D: ``Conv2D(filters, kernel_size, strides=(1, 1),
    padding='valid', data_format=None, ...)``; see Convolution2D for the arguments."""

    def __init__(self, nb_filter=None, nb_row=None, subsample=(1, 1), border_mode='valid', **kwargs):
        # only the positional order differs (filters, kernel_size, strides, padding): the Keras 2
        # keywords are translated as for every layer (teachnet.layers.keras2_names)
        super().__init__(nb_filter, nb_row, subsample=subsample, border_mode=border_mode, **kwargs)


@register
class Convolution1D(_Convolution):
    """1-D convolution over a sequence: ``nb_filter`` filters of ``filter_length`` steps.

    z[n,t,k] = Σ_{a,c} x[n, t·s+a, c] · W[a,c,k] + b_k, then a = f(z). The sequence's
    features are its channels: (batch, steps, features), as for recurrent layers.

    # Arguments
        nb_filter (Keras 2: filters): the number of filters.
        filter_length (kernel_size): how many steps each filter spans.
        init, activation, border_mode (padding), W_regularizer, b_regularizer,
        activity_regularizer, bias (use_bias): as for Convolution2D.
        subsample_length (strides): the step between filter positions.
        input_dim, input_length: the features and steps of the input, when first layer.

    # Input shape
        (batch, steps, input_dim).

    # Output shape
        (batch, steps', nb_filter), steps' = ⌈(steps - filter_length + 1) / s⌉ ('valid')
        or ⌈steps / s⌉ ('same').

    # Example
        model.add(Convolution1D(64, 3, border_mode='same', input_shape=(10, 32)))
        # now model.output_shape == (None, 10, 64)

    Weights: ``[W (filter_length, input_dim, nb_filter), b (nb_filter,)]``.
    """
    rank = 1

    def __init__(self, nb_filter=None, filter_length=None, init='glorot_uniform', activation=None,
                 border_mode='valid', subsample_length=1, W_regularizer=None, b_regularizer=None,
                 activity_regularizer=None, W_constraint=None, b_constraint=None, bias=True,
                 data_format=None, dilation_rate=1, bias_initializer='zero', **kwargs):
        if normalize_data_format(data_format or 'channels_last') != 'channels_last':
            raise ValueError(f"Convolution1D takes (batch, steps, channels) input only: data_format must be "
                             f"'channels_last', got {data_format!r}.")
        super().__init__(nb_filter, filter_length, subsample_length, border_mode, 'channels_last', activation,
                         bias, init, bias_initializer, W_regularizer, b_regularizer, activity_regularizer,
                         (W_constraint, b_constraint), dilation_rate, **kwargs)

    def input_shape_from_dim(self, input_dim, input_length):
        return (input_length, input_dim)

    def _kernel_initializer(self):
        """Draw W as a one-row 2-D kernel (1, length, in, out), so that every initializer
        counts fan_in = length·in and fan_out = length·out, then drop the row axis."""
        init = initializers.get(self.init)

        def one_row_kernel(shape, dim_ordering='tf', **kwargs):
            return init((1,) + tuple(shape), dim_ordering='tf', **kwargs).reshape(shape)
        return one_row_kernel

    def _convolve(self, x):
        (pads,) = self._pads(x.shape)
        return conv1d(x, self.W, self.b, self.strides[0], pads)

    def get_config(self):
        config = self._common_config()
        config.update(filter_length=self.kernel_size[0], subsample_length=self.strides[0])
        return self._regularizer_config(config)


@register
class Conv1D(Convolution1D):
    """Keras 2's spelling of Convolution1D: ``Conv1D(filters, kernel_size, strides=1,
    padding='valid', ...)``; see Convolution1D for the arguments."""

    def __init__(self, nb_filter=None, filter_length=None, subsample_length=1, border_mode='valid', **kwargs):
        # only the positional order differs (filters, kernel_size, strides, padding)
        super().__init__(nb_filter, filter_length, subsample_length=subsample_length, border_mode=border_mode,
                         **kwargs)
