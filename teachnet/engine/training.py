"""The training loop: compile, fit, evaluate, predict.

One training step on a batch (x, y) is four moves, always in this order:

1. forward:  run the layers on x while a tape records every op;
2. loss:     L = mean over samples of loss(y, ŷ) (weighted, plus any penalties);
3. backward: walk the tape back from L, filling dL/dθ for every parameter θ;
4. update:   the optimizer moves each θ using its gradient.

``fit`` repeats the step over shuffled batches for several epochs, reporting to callbacks
(progress bar, history, early stopping...) after each batch and each epoch.
"""
from teachnet import losses, metrics as metric_functions, optimizers
from teachnet.backend import array_module as am
from teachnet.callbacks import BaseLogger, CallbackList, History
from teachnet.callbacks.progbar import Progbar, progress_logger
from teachnet.engine import data
from teachnet.engine.generators import GeneratorMethods
from teachnet.layers import base as layer_base
from teachnet.ops.losses import weighted_mean
from teachnet.ops.tape import Tape, no_tape
from teachnet.ops.tensor import Tensor


def _loss_name(loss):
    return loss if isinstance(loss, str) else getattr(loss, '__name__', 'loss')


class collected_penalties:
    """Context manager gathering regularisation penalties computed during a forward pass."""

    def __enter__(self):
        self.penalties = []
        layer_base._penalty_collectors.append(self.penalties)
        return self.penalties

    def __exit__(self, *exc_info):
        layer_base._penalty_collectors.pop()
        return False


class Training(GeneratorMethods):
    """compile / fit / evaluate / predict for a model with ``forward``, ``layers`` and shapes."""

    def __init__(self):
        self.optimizer = None
        self.stop_training = False
        self.history = None
        self.metrics_names = []

    # ------------------------------------------------------------------ compile
    def compile(self, optimizer, loss, metrics=None, loss_weights=None, sample_weight_mode=None, **kwargs):
        """Choose how to learn: an optimizer, a loss and the metrics to report.

        # Arguments
            optimizer: a name ('sgd', 'rmsprop', 'adam', ...) or an optimizer instance.
            loss: a name ('mse', 'categorical_crossentropy', ...) or a function (y_true, y_pred).
            metrics: a list of names ('accuracy', ...) or functions returning a scalar or a dict.
            sample_weight_mode: None (one weight per sample) or 'temporal' (per timestep).
        """
        if kwargs:
            raise TypeError(f"compile got unexpected keyword argument(s): {', '.join(sorted(kwargs))}.")
        self._require_layers()
        if loss is None:
            raise ValueError("compile needs a loss, such as loss='categorical_crossentropy' or loss='mse'.")
        if sample_weight_mode not in (None, 'temporal'):
            raise ValueError(f"sample_weight_mode must be None or 'temporal', got {sample_weight_mode!r}.")
        if metrics is not None and not isinstance(metrics, (list, tuple)):
            raise TypeError(f"metrics must be a list, such as metrics=['accuracy'], got {metrics!r}.")
        # resolve everything first, so that a mistake leaves a compiled model as it was
        optimizer = optimizers.get(optimizer)
        loss_function = losses.get(loss)
        resolved_metrics = [metric_functions.resolve(metric, _loss_name(loss), self.output_shape)
                            for metric in metrics or []]
        names = [logged for name, function in resolved_metrics
                 for logged in self._probe_metric_names(name, function)]
        self.optimizer, self.loss, self.loss_function = optimizer, loss, loss_function
        self.loss_weights = loss_weights
        self.sample_weight_mode = sample_weight_mode
        self.metrics = list(metrics or [])
        self._metric_functions = resolved_metrics
        self.metrics_names = ['loss'] + names

    def _probe_metric_names(self, name, function, output_shape=None):
        """A metric returning a dict logs one value per key: find the keys on a probe batch
        (shaped like the output, or like ``output_shape`` for one of several outputs)."""
        if getattr(function, '__module__', None) == metric_functions.__name__:
            return [name]
        shape = (2,) + tuple(d or 1 for d in (output_shape or self.output_shape)[1:])
        probe = am.to_device(am.host.full(shape, 0.5, dtype=am.floatx()))
        try:
            with no_tape():
                result = function(Tensor(probe), Tensor(probe))
        except Exception:
            return [name]
        return list(result) if isinstance(result, dict) else [name]

    def _require_compiled(self):
        if self.optimizer is None:
            raise RuntimeError(f"Model {self.name} must be compiled before training or evaluating: call "
                               "model.compile(optimizer, loss) first.")

    @property
    def _sparse_targets(self):
        return _loss_name(self.loss) == 'sparse_categorical_crossentropy'

    # ------------------------------------------------------------------ data
    def _input_names(self):
        return [self.layers[0].name]

    def _input_shapes(self):
        return [self.input_shape]

    def _input_dtypes(self):
        """The dtype each input array is converted to, one per input."""
        return [self.input_dtype] * len(self._input_shapes())

    def _prepare(self, x, y=None, sample_weight=None, class_weight=None, what='x'):
        """Check and convert the data; returns host arrays (inputs, targets, weights)."""
        self._require_layers()
        inputs = data.as_array_list(x, what, len(self._input_shapes()))
        data.check_input_shapes(inputs, self._input_shapes(), self._input_names(), what)
        if y is None:
            data.check_same_length(inputs, None)
            return inputs, None, None
        targets = data.as_array_list(y, 'y', 1)[0]
        data.check_same_length(inputs, targets)
        targets = data.check_targets(targets, self.output_shape, _loss_name(self.loss), self.layers[-1].name)
        weights = data.sample_weights(targets, sample_weight, class_weight, self.sample_weight_mode)
        return inputs, targets, weights

    def _to_device(self, inputs, targets=None, weights=None):
        inputs = [am.to_device(a, dtype=dtype) for a, dtype in zip(inputs, self._input_dtypes())]
        if targets is not None:
            targets = am.to_device(targets, dtype='int64' if self._sparse_targets else am.floatx())
        if weights is not None:
            weights = am.to_device(weights)
        return inputs, targets, weights

    # ------------------------------------------------------------------ one batch
    def _forward_inputs(self, inputs, training):
        x = inputs[0]
        return self.forward(x if isinstance(x, Tensor) else Tensor(x), training)

    def _loss(self, targets, output, weights, penalties):
        per_sample = self.loss_function(targets, output)
        mask = output.mask if output.mask is not None and output.mask.shape == per_sample.shape else None
        loss = weighted_mean(per_sample, weights, mask)
        for penalty in penalties:
            loss = loss + penalty
        return loss

    def _regularisation(self):
        return [regularizer(param) for layer in self.layers for param, regularizer in layer.regularizers]

    def _metric_values(self, targets, output, functions=None):
        """The metrics on one batch (``functions``: those of one of several outputs)."""
        functions = self._metric_functions if functions is None else functions
        if not functions:
            return []
        values = []
        with no_tape():
            for name, function in functions:
                result = function(targets, output.data) if getattr(
                    function, '__module__', None) == metric_functions.__name__ else function(
                    Tensor(targets), Tensor(output.data))
                if isinstance(result, dict):
                    values.extend(result.values())
                else:
                    values.append(result)
        return [v.data if isinstance(v, Tensor) else v for v in values]

    def _train_step(self, inputs, targets, weights, params):
        """Forward, loss, backward, update on one batch; returns the loss and metric arrays."""
        for param in params:
            param.grad = None
        with Tape() as tape, collected_penalties() as penalties:
            output = self._forward_inputs(inputs, training=True)
            loss = self._loss(targets, output, weights, penalties + self._regularisation())
        tape.backward(loss)
        self.optimizer.update(params)
        return [loss.data] + self._metric_values(targets, output)

    def _test_step(self, inputs, targets, weights):
        with no_tape(), collected_penalties() as penalties:
            output = self._forward_inputs(inputs, training=False)
            loss = self._loss(targets, output, weights, penalties + self._regularisation())
        return [loss.data] + self._metric_values(targets, output)

    def _trainable_params(self):
        return [p for p in self.trainable_weights if p.trainable]

    # ------------------------------------------------------------------ public batch API
    def train_on_batch(self, x, y, sample_weight=None, class_weight=None):
        """One gradient step on one batch; returns the loss (and metrics) before the step."""
        self._require_compiled()
        data.require_targets(y, 'train_on_batch')
        batch = self._to_device(*self._prepare(x, y, sample_weight, class_weight))
        return _scalars(self._train_step(*batch, self._trainable_params()))

    def test_on_batch(self, x, y, sample_weight=None):
        """Loss (and metrics) on one batch, without training."""
        self._require_compiled()
        data.require_targets(y, 'test_on_batch')
        batch = self._to_device(*self._prepare(x, y, sample_weight))
        return _scalars(self._test_step(*batch))

    def predict_on_batch(self, x):
        inputs, _, _ = self._to_device(*self._prepare(x))
        with no_tape():
            return am.to_numpy(self._forward_inputs(inputs, training=False).data)

    # ------------------------------------------------------------------ fit
    def fit(self, x=None, y=None, batch_size=32, nb_epoch=10, verbose=1, callbacks=None, validation_split=0.,
            validation_data=None, shuffle=True, class_weight=None, sample_weight=None, initial_epoch=0,
            epochs=None, **kwargs):
        """Train for ``nb_epoch`` epochs (Keras 2: ``epochs``) over batches of ``batch_size``.

        Returns a History whose ``.history`` maps 'loss', each metric and their 'val_'
        twins to one value per epoch.
        """
        if kwargs:
            raise TypeError(f"fit got unexpected keyword argument(s): {', '.join(sorted(kwargs))}.")
        if epochs is not None:
            nb_epoch = epochs
        self._require_compiled()
        data.require_targets(y, 'fit')
        data.check_batch_size(batch_size)
        data.check_epochs(nb_epoch, initial_epoch)
        data.check_shuffle(shuffle)
        _check_verbose_and_callbacks(verbose, callbacks)
        inputs, targets, weights = self._prepare(x, y, sample_weight, class_weight)
        validation = None
        if validation_data is not None:
            validation = self._prepare_validation_tuple(validation_data)
        elif validation_split:
            arrays = inputs + [targets] + ([weights] if weights is not None else [])
            train, held_out = data.split_for_validation(arrays, validation_split)
            count = len(inputs)
            inputs, targets = train[:count], train[count]
            validation = (held_out[:count], held_out[count], held_out[count + 1] if weights is not None else None)
            weights = train[count + 1] if weights is not None else None
        self._check_stateful_batches(len(targets), batch_size)
        if validation is not None:
            self._check_stateful_batches(len(validation[1]), batch_size, 'the validation data')
        inputs, targets, weights = self._to_device(inputs, targets, weights)
        if validation is not None:
            validation = self._to_device(*validation)
        return self._fit_loop(inputs, targets, weights, batch_size, nb_epoch, verbose, callbacks,
                              validation, shuffle, initial_epoch)

    def _prepare_validation_tuple(self, validation_data):
        """Check and convert validation_data = (x_val, y_val) or (x_val, y_val, val_sample_weight)."""
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3) \
                or validation_data[1] is None:
            received = (f"a {type(validation_data).__name__} of {len(validation_data)} items"
                        if isinstance(validation_data, (tuple, list)) else type(validation_data).__name__)
            raise ValueError("validation_data must be a tuple (x_val, y_val) or (x_val, y_val, "
                             f"val_sample_weight), got {received}.")
        return self._prepare(*validation_data[:2], *validation_data[2:], what='validation x')

    def _start_callbacks(self, callbacks, verbose, params):
        """A fresh History, and the callback list every training run reports to:
        BaseLogger (epoch averages), the user's callbacks, the History, a progress bar."""
        self.history = History()
        callback_list = [BaseLogger()] + list(callbacks or []) + [self.history]
        if verbose:
            callback_list.append(progress_logger(verbose))
        callback_list = CallbackList(callback_list)
        callback_list.set_model(self)
        callback_list.set_params(params)
        return callback_list

    def _check_stateful_batches(self, count, batch_size, what='x'):
        """A stateful model carries sample i of one batch into sample i of the next, so
        every batch must have the fixed batch size: ``batch_size`` must equal it and the
        sample count must divide into it (no silently shorter last batch).

        ``fit`` shuffles as Keras 1 does unless ``shuffle=False``; stateful training
        wants ``shuffle=False`` (or 'batch' when the data are cut accordingly), else
        sample i of a batch does not continue sample i of the previous one."""
        layers = getattr(self, 'flattened_layers', None) or self.layers
        for layer in layers:
            inner = getattr(layer, 'layer', None)
            if not (getattr(layer, 'stateful', False) or getattr(inner, 'stateful', False)):
                continue
            fixed = layer.input_shape[0]
            if batch_size != fixed:
                raise ValueError(f"Layer {layer.name} is stateful with a fixed batch size of {fixed} "
                                 f"(batch_input_shape), so batch_size must be {fixed}, got {batch_size}.")
            if count % fixed:
                raise ValueError(f"Layer {layer.name} is stateful with a fixed batch size of {fixed}, but {what} "
                                 f"holds {count} samples, which do not divide into batches of {fixed}.")
            return

    def _fit_loop(self, inputs, targets, weights, batch_size, nb_epoch, verbose, callbacks, validation,
                  shuffle, initial_epoch):
        count = len(targets)
        out_labels = list(self.metrics_names)
        logged = out_labels + (['val_' + n for n in out_labels] if validation is not None else [])
        callback_list = self._start_callbacks(callbacks, verbose, {
            'batch_size': batch_size, 'nb_epoch': nb_epoch, 'epochs': nb_epoch, 'nb_sample': count,
            'samples': count, 'verbose': verbose, 'do_validation': validation is not None, 'metrics': logged})
        self.stop_training = False
        params = self._trainable_params()
        slices = data.batch_slices(count, batch_size)
        callback_list.set_training_data(inputs, targets)
        callback_list.on_train_begin()
        try:
            for epoch in range(initial_epoch, nb_epoch):
                callback_list.on_epoch_begin(epoch)
                order = data.epoch_order(count, batch_size, shuffle)
                order = None if order is None else am.to_device(order)
                for batch_index, (start, stop) in enumerate(slices):
                    ids = slice(start, stop) if order is None else order[start:stop]
                    batch_logs = {'batch': batch_index, 'size': stop - start}
                    callback_list.on_batch_begin(batch_index, batch_logs)
                    outs = self._train_step([a[ids] for a in inputs], targets[ids],
                                            None if weights is None else weights[ids], params)
                    for label, value in zip(out_labels, outs):
                        batch_logs[label] = float(value)
                    callback_list.on_batch_end(batch_index, batch_logs)
                    if self.stop_training:
                        break
                epoch_logs = {}
                if validation is not None:
                    val_outs = self._test_loop(*validation, batch_size=batch_size, verbose=0)
                    for label, value in zip(out_labels, val_outs):
                        epoch_logs['val_' + label] = value
                callback_list.on_epoch_end(epoch, epoch_logs)
                if self.stop_training:
                    break
        except BaseException as error:      # a dashboard still draws its final frame
            callback_list.on_train_failed(error)
            raise
        callback_list.on_train_end()
        return self.history

    # ------------------------------------------------------------------ evaluate / predict
    def evaluate(self, x, y, batch_size=32, verbose=1, sample_weight=None):
        """The loss (and metrics) on (x, y), averaged over all samples; returns the loss alone
        when there are no metrics, else ``[loss, metric, ...]`` in ``model.metrics_names`` order."""
        self._require_compiled()
        data.require_targets(y, 'evaluate')
        data.check_batch_size(batch_size)
        inputs, targets, weights = self._to_device(*self._prepare(x, y, sample_weight))
        self._check_stateful_batches(len(targets), batch_size)
        results = self._test_loop(inputs, targets, weights, batch_size, verbose)
        return results[0] if len(results) == 1 else results

    def _test_loop(self, inputs, targets, weights, batch_size, verbose):
        count = len(targets)
        progbar = Progbar(target=count) if verbose == 1 else None
        totals = None
        for start, stop in data.batch_slices(count, batch_size):
            outs = self._test_step([a[start:stop] for a in inputs], targets[start:stop],
                                   None if weights is None else weights[start:stop])
            batch_totals = [value * (stop - start) for value in outs]
            totals = batch_totals if totals is None else [t + b for t, b in zip(totals, batch_totals)]
            if progbar is not None:
                progbar.update(stop)
        return [float(t) / count for t in totals]

    def predict(self, x, batch_size=32, verbose=0):
        """The model's outputs for ``x`` as a host NumPy array (training=False: no dropout)."""
        data.check_batch_size(batch_size)
        inputs, _, _ = self._prepare(x)
        inputs, _, _ = self._to_device(inputs)
        count = len(inputs[0])
        self._check_stateful_batches(count, batch_size)
        progbar = Progbar(target=count) if verbose == 1 else None
        outputs = []
        with no_tape():
            for start, stop in data.batch_slices(count, batch_size):
                output = self._forward_inputs([a[start:stop] for a in inputs], training=False)
                outputs.append(am.to_numpy(output.data))
                if progbar is not None:
                    progbar.update(stop)
        return am.host.concatenate(outputs) if outputs else am.host.zeros((0,) + tuple(self.output_shape[1:]))

    def predict_proba(self, x, batch_size=32, verbose=1):
        """Class probabilities (the outputs of a softmax or sigmoid model)."""
        probabilities = self.predict(x, batch_size, verbose)
        if probabilities.min() < 0 or probabilities.max() > 1:
            import warnings
            warnings.warn("Network returning invalid probability values: the last layer "
                          "does not look like a probability distribution (softmax or sigmoid).")
        return probabilities

    def predict_classes(self, x, batch_size=32, verbose=1):
        """Class ids: the argmax of a multi-unit output, else output > 0.5."""
        probabilities = self.predict(x, batch_size, verbose)
        if probabilities.shape[-1] > 1:
            return probabilities.argmax(axis=-1)
        return (probabilities > 0.5).astype('int32')


def _check_verbose_and_callbacks(verbose, callbacks):
    if verbose not in (0, 1, 2):
        raise ValueError(f"verbose must be 0, 1 or 2, got {verbose!r}.")
    if callbacks is not None and not isinstance(callbacks, (list, tuple)):
        raise TypeError(f"callbacks must be a list of callbacks, such as callbacks=[EarlyStopping()], "
                        f"got {callbacks!r}.")


def _scalars(values):
    values = [float(v) for v in values]
    return values[0] if len(values) == 1 else values
