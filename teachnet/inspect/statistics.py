"""Health numbers of a network: how its activations, weights, gradients and steps look.

Each number answers a question a student asks while a network trains:

* **activations** on a probe batch, per layer: mean and standard deviation; for ReLU
  layers the fraction of *dead* units (output 0 for every probe sample: no gradient
  flows through them), for tanh and sigmoid layers the fraction of *saturated* outputs
  (|tanh| > 0.99, sigmoid < 0.01 or > 0.99: the slope there is nearly 0);
* **weights**: the norm |θ| = √(Σ θ²) of all of a layer's parameters together;
* **gradients**: |dL/dθ|, the same norm of the gradients the last backward pass left
  in ``θ.grad`` (vanishing when tiny, exploding when huge);
* **steps**: the update ratio |Δθ| / |θ| of one optimizer step, Δθ = θ_after - θ_before.
  Around 1e-3 is the usual healthy size: much smaller and the layer barely learns, much
  larger and it jumps around.

Usage::

    before = snapshot_parameters(model)
    model.train_on_batch(x, y)
    parameter_statistics(model, before)['dense_1'].update_ratio
    activation_statistics(model, x[:32])['dense_1'].dead_fraction

Every reduction runs where the arrays live (on the GPU with CuPy); only the few
resulting numbers travel to the host, all at once.
"""
from collections import namedtuple

from teachnet import activations
from teachnet.backend import array_module as am
from teachnet.engine.data import sample_count
from teachnet.inspect.kept_states import kept_states
from teachnet.inspect.layer_outputs import caught_outputs, model_layers
from teachnet.ops.tape import no_tape

np = am.host

#: an output counts as saturated beyond these (tanh: |y| > 0.99; sigmoid: y < 0.01 or y > 0.99)
SATURATION = 0.99

LayerParameters = namedtuple('LayerParameters', 'weight_norm gradient_norm update_ratio')
LayerParameters.__doc__ = """One layer's parameters in three numbers (NaN where not known):
|θ|, |dL/dθ| from the last backward pass, and |Δθ|/|θ| of the last step."""

ActivationStatistics = namedtuple('ActivationStatistics',
                                  'shape mean std dead_fraction saturated_fraction finite')
ActivationStatistics.__doc__ = """One layer's output on a probe batch: its shape, mean and
standard deviation, the fraction of dead ReLU units and of saturated tanh/sigmoid outputs
(NaN when the layer has neither activation), and whether every value is finite."""


def _layers_with_parameters(model_or_layers):
    layers = model_or_layers if isinstance(model_or_layers, (list, tuple)) else list(model_layers(model_or_layers))
    return [layer for layer in layers if getattr(layer, 'params', None)]


def _squared_norm(arrays):
    """Σ a² over all the arrays, as a 0-d float64 array of the active backend.

    Each array's Σ a² is one dot product of the array with itself (``vdot``: BLAS, no
    temporary array), accumulated in the array's own type: for float32 the relative
    error stays far below what a diagnosis needs (about 1e-6 per thousand values summed)."""
    xp = am.xp()
    return sum(xp.asarray(xp.vdot(a.reshape(-1), a.reshape(-1))).astype('float64') for a in arrays)


def _to_host_numbers(values):
    """Device scalars (or Python numbers) -> host float64 array, in one transfer."""
    xp = am.xp()
    if not values:
        return np.zeros(0)
    stacked = xp.stack([xp.asarray(v, dtype='float64') if not am.is_device_array(v) else v.astype('float64')
                        for v in values])
    return am.to_numpy(stacked)


def snapshot_parameters(model_or_layers, into=None):
    """Copies of every parameter array as they are now (on the device), to measure the
    next step against with ``parameter_statistics(model, before)``.

    ``into``: what an earlier call returned, to be overwritten: its arrays are reused where
    they still fit, so that taking snapshot after snapshot allocates the copies only once
    (a large embedding's copy into new memory costs many times a copy into reused memory)."""
    xp, into = am.xp(), into or {}
    snapshot = {}
    for layer in _layers_with_parameters(model_or_layers):
        for p in layer.params:
            kept = into.get(id(p))
            if kept is not None and kept.shape == p.data.shape and kept.dtype == p.data.dtype:
                xp.copyto(kept, p.data)
                snapshot[id(p)] = kept
            else:
                snapshot[id(p)] = p.data.copy()
    return snapshot


def parameter_statistics(model_or_layers, before=None):
    """|θ|, |dL/dθ| and |Δθ|/|θ| of each layer that has parameters.

    # Arguments
        model_or_layers: a model, or a list of its layers.
        before: what ``snapshot_parameters`` returned before the step, or None (then the
            update ratio is NaN).

    # Returns
        A dict layer name -> ``LayerParameters``. The gradient norm is NaN for a layer
        none of whose parameters holds a gradient (before the first step, or frozen).
    """
    layers = _layers_with_parameters(model_or_layers)
    xp = am.xp()
    values = []
    for layer in layers:
        params = layer.params
        grads = [p.grad for p in params if p.grad is not None]
        values.append(_squared_norm([p.data for p in params]))
        values.append(_squared_norm(grads) if grads else float('nan'))
        if before is not None and all(id(p) in before for p in params):
            values.append(_squared_norm([p.data - before[id(p)] for p in params]))
            values.append(_squared_norm([before[id(p)] for p in params]))
        else:
            values += [float('nan'), float('nan')]
    numbers = np.sqrt(_to_host_numbers([v if am.is_device_array(v) else xp.asarray(v) for v in values]))
    statistics = {}
    for i, layer in enumerate(layers):
        weight, gradient, step, previous = numbers[4 * i: 4 * i + 4]
        ratio = step / previous if previous > 0 else float('nan')
        statistics[layer.name] = LayerParameters(float(weight), float(gradient), float(ratio))
    return statistics


def activation_kind(layer):
    """'relu', 'tanh', 'sigmoid' (hard_sigmoid too) or None: what the layer's output
    passed through last, as far as its ``activation`` tells."""
    function = getattr(layer, 'activation', None)
    if function is None or not callable(function):
        return None
    name = activations.serialize(function)
    if name == 'relu':
        return 'relu'
    if name == 'tanh':
        return 'tanh'
    if name in ('sigmoid', 'hard_sigmoid'):
        return 'sigmoid'
    return None


def _output_numbers(layer, output):
    """Device scalars: mean, std, dead fraction, saturated fraction, all finite (0/1)."""
    xp = am.xp()
    y = output.data.astype('float64')
    kind = activation_kind(layer)
    finite = xp.all(xp.isfinite(y)).astype('float64')
    dead = saturated = float('nan')
    if kind == 'relu' and y.size:
        units = y.reshape(y.shape[0], -1)
        dead = xp.mean(xp.all(units <= 0, axis=0).astype('float64'))
    elif kind == 'tanh' and y.size:
        saturated = xp.mean((xp.abs(y) > SATURATION).astype('float64'))
    elif kind == 'sigmoid' and y.size:
        saturated = xp.mean(((y < 1 - SATURATION) | (y > SATURATION)).astype('float64'))
    return [xp.mean(y), xp.std(y), dead, saturated, finite]


def activation_statistics(model, x, layers=None):
    """Run ``model`` once on the probe batch ``x`` (test mode, nothing recorded) and
    describe every layer's output.

    # Arguments
        model: a built model.
        x: a small batch of inputs, as for ``predict`` (a few dozen samples is plenty).
        layers: the layers to describe (default: every layer, ``model_layers(model)``).

    # Returns
        A dict layer name -> ``ActivationStatistics``, in the order the layers ran. A unit
        is dead when it is 0 for every sample of ``x``: judge with more than one sample.
    """
    layers = list(model_layers(model)) if layers is None else list(layers)
    xp = am.xp()
    caught = []

    def describe(layer, output):
        if hasattr(output, 'data') and hasattr(output.data, 'shape'):
            caught.append((layer.name, tuple(output.data.shape), _output_numbers(layer, output)))

    with caught_outputs(layers, describe), no_tape(), kept_states(model):      # a stateful model's states too
        model.predict(x, batch_size=max(1, sample_count(x)))          # one batch: each layer runs once
    flat = [v if am.is_device_array(v) else xp.asarray(v) for _, _, numbers in caught for v in numbers]
    numbers = _to_host_numbers(flat).reshape(len(caught), 5) if caught else np.zeros((0, 5))
    return {name: ActivationStatistics(shape, *(float(v) for v in row[:4]), bool(row[4]))
            for (name, shape, _), row in zip(caught, numbers)}


def first_non_finite_output(statistics):
    """The name of the first layer (in running order) whose output held NaN or ±inf, or None."""
    for name, stats in statistics.items():
        if not stats.finite:
            return name
    return None


def value_histogram(arrays, bins=40, max_values=100_000):
    """A histogram of the finite values of ``arrays`` (device arrays) together.

    Beyond ``max_values`` values in all, every k-th value of each array is counted (a
    strided sample, k the same for all): the shape of the distribution stays, and the
    cost stays bounded for an embedding's millions of weights.

    # Returns
        (counts, edges) as host arrays, (bins,) and (bins + 1,); empty counts when no
        value is finite. Only the counts and edges travel to the host.
    """
    xp = am.xp()
    arrays = [a for a in arrays if a is not None]
    if not arrays:
        return np.zeros(0), np.zeros(0)
    stride = max(1, -(-sum(a.size for a in arrays) // max_values))
    values = xp.concatenate([a.reshape(-1)[::stride].astype('float64') for a in arrays])
    values = values[xp.isfinite(values)]
    if values.size == 0:
        return np.zeros(0), np.zeros(0)
    counts, edges = xp.histogram(values, bins=bins)
    return am.to_numpy(counts), am.to_numpy(edges)


def layer_histograms(layer, bins=40):
    """Histograms of a layer's current weights and of its last gradients (see
    ``value_histogram``): {'weights': (counts, edges), 'gradients': (counts, edges)}."""
    return {'weights': value_histogram([p.data for p in layer.params], bins),
            'gradients': value_histogram([p.grad for p in layer.params], bins)}
