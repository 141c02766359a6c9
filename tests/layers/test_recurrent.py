"""SimpleRNN, LSTM and GRU against plain per-timestep loops written here in NumPy.

The references below know nothing of teachnet's sequence ops: they split the weights by
gate (Keras 2's layout: LSTM i, f, c, o; GRU z, r, h), loop over time one step at a time,
batch-major, and apply the formulas as printed in the papers and in Keras 1.
"""
import functools

import numpy as np
import pytest

from teachnet.backend import array_module as am
from teachnet.inspect.gradient_check import gradient_check
from teachnet.inspect.numerical import check_function
from teachnet.layers.embeddings import Masking
from teachnet.layers.gru import GRU
from teachnet.layers.lstm import LSTM
from teachnet.layers.simple_rnn import SimpleRNN
from teachnet.models import Sequential
from teachnet.ops.tensor import Tensor

from .harness import layer_test
from .references import NUMPY_ACTIVATIONS as F


# ----------------------------------------------------------------------------- the references

def simple_cell(activation='tanh'):
    def step(x, states, W, U, b):
        (h,) = states
        return [F[activation](x @ W + h @ U + b)]
    return step


def lstm_cell(activation='tanh', inner='hard_sigmoid'):
    def step(x, states, W, U, b):
        h, c = states
        Wi, Wf, Wc, Wo = np.split(W, 4, axis=1)
        Ui, Uf, Uc, Uo = np.split(U, 4, axis=1)
        bi, bf, bc, bo = np.split(b, 4)
        i = F[inner](x @ Wi + h @ Ui + bi)
        f = F[inner](x @ Wf + h @ Uf + bf)
        o = F[inner](x @ Wo + h @ Uo + bo)
        c = f * c + i * F[activation](x @ Wc + h @ Uc + bc)
        return [o * F[activation](c), c]
    return step


def gru_cell(activation='tanh', inner='hard_sigmoid', reset_after=False):
    def step(x, states, W, U, b):
        (h,) = states
        Wz, Wr, Wh = np.split(W, 3, axis=1)
        Uz, Ur, Uh = np.split(U, 3, axis=1)
        if reset_after:                     # b: (2, 3 units), input bias then recurrent bias
            b = b if b.ndim == 2 else np.stack([b, b])
            (bz, br, bh), (rz, rr, rh) = np.split(b[0], 3), np.split(b[1], 3)
            z = F[inner](x @ Wz + bz + h @ Uz + rz)
            r = F[inner](x @ Wr + br + h @ Ur + rr)
            candidate = F[activation](x @ Wh + bh + r * (h @ Uh + rh))
        else:
            bz, br, bh = np.split(b, 3)
            z = F[inner](x @ Wz + h @ Uz + bz)
            r = F[inner](x @ Wr + h @ Ur + br)
            candidate = F[activation](x @ Wh + (r * h) @ Uh + bh)
        return [z * h + (1 - z) * candidate]
    return step


def run_reference(step, x, weights, state_count=1, mask=None, go_backwards=False, return_sequences=False,
                  initial_states=None, use_bias=True):
    """Run ``step`` over the timesteps of x (batch, T, d), one at a time."""
    n, T = x.shape[:2]
    units = weights[1].shape[0]
    W, U = weights[0], weights[1]
    b = weights[2] if use_bias else np.zeros(W.shape[1])
    states = list(initial_states) if initial_states is not None else [np.zeros((n, units))] * state_count
    outputs = []
    for t in (reversed(range(T)) if go_backwards else range(T)):
        new = step(x[:, t], states, W, U, b)
        if mask is not None:                # a masked step keeps the previous states
            real = mask[:, t][:, None]
            new = [np.where(real, a, old) for a, old in zip(new, states)]
        states = new
        outputs.append(states[0])
    return np.stack(outputs, axis=1) if return_sequences else states[0]


CELLS = {
    'SimpleRNN': (SimpleRNN, simple_cell, 1, {}),
    'LSTM': (LSTM, lstm_cell, 2, {}),
    'GRU': (GRU, gru_cell, 1, {}),
    'GRU_reset_after': (GRU, functools.partial(gru_cell, reset_after=True), 1, {'reset_after': True}),
}


def reference_for(kind, activation='tanh', inner=None, **run_options):
    _, make_cell, state_count, _ = CELLS[kind]
    cell_args = {'activation': activation} if inner is None else {'activation': activation, 'inner': inner}
    step = make_cell(**cell_args)
    return lambda x, weights: run_reference(step, x, weights, state_count, **run_options)


def factory(kind, units, **options):
    cls, _, _, fixed = CELLS[kind]
    return functools.partial(cls, units, **fixed, **options)


# ----------------------------------------------------------------------------- the harness

@pytest.mark.parametrize('kind, return_sequences, go_backwards', [
    (kind, sequences, backwards) for kind in sorted(CELLS) for sequences, backwards in ((False, False), (True, True))]
    + [('LSTM', False, True), ('GRU', True, False), ('SimpleRNN', True, False)])
def test_harness_against_a_loop_over_time(kind, return_sequences, go_backwards):
    units, shape = 3, (4, 2)
    result = layer_test(factory(kind, units, return_sequences=return_sequences, go_backwards=go_backwards),
                        shape, reference=reference_for(kind, return_sequences=return_sequences,
                                                       go_backwards=go_backwards),
                        expected_output_shape=(4, units) if return_sequences else (units,))
    k = {'SimpleRNN': 1, 'LSTM': 4}.get(kind, 3)
    shapes = [w.shape for w in result.layer.get_weights()]
    bias_shape = (2, k * units) if kind == 'GRU_reset_after' else (k * units,)
    assert shapes == [(2, k * units), (units, k * units), bias_shape]


@pytest.mark.parametrize('kind, activation, inner', [
    ('LSTM', 'sigmoid', 'hard_sigmoid'), ('GRU', 'relu', 'sigmoid'), ('SimpleRNN', 'linear', None),
    ('GRU_reset_after', 'softsign', 'sigmoid')])
def test_other_activations(kind, activation, inner):
    options = {'activation': activation}
    if inner is not None:
        options['inner_activation'] = inner
    layer_test(factory(kind, 3, return_sequences=True, bias_initializer='uniform', **options), (3, 2),
               reference=reference_for(kind, activation, inner, return_sequences=True))


@pytest.mark.parametrize('kind', ['LSTM', 'GRU_reset_after'])
def test_without_bias(kind):
    result = layer_test(factory(kind, 2, use_bias=False), (3, 2),
                        reference=reference_for(kind, use_bias=False))
    assert len(result.layer.get_weights()) == 2


# ----------------------------------------------------------------------------- masks

def _masked_input(rng, n=3, T=5, d=2):
    x = rng.standard_normal((n, T, d))
    mask = np.ones((n, T), dtype=bool)
    mask[0, :2] = False                      # leading padding
    mask[1, -2:] = False                     # trailing padding
    mask[2, 2] = False                       # a hole
    return x, mask


@pytest.mark.parametrize('kind', sorted(CELLS))
@pytest.mark.parametrize('return_sequences, go_backwards', [(False, False), (True, False), (True, True)])
def test_masked_steps_keep_the_state(kind, return_sequences, go_backwards):
    rng = np.random.default_rng(3)
    x, mask = _masked_input(rng)
    layer = factory(kind, 3, return_sequences=return_sequences, go_backwards=go_backwards,
                    bias_initializer='uniform')(input_shape=x.shape[1:])
    Sequential([layer])
    weights = [w.astype(np.float64) for w in layer.get_weights()]

    def masked_call(t):
        t.mask = am.to_device(mask)
        return layer(t, False)

    with_mask = masked_call(Tensor(am.to_device(x, dtype=am.floatx())))
    expected = reference_for(kind, mask=mask, return_sequences=return_sequences, go_backwards=go_backwards)(
        x, weights)
    np.testing.assert_allclose(am.to_numpy(with_mask.data), expected, rtol=1e-5, atol=1e-5)
    if return_sequences:                     # the mask travels on, in the order of the outputs
        np.testing.assert_array_equal(am.to_numpy(with_mask.mask), mask[:, ::-1] if go_backwards else mask)
    else:
        assert with_mask.mask is None
    [input_error] = check_function(masked_call, x, step=1e-5)
    assert input_error < 1e-6


@pytest.mark.parametrize('kind', sorted(CELLS))
def test_parameter_gradients_through_masked_sequences(kind):
    rng = np.random.default_rng(4)
    x, mask = _masked_input(rng)
    x[~mask] = 0.                            # Masking(0.) marks the same steps
    model = Sequential([Masking(0., input_shape=x.shape[1:]), factory(kind, 3, return_sequences=True)()])
    model.compile(optimizer='sgd', loss='mse')
    y = rng.standard_normal((3, 5, 3))
    report = gradient_check(model, x, y, tolerance=1e-6)
    assert report.passed, str(report)


# ----------------------------------------------------------------------------- arguments

@pytest.mark.backend_independent
def test_keras1_defaults_and_keras2_names():
    lstm = LSTM(8, input_shape=(5, 3))
    Sequential([lstm])
    config = lstm.get_config()
    assert (config['init'], config['inner_init'], config['forget_bias_init']) == ('glorot_uniform', 'orthogonal', 'one')
    assert (config['activation'], config['inner_activation']) == ('tanh', 'hard_sigmoid')
    kernel, recurrent, bias = lstm.get_weights()
    np.testing.assert_array_equal(bias, np.r_[np.zeros(8), np.ones(8), np.zeros(16)])    # forget gate at 1
    for block in np.split(recurrent, 4, axis=1):                 # one orthogonal block per gate
        np.testing.assert_allclose(block.T @ block, 1.1 ** 2 * np.eye(8), atol=1e-5)
    keras2 = LSTM(units=8, kernel_initializer='uniform', recurrent_initializer='zero', unit_forget_bias=False,
                  recurrent_activation='sigmoid', dropout=0.1, recurrent_dropout=0.2, use_bias=True,
                  input_shape=(5, 3))
    Sequential([keras2])
    config = keras2.get_config()
    assert (config['output_dim'], config['init'], config['inner_init']) == (8, 'uniform', 'zero')
    assert (config['inner_activation'], config['dropout_W'], config['dropout_U']) == ('sigmoid', 0.1, 0.2)
    assert not keras2.get_weights()[2].any()


@pytest.mark.backend_independent
@pytest.mark.parametrize('cls', [SimpleRNN, LSTM, GRU])
def test_input_dim_and_input_length(cls):
    model = Sequential([cls(4, input_dim=6, input_length=10)])
    assert model.input_shape == (None, 10, 6)
    assert model.output_shape == (None, 4)


@pytest.mark.backend_independent
def test_mistakes_name_the_layer():
    with pytest.raises(ValueError, match='lstm_units'):
        LSTM(0, name='lstm_units')
    with pytest.raises(ValueError, match='gru_act.*softmax'):
        GRU(3, activation='softmax', name='gru_act')
    with pytest.raises(ValueError, match='rnn_flat'):
        Sequential([SimpleRNN(3, input_shape=(4,), name='rnn_flat')])
    with pytest.raises(ValueError, match='lstm_drop'):
        LSTM(3, dropout_W=1.5, name='lstm_drop')
    with pytest.raises(TypeError, match='LSTM'):
        LSTM(3, output_dims=4)


def test_dropout_trains_and_predicts_deterministically():
    rng = np.random.default_rng(5)
    x, y = rng.standard_normal((8, 5, 3)), rng.standard_normal((8, 4))
    model = Sequential([LSTM(4, dropout_W=0.3, dropout_U=0.3, input_shape=(5, 3))])
    model.compile(optimizer='sgd', loss='mse')
    np.testing.assert_array_equal(model.predict(x), model.predict(x))
    before = model.get_weights()
    model.train_on_batch(x, y)
    assert any(np.abs(a - b).max() > 0 for a, b in zip(before, model.get_weights()))
    layer_test(functools.partial(LSTM, 3, dropout_W=0.5, dropout_U=0.5), (3, 2),
               reference=reference_for('LSTM'), deterministic=False)

