"""TimeDistributed and Bidirectional against NumPy references."""
import numpy as np
import pytest

from teachnet.backend import array_module as am
from teachnet.layers import Activation, Dense
from teachnet.layers.gru import GRU
from teachnet.layers.lstm import LSTM
from teachnet.layers.simple_rnn import SimpleRNN
from teachnet.layers.wrappers import Bidirectional, TimeDistributed
from teachnet.models import Sequential, model_from_json
from teachnet.ops.tensor import Tensor

from .harness import layer_test
from .test_recurrent import gru_cell, lstm_cell, run_reference, simple_cell


def time_distributed_dense(x, weights):
    W, b = weights
    return np.stack([x[:, t] @ W + b for t in range(x.shape[1])], axis=1)


@pytest.mark.parametrize('input_shape, units', [((4, 3), 2), ((2, 5), 1), ((3, 2, 4), 3)], ids=str)
def test_time_distributed_dense(input_shape, units):
    result = layer_test(lambda **kw: TimeDistributed(Dense(units, bias_initializer='uniform'), **kw), input_shape,
                        reference=time_distributed_dense, expected_output_shape=input_shape[:-1] + (units,))
    inner = result.layer.layer
    assert [p.name for p in result.layer.params] == [p.name for p in inner.params]
    assert result.layer.get_weights()[0].shape == (input_shape[-1], units)


def test_time_distributed_softmax():
    def reference(x, weights):
        e = np.exp(x - x.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)
    layer_test(lambda **kw: TimeDistributed(Activation('softmax'), **kw), (3, 4), reference=reference)


def test_time_distributed_keeps_the_mask():
    layer = TimeDistributed(Dense(2), input_shape=(3, 2))
    Sequential([layer])
    x = Tensor(am.to_device(np.ones((2, 3, 2), dtype='float32')))
    x.mask = am.to_device(np.array([[True, False, True], [True, True, False]]))
    np.testing.assert_array_equal(am.to_numpy(layer(x).mask), am.to_numpy(x.mask))


CELLS = {'SimpleRNN': (SimpleRNN, simple_cell(), 1, 1), 'LSTM': (LSTM, lstm_cell(), 2, 4),
         'GRU': (GRU, gru_cell(), 1, 3)}
MERGES = {'concat': lambda a, b: np.concatenate([a, b], axis=-1), 'sum': np.add, 'mul': np.multiply,
          'ave': lambda a, b: (a + b) / 2}


def bidirectional_reference(step, state_count, merge_mode, return_sequences):
    def reference(x, weights):
        forward = run_reference(step, x, weights[:3], state_count, return_sequences=return_sequences)
        backward = run_reference(step, x, weights[3:], state_count, go_backwards=True,
                                 return_sequences=return_sequences)
        if return_sequences:
            backward = backward[:, ::-1]          # step t of both halves is input step t
        return MERGES[merge_mode](forward, backward)
    return reference


@pytest.mark.parametrize('kind, merge_mode, return_sequences', [
    ('LSTM', 'concat', False), ('LSTM', 'concat', True), ('GRU', 'sum', True), ('GRU', 'ave', False),
    ('SimpleRNN', 'mul', True), ('SimpleRNN', 'concat', False)])
def test_bidirectional(kind, merge_mode, return_sequences):
    cls, step, state_count, gates = CELLS[kind]
    units = 2
    result = layer_test(lambda **kw: Bidirectional(cls(units, return_sequences=return_sequences), merge_mode,
                                                   **kw), (3, 2),
                        reference=bidirectional_reference(step, state_count, merge_mode, return_sequences))
    weights = result.layer.get_weights()
    assert [w.shape for w in weights] == 2 * [(2, gates * units), (units, gates * units), (gates * units,)]
    width = 2 * units if merge_mode == 'concat' else units
    assert result.layer.output_shape == ((None, 3, width) if return_sequences else (None, width))


@pytest.mark.backend_independent
def test_wrapper_mistakes_and_json():
    with pytest.raises(ValueError, match='bidi_bad.*merge_mode'):
        Bidirectional(LSTM(2), merge_mode='max', name='bidi_bad')
    with pytest.raises(TypeError, match='recurrent'):
        Bidirectional(Dense(2))
    with pytest.raises(TypeError, match='TimeDistributed'):
        TimeDistributed('dense')
    model = Sequential([Bidirectional(LSTM(3, return_sequences=True), input_shape=(4, 2)),
                        TimeDistributed(Dense(2))])
    rebuilt = model_from_json(model.to_json())
    rebuilt.set_weights(model.get_weights())
    x = np.random.default_rng(0).standard_normal((2, 4, 2))
    np.testing.assert_allclose(rebuilt.predict(x), model.predict(x), rtol=1e-6)
    assert model.output_shape == (None, 4, 2)


def test_bidirectional_inner_input_shape_and_masks():
    layer = Bidirectional(GRU(2, return_sequences=True, input_shape=(3, 2)), merge_mode='sum')
    model = Sequential([layer])
    assert model.input_shape == (None, 3, 2)
    x = Tensor(am.to_device(np.random.default_rng(1).standard_normal((2, 3, 2)).astype('float32')))
    x.mask = am.to_device(np.array([[True, True, False], [True, True, True]]))
    out = layer(x)
    np.testing.assert_array_equal(am.to_numpy(out.mask), am.to_numpy(x.mask))
    short = Sequential([Bidirectional(GRU(2, return_sequences=True), merge_mode='sum', input_shape=(2, 2))])
    short.set_weights(model.get_weights())
    np.testing.assert_allclose(am.to_numpy(out.data)[0, :2], short.predict(am.to_numpy(x.data)[:1, :2])[0],
                               rtol=1e-5, atol=1e-6)
