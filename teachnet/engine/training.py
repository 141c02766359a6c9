"""The training loop: compile, fit, evaluate, predict.

One training step on a batch (x, y) is four moves, always in this order:

1. forward:  run the layers on x while a tape records every op;
2. loss:     L = mean over samples of loss(y, ŷ) (weighted, plus any penalties);
3. backward: walk the tape back from L, filling dL/dθ for every parameter θ;
4. update:   the optimizer moves each θ using its gradient.

Moves 1 and 2 are ``model.batch_loss`` (``teachnet.engine.batch``), the one computation of
a batch that evaluation and every inspection tool share. After a step, each parameter's
``.grad`` holds the gradient that the update used.

``fit`` repeats the step over shuffled batches for several epochs, reporting to callbacks
(progress bar, history, early stopping...) after each batch and each epoch. A loss that
is NaN or ±∞ stops it before that batch's update (``teachnet.engine.divergence``).
"""
import math

from teachnet import metrics as metric_functions
from teachnet.backend import array_module as am
from teachnet.callbacks import BaseLogger, CallbackList, History
from teachnet.callbacks.progbar import Progbar, progress_logger
from teachnet.engine import data
from teachnet.engine.batch import compute_batch, per_output
from teachnet.engine.divergence import NonFiniteLossError, failures_told_to, explain, first_non_finite_layer
from teachnet.engine.generators import GeneratorMethods
from teachnet.engine.outputs import OutputsTraining
from teachnet.ops.tape import Tape, no_tape
from teachnet.ops.tensor import Tensor


class Training(OutputsTraining, GeneratorMethods):
    """compile / fit / evaluate / predict, once for every model: a Sequential model and a
    functional Model both describe their graph (inputs, outputs, ``forward``) and train here."""

    def __init__(self):
        self.optimizer = None
        self.stop_training = False
        self.history = None
        self.metrics_names = []

    def _require_compiled(self):
        if self.optimizer is None:
            raise RuntimeError(f"Model {self.name} must be compiled before training or evaluating: call "
                               "model.compile(optimizer, loss) first.")

    # ------------------------------------------------------------------ one batch
    def batch_loss(self, x, y=None, sample_weight=None, training=False, input_grads=False):
        """One batch computed as training computes it: the outputs, and the loss with every
        penalty (weight and activity regularizers)::

            L = Σ_k w_k · mean(loss_k(y_k, ŷ_k)) + Σ P(a) + Σ P(W)

        ``train_on_batch`` (training=True) and ``test_on_batch`` (training=False) compute
        exactly this, and so do traces, ``gradient_check``, ``gates``,
        ``gradients_through_time`` and live views. Inside ``with Tape() as tape:`` every op
        is recorded, and ``tape.backward(batch.loss)`` then puts dL/dθ on each parameter's
        ``.grad``; outside a tape nothing is recorded. The weights are not changed.

        # Arguments
            x, y, sample_weight: one batch, as ``train_on_batch`` takes it (checked the same
                way); without y only the outputs are computed.
            training: True for the training computation (dropout on), False as in evaluation.
            input_grads: make the (float) inputs need a gradient, so that backward also
                gives dL/dx, on ``batch.inputs[i].grad``.

        # Returns
            A ``teachnet.engine.batch.BatchLoss``: ``.loss`` (a scalar Tensor, None without
            y), ``.outputs``, ``.output_losses`` (each output's L_k), ``.penalties`` (name,
            Tensor) and ``.inputs``; arrays stay on the active backend.

        # Example
            from teachnet.ops.tape import Tape
            with Tape() as tape:
                batch = model.batch_loss(x[:32], y[:32], training=True)
            tape.backward(batch.loss)
            float(batch.loss.data), model.layers[0].W.grad.shape
        """
        if y is not None:
            self._require_compiled()
        inputs, targets, weights = self._to_device(*self._prepare(x, y, sample_weight))
        if input_grads:
            inputs = [Tensor(a, requires_grad=a.dtype.kind == 'f') for a in inputs]
        return compute_batch(self, inputs, targets, weights, training)

    def _forward_inputs(self, inputs, training):
        """Run the model on one array (or Tensor) per input; one Tensor per output back."""
        tensors = [x if isinstance(x, Tensor) else Tensor(x) for x in inputs]
        return self.forward(tensors if len(tensors) > 1 else tensors[0], training)

    def trace(self, x, y=None, training=True, sample_weight=None):
        """Run one training computation on ``x`` (and ``y``, weighted per sample by
        ``sample_weight`` as in ``train_on_batch``) and return its steps: forward through
        every layer, the loss, and backward (``teachnet.inspect.trace_model``). The weights
        are not changed."""
        from teachnet.inspect.trace import trace_model
        return trace_model(self, x, y, training=training, sample_weight=sample_weight)

    def _metric_values(self, batch, targets):
        """The values logged after 'loss' on one batch: each output's L_k (when there are
        several outputs), then each output's metrics."""
        count = len(batch.outputs)
        values = [loss.data for loss in batch.output_losses] if count > 1 else []
        with no_tape():
            for functions, y, y_pred in zip(self._output_metrics, per_output(targets, count), batch.outputs):
                for name, function in functions:
                    result = function(y, y_pred.data) if getattr(
                        function, '__module__', None) == metric_functions.__name__ else function(
                        Tensor(y), Tensor(y_pred.data))
                    values.extend(result.values() if isinstance(result, dict) else [result])
        return [v.data if isinstance(v, Tensor) else v for v in values]

    def _train_step(self, inputs, targets, weights, params):
        """Forward, loss, backward, update on one batch; returns the loss (a float) and the
        metric arrays. A loss of NaN or ±∞ raises NonFiniteLossError before the update."""
        for param in params:
            param.grad = None
        with Tape() as tape:
            batch = compute_batch(self, inputs, targets, weights, training=True)
        tape.backward(batch.loss)
        loss = float(batch.loss.data)               # a host sync the logs need anyway, before the update
        if not math.isfinite(loss):
            layer = first_non_finite_layer(tape)
            raise NonFiniteLossError(explain(self.name, loss, layer, 'this batch'), loss, layer)
        self.optimizer.update(params)
        return [loss] + self._metric_values(batch, targets)

    def _stop_on_non_finite(self, error, callback_list, epoch, nb_epoch, batch, nb_batch=None):
        """End a run whose loss is not finite: the callbacks hear why (a dashboard names the
        layer) and see the end of training (a progress bar closes, a file is flushed), then
        the error says where, with the History."""
        where = f"epoch {epoch + 1}/{nb_epoch}, batch {batch + 1}" + (f"/{nb_batch}" if nb_batch else "")
        finished = len(self.history.epoch)
        message = (f"{explain(self.name, error.loss, error.layer, where)} model.history (and this error's "
                   f".history) keeps the {finished} epoch(s) that finished.")
        stopped = NonFiniteLossError(message, error.loss, error.layer, epoch, batch, self.history)
        callback_list.on_train_failed(stopped)
        callback_list.on_train_end()
        raise stopped from None

    def _test_step(self, inputs, targets, weights):
        with no_tape():
            batch = compute_batch(self, inputs, targets, weights, training=False)
        return [batch.loss.data] + self._metric_values(batch, targets)

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
        """The outputs for ``x`` in one batch, as ``predict`` gives them."""
        inputs, _, _ = self._to_device(*self._prepare(x))
        return self._predict_batches(inputs, max(1, len(inputs[0])))

    # ------------------------------------------------------------------ fit
    def fit(self, x=None, y=None, batch_size=32, nb_epoch=None, verbose=1, callbacks=None, validation_split=0.,
            validation_data=None, shuffle=True, class_weight=None, sample_weight=None, initial_epoch=0,
            epochs=None, **kwargs):
        """Train for ``nb_epoch`` epochs (Keras 2: ``epochs``; 10 when neither is given) over
        batches of ``batch_size``.

        Returns a History whose ``.history`` maps 'loss', each metric and their 'val_'
        twins to one value per epoch. Data holding NaN or ±∞ is refused before training
        starts; a loss that becomes NaN or ±∞ stops training with a NonFiniteLossError
        (``teachnet.engine.divergence``) that carries the History of what ran.
        """
        if kwargs:
            raise TypeError(f"fit got unexpected keyword argument(s): {', '.join(sorted(kwargs))}.")
        nb_epoch = data.epoch_count(nb_epoch, epochs, 10, 'fit')
        self._require_compiled()
        data.require_targets(y, 'fit')
        data.check_batch_size(batch_size)
        data.check_epochs(nb_epoch, initial_epoch)
        data.check_shuffle(shuffle)
        data.check_verbose_and_callbacks(verbose, callbacks)
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
        with failures_told_to(callback_list):
            for epoch in range(initial_epoch, nb_epoch):
                callback_list.on_epoch_begin(epoch)
                order = data.epoch_order(count, batch_size, shuffle)
                order = None if order is None else am.to_device(order)
                for batch_index, (start, stop) in enumerate(slices):
                    ids = slice(start, stop) if order is None else order[start:stop]
                    batch = ([a[ids] for a in inputs], targets[ids], None if weights is None else weights[ids])
                    batch_logs = {'batch': batch_index, 'size': stop - start}
                    callback_list.set_batch_data(*batch)
                    callback_list.on_batch_begin(batch_index, batch_logs)
                    try:
                        outs = self._train_step(*batch, params)
                    except NonFiniteLossError as error:
                        self._stop_on_non_finite(error, callback_list, epoch, nb_epoch, batch_index, len(slices))
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
        """The model's outputs for ``x`` as host NumPy arrays (training=False: no dropout): one
        array, or a list of one per output for a model with several outputs."""
        data.check_batch_size(batch_size)
        inputs, _, _ = self._to_device(*self._prepare(x))
        count = len(inputs[0])
        self._check_stateful_batches(count, batch_size)
        return self._predict_batches(inputs, batch_size, Progbar(target=count) if verbose == 1 else None)

    def _predict_batches(self, inputs, batch_size, progbar=None):
        """Forward (no dropout, nothing recorded) batch after batch; the outputs on the host."""
        count = len(inputs[0])
        collected = [[] for _ in self._output_names()]
        with no_tape():
            for start, stop in data.batch_slices(count, batch_size):
                outputs = self._forward_inputs([a[start:stop] for a in inputs], training=False)
                for arrays, output in zip(collected, outputs if isinstance(outputs, list) else [outputs]):
                    arrays.append(am.to_numpy(output.data))
                if progbar is not None:
                    progbar.update(stop)
        results = [am.host.concatenate(arrays) if arrays else am.host.zeros((0,) + tuple(shape[1:]))
                   for arrays, shape in zip(collected, self._output_shapes())]
        return results[0] if len(results) == 1 else results

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


def _scalars(values):
    values = [float(v) for v in values]
    return values[0] if len(values) == 1 else values
