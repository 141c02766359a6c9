"""What the dashboard remembers of a run: bounded series of every number it shows.

The views draw from here and from nowhere else, and ``Dashboard.history`` hands it out
as NumPy arrays. Every series is a ``DecimatedSeries``, so memory and drawing cost stay
the same however long training runs. The x coordinate of everything is the *step*: the
number of batches trained so far in this run (1 after the first batch).

Where the numbers come from (all through ``teachnet.inspect``):

* per batch: the loss and metrics that ``fit`` logs (counted at once, read into their
  series when the series are read: see ``add_batch``);
* per epoch: the epoch averages and validation values;
* now and then (a *sample*, when the heavy views are due): ``parameter_statistics``
  (|θ|, |dL/dθ| and |Δθ|/|θ| of that step), and on the probe batch
  ``activation_statistics``, an RNN's ``gates`` and ``gradients_through_time``, or a
  convnet's ``feature_maps``.
"""
import numpy as np

from teachnet.engine.data import sample_count
from teachnet.inspect import statistics
from teachnet.inspect.image_layers import sample_maps
from teachnet.inspect.kept_states import fixed_batch_size
from teachnet.inspect.layer_outputs import model_layers
from teachnet.inspect.recurrent import gates, gradients_through_time
from teachnet.inspect.recurrent_layers import recurrent_layers
from teachnet.layers.convolutional import Convolution2D
from teachnet.widgets.ring_buffer import DecimatedSeries

BATCH_POINTS = 2048         # points kept per per-batch series
UNREAD_BATCHES = 4096       # batches' logs kept unread at most
SAMPLE_POINTS = 512         # points kept per sampled series (gradient norms...)
FEATURE_MAP_LAYERS = 2      # convnets: the first two conv layers' feature maps


class TrainingRecord:
    """Bounded series of the batch, epoch and layer numbers of one training run.

    # Arguments
        model: the model being trained.
        probe: a small batch of inputs (host arrays, as for ``predict``), or None. A stateful
            model takes batches of exactly its fixed size: its first that many samples
            (none if it holds fewer), and inspecting leaves the model's states as they were.
        probe_targets: their targets (host array), or None.
    """

    def __init__(self, model, probe=None, probe_targets=None):
        self.model = model
        self.fixed_batch = fixed_batch_size(model)
        self.probe, self.probe_targets = _fitted_probe(probe, probe_targets, self.fixed_batch)
        self.layers = list(model_layers(model))
        self.parameter_layers = [layer for layer in self.layers if layer.params]
        self.parameter_bytes = sum(p.data.nbytes for layer in self.parameter_layers for p in layer.params)
        recurrent = recurrent_layers(model)      # by inspect's names: 'bi/forward', 'td'... for wrapped ones
        self.recurrent_layers = list(recurrent.values())
        self.carries_states = any(layer.stateful for layer in self.recurrent_layers)   # from batch to batch
        self.conv_layers = [layer for layer in self.layers
                            if isinstance(layer, Convolution2D)][:FEATURE_MAP_LAYERS]
        self.step = 0
        self._batch = {}                 # name -> DecimatedSeries of (step, value): see ``batch``
        self.unread = []                 # the logs of counted batches not yet in ``batch``
        self.epoch = {}                  # name -> DecimatedSeries of (step at epoch end, value)
        self.epoch_indices = []
        self.sampled = {key: {layer.name: DecimatedSeries(SAMPLE_POINTS) for layer in self.parameter_layers}
                        for key in ('weight_norm', 'gradient_norm', 'update_ratio')}
        self.parameters = {}             # layer name -> latest LayerParameters
        self.first_gradient_norm = {}    # layer name -> first measured gradient norm
        self.activations = {}            # layer name -> latest ActivationStatistics
        self.gates = {}                  # gate name -> (timesteps, units) for probe sample 0
        self.gates_layer = next(iter(recurrent), None)
        self.state_gradient = None       # |dL/dh_t| per timestep, probe sample 0
        self.maps = {}                   # conv layer name -> (maps, rows, cols) of probe sample 0
        self.non_finite = None           # (step, loss, first non-finite layer or None)
        self.initial_weight_norm = {name: numbers.weight_norm for name, numbers in
                                    statistics.parameter_statistics(self.parameter_layers).items()}

    # ------------------------------------------------------------------ every batch / epoch
    # Between two training steps the processor's caches hold the training, and each line of
    # Python run there costs several times what it costs in a loop. So a batch is only
    # counted, its logs kept as they are; they join the series in one go when someone
    # reads ``batch`` (at most a few times a second, to draw).
    def add_batch(self, logs):
        """Count one trained batch; its logged values (a dict) join ``batch`` when read, or
        once ``UNREAD_BATCHES`` wait (a run nobody watches holds no more than that)."""
        self.step += 1
        self.unread.append(logs)
        if len(self.unread) >= UNREAD_BATCHES:
            self._read_batches()

    @property
    def batch(self):
        """name -> ``DecimatedSeries`` of (step, value) of every batch counted so far."""
        if self.unread:
            self._read_batches()
        return self._batch

    def _read_batches(self):
        columns = {}                                    # name -> ([step, ...], [value, ...])
        for step, logs in enumerate(self.unread, self.step - len(self.unread) + 1):
            for name, value in logs.items():
                if name not in ('batch', 'size'):
                    if name not in columns:
                        columns[name] = ([], [])
                    steps, values = columns[name]
                    steps.append(step)
                    values.append(value)
        for name, (steps, values) in columns.items():
            if name not in self._batch:
                self._batch[name] = DecimatedSeries(BATCH_POINTS)
            self._batch[name].extend(steps, values)
        self.unread = []

    def add_epoch(self, epoch, logs):
        self.epoch_indices.append(epoch)
        for name, value in (logs or {}).items():
            if isinstance(value, (int, float)):
                if name not in self.epoch:
                    self.epoch[name] = DecimatedSeries(BATCH_POINTS)
                self.epoch[name].append(self.step, value)

    # ------------------------------------------------------------------ samples
    def add_parameters(self, before=None):
        """|θ|, |dL/dθ| (and |Δθ|/|θ| when ``before`` was snapshot before this step)."""
        stats = statistics.parameter_statistics(self.parameter_layers, before)
        for name, numbers in stats.items():
            for key in self.sampled:          # NaN where not measured (no snapshot: no update ratio)
                self.sampled[key][name].append(self.step, getattr(numbers, key))
            previous = self.parameters.get(name)
            if before is None and previous is not None:
                numbers = numbers._replace(update_ratio=previous.update_ratio)     # show the last measured
            self.parameters[name] = numbers
            if np.isfinite(numbers.gradient_norm):
                self.first_gradient_norm.setdefault(name, numbers.gradient_norm)
        return stats

    def add_activations(self):
        if self.probe is not None:
            self.activations = statistics.activation_statistics(self.model, self.probe, self.layers)

    def add_gates(self):
        """Gates and |dL/dh_t| of the first recurrent layer for the first probe sample."""
        if self.probe is None or self.gates_layer is None:
            return
        count = self.fixed_batch or 1                # the first sample, in a batch a stateful model takes
        first = _first_samples(self.probe, count)
        found = gates(self.model, first, self.gates_layer, node_index=0)     # a shared layer: its first call
        self.gates = {name: values[:, 0, :] for name, values in found.items()}
        if self.probe_targets is not None:
            dh = gradients_through_time(self.model, first, self.probe_targets[:count], self.gates_layer, node_index=0)
            self.state_gradient = np.linalg.norm(dh[:, 0, :], axis=-1)

    def add_feature_maps(self):
        if self.probe is None:
            return
        for layer in self.conv_layers:
            self.maps[layer.name] = sample_maps(self.model, self.probe, layer.name, sample=0)

    def probe_jobs(self):
        """The probe computations this model offers, one run per sample in turn."""
        jobs = [self.add_activations]
        if self.recurrent_layers:
            jobs.append(self.add_gates)
        if self.conv_layers:
            jobs.append(self.add_feature_maps)
        return jobs

    # ------------------------------------------------------------------ reading
    def history(self):
        """Every series as NumPy arrays (see ``Dashboard.history``)."""
        def xs(series):
            return series.values()[0] if series is not None else np.zeros(0)

        batch = {'step': xs(self.batch.get('loss'))}
        batch.update({name: series.values()[1] for name, series in self.batch.items()})
        epoch = {'epoch': np.asarray(self.epoch_indices, dtype=int), 'step': xs(next(iter(self.epoch.values()), None))}
        epoch.update({name: series.values()[1] for name, series in self.epoch.items()})
        layers = {key: {name: series.values()[1] for name, series in per_layer.items()}
                  for key, per_layer in self.sampled.items()}
        layers['step'] = xs(next(iter(self.sampled['gradient_norm'].values()), None))
        return {'batch': batch, 'epoch': epoch, 'layers': layers,
                'gates': dict(self.gates), 'state_gradient': self.state_gradient}


def _fitted_probe(probe, targets, fixed_batch):
    """The probe and its targets as the model takes them: for a stateful model, its first
    ``fixed_batch`` samples, or no probe when it holds fewer."""
    if probe is None or fixed_batch is None:
        return probe, targets
    if sample_count(probe) < fixed_batch:
        return None, None
    return _first_samples(probe, fixed_batch), None if targets is None else targets[:fixed_batch]


def _first_samples(x, count):
    return [a[:count] for a in x] if isinstance(x, (list, tuple)) else x[:count]
