"""Getting data ready for training: checking it, weighting it, cutting it into batches.

Everything here runs on host NumPy arrays before they reach the backend, so every
mistake in the data is caught with a clear message before any weight changes.
"""
import numbers

from teachnet.backend import array_module as am
from teachnet.utils.shapes import format_shape

np = am.host


def as_host_arrays(arrays, what):
    """Turn each of ``arrays`` (one entry per model input or output: an array, a nested
    list of numbers, a Tensor or another backend's array) into a host array of numbers."""
    converted = []
    for array in arrays:
        if array is None:
            raise ValueError(f"{what} is None: pass a NumPy array.")
        if not isinstance(array, (np.ndarray, list, tuple)) and not np.isscalar(array):
            array = am.to_numpy(array)          # a Tensor, or an array of another backend
        array = np.asarray(array)
        if array.dtype == object or array.dtype.kind not in 'biuf':
            raise TypeError(f"{what} must hold numbers, got an array of dtype {array.dtype}.")
        converted.append(array)
    return converted


def sample_count(x):
    """How many samples ``x`` holds: an array, a list of arrays (one per input) or a dict."""
    first = next(iter(x.values())) if isinstance(x, dict) else x[0] if isinstance(x, (list, tuple)) else x
    return len(first)


def refuse_array_list(data, what, model_name, name, kind='input'):
    """A list of several arrays for a model with one input (or output) is a mistake, not
    one array with an extra axis: say so rather than report a shape (2, 64, 20)."""
    if isinstance(data, (list, tuple)) and len(data) > 1 and all(hasattr(item, 'shape') for item in data):
        raise ValueError(f"Model {model_name} has one {kind} ({name}), but {what} is a list of {len(data)} arrays: "
                         f"pass that {kind}'s array itself, not a list, or build a model with {len(data)} {kind}s.")


def check_finite(arrays, what, names=None):
    """Refuse NaN and ±∞ in the data: one of them makes the loss nan from the first batch
    on, and training would go on silently learning nothing. Names the first one found."""
    for index, array in enumerate(arrays):
        if array is None or array.dtype.kind != 'f' or np.isfinite(array.sum(dtype='float64')):
            continue                      # a finite sum: no NaN or ±∞ anywhere (a cheap test)
        bad = ~np.isfinite(array)
        if not bad.any():
            continue                      # the sum overflowed, every value is finite
        first = tuple(int(i) for i in np.argwhere(bad)[0])
        value = 'NaN' if np.isnan(array[first]) else ('Inf' if array[first] > 0 else '-Inf')
        label = what if len(arrays) == 1 else f"{what}[{index}]" + (f" (for {names[index]})" if names else "")
        position = f", position {first[1:]}" if len(first) > 1 else ""
        nans = int(np.isnan(array).sum())
        raise ValueError(f"{label} holds {value} at sample {first[0]}{position} ({nans} NaN and "
                         f"{int(bad.sum()) - nans} infinite value(s) in all). Training on it would make the loss nan: "
                         f"replace those values (np.nan_to_num) or drop their samples first, e.g. keep = "
                         f"np.isfinite(x).reshape(len(x), -1).all(axis=1); x, y = x[keep], y[keep].")


def epoch_count(nb_epoch, epochs, default, caller):
    """How many epochs: ``nb_epoch`` (Keras 1) or ``epochs`` (Keras 2), two names of one
    setting, so two different values are refused; ``default`` when neither is given."""
    if nb_epoch is not None and epochs is not None and nb_epoch != epochs:
        raise ValueError(f"{caller} got nb_epoch={nb_epoch!r} and epochs={epochs!r}: they are one setting "
                         "(the Keras 1 and the Keras 2 name), so give only one of them.")
    count = epochs if epochs is not None else nb_epoch
    return default if count is None else count


def check_input_shapes(arrays, shapes, names, what='input'):
    """Each array's shape must match the model's declared shape (None matches any size)."""
    for array, shape, name in zip(arrays, shapes, names):
        if array.ndim != len(shape) or any(
                want is not None and got != want for got, want in zip(array.shape[1:], shape[1:])):
            raise ValueError(f"Layer {name} expects {what} of shape {format_shape(shape)}, but got an array of "
                             f"shape {array.shape}.")
        fixed_batch = shape[0]
        if fixed_batch is not None and array.shape[0] % fixed_batch:
            raise ValueError(f"Layer {name} has a fixed batch size of {fixed_batch} (batch_input_shape), but "
                             f"{array.shape[0]} samples do not divide into batches of {fixed_batch}.")


def check_targets(y, output_shape, loss_name, layer_name):
    """The targets must fit the output: the same shape for most losses, class ids for
    sparse_categorical_crossentropy."""
    if y.ndim == 1 and len(output_shape) == 2 and loss_name != 'sparse_categorical_crossentropy':
        y = y.reshape(-1, 1)
    if loss_name == 'sparse_categorical_crossentropy':
        ok = tuple(y.shape[1:]) in (tuple(output_shape[1:-1]), tuple(output_shape[1:-1]) + (1,))
        if not ok:
            raise ValueError(f"Layer {layer_name} outputs {format_shape(output_shape)}; with "
                             f"sparse_categorical_crossentropy the targets must be class ids of shape "
                             f"(samples,) or (samples, 1), got {y.shape}.")
        classes = output_shape[-1]
        outside = (y < 0) | (y >= classes) | (y != np.round(y))
        if outside.any():
            raise ValueError(f"Layer {layer_name} outputs {classes} classes, so with "
                             f"sparse_categorical_crossentropy the targets must be class ids 0..{classes - 1}, "
                             f"got {y[outside].reshape(-1)[0].item()!r}.")
        return y
    if loss_name == 'categorical_crossentropy' and y.shape[-1] == 1 and output_shape[-1] != 1:
        raise ValueError(f"You are passing a target array of shape {y.shape} while using the loss "
                         f"categorical_crossentropy, which expects one-hot targets of shape (samples, "
                         f"{output_shape[-1]}) like the output of layer {layer_name}. Convert integer classes "
                         "with teachnet.utils.np_utils.to_categorical, or use "
                         "loss='sparse_categorical_crossentropy'.")
    if y.ndim != len(output_shape) or any(
            want is not None and got != want for got, want in zip(y.shape[1:], output_shape[1:])):
        raise ValueError(f"Layer {layer_name} outputs {format_shape(output_shape)}, but the targets have "
                         f"shape {y.shape}.")
    return y


def require_targets(y, caller):
    if y is None:
        raise ValueError(f"{caller} needs targets: call {caller}(x, y, ...) with y the array of answers "
                         "the model should learn to give.")


def check_same_length(inputs, targets):
    counts = {len(a) for a in inputs}
    if len(counts) > 1:
        raise ValueError(f"All input arrays must have the same number of samples; got {sorted(counts)}.")
    if targets is not None and len(targets) != len(inputs[0]):
        raise ValueError(f"Input arrays should have the same number of samples as target arrays: found "
                         f"{len(inputs[0])} input samples and {len(targets)} target samples.")


def sample_weights(y, sample_weight=None, class_weight=None, mode=None):
    """Per-sample weights (or None): ``sample_weight`` if given, else from ``class_weight``
    (a dict class -> weight), looked up by each target's class."""
    if sample_weight is not None:
        weights = np.asarray(sample_weight, dtype=am.floatx())
        check_finite([weights], 'sample_weight')
        expected = (len(y),) if mode != 'temporal' else tuple(y.shape[:2])
        if weights.shape != expected:
            raise ValueError(f"sample_weight must have shape {expected} (sample_weight_mode={mode!r}), "
                             f"got {weights.shape}.")
        return weights
    if class_weight is None:
        return None
    if not isinstance(class_weight, dict):
        raise TypeError(f"class_weight must be a dict mapping class -> weight, got {type(class_weight).__name__}.")
    if y.ndim == 2 and y.shape[1] > 1:
        classes = y.argmax(axis=1)
    else:
        classes = y.reshape(len(y)).astype(int)
    missing = sorted(set(np.unique(classes).tolist()) - set(int(k) for k in class_weight))
    if missing:
        raise ValueError(f"class_weight has no weight for class(es) {missing} present in the targets.")
    lookup = np.zeros(max(int(k) for k in class_weight) + 1, dtype=am.floatx())
    for cls, weight in class_weight.items():
        lookup[int(cls)] = weight
    return lookup[classes]


def check_batch_size(batch_size):
    if not isinstance(batch_size, numbers.Integral) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}.")


def check_epochs(nb_epoch, initial_epoch):
    for name, value in (('nb_epoch (epochs)', nb_epoch), ('initial_epoch', initial_epoch)):
        if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 0:
            raise ValueError(f"{name} must be a non-negative integer, got {value!r}.")


def check_verbose_and_callbacks(verbose, callbacks):
    if verbose not in (0, 1, 2):
        raise ValueError(f"verbose must be 0, 1 or 2, got {verbose!r}.")
    if callbacks is not None and not isinstance(callbacks, (list, tuple)):
        raise TypeError(f"callbacks must be a list of callbacks, such as callbacks=[EarlyStopping()], "
                        f"got {callbacks!r}.")


def check_shuffle(shuffle):
    if isinstance(shuffle, str) and shuffle != 'batch':
        raise ValueError(f"shuffle must be True, False or 'batch', got {shuffle!r}.")


def batch_slices(count, batch_size):
    """(start, stop) of each batch: [(0, 32), (32, 64), ..., (992, 1000)]."""
    return [(start, min(start + batch_size, count)) for start in range(0, count, batch_size)]


def epoch_order(count, batch_size, shuffle):
    """The order samples are visited in one epoch: all shuffled, shuffled by whole batches
    ('batch', for data that must be read in chunks), or as they are."""
    if shuffle == 'batch':
        batches = count // batch_size
        order = np.arange(batches * batch_size).reshape(batches, batch_size)
        am.host_rng().shuffle(order)
        return np.concatenate([order.reshape(-1), np.arange(batches * batch_size, count)])
    if shuffle:
        return am.host_rng().permutation(count)
    return None


def split_for_validation(arrays, fraction):
    """Keras's validation_split: the LAST ``fraction`` of the samples, before shuffling."""
    if not 0 <= fraction < 1:
        raise ValueError(f"validation_split must be in [0, 1), got {fraction!r}.")
    count = len(arrays[0])
    split_at = int(count * (1 - fraction))
    if split_at == 0 or split_at == count:
        raise ValueError(f"validation_split={fraction} of {count} samples leaves no training or no "
                         "validation samples.")
    return [a[:split_at] for a in arrays], [a[split_at:] for a in arrays]
