"""The Optimizer base class: what every update rule shares.

After backward, each parameter θ holds its gradient g = dLoss/dθ. An optimizer turns
gradients into a step: ``optimizer.update(params)`` changes every ``θ.data`` in place,
once per batch. The rules differ (plain gradient descent, momentum, running averages of
g²...), but the bookkeeping around them is the same for all, and lives here:

* **Learning-rate decay.** With ``decay > 0`` the rate shrinks as training goes on::

      lr_t = lr / (1 + decay · iterations)

  where ``iterations`` counts the updates done *before* this one, so the first update
  uses ``lr`` itself.

* **Gradient clipping**, applied to new arrays (``θ.grad`` is never changed):

  - ``clipnorm=c``: the norm of all gradients together, ‖g‖ = √(Σ_θ Σ g²), is brought
    down to c when it exceeds c: g ← g · c / ‖g‖ (the direction is kept);
  - ``clipvalue=c``: every component is clipped to [-c, c].

* **State.** Rules with memory keep *slots*: arrays shaped like the parameters, such as
  the velocity v of momentum. They are created (as zeros) on the first update, one per
  parameter in the order of ``params``, and can be saved (``get_state``) and restored
  (``set_state``).

* **Configuration.** Hyperparameters are plain Python floats with their Keras 1 names
  (``lr``, ``momentum``, ``rho``...) that can be changed during training
  (``model.optimizer.lr = 0.01``); ``get_config`` / ``from_config`` rebuild an optimizer.

* **Less work, the same numbers.** An embedding's gradient reaches a few rows of its
  table (a ``RowGradient``): rules that leave θ alone where g = 0 update those rows only
  (``update_parameter_rows``). Small parameters are updated together, laid end to end
  (``teachnet.optimizers.together``), and large ones a block at a time, in the cache
  (``teachnet.optimizers.blocks``). Running averages that fade below the normal floats
  are set to zero: processors compute with such numbers far more slowly
  (``teachnet.optimizers.subnormals``).

A subclass names its hyperparameters and slots, computes the numbers shared by all
parameters once per step (``begin_step``) and applies its rule to one parameter
(``update_parameter``).
"""
from types import SimpleNamespace

from teachnet.backend import array_module as am
from teachnet.backend import sample_passes
from teachnet.ops.row_gradient import RowGradient
from teachnet.optimizers import together as together_module
from teachnet.optimizers.blocks import update_in_blocks


class Optimizer:
    """Base class of teachnet's optimizers; not an optimizer itself.

    # Arguments (accepted by every optimizer)
        lr: float >= 0, the learning rate (``learning_rate=`` is the Keras 2 spelling).
        clipnorm: float > 0, or None (or 0) for none. Rescale all gradients together so
            that their global norm is at most ``clipnorm``.
        clipvalue: float > 0, or None (or 0) for none. Clip each gradient component to
            [-clipvalue, clipvalue].

    # Attributes
        iterations: the number of updates done so far.
        slots: None before the first update, then a dict
            ``{slot_name: [one array per parameter]}``.
    """
    #: hyperparameters, in the order of the constructor and of ``get_config``
    hyperparameter_names = ('lr',)
    #: names of the per-parameter state arrays, e.g. ('velocity',)
    slot_names = ()

    def __init__(self, lr, options):
        options = dict(options)
        if 'learning_rate' in options:
            lr = options.pop('learning_rate')
        self.clipnorm = self._optional_positive('clipnorm', options.pop('clipnorm', None))
        self.clipvalue = self._optional_positive('clipvalue', options.pop('clipvalue', None))
        if options:
            accepted = ', '.join(self.hyperparameter_names + ('learning_rate', 'clipnorm', 'clipvalue'))
            raise TypeError(f"{self.name}: unexpected keyword argument(s) "
                            f"{', '.join(repr(key) for key in options)}; it accepts {accepted}.")
        self.lr = self._non_negative('lr', lr)
        self.iterations = 0
        self.slots = None

    # ------------------------------------------------------------------ naming and checking

    @property
    def name(self):
        return type(self).__name__

    @property
    def learning_rate(self):
        """The Keras 2 name of ``lr``."""
        return self.lr

    @learning_rate.setter
    def learning_rate(self, value):
        self.lr = value

    def _number(self, name, value):
        try:
            return float(value)
        except (TypeError, ValueError):
            raise TypeError(f"{self.name}: {name} must be a number, received {value!r}.") from None

    def _non_negative(self, name, value):
        value = self._number(name, value)
        if value < 0:
            raise ValueError(f"{self.name}: {name} must be >= 0, received {value}.")
        return value

    def _fraction(self, name, value):
        """A decay rate such as rho or beta_1: a number in [0, 1)."""
        value = self._number(name, value)
        if not 0 <= value < 1:
            raise ValueError(f"{self.name}: {name} must be in [0, 1), received {value}.")
        return value

    def _optional_positive(self, name, value):
        """A clipping threshold: None or 0 mean no clipping (as in Keras)."""
        if value is None:
            return None
        value = self._number(name, value)
        if value < 0:
            raise ValueError(f"{self.name}: {name} must be > 0 (or None / 0 for no clipping), "
                             f"received {value}.")
        return value or None

    # ------------------------------------------------------------------ the update

    def update(self, params):
        """Apply one step of the rule to every parameter that has a gradient.

        ``params`` is the list of Parameters, always in the same order. Each ``p.data``
        is changed in place; ``p.grad`` is only read. Parameters whose ``grad`` is None
        are skipped (their slots stay as they are).
        """
        params = list(params)
        if self.slots is None:
            xp = am.xp()
            self.slots = {name: [xp.zeros_like(p.data) for p in params] for name in self.slot_names}
        else:
            self._check_parameter_count(len(params))
        with_grad = [index for index, p in enumerate(params) if p.has_grad]
        gradients = self._gradients([params[index] for index in with_grad])
        step = self.begin_step(self.current_lr())
        together = together_module.small_ones(params, with_grad, gradients)     # see optimizers.together
        if together:
            group = self._small_parameters(params, [with_grad[position] for position in together])
            group.update(self, params, [gradients[position] for position in together], step)
        slots_of = self._slots_by_parameter()
        alone = sorted(set(range(len(with_grad))) - set(together))
        for index, g in ((with_grad[position], gradients[position]) for position in alone):
            if isinstance(g, RowGradient):
                self.update_parameter_rows(params[index].data, g, step, *slots_of[index])
            else:       # a large parameter a block at a time (optimizers.blocks)
                update_in_blocks(self, params[index].data, g, step, slots_of[index])
        self.iterations += 1

    def _small_parameters(self, params, indices):
        """The long vectors of ``optimizers.together`` for these parameters, made again
        when the parameters or the slot arrays changed."""
        group = getattr(self, '_together', None)
        if group is None or not group.serves(self, indices):
            group = self._together = together_module.SmallParameters(self, params, indices)
            self._slot_rows = None                      # the slots are views now: regroup them
        return group

    def _gradients(self, params):
        """Each parameter's gradient, clipped when clipnorm or clipvalue ask: a RowGradient
        where only some rows can be non-zero (an embedding's), else the full array."""
        if self.clipnorm is None and self.clipvalue is None:
            return [p.grad if p.grad_rows is None else p.row_gradient for p in params]
        clipped = self.clip_gradients([p.grad for p in params])    # scaling and clipping keep zero rows zero
        return [g if p.grad_rows is None else RowGradient(p.grad_rows, g[p.grad_rows], g.shape)
                for p, g in zip(params, clipped)]

    def _slots_by_parameter(self):
        """The slots regrouped per parameter, [(m_0, v_0), (m_1, v_1), ...], cached until
        ``self.slots`` is replaced (by the first update or by ``set_state``)."""
        columns = tuple(self.slots[name] for name in self.slot_names)
        cached = getattr(self, '_slot_rows', None)
        if cached is None or len(cached[0]) != len(columns) or any(
                old is not new for old, new in zip(cached[0], columns)):
            cached = self._slot_rows = (columns, list(zip(*columns)))
        return cached[1]

    def current_lr(self):
        """The learning rate of the coming update: lr / (1 + decay · iterations)."""
        decay = getattr(self, 'decay', 0.0)
        return self.lr / (1.0 + decay * self.iterations) if decay else self.lr

    def begin_step(self, lr):
        """Numbers shared by all parameters in this step (a namespace; ``lr`` at least)."""
        return SimpleNamespace(lr=lr)

    def update_parameter(self, theta, g, step, *slots):
        """Change the array ``theta`` in place, from its gradient ``g`` and its slots."""
        raise NotImplementedError

    #: whether g = 0 leaves θ where it is (True for RMSprop, Adagrad, Adadelta and SGD
    #: without momentum; False where θ keeps moving, with momentum or Adam's averages)
    zero_gradient_keeps_theta = False

    def idle_slots(self, *slots):
        """What one step with g = 0 does to the slots, in place (nothing by default)."""

    def update_parameter_rows(self, theta, row_gradient, step, *slots):
        """The same step as ``update_parameter`` when only some rows of g can be non-zero
        (``row_gradient``, a ``RowGradient``: those rows and their values).

        An embedding's gradient reaches only the rows of the words in the batch. Where the
        rule leaves θ alone for g = 0, the rule runs on the gathered rows alone, and the
        other rows get only what a zero gradient does to the slots (RMSprop's average
        decays: a ← ρ·a). The numbers are exactly those of the full update, for a fraction
        of the work. Other rules do the full update. With several threads allowed, each
        takes a range of θ's rows (``sample_passes``)."""
        if not self.zero_gradient_keeps_theta:
            self.update_parameter(theta, row_gradient.dense(), step, *slots)
            return

        def update_range(first, last):                  # θ's rows first..last - 1
            named, g_rows = row_gradient.between(first, last)
            xp = am.xp()
            theta_rows, slot_rows = xp.take(theta, named, axis=0), [xp.take(slot, named, axis=0) for slot in slots]
            update_in_blocks(self, theta_rows, g_rows, step, slot_rows)
            self.idle_slots(*[slot[first:last] for slot in slots])    # every row, as if g were 0 ...
            theta[named] = theta_rows                                   # ... then the rows with a gradient
            for slot, values in zip(slots, slot_rows):
                slot[named] = values
        # each thread takes its own range of rows (the same numbers: every row is updated alone)
        sample_passes.for_each_pass(len(theta), -(-len(theta) // sample_passes.pass_threads()), update_range)

    def clip_gradients(self, grads):
        """The gradients after clipnorm / clipvalue, as new arrays (or the same when unset)."""
        if self.clipnorm is not None and grads:
            xp = am.xp()
            norm = xp.sqrt(sum(xp.sum(xp.square(g)) for g in grads))
            # c / max(‖g‖, c) is c/‖g‖ when ‖g‖ >= c and 1 otherwise: no branch, no host sync
            scale = self.clipnorm / xp.maximum(norm, self.clipnorm)
            grads = [g * scale.astype(g.dtype) for g in grads]
        if self.clipvalue is not None:
            xp = am.xp()
            grads = [xp.clip(g, -self.clipvalue, self.clipvalue) for g in grads]
        return grads

    # ------------------------------------------------------------------ explaining

    def rule(self):
        """The update rule as formula lines (one string per line)."""
        return []

    def describe_update(self):
        """The whole update, as formulas a student can read, one step a line."""
        lines = []
        if self.clipnorm is not None:
            lines.append(f"g ← g · c / max(‖g‖, c)   (c = clipnorm = {self.clipnorm:g}, "
                         "‖g‖ over all parameters)")
        if self.clipvalue is not None:
            lines.append(f"g ← clip(g, -{self.clipvalue:g}, {self.clipvalue:g})")
        if getattr(self, 'decay', 0.0):
            lines.append(f"lr → lr / (1 + decay · iterations)   (decay = {self.decay:g}; "
                         "the decayed rate is the lr below)")
        return '\n'.join(lines + list(self.rule()))

    def __repr__(self):
        settings = ', '.join(f"{key}={value!r}" for key, value in self.get_config().items())
        return f"{self.name}({settings})"

    # ------------------------------------------------------------------ configuration

    def get_config(self):
        """The hyperparameters as a dict (plus clipnorm / clipvalue when set)."""
        config = {name: getattr(self, name) for name in self.hyperparameter_names}
        if self.clipnorm is not None:
            config['clipnorm'] = self.clipnorm
        if self.clipvalue is not None:
            config['clipvalue'] = self.clipvalue
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    # ------------------------------------------------------------------ saving the state

    def get_state(self):
        """``{'iterations': int, 'slots': {slot_name: [host NumPy arrays]}}``, copies.

        ``slots`` is empty before the first update.
        """
        slots = {}
        if self.slots is not None:
            slots = {name: [am.to_numpy(array).copy() for array in arrays]
                     for name, arrays in self.slots.items()}
        return {'iterations': int(self.iterations), 'slots': slots}

    def set_state(self, state, params):
        """Restore what ``get_state`` returned, for these ``params`` (same order as saved)."""
        params = list(params)
        received = dict(state.get('slots') or {})
        self.iterations = int(state['iterations'])
        if not received:
            self.slots = None               # created again, as zeros, on the next update
            return
        unknown = sorted(set(received) - set(self.slot_names))
        if unknown:
            raise ValueError(f"{self.name}: the saved state has slot(s) {unknown}, but "
                             f"{self.name} keeps {list(self.slot_names) or 'no slots'}.")
        xp = am.xp()
        slots = {}
        for name in self.slot_names:
            if name not in received:
                raise ValueError(f"{self.name}: the saved state lacks the slot {name!r}.")
            arrays = list(received[name])
            if len(arrays) != len(params):
                raise ValueError(f"{self.name}: slot {name!r} holds {len(arrays)} arrays, "
                                 f"expected one per parameter ({len(params)}).")
            slots[name] = []
            for index, (p, saved) in enumerate(zip(params, arrays)):
                saved_shape = tuple(getattr(saved, 'shape', ()))
                if saved_shape != tuple(p.data.shape):
                    raise ValueError(
                        f"{self.name}: slot {name!r} of parameter {index} ({p.name or 'unnamed'}) "
                        f"expected shape {tuple(p.data.shape)}, received {saved_shape}.")
                restored = xp.zeros_like(p.data)
                restored[...] = am.to_device(saved, p.data.dtype)
                slots[name].append(restored)
        self.slots = slots

    def _check_parameter_count(self, count):
        known = len(next(iter(self.slots.values()))) if self.slots else count
        if count != known:
            raise ValueError(f"{self.name}: update() received {count} parameters, but its "
                             f"state was built for {known}. Use one optimizer per model.")

