"""Where the channels of an image go: first, (channels, rows, cols), or last, (rows, cols, channels).

The Keras 1 guide uses channels first (Theano's 'th' ordering): ``input_shape=(3, 100, 100)``.
That is teachnet's default. ``set_image_data_format('channels_last')`` (or the Keras 1 name
``set_image_dim_ordering('tf')``, or ``TEACHNET_IMAGE_DATA_FORMAT=channels_last`` in the
environment) changes the default for layers built afterwards; a layer's own ``data_format``
/ ``dim_ordering`` argument overrides it. Weights are stored the same way whatever the
format: conv kernels as (rows, cols, in, out), as Keras 2 keeps them.
"""
import os

FORMATS = ('channels_first', 'channels_last')
_KERAS1_NAMES = {'th': 'channels_first', 'tf': 'channels_last'}

_default = os.environ.get('TEACHNET_IMAGE_DATA_FORMAT', 'channels_first').strip() or 'channels_first'


def normalize_data_format(value=None):
    """'channels_first' or 'channels_last' for ``value`` (None or 'default': the global
    setting; 'th' / 'tf': Keras 1's names)."""
    if value is None or value == 'default':
        return _default
    value = _KERAS1_NAMES.get(value, value)
    if value not in FORMATS:
        raise ValueError(f"Unknown image data format {value!r}: expected 'channels_first' ('th') or "
                         "'channels_last' ('tf').")
    return value


def image_data_format():
    """The default image data format: 'channels_first' unless changed."""
    return _default


def set_image_data_format(value):
    global _default
    _default = normalize_data_format(value if value not in (None, 'default') else 'channels_first')


def image_dim_ordering():
    """Keras 1's name for the default: 'th' (channels first) or 'tf' (channels last)."""
    return 'th' if _default == 'channels_first' else 'tf'


def set_image_dim_ordering(value):
    set_image_data_format(value)


if _default not in FORMATS:
    _default = normalize_data_format(_default)
