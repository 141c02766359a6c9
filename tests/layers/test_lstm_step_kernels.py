"""The LSTM's one-kernel steps (teachnet.backend.lstm_step_kernels), the code a GPU runs:
on the numpy backend compiled for the host (g++), on CuPy the GPU's own. The op's loops
through them against the reference cell, and against the array calls they replace, float64
and float32; the same source compiled for a GPU with nvcc where nvcc is installed. The
strict backend runs no kernels (nor would CuPy run host code): skipped there.
"""
import contextlib
import shutil
import subprocess

import numpy as np
import pytest

from teachnet.backend import array_module as am
from teachnet.backend import lstm_step_kernels
from teachnet.layers.lstm import LSTM
from teachnet.models import Sequential
from teachnet.ops import recurrent_pieces

from .test_reference_cells import SCENARIOS, fast_against_reference


@pytest.fixture
def kernels(teachnet_backend):
    """A context in which the LSTM's steps go through the kernels, on this backend."""
    if teachnet_backend == 'strict':
        pytest.skip('the strict backend runs no kernels')
    if teachnet_backend == 'cupy':
        return contextlib.nullcontext
    if lstm_step_kernels.host_compiler() is None:
        pytest.skip('the host kernels need a C++ compiler')
    return lstm_step_kernels.use_host_kernels


#: the scenarios the kernels serve (σ in INNER_KINDS, g = tanh, no masked steps), and more
KERNEL_SCENARIOS = {name: options for name, options in SCENARIOS.items()
                    if not options.get('masked') and options.get('activation', 'tanh') == 'tanh'}
KERNEL_SCENARIOS.update({
    'sigmoid_gates_with_dropout': {'return_sequences': True, 'dropout': True, 'activation': 'tanh',
                                   'inner_activation': 'sigmoid'},
    'tanh_gates_backwards': {'go_backwards': True, 'activation': 'tanh', 'inner_activation': 'tanh'},
})


@pytest.fixture
def counted_steps(monkeypatch):
    """How many forward and backward steps went through the kernels."""
    counts = {'forward': 0, 'backward': 0}
    for direction in counts:
        step = getattr(lstm_step_kernels, f'{direction}_step')

        def counted(*args, direction=direction, step=step):
            counts[direction] += 1
            return step(*args)
        monkeypatch.setattr(lstm_step_kernels, f'{direction}_step', counted)
    return counts


@pytest.mark.parametrize('in_pieces', [False, True])
@pytest.mark.parametrize('scenario', sorted(KERNEL_SCENARIOS))
def test_the_kernels_against_the_reference_cell(monkeypatch, kernels, counted_steps, scenario, in_pieces):
    """Outputs and every gradient through the kernels, float64, as the reference cell gives
    them (T = 4 steps each way); also with the products in pieces beside the loop."""
    if in_pieces:
        monkeypatch.setattr(recurrent_pieces, 'PIECES_FROM_FLOPS', 0)
    with kernels():
        fast_against_reference('LSTM', KERNEL_SCENARIOS[scenario],
                               np.random.default_rng(sorted(KERNEL_SCENARIOS).index(scenario)), 'LSTM in kernels')
    assert counted_steps == {'forward': 4, 'backward': 4}


@pytest.mark.parametrize('scenario', ['masked_last_state', 'sigmoid_and_softsign'])
def test_what_the_kernels_do_not_serve_takes_the_array_calls(kernels, counted_steps, scenario):
    """Masked steps and activations other than the kernels' go through the array calls."""
    with kernels():
        fast_against_reference('LSTM', SCENARIOS[scenario], np.random.default_rng(3), 'LSTM not in kernels')
    assert counted_steps == {'forward': 0, 'backward': 0}


@contextlib.contextmanager
def _array_calls():
    """The LSTM's steps as array calls, whatever the backend."""
    before, lstm_step_kernels.ENABLED = lstm_step_kernels.ENABLED, False
    try:
        yield
    finally:
        lstm_step_kernels.ENABLED = before


def _train(steps, dtype, inner):
    """(weights, losses) of an LSTM(33) + Dense model after 5 batches of RMSprop."""
    import teachnet
    from teachnet.layers import Dense
    from teachnet.optimizers import RMSprop
    previous = am.floatx()
    am.set_floatx(dtype)
    try:
        teachnet.set_seed(5)
        rng = np.random.default_rng(5)
        x = rng.standard_normal((40, 7, 6)).astype(dtype)
        y = (x.sum(axis=(1, 2)) > 0).astype(dtype).reshape(-1, 1)
        lstm = LSTM(33, inner_activation=inner, dropout_U=0.3, return_sequences=False, input_shape=(7, 6))
        model = Sequential([lstm, Dense(1, activation='sigmoid')])
        model.compile(optimizer=RMSprop(lr=0.01), loss='binary_crossentropy')
        losses = []
        with steps():
            for start in range(0, 40, 8):
                losses.append(float(am.to_numpy(model.train_on_batch(x[start:start + 8], y[start:start + 8]))))
        return model.get_weights(), losses
    finally:
        am.set_floatx(previous)


@pytest.mark.parametrize('dtype, tolerance', [('float64', 1e-12), ('float32', 2e-5)])
@pytest.mark.parametrize('inner', ['hard_sigmoid', 'sigmoid'])
def test_training_through_the_kernels_matches_the_array_calls(kernels, counted_steps, dtype, tolerance, inner):
    """Five RMSprop steps of an LSTM(33) with dropout_U: the same weights and losses with
    and without the kernels, to rounding (the two tanh implementations may differ in the
    last bit, and float32 training carries such differences along)."""
    weights, losses = _train(_array_calls, dtype, inner)
    assert counted_steps == {'forward': 0, 'backward': 0}
    kernel_weights, kernel_losses = _train(kernels, dtype, inner)
    assert counted_steps == {'forward': 5 * 7, 'backward': 5 * 7}
    np.testing.assert_allclose(kernel_losses, losses, rtol=tolerance)
    for got, expected in zip(kernel_weights, weights):
        assert got.dtype == np.dtype(dtype)
        np.testing.assert_allclose(got, expected, rtol=tolerance, atol=tolerance)


def test_the_kernels_keep_what_a_trace_shows(kernels, counted_steps):
    """Gates, states, dL/dh and dL/dc of every step, kept by the op for a trace, are the
    same through the kernels as through the array calls (float64, to rounding)."""
    from teachnet.ops.tape import Tape
    from teachnet.ops.tensor import Tensor
    rng = np.random.default_rng(11)
    x = rng.standard_normal((5, 6, 4))
    grad = rng.standard_normal((5, 6, 9))
    kept = []
    for steps in (_array_calls, kernels):
        previous = am.floatx()
        am.set_floatx('float64')
        try:
            import teachnet
            teachnet.set_seed(2)
            layer = LSTM(9, return_sequences=True, input_shape=(6, 4))
            Sequential([layer])
            with steps():
                with Tape() as tape:
                    y = layer(Tensor(am.to_device(x), requires_grad=True), training=True)
                tape.backward(y, am.to_device(grad))
            op = tape.records[-1]
            kept.append({name: am.to_numpy(value) for name, value in
                         {**op.gates(), **op.gradients_through_time()}.items()})
        finally:
            am.set_floatx(previous)
    assert counted_steps == {'forward': 6, 'backward': 6}
    plain, through_kernels = kept
    assert sorted(plain) == sorted(through_kernels) == sorted(['i', 'f', 'c~', 'o', 'c', 'h', 'dL/dh', 'dL/dc'])
    for name in plain:
        np.testing.assert_allclose(through_kernels[name], plain[name], rtol=1e-12, atol=1e-14, err_msg=name)


@pytest.mark.backend_independent
@pytest.mark.skipif(shutil.which('nvcc') is None, reason='nvcc is not installed')
def test_the_kernels_compile_for_a_gpu(tmp_path):
    """The same source through nvcc: four kernels, float and double, forward and backward."""
    source = tmp_path / 'steps.cu'
    source.write_text(lstm_step_kernels.SOURCE)
    subprocess.run(['nvcc', '--ptx', '-o', str(tmp_path / 'steps.ptx'), str(source)], check=True,
                   capture_output=True)
    ptx = (tmp_path / 'steps.ptx').read_text()
    for direction in ('forward', 'backward'):
        for real in ('float', 'double'):
            assert f'.entry lstm_{direction}_step_{real}(' in ptx


class _FakeCuPy:
    """Stands in for CuPy's module: its RawModule compiles or refuses, and counts."""

    def __init__(self, refuse):
        self.refuse, self.compiled = refuse, []

    def RawModule(self, code):
        fake = self

        class Module:
            def get_function(self, name):
                if fake.refuse:
                    raise RuntimeError('nvrtc: error: identifier "tanhf" is undefined')
                fake.compiled.append(name)
                return name
        assert code == lstm_step_kernels.SOURCE
        return Module()


@pytest.mark.backend_independent
@pytest.mark.parametrize('refuse', [False, True])
def test_on_a_gpu_the_kernels_compile_once_or_say_why_not(monkeypatch, refuse):
    """On CuPy the kernels are compiled when an LSTM first asks, all four at once; if
    CuPy's compiler refuses them, one warning says why and the LSTM keeps its array calls."""
    import types
    import warnings
    fake = _FakeCuPy(refuse)
    monkeypatch.setattr(am, 'get_backend', lambda: 'cupy')
    monkeypatch.setattr(am, 'xp', lambda: fake)
    monkeypatch.setattr(lstm_step_kernels, '_gpu_functions', None)
    monkeypatch.setattr(lstm_step_kernels, '_gpu_refused', None)
    sequence = types.SimpleNamespace(inner=types.SimpleNamespace(name='hard_sigmoid'),
                                     activation=types.SimpleNamespace(name='tanh'), keep=None)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        answers = [lstm_step_kernels.serves(sequence, 'float32') for _ in range(3)]
    assert answers == [not refuse] * 3
    if refuse:
        assert len(caught) == 1 and 'did not compile' in str(caught[0].message) and 'tanhf' in str(caught[0].message)
    else:
        assert not caught and sorted(fake.compiled) == sorted(lstm_step_kernels.KERNEL_NAMES)
