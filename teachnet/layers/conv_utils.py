"""Shape arithmetic shared by convolution and pooling layers.

A window of size F sliding with stride S over an axis of length L gives

    valid padding (no padding):        ⌈(L - F + 1) / S⌉ positions
    same padding (zeros around x):     ⌈L / S⌉ positions

For 'same', the P = max((⌈L/S⌉ - 1)·S + F - L, 0) padded zeros are split with the smaller
half before and the larger half after, as TensorFlow and Keras do.
"""
from teachnet.backend.image_format import normalize_data_format  # noqa: F401  (re-exported)


def normalize_tuple(value, n, name, layer_name=''):
    """``value`` as a tuple of ``n`` positive ints (an int is repeated n times)."""
    values = (value,) * n if isinstance(value, int) and not isinstance(value, bool) else tuple(value)
    if len(values) != n or not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in values):
        where = f"Layer {layer_name}: " if layer_name else ''
        raise ValueError(f"{where}{name} must be a positive integer or a tuple of {n} positive integers, "
                         f"got {value!r}.")
    return values


def normalize_padding(value, layer_name=''):
    """'valid' or 'same' (Keras 1 border_mode / Keras 2 padding)."""
    padding = str(value).lower()
    if padding not in ('valid', 'same'):
        where = f"Layer {layer_name}: " if layer_name else ''
        raise ValueError(f"{where}padding (border_mode) must be 'valid' or 'same', got {value!r}.")
    return padding


def conv_output_length(input_length, window, padding, stride):
    """How many window positions fit along one axis (None stays None)."""
    if input_length is None:
        return None
    if padding == 'same':
        return -(-input_length // stride)
    return max(-(-(input_length - window + 1) // stride), 0)


def same_padding(input_length, window, stride):
    """(before, after) zeros that 'same' padding adds along one axis."""
    total = max((conv_output_length(input_length, window, 'same', stride) - 1) * stride + window - input_length, 0)
    return total // 2, total - total // 2
