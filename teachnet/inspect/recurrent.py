"""Inside a recurrent layer: its gates at every timestep, and the gradient through time.

A recurrent layer runs its whole sequence as one op, and that op keeps what it computed
at every timestep, because backward needs it. These functions read it off the tape:

    from teachnet.inspect.recurrent import gates, gradients_through_time

    g = gates(model, x[:4], 'lstm_1')          # {'i': (T, 4, units), 'f': ..., 'c~', 'o', 'c', 'h'}
    g['f'].mean(axis=(1, 2))                   # how much the cell keeps, step by step

    dh = gradients_through_time(model, x[:4], y[:4], 'lstm_1')     # (T, 4, units)
    norms = np.linalg.norm(dh, axis=2)         # |dL/dh_t| per step and sample: does it vanish?

``layer_name`` is a name from ``recurrent_layers(model)``: a recurrent layer's own name,
or inside a ``Bidirectional`` named 'bi', ``'bi/forward'`` and ``'bi/backward'``.

Timestep t (t = 1 ... T, as in x_1 ... x_T) is index t - 1 of the arrays: the t-th step
the layer processed. A layer that reads forwards reads x_t at timestep t; with
``go_backwards``, and in a Bidirectional's 'backward' direction, it reads x_{T+1-t}: the
last input comes first, so ``g['h'][0]`` is its state after reading x_T alone.

A recurrent layer shared in a functional graph runs more than once per run of the model
(``recurrent_calls`` says how often); ``node_index`` picks the call, as in ``feature_maps``.

The gradients come from one training computation (forward, loss, backward, as
``model.trace`` runs it; the weights are not changed), exactly the arrays that training
would use.
"""
from teachnet.backend import array_module as am
from teachnet.inspect.kept_states import kept_states
from teachnet.inspect.recurrent_layers import address, require_recurrent_layer
from teachnet.ops.recurrent import RecurrentSequence
from teachnet.ops.tape import Tape
from teachnet.ops.tensor import Tensor

np = am.host


def _recurrent_ops(records, layer_name):
    """The ops of the recurrent layer ``layer_name``, one per call, in the order they ran."""
    found = [op for op in records if isinstance(op, RecurrentSequence) and address(op.where) == layer_name]
    if not found:
        raise ValueError(f"Recurrent layer {layer_name!r} did not run in this computation (is it frozen, with "
                         "nothing before it to train, or not on the way from the inputs to the outputs?).")
    return found


def _one_call(records, layer_name, node_index):
    """The op of call ``node_index`` of ``layer_name``; a shared layer must say which."""
    ops = _recurrent_ops(records, layer_name)
    if node_index is None and len(ops) > 1:
        raise ValueError(f"Recurrent layer {layer_name!r} is shared: it runs {len(ops)} times each time the model "
                         f"runs. Choose which call to show with node_index=0 to {len(ops) - 1}.")
    if node_index is not None and not 0 <= node_index < len(ops):
        raise ValueError(f"Recurrent layer {layer_name!r} runs {len(ops)} time(s) each time the model runs, so "
                         f"node_index must be 0 to {len(ops) - 1}; got {node_index}.")
    return ops[node_index or 0]


def _forward_records(model_or_layer, x, training):
    """The ops of one forward pass of a model (as training computes it) or of a layer on ``x``."""
    with Tape() as tape, kept_states(model_or_layer):
        if hasattr(model_or_layer, 'layers'):
            model_or_layer.batch_loss(x, training=training, input_grads=True)
        else:
            layer = model_or_layer
            data = am.to_device(np.asarray(am.to_numpy(x)), dtype=layer.input_dtype or am.floatx())
            layer(Tensor(data, requires_grad=data.dtype.kind == 'f'), training)
    return tape.records


def recurrent_calls(model, x, layer_name=None):
    """How many times the recurrent layer ``layer_name`` runs each time ``model`` runs on
    ``x``: 1, or more for a layer shared in a functional graph (then pass ``node_index``)."""
    layer_name = require_recurrent_layer(model, layer_name)
    return len(_recurrent_ops(_forward_records(model, x, False), layer_name))


def _host(arrays):
    return {name: np.array(am.to_numpy(value), copy=True) for name, value in arrays.items()}


def gates(model_or_layer, x, layer_name=None, training=False, node_index=None):
    """Every gate's values at every timestep, from one forward pass on ``x``.

    # Arguments
        model_or_layer: a model (Sequential or functional), or a recurrent layer (then ``x``
            is its input).
        x: a batch of inputs (host arrays, as for ``predict``).
        layer_name: which recurrent layer (the first one when None); inside a Bidirectional
            'name/forward' or 'name/backward' (``recurrent_layers(model)`` lists them all).
        training: run in training mode (dropout on).
        node_index: for a shared layer, which call: 0 for the first, 1 for the second...

    # Returns
        A dict gate name -> host array (timesteps, batch, units): LSTM 'i', 'f', 'c~', 'o',
        'c', 'h'; GRU 'z', 'r', 'h~', 'h'; SimpleRNN 'h'. A stateful model's states are
        left as they were.
    """
    layer_name = require_recurrent_layer(model_or_layer, layer_name)
    records = _forward_records(model_or_layer, x, training)
    return _host(_one_call(records, layer_name, node_index).gates())


def gradients_through_time(model, x, y, layer_name=None, state='h', node_index=None):
    """dL/dh_t (or dL/dc_t) for every timestep t, from one training computation.

    # Arguments
        model: a model; compiled, with ``y``, for the loss's gradient (without a loss,
            backward starts from the sum of the outputs).
        x, y: a small batch of inputs and targets.
        layer_name: which recurrent layer (the first one when None); inside a Bidirectional
            'name/forward' or 'name/backward'.
        state: 'h' for dL/dh_t, or 'c' for an LSTM's dL/dc_t.
        node_index: for a shared layer, which call: 0 for the first, 1 for the second...

    # Returns
        A host array (timesteps, batch, units): the total gradient of the loss that reached
        each step's state (from the outputs and from all later steps). A stateful model's
        states are left as they were.
    """
    from teachnet.inspect.trace import _record
    layer_name = require_recurrent_layer(model, layer_name)
    y = y if model.optimizer is not None else None

    def run():
        batch = model.batch_loss(x, y, training=True, input_grads=True)
        return (batch.outputs[0] if batch.loss is None else batch.loss), None

    with kept_states(model):
        tape, _ = _record(run, model.params)
    op = _one_call(tape.records, layer_name, node_index)
    key = f'dL/d{state}'
    available = op.gradients_through_time()
    if key not in available:
        raise ValueError(f"Layer {layer_name!r} has no gradient {key!r}; it keeps "
                         f"{', '.join(available) or 'none'}.")
    return np.array(am.to_numpy(available[key]), copy=True)
