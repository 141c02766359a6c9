"""The fast recurrent ops against the plain reference cells (teachnet.layers.reference_cells),
unrolled over time: outputs, dL/dx, dL/dW, dL/dU and dL/db, in training mode with the same
dropout masks given to both, with masks, go_backwards, return_sequences both ways and
non-zero initial states. The references themselves are checked by central differences.
"""
import functools

import numpy as np
import pytest

from teachnet.backend import array_module as am
from teachnet.inspect.numerical import central_differences, relative_error
from teachnet.layers.gru import GRU
from teachnet.layers.lstm import LSTM
from teachnet.layers.reference_cells import (
    Activation, gru_reset_after_step, gru_reset_after_step_backward, gru_step, gru_step_backward, lstm_step,
    lstm_step_backward, simple_rnn_step, simple_rnn_step_backward, unroll, unroll_backward)
from teachnet.layers.simple_rnn import SimpleRNN
from teachnet.models import Sequential
from teachnet.ops.tape import Tape
from teachnet.ops.tensor import Tensor

from .harness import float64

#: kind -> (layer class, fixed options, forward step, backward step, how many states)
KINDS = {
    'SimpleRNN': (SimpleRNN, {}, simple_rnn_step, simple_rnn_step_backward, 1),
    'LSTM': (LSTM, {}, lstm_step, lstm_step_backward, 2),
    'GRU': (GRU, {}, gru_step, gru_step_backward, 1),
    'GRU_reset_after': (GRU, {'reset_after': True}, gru_reset_after_step, gru_reset_after_step_backward, 1),
}
N, T, D, UNITS = 3, 4, 2, 3

#: scenario -> layer options; 'dropout' gives the layer (and the reference) fixed masks,
#: 'masked' marks padding steps, 'stateful' starts from non-zero states
SCENARIOS = {
    'last_state': {},
    'sequences_with_dropout': {'return_sequences': True, 'dropout': True},
    'backwards_with_dropout': {'go_backwards': True, 'dropout': True},
    'masked_backwards_sequences_with_dropout': {'return_sequences': True, 'go_backwards': True,
                                                'dropout': True, 'masked': True},
    'masked_last_state': {'masked': True},
    'stateful_sequences_with_dropout': {'return_sequences': True, 'stateful': True, 'dropout': True},
    'sigmoid_and_softsign': {'return_sequences': True, 'dropout': True, 'activation': 'softsign',
                             'inner_activation': 'sigmoid'},
}


def _dropout_mask(rng, shape, rate=0.4):
    return (rng.random(shape) >= rate) / (1 - rate)


def _sequence_mask():
    mask = np.ones((N, T), dtype=bool)
    mask[0, :2] = False                      # leading padding
    mask[1, -1] = False                      # trailing padding
    mask[2, 1] = False                       # a hole
    return mask


def _cell(kind, layer, weights, x_mask, h_mask):
    """The reference step of ``kind`` with these weights, masks and the layer's activations."""
    W, U, b = weights
    activations = {'g': Activation(layer.activation.__name__)}
    inner = getattr(layer, 'inner_activation', None)
    if inner is not None:
        activations['sigma'] = Activation(inner.__name__)
    return functools.partial(KINDS[kind][2], W=W, U=U, b=b, x_mask=x_mask, h_mask=h_mask, **activations)


def _layer(kind, options):
    cls, fixed, _, _, _ = KINDS[kind]
    settings = dict(return_sequences=options.get('return_sequences', False),
                    go_backwards=options.get('go_backwards', False), bias_initializer='uniform', **fixed)
    if 'activation' in options:
        settings['activation'] = options['activation']
        if cls is not SimpleRNN:
            settings['inner_activation'] = options['inner_activation']
    if options.get('dropout'):
        settings.update(dropout_W=0.4, dropout_U=0.4)
    if options.get('stateful'):
        settings.update(stateful=True, batch_input_shape=(N, T, D))
    else:
        settings['input_shape'] = (T, D)
    layer = cls(UNITS, **settings)
    Sequential([layer])
    return layer


def _fast(layer, x, mask, x_mask, h_mask, grad_output):
    """The layer in training mode, drawing the given dropout masks: (output, dL/dx, [dL/dW,
    dL/dU, dL/db]) for dL/d(output) = ``grad_output``, as host arrays."""
    asked = []

    def given_masks(shape, rate, dtype):          # instead of random ones
        asked.append(tuple(shape))
        return am.to_device({(N, 1, D): x_mask, (N, UNITS): h_mask}[tuple(shape)], dtype=dtype)
    layer._dropout_mask = given_masks
    x_tensor = Tensor(am.to_device(x), requires_grad=True)
    x_tensor.mask = None if mask is None else am.to_device(mask)
    with Tape() as tape:
        y = layer(x_tensor, training=True)
    tape.backward(y, am.to_device(grad_output))
    if layer.dropout_W:
        assert sorted(asked) == [(N, 1, D), (N, UNITS)], 'the layer did not draw both dropout masks'
    return am.to_numpy(y.data), am.to_numpy(x_tensor.grad), [am.to_numpy(p.grad) for p in layer.params]


def _reference(kind, layer, x, mask, x_mask, h_mask, initial_states, grad_output):
    """The same through the reference cell, unrolled over time: (output, dL/dx, [dL/dW, dL/dU, dL/db])."""
    device_mask = None if mask is None else am.to_device(mask)
    cell = _cell(kind, layer, [am.to_device(w) for w in layer.get_weights()], am.to_device(x_mask[:, 0]),
                 am.to_device(h_mask))
    outputs, _, caches = unroll(cell, am.to_device(x), [am.to_device(s) for s in initial_states], device_mask,
                                layer.go_backwards)
    d_outputs = np.zeros((N, T, UNITS))
    if layer.return_sequences:
        d_outputs[:] = grad_output
    else:
        d_outputs[:, -1] = grad_output
    dx, _, d_weights = unroll_backward(KINDS[kind][3], am.to_device(d_outputs), caches, (N, T, D),
                                       len(initial_states), device_mask, layer.go_backwards)
    output = outputs if layer.return_sequences else outputs[:, -1]
    return am.to_numpy(output), am.to_numpy(dx), [am.to_numpy(d) for d in d_weights]


def fast_against_reference(kind, options, rng, label):
    """The layer of ``kind`` with ``options`` on random data from ``rng``, through the fast op
    and through the reference cell: outputs and every gradient agree (float64)."""
    with float64():
        layer = _layer(kind, options)
        x = rng.standard_normal((N, T, D))
        mask = _sequence_mask() if options.get('masked') else None
        x_mask = _dropout_mask(rng, (N, 1, D)) if options.get('dropout') else np.ones((N, 1, D))
        h_mask = _dropout_mask(rng, (N, UNITS)) if options.get('dropout') else np.ones((N, UNITS))
        initial = [np.zeros((N, UNITS))] * KINDS[kind][4]
        if options.get('stateful'):
            initial = [rng.standard_normal((N, UNITS)) for _ in initial]
            layer.reset_states(initial)
        grad_output = rng.standard_normal((N, T, UNITS) if layer.return_sequences else (N, UNITS))
        fast = _fast(layer, x, mask, x_mask, h_mask, grad_output)
        reference = _reference(kind, layer, x, mask, x_mask, h_mask, initial, grad_output)
    for what, got, expected in zip(('output', 'dL/dx', 'dL/dW', 'dL/dU', 'dL/db'),
                                   fast[:2] + tuple(fast[2]), reference[:2] + tuple(reference[2])):
        np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12,
                                   err_msg=f'{label}: {what} of the fast op differs from the reference cell')
    assert len(fast[2]) == len(reference[2]) == 3


@pytest.mark.parametrize('scenario', sorted(SCENARIOS))
@pytest.mark.parametrize('kind', sorted(KINDS))
def test_fast_op_against_the_reference_forward_and_backward(kind, scenario):
    rng = np.random.default_rng(sorted(KINDS).index(kind) * 10 + sorted(SCENARIOS).index(scenario))
    fast_against_reference(kind, SCENARIOS[scenario], rng, kind)


@pytest.mark.parametrize('masked, go_backwards', [(False, False), (True, True)])
@pytest.mark.parametrize('kind', sorted(KINDS))
def test_reference_backward_against_central_differences(kind, masked, go_backwards):
    """dL/dx, dL/d(initial states), dL/dW, dL/dU, dL/db of the reference, with dropout
    masks and non-zero initial states, for L = Σ r ⊙ (every output)."""
    rng = np.random.default_rng(7)
    layer = _layer(kind, {})
    state_count = KINDS[kind][4]
    host = {'x': rng.standard_normal((N, T, D))}
    host.update({f'state {i}': rng.standard_normal((N, UNITS)) for i in range(state_count)})
    host.update(zip(('W', 'U', 'b'), (w.astype(np.float64) for w in layer.get_weights())))
    x_mask, h_mask = am.to_device(_dropout_mask(rng, (N, D))), am.to_device(_dropout_mask(rng, (N, UNITS)))
    mask = am.to_device(_sequence_mask()) if masked else None
    r = rng.standard_normal((N, T, UNITS))

    def forward():
        cell = _cell(kind, layer, [am.to_device(host[name]) for name in ('W', 'U', 'b')], x_mask, h_mask)
        states = [am.to_device(host[f'state {i}']) for i in range(state_count)]
        return unroll(cell, am.to_device(host['x']), states, mask, go_backwards)

    outputs, _, caches = forward()
    dx, d_states, d_weights = unroll_backward(KINDS[kind][3], am.to_device(r), caches, (N, T, D), state_count,
                                              mask, go_backwards)
    analytic = {'x': dx, **{f'state {i}': d for i, d in enumerate(d_states)}, **dict(zip(('W', 'U', 'b'), d_weights))}

    def loss():
        return float(np.sum(am.to_numpy(forward()[0]) * r))
    for name, array in host.items():
        numeric = central_differences(loss, array, step=1e-6)
        error = relative_error(am.to_numpy(analytic[name]), numeric)
        assert error < 1e-7, f'{kind} reference: dL/d{name} relative error {error:.2e}'
