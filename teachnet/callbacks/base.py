"""Callbacks: small objects that the training loop calls at fixed moments.

``fit`` runs two nested loops, epochs and batches inside them. At six moments it
tells every callback what is happening, and hands over a ``logs`` dict:

    on_train_begin(logs)
        on_epoch_begin(epoch, logs)
            on_batch_begin(batch, logs)    logs = {'batch': i, 'size': n}
            on_batch_end(batch, logs)      logs also has 'loss' and each metric
        on_epoch_end(epoch, logs)          logs has 'val_loss', 'val_acc', ... when validating
    on_train_end(logs)

Three optional hooks, called only on callbacks that define them: ``set_training_data(inputs,
targets)`` just before ``on_train_begin`` (the training arrays, or ``fit_generator``'s first
batch, as a list of device arrays and one array; a dashboard takes its probe from them), ``set_batch_data(inputs,
targets, weights)`` just before each ``on_batch_begin`` (that batch's arrays, the same way,
and its per-sample loss weights from ``sample_weight`` or ``class_weight``, None without;
a dashboard keeps some of them to replay a step), and ``on_train_failed(error)`` when
training raises (an error or an interrupt) instead of reaching ``on_train_end``. A loss
that stops being finite is the one error ``fit`` expects: the callbacks hear
``on_train_failed`` with the ``NonFiniteLossError`` and then ``on_train_end``, as after
any stop, before ``fit`` raises it.

Every callback also knows the model (``set_model``) and the training settings
(``set_params``: batch size, number of epochs and samples, verbosity, metric names).
A callback may change the run: ``model.stop_training = True`` ends it after the
current epoch, and ``model.optimizer.lr`` may be set between epochs.

Two callbacks are part of every ``fit``:

- ``BaseLogger`` turns batch values into epoch values. A batch of n samples with mean
  loss l_b contributes n·l_b, so the epoch loss is  Σ_b n_b·l_b / Σ_b n_b : the mean over
  all samples seen, even when the last batch is smaller.
- ``History`` keeps each epoch's logs; ``fit`` returns it.
"""


class Callback(object):
    """The base class: every hook does nothing until a subclass overrides it.

    # Properties
        model: the model being trained (given by ``set_model``).
        params: dict of training settings (given by ``set_params``): 'batch_size',
            'nb_epoch' (and 'epochs'), 'nb_sample' (and 'samples'), 'verbose',
            'do_validation' and 'metrics' (the names that appear in the logs).
    """

    # Class-level defaults, so a subclass that forgets ``super().__init__()`` still works.
    model = None
    params = None
    validation_data = None

    def __init__(self):
        self.model = None
        self.params = None
        self.validation_data = None

    def set_params(self, params):
        self.params = params

    def set_model(self, model):
        self.model = model

    def on_epoch_begin(self, epoch, logs=None):
        pass

    def on_epoch_end(self, epoch, logs=None):
        pass

    def on_batch_begin(self, batch, logs=None):
        pass

    def on_batch_end(self, batch, logs=None):
        pass

    def on_train_begin(self, logs=None):
        pass

    def on_train_end(self, logs=None):
        pass


_HOOKS = ('set_model', 'set_params', 'on_epoch_begin', 'on_epoch_end', 'on_batch_begin',
          'on_batch_end', 'on_train_begin', 'on_train_end')


def _overrides(callback, hook):
    """True when ``callback.<hook>`` is not the do-nothing method of ``Callback``."""
    method = getattr(callback, hook)
    return getattr(method, '__func__', None) is not getattr(Callback, hook)


class CallbackList(object):
    """Calls each hook on every callback of a list, in list order.

    The batch hooks run once per batch, so their cost adds to every training step.
    To keep it tiny, the list remembers which callbacks really override
    ``on_batch_begin`` / ``on_batch_end`` and calls only those (the choice is
    refreshed at the start of training and of each epoch).

    # Arguments
        callbacks: list of ``Callback`` instances.
    """

    def __init__(self, callbacks=None):
        self.callbacks = []
        for callback in callbacks or []:
            self.append(callback)

    def append(self, callback):
        missing = [hook for hook in _HOOKS if not callable(getattr(callback, hook, None))]
        if missing:
            raise TypeError('CallbackList: expected Callback instances, got %r (of type %s), '
                            'which has no %s.' % (callback, type(callback).__name__,
                                                  ', '.join(missing)))
        self.callbacks.append(callback)
        self._collect_batch_hooks()

    def _collect_batch_hooks(self):
        self._batch_begin_hooks = [c.on_batch_begin for c in self.callbacks
                                   if _overrides(c, 'on_batch_begin')]
        self._batch_end_hooks = [c.on_batch_end for c in self.callbacks
                                 if _overrides(c, 'on_batch_end')]
        self._batch_data_hooks = [c.set_batch_data for c in self.callbacks
                                  if callable(getattr(c, 'set_batch_data', None))]

    def __iter__(self):
        return iter(self.callbacks)

    def __len__(self):
        return len(self.callbacks)

    def set_params(self, params):
        for callback in self.callbacks:
            callback.set_params(params)

    def set_model(self, model):
        for callback in self.callbacks:
            callback.set_model(model)

    # The same ``logs`` dict goes to every callback, so what one writes (BaseLogger's
    # epoch averages, say) the next ones read. Hence ``if logs is None`` and never
    # ``logs or {}``: an empty dict from the engine must stay the same object.

    def on_train_begin(self, logs=None):
        if logs is None:
            logs = {}
        self._collect_batch_hooks()
        for callback in self.callbacks:
            callback.on_train_begin(logs)

    def on_train_end(self, logs=None):
        if logs is None:
            logs = {}
        for callback in self.callbacks:
            callback.on_train_end(logs)

    def on_epoch_begin(self, epoch, logs=None):
        if logs is None:
            logs = {}
        self._collect_batch_hooks()
        for callback in self.callbacks:
            callback.on_epoch_begin(epoch, logs)

    def on_epoch_end(self, epoch, logs=None):
        if logs is None:
            logs = {}
        for callback in self.callbacks:
            callback.on_epoch_end(epoch, logs)

    def set_training_data(self, inputs, targets):
        """Hand the training arrays to the callbacks that define ``set_training_data``."""
        for callback in self.callbacks:
            if callable(getattr(callback, 'set_training_data', None)):
                callback.set_training_data(inputs, targets)

    def set_batch_data(self, inputs, targets, weights=None):
        """Hand the arrays of the batch about to be trained on (the list of inputs, the
        targets and the per-sample loss weights or None, on the device) to the callbacks
        that define ``set_batch_data``."""
        for hook in self._batch_data_hooks:
            hook(inputs, targets, weights)

    def on_train_failed(self, error):
        """Tell the callbacks that define ``on_train_failed`` that training raised ``error``."""
        for callback in self.callbacks:
            if callable(getattr(callback, 'on_train_failed', None)):
                callback.on_train_failed(error)

    def on_batch_begin(self, batch, logs=None):
        if logs is None:
            logs = {}
        for hook in self._batch_begin_hooks:
            hook(batch, logs)

    def on_batch_end(self, batch, logs=None):
        if logs is None:
            logs = {}
        for hook in self._batch_end_hooks:
            hook(batch, logs)


class BaseLogger(Callback):
    """Averages the batch values of an epoch, weighting each batch by its size.

    For every logged name (loss and metrics):

        epoch value = Σ_b size_b · value_b / Σ_b size_b

    written into the epoch logs at ``on_epoch_end`` for the names in
    ``params['metrics']`` (every name seen, when params has no 'metrics').
    ``fit`` puts it first in the callback list, so the others see the averages.
    """

    _NOT_AVERAGED = ('batch', 'size')

    def on_epoch_begin(self, epoch, logs=None):
        self.seen = 0
        self.totals = {}

    def on_batch_end(self, batch, logs=None):
        if logs is None:
            return
        size = logs.get('size', 0)
        self.seen += size
        totals = self.totals
        for name, value in logs.items():
            if name in self._NOT_AVERAGED:
                continue
            totals[name] = totals.get(name, 0.0) + value * size

    def on_epoch_end(self, epoch, logs=None):
        if logs is None or not self.seen:
            return
        names = (self.params or {}).get('metrics')
        if names is None:
            names = list(self.totals)
        for name in names:
            if name in self.totals:
                logs[name] = self.totals[name] / self.seen


class HistoryDict(dict):
    """A dict of per-epoch lists that also answers to the Keras 2 accuracy names.

    Keras 1 logs accuracy as 'acc' (and 'val_acc'); Keras 2 code asks for 'accuracy'
    (and 'val_accuracy'). Looking up either spelling finds the list stored under the
    other, while ``keys()`` lists only what was logged.
    """

    ALIASES = {'accuracy': 'acc', 'val_accuracy': 'val_acc',
               'acc': 'accuracy', 'val_acc': 'val_accuracy'}

    def __missing__(self, key):
        alias = self.ALIASES.get(key)
        if alias is not None and dict.__contains__(self, alias):
            return dict.__getitem__(self, alias)
        raise KeyError(key)

    def __contains__(self, key):
        if dict.__contains__(self, key):
            return True
        alias = self.ALIASES.get(key)
        return alias is not None and dict.__contains__(self, alias)

    def get(self, key, default=None):
        return self[key] if key in self else default


class History(Callback):
    """Records every epoch's logs; ``fit`` returns this object.

    # Properties
        epoch: list of the epoch indices seen (0, 1, 2, ...).
        history: ``HistoryDict`` mapping each logged name ('loss', 'acc', 'val_loss',
            ...) to its list of per-epoch values. ``history['accuracy']`` works too.
    """

    def __init__(self):
        super(History, self).__init__()
        self.epoch = []
        self.history = HistoryDict()

    def on_train_begin(self, logs=None):
        self.epoch = []
        self.history = HistoryDict()

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for name, value in (logs or {}).items():
            self.history.setdefault(name, []).append(value)
