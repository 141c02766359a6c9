"""Inside a recurrent layer: its gates at every timestep, and the gradient through time.

A recurrent layer runs its whole sequence as one op, and that op keeps what it computed
at every timestep, because backward needs it. These functions read it off the tape:

    from teachnet.inspect.recurrent import gates, gradients_through_time

    g = gates(model, x[:4], 'lstm_1')          # {'i': (T, 4, units), 'f': ..., 'c~', 'o', 'c', 'h'}
    g['f'].mean(axis=(1, 2))                   # how much the cell keeps, step by step

    dh = gradients_through_time(model, x[:4], y[:4], 'lstm_1')     # (T, 4, units)
    norms = np.linalg.norm(dh, axis=2)         # |dL/dh_t| per step and sample: does it vanish?

Timestep s is the s-th step the layer processed (with ``go_backwards`` the last input
comes first). The gradients come from one training computation (forward, loss,
backward, as ``model.trace`` runs it; the weights are not changed), exactly the arrays
that training would use.
"""
from teachnet.backend import array_module as am
from teachnet.inspect.feature_maps import all_layers
from teachnet.layers.recurrent_base import Recurrent
from teachnet.ops.recurrent import RecurrentSequence
from teachnet.ops.tape import Tape
from teachnet.ops.tensor import Tensor

np = am.host


def _require_recurrent_layer(model_or_layer):
    """Refuse, before running anything, a model (or layer) with no recurrent layer in it."""
    is_model = hasattr(model_or_layer, 'layers')
    layers = all_layers(model_or_layer) if is_model else [model_or_layer]
    wrapped = [getattr(layer, name) for layer in layers for name in ('layer', 'forward_layer')
               if hasattr(layer, name)]                  # inside TimeDistributed, Bidirectional
    if any(isinstance(layer, Recurrent) for layer in layers + wrapped):
        return
    kinds = ', '.join(dict.fromkeys(type(layer).__name__ for layer in layers))
    recurrent = 'recurrent layer (LSTM, GRU, SimpleRNN)'
    what = (f"Model {model_or_layer.name!r} has no {recurrent}: its layers are {kinds}" if is_model
            else f"Layer {model_or_layer.name!r} is a {kinds}, not a {recurrent}")
    raise ValueError(f"{what}. gates and gradients_through_time look inside a recurrent layer; for the "
                     "others, see feature_maps(model, x, layer_name) or model.trace(x, y).")


def _recurrent_records(records, layer_name):
    found = [op for op in records if isinstance(op, RecurrentSequence)
             and (layer_name is None or (op.where or {}).get('layer') == layer_name)]
    if not found:
        named = f' named {layer_name!r}' if layer_name else ''
        layers = sorted({(op.where or {}).get('layer') for op in records if isinstance(op, RecurrentSequence)})
        raise ValueError(f"No recurrent layer{named} ran in this computation"
                         + (f"; recurrent layers seen: {', '.join(layers)}." if layers else
                            " (is the layer frozen, with nothing before it to train?)."))
    return found


def _host(arrays):
    return {name: np.array(am.to_numpy(value), copy=True) for name, value in arrays.items()}


def gates(model_or_layer, x, layer_name=None, training=False):
    """Every gate's values at every timestep, from one forward pass on ``x``.

    # Arguments
        model_or_layer: a Sequential model, or a recurrent layer (then ``x`` is its input).
        x: a batch of inputs (host arrays, as for ``predict``).
        layer_name: which recurrent layer of the model (the first one when None).
        training: run in training mode (dropout on).

    # Returns
        A dict gate name -> host array (timesteps, batch, units): LSTM 'i', 'f', 'c~', 'o',
        'c', 'h'; GRU 'z', 'r', 'h~', 'h'; SimpleRNN 'h'.
    """
    _require_recurrent_layer(model_or_layer)
    is_model = hasattr(model_or_layer, 'layers')
    with Tape() as tape:
        if is_model:
            model_or_layer.batch_loss(x, training=training, input_grads=True)
        else:
            layer = model_or_layer
            data = am.to_device(np.asarray(am.to_numpy(x)), dtype=layer.input_dtype or am.floatx())
            layer(Tensor(data, requires_grad=data.dtype.kind == 'f'), training)
            layer_name = layer_name or layer.name
    op = _recurrent_records(tape.records, layer_name)[0]
    return _host(op.gates())


def gradients_through_time(model, x, y, layer_name=None, state='h'):
    """dL/dh_t (or dL/dc_t) for every timestep t, from one training computation.

    # Arguments
        model: a compiled Sequential model.
        x, y: a small batch of inputs and targets.
        layer_name: which recurrent layer (the first one when None).
        state: 'h' for dL/dh_t, or 'c' for an LSTM's dL/dc_t.

    # Returns
        A host array (timesteps, batch, units): the total gradient of the loss that reached
        each step's state (from the outputs and from all later steps).
    """
    from teachnet.inspect.trace import _record
    _require_recurrent_layer(model)
    y = y if model.optimizer is not None else None

    def run():
        batch = model.batch_loss(x, y, training=True, input_grads=True)
        return (batch.outputs[0] if batch.loss is None else batch.loss), None

    tape, _ = _record(run, model.params)
    op = _recurrent_records(tape.records, layer_name)[0]
    key = f'dL/d{state}'
    available = op.gradients_through_time()
    if key not in available:
        raise ValueError(f"Layer {(op.where or {}).get('layer')} has no gradient {key!r}; it keeps "
                         f"{', '.join(available) or 'none'}.")
    return np.array(am.to_numpy(available[key]), copy=True)
