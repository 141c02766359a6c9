"""Training from a generator: batches made on the fly instead of one big array.

``fit`` needs the whole training set in memory as one array. A *generator* instead hands
out one batch at a time, made when it is asked for: read from disk, or changed at random
(data augmentation: ``ImageDataGenerator.flow``). Any Python iterator works that yields

    (x, y)   or   (x, y, sample_weight)

batch after batch, forever. Since a generator never ends, the training loop must be told
how long an epoch is, in either spelling:

    samples_per_epoch=60000    Keras 1: draw batches until this many samples were seen
    steps_per_epoch=469        Keras 2: draw this many batches

(an iterator with a length, like ``flow(...)``, gives ``steps_per_epoch = len(iterator)``
by itself). Each batch then goes through the very same training step as in ``fit``:
forward, loss, backward, update.

Batches are drawn one at a time in this thread, which keeps runs repeatable; the Keras
arguments for parallel drawing (``max_q_size``, ``nb_worker``, ``pickle_safe`` and Keras 2's
``workers``, ``max_queue_size``, ``use_multiprocessing``) are accepted and have no effect.
"""
import numbers
import warnings

from teachnet.backend import array_module as am
from teachnet.callbacks.progbar import Progbar
from teachnet.engine import data
from teachnet.engine.divergence import NonFiniteLossError, failures_told_to

_PARALLEL_OPTIONS = ('workers', 'max_queue_size', 'use_multiprocessing', 'shuffle')


def _check_options(caller, kwargs):
    unknown = sorted(set(kwargs) - set(_PARALLEL_OPTIONS))
    if unknown:
        raise TypeError(f"{caller} got unexpected keyword argument(s): {', '.join(unknown)}.")


class _Batches:
    """The generator's iterator, counting the batches drawn so errors can say which one."""

    def __init__(self, iterator, caller):
        self.iterator, self.caller, self.drawn = iterator, caller, 0

    def next(self):
        try:
            item = next(self.iterator)
        except StopIteration:
            raise ValueError(f"{self.caller}: the generator stopped after {self.drawn} batch(es). It must yield "
                             "batches forever (a `while True:` loop, or ImageDataGenerator.flow).") from None
        self.drawn += 1
        return item


def _as_iterator(generator, caller):
    if hasattr(generator, '__next__'):
        return _Batches(generator, caller)
    if isinstance(generator, (tuple, list)) or hasattr(generator, 'shape') or not hasattr(generator, '__iter__'):
        raise TypeError(f"{caller} needs a generator of batches, such as datagen.flow(x, y, batch_size=32) or a "
                        f"function with a `while True: ... yield x, y` loop; got {_describe(generator)}. For "
                        f"arrays in memory use {caller.split(' ')[0].replace('_generator', '')}.")
    return _Batches(iter(generator), caller)


def _describe(item):
    if hasattr(item, 'shape'):
        return f"a {type(item).__name__} of shape {tuple(item.shape)}"
    if isinstance(item, (tuple, list)):
        return f"a {type(item).__name__} of {len(item)} item(s)"
    return f"a {type(item).__name__}"


def _positive(name, value):
    if value is not None and (not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1):
        raise ValueError(f"{name} must be a positive integer, got {value!r}.")


def _epoch_length(caller, generator, samples, steps, samples_name, steps_name):
    """(samples, steps): how long one pass is, exactly one of them set."""
    _positive(samples_name, samples)
    _positive(steps_name, steps)
    if samples is not None and steps is not None:
        raise ValueError(f"{caller}: pass {samples_name} (samples, Keras 1) or {steps_name} (batches, Keras 2), "
                         "not both.")
    if samples is None and steps is None:
        if not hasattr(generator, '__len__'):
            raise ValueError(f"{caller} needs to know how long an epoch is: a generator never ends. Pass "
                             f"{samples_name} (Keras 1: how many samples, such as len(x_train)) or {steps_name} "
                             "(Keras 2: how many batches).")
        steps = len(generator)
    return samples, steps


def _more(seen, index, samples, steps):
    return seen < samples if samples is not None else index < steps


class GeneratorMethods:
    """fit_generator / evaluate_generator / predict_generator, built on Training's steps."""

    def _draw_batch(self, batches, class_weight=None):
        """The next (x, y[, sample_weight]) of the generator, checked and on the device."""
        item, index, caller = batches.next(), batches.drawn - 1, batches.caller
        if not isinstance(item, (tuple, list)) or len(item) not in (2, 3) or item[1] is None:
            raise ValueError(f"{caller}: the generator must yield tuples (x, y) or (x, y, sample_weight), but "
                             f"batch {index} is {_describe(item)}"
                             + (" with y = None" if isinstance(item, (tuple, list)) and len(item) in (2, 3) else "")
                             + ".")
        try:
            prepared = self._prepare(item[0], item[1], item[2] if len(item) == 3 else None, class_weight)
        except (ValueError, TypeError) as error:
            raise type(error)(f"{caller}, batch {index} of the generator: {error}") from error
        return self._to_device(*prepared)

    # ------------------------------------------------------------------ fit
    def fit_generator(self, generator, samples_per_epoch=None, nb_epoch=None, verbose=1, callbacks=None,
                      validation_data=None, nb_val_samples=None, class_weight=None, max_q_size=10, nb_worker=1,
                      pickle_safe=False, initial_epoch=0, steps_per_epoch=None, epochs=None,
                      validation_steps=None, **kwargs):
        """Train on batches drawn from ``generator``, for ``nb_epoch`` epochs (Keras 2: ``epochs``;
        1 when neither is given).

        # Arguments
            generator: yields (x, y) or (x, y, sample_weight) batches forever.
            samples_per_epoch: samples drawn per epoch (Keras 1), or
            steps_per_epoch: batches drawn per epoch (Keras 2); one of the two, unless the
                generator has a length (batches per epoch).
            validation_data: a tuple (x_val, y_val[, weights]) or a generator of them,
                evaluated after each epoch; a generator needs ``nb_val_samples`` (Keras 1)
                or ``validation_steps`` (Keras 2), unless it has a length.
            class_weight: a dict class -> weight for the loss.
            initial_epoch: the epoch to start at (to resume a run).

        # Returns
            A History, as ``fit`` returns.
        """
        _check_options('fit_generator', kwargs)
        nb_epoch = data.epoch_count(nb_epoch, epochs, 1, 'fit_generator')
        self._require_compiled()
        data.check_epochs(nb_epoch, initial_epoch)
        data.check_verbose_and_callbacks(verbose, callbacks)
        batches = _as_iterator(generator, 'fit_generator')
        samples, steps = _epoch_length('fit_generator', generator, samples_per_epoch, steps_per_epoch,
                                       'samples_per_epoch', 'steps_per_epoch')
        validation_arrays = validation_batches = validation_length = None
        if isinstance(validation_data, (tuple, list)):
            validation_arrays = self._to_device(*self._prepare_validation_tuple(validation_data))
        elif validation_data is not None:
            validation_batches = _as_iterator(validation_data, 'fit_generator (validation_data)')
            validation_length = _epoch_length('fit_generator (validation_data)', validation_data, nb_val_samples,
                                              validation_steps, 'nb_val_samples', 'validation_steps')
        pending = self._draw_batch(batches, class_weight)   # its size sizes the progress bar
        batch_size = len(pending[1])
        logged = self.metrics_names + (['val_' + n for n in self.metrics_names] if validation_data is not None else [])
        target = samples if samples is not None else _samples_in(generator, steps, batch_size)
        callback_list = self._start_callbacks(callbacks, verbose, {
            'nb_epoch': nb_epoch, 'epochs': nb_epoch, 'nb_sample': target, 'samples': target, 'steps': steps,
            'batch_size': batch_size, 'verbose': verbose, 'do_validation': validation_data is not None,
            'metrics': logged})
        self.stop_training = False
        params = self._trainable_params()
        callback_list.set_training_data(pending[0], pending[1])     # the first batch: a dashboard's probe
        callback_list.on_train_begin()
        with failures_told_to(callback_list):
            for epoch in range(initial_epoch, nb_epoch):
                callback_list.on_epoch_begin(epoch)
                seen = self._train_epoch(batches, pending, samples, steps, class_weight, params, callback_list,
                                         epoch, nb_epoch)
                pending = None
                if samples is not None and seen > samples and not self.stop_training:
                    warnings.warn(f"fit_generator: epoch {epoch + 1} saw {seen} samples, more than samples_per_epoch="
                                  f"{samples}, because the batches do not divide it exactly.")
                epoch_logs = {}
                if validation_arrays is not None:
                    val_outs = self._test_loop(*validation_arrays, batch_size=batch_size, verbose=0)
                elif validation_batches is not None:
                    val_outs = self._evaluate_batches(validation_batches, *validation_length)
                if validation_data is not None:
                    epoch_logs.update(('val_' + label, value) for label, value in zip(self.metrics_names, val_outs))
                callback_list.on_epoch_end(epoch, epoch_logs)
                if self.stop_training:
                    break
        callback_list.on_train_end()
        return self.history

    def _train_epoch(self, batches, first_batch, samples, steps, class_weight, params, callback_list, epoch,
                     nb_epoch):
        """One epoch of training steps on drawn batches; returns the number of samples seen."""
        seen = index = 0
        while _more(seen, index, samples, steps):
            inputs, targets, weights = first_batch or self._draw_batch(batches, class_weight)
            first_batch = None
            batch_logs = {'batch': index, 'size': len(targets)}
            callback_list.set_batch_data(inputs, targets, weights)
            callback_list.on_batch_begin(index, batch_logs)
            try:
                outs = self._train_step(inputs, targets, weights, params)
            except NonFiniteLossError as error:
                self._stop_on_non_finite(error, callback_list, epoch, nb_epoch, index, steps)
            for label, value in zip(self.metrics_names, outs):
                batch_logs[label] = float(value)
            callback_list.on_batch_end(index, batch_logs)
            seen, index = seen + len(targets), index + 1
            if self.stop_training:
                break
        return seen

    # ------------------------------------------------------------------ evaluate
    def evaluate_generator(self, generator, val_samples=None, max_q_size=10, nb_worker=1, pickle_safe=False,
                           steps=None, **kwargs):
        """The loss (and metrics) over ``val_samples`` samples (Keras 1) or ``steps``
        batches (Keras 2) of the generator, averaged over samples as ``evaluate`` does."""
        _check_options('evaluate_generator', kwargs)
        self._require_compiled()
        samples, steps = _epoch_length('evaluate_generator', generator, val_samples, steps, 'val_samples', 'steps')
        results = self._evaluate_batches(_as_iterator(generator, 'evaluate_generator'), samples, steps)
        return results[0] if len(results) == 1 else results

    def _evaluate_batches(self, batches, samples, steps):
        """Σ_b n_b · value_b / Σ_b n_b over the batches drawn, for the loss and each metric."""
        totals, seen, index = None, 0, 0
        while _more(seen, index, samples, steps):
            inputs, targets, weights = self._draw_batch(batches)
            outs = [value * len(targets) for value in self._test_step(inputs, targets, weights)]
            totals = outs if totals is None else [t + o for t, o in zip(totals, outs)]
            seen, index = seen + len(targets), index + 1
        return [float(total) / seen for total in totals]

    # ------------------------------------------------------------------ predict
    def predict_generator(self, generator, val_samples=None, max_q_size=10, nb_worker=1, pickle_safe=False,
                          steps=None, verbose=0, **kwargs):
        """The model's outputs for the inputs of ``val_samples`` samples (Keras 1) or
        ``steps`` batches (Keras 2), as ``predict`` gives them: one host array, or a list of
        one per output. The generator may yield x alone or tuples (x, y) / (x, y,
        sample_weight), whose y is ignored."""
        _check_options('predict_generator', kwargs)
        samples, steps = _epoch_length('predict_generator', generator, val_samples, steps, 'val_samples', 'steps')
        batches = _as_iterator(generator, 'predict_generator')
        progbar = Progbar(target=samples or steps) if verbose == 1 else None
        outputs, seen, index = [], 0, 0
        while _more(seen, index, samples, steps):
            item = batches.next()
            x = item[0] if isinstance(item, tuple) and len(item) in (2, 3) else item
            try:
                inputs, _, _ = self._to_device(*self._prepare(x))
            except (ValueError, TypeError) as error:
                raise type(error)(f"predict_generator, batch {index} of the generator: {error}") from error
            batch_outputs = self._predict_batches(inputs, max(1, len(inputs[0])))
            outputs.append(batch_outputs if isinstance(batch_outputs, list) else [batch_outputs])
            seen, index = seen + len(inputs[0]), index + 1
            if progbar is not None:
                progbar.update(seen if samples else index)
        results = [am.host.concatenate(arrays) for arrays in zip(*outputs)]
        return results[0] if len(results) == 1 else results


def _samples_in(generator, steps, first_batch_size):
    """Samples per epoch for the progress bar when the epoch is counted in batches: the
    iterator's own count when the steps cover it exactly, else steps x the first batch."""
    count, batch_size = getattr(generator, 'n', None), getattr(generator, 'batch_size', None)
    if isinstance(count, int) and isinstance(batch_size, int) and batch_size and steps == -(-count // batch_size):
        return count
    return steps * first_batch_size
