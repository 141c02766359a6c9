"""A model's inputs and outputs, as training sees them: one loss per output, data by name.

Every model is a graph from its inputs to its outputs: a Sequential model has one input
(or its branches' inputs, when it starts with a Merge) and one output; a functional
``Model`` may have several of each. A model with outputs ŷ_1, …, ŷ_K has one loss per
output and learns their weighted sum:

    L = Σ_k w_k · L_k(y_k, ŷ_k)   (+ regularisation penalties)

``compile`` takes the losses as one loss for every output, a list (in output order) or a
dict keyed by output layer name, and the weights w_k (``loss_weights``, 1 by default) as a
list or a dict. Data can be given by position or by name::

    model.compile(optimizer='rmsprop',
                  loss={'main_output': 'binary_crossentropy', 'aux_output': 'mse'},
                  loss_weights={'main_output': 1., 'aux_output': 0.2})
    model.fit({'main_input': x1, 'aux_input': x2}, {'main_output': y1, 'aux_output': y2})

As in Keras 1, the values logged are 'loss' (the total L), '<output>_loss' (each L_k,
before weighting) and '<output>_<metric>' for each metric of each output. A model with one
output logs 'loss' and its metrics' plain names.
"""
from teachnet import losses, metrics as metric_functions, optimizers
from teachnet.backend import array_module as am
from teachnet.engine import data
from teachnet.engine.batch import PerOutput, per_output
from teachnet.ops.tape import no_tape
from teachnet.ops.tensor import Tensor


def _loss_name(loss):
    return loss if isinstance(loss, str) else getattr(loss, '__name__', 'loss')


class OutputsTraining:
    """compile, and the data checked and converted by input and output, for every model.

    The model describes its graph: ``_input_names()``, ``_input_shapes()``,
    ``_input_dtypes()``, ``_output_names()``, ``_output_shapes()`` (one entry per input or
    output, each named after its layer) and ``_require_layers()``."""

    # ------------------------------------------------------------------ compile
    def compile(self, optimizer, loss, metrics=None, loss_weights=None, sample_weight_mode=None, **kwargs):
        """Choose the optimizer, a loss per output, their weights and the metrics.

        # Arguments
            optimizer: a name or an optimizer instance.
            loss: a loss (name or function) for every output, a list of one per output,
                or a dict by output name.
            metrics: a list of metrics for every output, or a dict by output name of lists.
            loss_weights: w_k of each output's loss in the total: a list or a dict by
                output name (1 where not given).
            sample_weight_mode: None or 'temporal', for every output.
        """
        if kwargs:
            raise TypeError(f"compile got unexpected keyword argument(s): {', '.join(sorted(kwargs))}.")
        self._require_layers()
        if loss is None:
            raise ValueError("compile needs a loss, such as loss='categorical_crossentropy' or loss='mse'.")
        if sample_weight_mode not in (None, 'temporal'):
            raise ValueError(f"sample_weight_mode must be None or 'temporal', got {sample_weight_mode!r}.")
        names, shapes = self._output_names(), self._output_shapes()
        loss_list = self._per_output(loss, 'loss', None)
        weight_list = [float(w) for w in self._per_output(loss_weights, 'loss_weights', 1.0)]
        if metrics is not None and not isinstance(metrics, (list, tuple, dict)):
            raise TypeError(f"metrics must be a list, such as metrics=['accuracy'] (or a dict by output name), "
                            f"got {metrics!r}.")
        if isinstance(metrics, dict):
            metric_lists = [list(m) if isinstance(m, (list, tuple)) else [m]
                            for m in self._per_output(metrics, 'metrics', [])]
        else:
            metric_lists = [list(metrics or []) for _ in names]
        optimizer = optimizers.get(optimizer)
        loss_functions = [losses.get(one) for one in loss_list]
        resolved = [[metric_functions.resolve(metric, _loss_name(one), shape) for metric in metric_list]
                    for metric_list, one, shape in zip(metric_lists, loss_list, shapes)]
        several = len(names) > 1
        logged = [f'{name}_loss' for name in names] if several else []
        for name, shape, functions in zip(names, shapes, resolved):
            for metric_name, function in functions:
                keys = self._probe_metric_names(metric_name, function, shape)
                logged += [f'{name}_{key}' if several else key for key in keys]
        self.optimizer, self.loss, self.loss_weights = optimizer, loss, loss_weights
        self.sample_weight_mode = sample_weight_mode
        self.metrics = metrics if isinstance(metrics, dict) else list(metrics or [])
        self._loss_names = [_loss_name(one) for one in loss_list]
        self._loss_functions, self._loss_weight_values = loss_functions, weight_list
        self._output_metrics = resolved
        self.metrics_names = ['loss'] + logged

    def _probe_metric_names(self, name, function, output_shape):
        """A metric returning a dict logs one value per key: find the keys on a probe batch
        shaped like the output."""
        if getattr(function, '__module__', None) == metric_functions.__name__:
            return [name]
        shape = (2,) + tuple(d or 1 for d in output_shape[1:])
        probe = am.to_device(am.host.full(shape, 0.5, dtype=am.floatx()))
        try:
            with no_tape():
                result = function(Tensor(probe), Tensor(probe))
        except Exception:
            return [name]
        return list(result) if isinstance(result, dict) else [name]

    def _per_output(self, value, what, default):
        """One entry per output from one value, a list in output order or a dict by name."""
        names = self._output_names()
        if isinstance(value, dict):
            unknown = [key for key in value if key not in names]
            if unknown:
                raise ValueError(f"Model {self.name}: {what} names {unknown[0]!r}, which is not an output; the "
                                 f"outputs are {', '.join(names)}.")
            if default is None and len(value) < len(names):
                missing = [name for name in names if name not in value]
                raise ValueError(f"Model {self.name}: {what} gives nothing for output(s) {', '.join(missing)}; "
                                 "give one for every output.")
            return [value.get(name, default) for name in names]
        if isinstance(value, (list, tuple)) and what != 'metrics':
            if len(value) != len(names):
                raise ValueError(f"Model {self.name} has {len(names)} output(s) ({', '.join(names)}), but {what} "
                                 f"is a list of {len(value)}; give one per output, or a dict by output name.")
            return list(value)
        return [default if value is None else value] * len(names)

    # ------------------------------------------------------------------ data
    def _named_arrays(self, value, names, kind, what):
        """A list (by position) from an array, a list or a dict keyed by ``names``."""
        if isinstance(value, dict):
            unknown = [key for key in value if key not in names]
            if unknown:
                raise ValueError(f"Model {self.name}: {what} has an entry {unknown[0]!r}, which is not one of its "
                                 f"{kind}s ({', '.join(names)}).")
            missing = [name for name in names if name not in value]
            if missing:
                raise ValueError(f"Model {self.name}: {what} has no array for {kind}(s) {', '.join(missing)}.")
            return [value[name] for name in names]
        if len(names) == 1:
            data.refuse_array_list(value, what, self.name, names[0], kind)
            one_array_in_a_list = isinstance(value, (list, tuple)) and len(value) == 1 and hasattr(value[0], 'shape')
            return [value[0]] if one_array_in_a_list else [value]          # else: an array, or nested lists
        if not isinstance(value, (list, tuple)) or len(value) != len(names):
            got = f'a list of {len(value)} arrays' if isinstance(value, (list, tuple)) else 'one array'
            described = self._describe_inputs() if kind == 'input' else ', '.join(names)
            raise ValueError(f"Model {self.name} has {len(names)} {kind}s ({described}), but {what} holds "
                             f"{got}; give a list of {len(names)} arrays, or a dict by {kind} name.")
        return list(value)

    def _describe_inputs(self):
        """The inputs, as an error about the number of input arrays names them."""
        return ', '.join(self._input_names())

    def _prepare(self, x, y=None, sample_weight=None, class_weight=None, what='x'):
        """Check and convert the data; returns host arrays (inputs, targets, weights), the
        targets and weights of several outputs as ``PerOutput``."""
        self._require_layers()
        input_names, output_names = self._input_names(), self._output_names()
        inputs = data.as_host_arrays(self._named_arrays(x, input_names, 'input', what), what)
        data.check_input_shapes(inputs, self._input_shapes(), input_names, what)
        data.check_finite(inputs, what, input_names)
        if y is None:
            data.check_same_length(inputs, None)
            return inputs, None, None
        count, what_y = len(output_names), what[:-1] + 'y'          # 'y', or 'validation y'
        targets = data.as_host_arrays(self._named_arrays(y, output_names, 'output', what_y), what_y)
        data.check_finite(targets, what_y, output_names)
        sample_weights = (self._named_arrays(sample_weight, output_names, 'output', 'sample_weight')
                          if isinstance(sample_weight, (list, tuple, dict)) else [sample_weight] * count)
        class_weights = (self._named_arrays(class_weight, output_names, 'output', 'class_weight')
                         if isinstance(class_weight, (list, tuple)) or (
                             isinstance(class_weight, dict) and set(class_weight) <= set(output_names) and class_weight)
                         else [class_weight] * count)
        checked, weights = [], []
        for target, shape, loss_name, name, sw, cw in zip(targets, self._output_shapes(), self._loss_names,
                                                          output_names, sample_weights, class_weights):
            data.check_same_length(inputs, target)
            target = data.check_targets(target, shape, loss_name, name)
            checked.append(target)
            weights.append(data.sample_weights(target, sw, cw, self.sample_weight_mode))
        if count == 1:
            return inputs, checked[0], weights[0]
        return inputs, PerOutput(checked), None if all(w is None for w in weights) else PerOutput(weights)

    def _to_device(self, inputs, targets=None, weights=None):
        inputs = [am.to_device(a, dtype=dtype) for a, dtype in zip(inputs, self._input_dtypes())]
        count = len(self._output_names())
        if targets is not None:
            moved = [am.to_device(t, dtype='int64' if name == 'sparse_categorical_crossentropy' else am.floatx())
                     for t, name in zip(per_output(targets, count), self._loss_names)]
            targets = moved[0] if count == 1 else PerOutput(moved)
        if weights is not None:
            moved = [None if w is None else am.to_device(w) for w in per_output(weights, count)]
            weights = moved[0] if count == 1 else PerOutput(moved)
        return inputs, targets, weights
