"""What a saved model remembers about its training: how it was compiled, and the
optimizer's memory.

**The training configuration** is the ``compile`` call written as JSON, as Keras writes it::

    {"optimizer_config": {"class_name": "SGD", "config": {"lr": 0.1, "momentum": 0.9, ...}},
     "loss": "categorical_crossentropy", "metrics": ["accuracy"],
     "sample_weight_mode": null, "loss_weights": null}

A loss or metric that is a function of your own is stored by its name only (a file never
holds code). It comes back through ``load_model(path, custom_objects={'name': function})``;
``user_functions`` lists those names, so a function of your own that shares a built-in's
name is never silently replaced by the built-in.

**The optimizer's state** lets training go on exactly where it stopped: the number of
updates done (which the learning-rate decay and Adam's bias correction depend on) and the
slots, one array per parameter for each kind of memory (momentum's velocity, RMSprop's
running average of g²...). They are stored in the group ``optimizer_weights``, listed by
its ``weight_names`` attribute::

    RMSprop/iterations:0
    RMSprop/accumulator/dense_1/kernel:0      (one per parameter, in the model's order)
    RMSprop/accumulator/dense_1/bias:0
"""
import warnings

from teachnet import losses, metrics as metric_functions, optimizers
from teachnet.backend import array_module as am
from teachnet.saving import hdf5_files


# ----------------------------------------------------------------------------- compile settings
def _stored_name(function_or_name, builtins):
    """(name, is_user_function) for a loss or metric as compile received it."""
    if isinstance(function_or_name, str):
        return function_or_name, False
    name = getattr(function_or_name, '__name__', None)
    if name is None or name == '<lambda>':
        raise ValueError(f"Cannot save {function_or_name!r}: a loss or metric is saved by its name, "
                         "so it must be a named function (def my_loss(y_true, y_pred): ...).")
    return name, not any(function_or_name is builtin for builtin in builtins)


def training_config(model):
    """The model's compile settings as a JSON-ready dict."""
    user_functions = []

    def stored(function_or_name, builtins):
        name, is_user = _stored_name(function_or_name, builtins)
        if is_user:
            user_functions.append(name)
        return name

    def stored_all(value, builtins):     # one, a list or a dict by output name (several outputs)
        if isinstance(value, dict):
            return {key: stored_all(item, builtins) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return [stored(item, builtins) for item in value]
        return stored(value, builtins)

    loss = stored_all(model.loss, losses.LOSSES.values())
    metrics = stored_all(model.metrics, metric_functions.METRICS.values())
    return {'optimizer_config': optimizers.serialize(model.optimizer), 'loss': loss, 'metrics': metrics,
            'sample_weight_mode': model.sample_weight_mode, 'loss_weights': model.loss_weights,
            'user_functions': user_functions}


def _function_for(name, kind, known_names, custom_objects, user_functions, where):
    """The loss or metric that a stored name stands for (a name for a built-in)."""
    if name in custom_objects:
        return custom_objects[name]
    if name in user_functions or name not in known_names:
        raise ValueError(f"{where}: the model was compiled with the {kind} {name!r}, a function of your "
                         f"own, and files never hold code: pass it as "
                         f"load_model(path, custom_objects={{'{name}': {name}}}).")
    return name


def compile_from_config(model, config, custom_objects, where):
    """Compile ``model`` as the saved training configuration says."""
    user_functions = set(config.get('user_functions') or [])
    known_metrics = set(metric_functions.METRICS) | set(metric_functions.ACCURACY_NAMES)

    def restored(value, kind, known):      # one name, a list or a dict by output name
        if isinstance(value, dict):
            return {key: restored(item, kind, known) for key, item in value.items()}
        if isinstance(value, list):
            return [restored(item, kind, known) for item in value]
        return _function_for(value, kind, known, custom_objects, user_functions, where)

    loss = restored(config['loss'], 'loss', losses.LOSSES)
    metrics = restored(config.get('metrics') or [], 'metric', known_metrics)
    model.compile(optimizer=optimizers.deserialize(config['optimizer_config']), loss=loss, metrics=metrics,
                  sample_weight_mode=config.get('sample_weight_mode'), loss_weights=config.get('loss_weights'))


# ----------------------------------------------------------------------------- optimizer state
def _parameter_names(params):
    names = [param.name or f'param_{index}' for index, param in enumerate(params)]
    return names if len(set(names)) == len(names) else [f'param_{index}' for index in range(len(params))]


def write_optimizer_state(group, optimizer, params):
    """Store ``optimizer.get_state()`` in ``group`` (see the module docstring)."""
    state = optimizer.get_state()
    prefix = optimizer.name
    names = [f'{prefix}/iterations:0']
    arrays = [am.host.array(state['iterations'], dtype='int64')]
    parameter_names = _parameter_names(params)
    for slot, slot_arrays in state['slots'].items():
        for index, array in enumerate(slot_arrays):
            parameter = parameter_names[index] if index < len(parameter_names) else f'param_{index}'
            names.append(f'{prefix}/{slot}/{parameter}:0')
            arrays.append(array)
    hdf5_files.write_text_list(group, 'weight_names', names)
    for name, array in zip(names, arrays):
        group.create_dataset(name, data=array)


def read_optimizer_state(group, optimizer, where):
    """The state stored by ``write_optimizer_state``, or None (with a warning) when the
    group was written by another program (Keras names its arrays differently)."""
    names = hdf5_files.read_text_list(group, 'weight_names')
    prefix = f'{optimizer.name}/'
    if not names or names[0] != f'{prefix}iterations:0' or not all(n.startswith(prefix) for n in names):
        warnings.warn(f"{where}: the saved optimizer state is not in teachnet's layout (for "
                      f"{optimizer.name}); the optimizer starts afresh.", stacklevel=3)
        return None
    iterations = hdf5_files.read_numbers(group[names[0]], f'{where}, {names[0]}')
    slots = {}
    for name in names[1:]:
        slot = name[len(prefix):].split('/')[0]
        slots.setdefault(slot, []).append(hdf5_files.read_numbers(group[name], f'{where}, {name}'))
    return {'iterations': int(iterations), 'slots': slots}


def restore_optimizer_state(group, optimizer, params, where):
    """Give ``optimizer`` the state saved in ``group``, for the model's ``params``."""
    state = read_optimizer_state(group, optimizer, where)
    if state is not None:
        try:
            optimizer.set_state(state, params)
        except ValueError as error:
            raise ValueError(f"{where}: the saved optimizer state does not fit the model: {error}") from error
