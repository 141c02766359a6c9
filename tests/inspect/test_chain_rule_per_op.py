"""The chain rule per entry, for every op of the guide's models: each entry written out as a
sum from the trace's numbers equals the entry that backward computed, for every entry of
every gradient it explains."""
import numpy as np
import pytest

from teachnet.backend import array_module as am
from teachnet.inspect.chain_rule import entry, explained
from teachnet.layers import (GRU, LSTM, Activation, AveragePooling2D, Convolution1D, Convolution2D, Dense, Dropout,
                             Embedding, Flatten, MaxPooling1D, MaxPooling2D, Merge, Permute, Reshape, SimpleRNN)
from teachnet.models import Sequential

RNG = np.random.RandomState(3)


def traced(layers, x, y, loss):
    am.seed(4)
    model = Sequential(layers)
    model.compile('sgd', loss)
    return model.trace(x, y)


def one_hot(count, classes):
    return np.eye(classes)[RNG.randint(0, classes, count)]


def mlp():
    return traced([Dense(5, input_dim=3, activation='relu'), Dropout(0.5), Dense(4, activation='tanh'),
                   Dense(4, activation='sigmoid'), Activation('softplus'), Dense(4), Activation('softsign'),
                   Activation('elu'), Activation('hard_sigmoid'), Activation('linear'), Dense(3),
                   Activation('softmax')],
                  RNG.randn(4, 3) * 2, one_hot(4, 3), 'categorical_crossentropy')


def binary():
    return traced([Dense(2, input_dim=3, activation='sigmoid')], RNG.randn(3, 3),
                  RNG.randint(0, 2, (3, 2)).astype(float), 'binary_crossentropy')


def regression():
    # a softmax not followed by crossentropy: there Σ_k g_k a_k = 0 and half of its rule goes unseen
    return traced([Dense(3, input_dim=2), Activation('softmax'), Reshape((3, 1)), Permute((2, 1)), Flatten()],
                  RNG.randn(3, 2) * 3, RNG.randn(3, 3), 'mse')


def convnet_channels_first():
    return traced([Convolution2D(2, 3, 3, input_shape=(2, 7, 6), border_mode='same', subsample=(2, 2),
                                 dim_ordering='th', activation='relu'),
                   MaxPooling2D((2, 2), strides=(1, 1), dim_ordering='th'), Flatten(), Dense(3),
                   Activation('softmax')],
                  RNG.randn(2, 2, 7, 6), one_hot(2, 3), 'categorical_crossentropy')


def convnet_channels_last():
    return traced([Convolution2D(3, 2, 2, input_shape=(5, 5, 1), dim_ordering='tf'), MaxPooling2D((2, 2),
                   dim_ordering='tf'), Flatten(), Dense(2)], RNG.randn(2, 5, 5, 1), RNG.randn(2, 2), 'mse')


def convnet_1d():
    return traced([Convolution1D(2, 3, input_shape=(7, 2), border_mode='same'), MaxPooling1D(2), Flatten(),
                   Dense(1)], RNG.randn(2, 7, 2), RNG.randn(2, 1), 'mse')


def average_pooling():
    return traced([AveragePooling2D((3, 3), strides=(2, 2), border_mode='same', input_shape=(1, 5, 4)), Flatten(),
                   Dense(1)], RNG.randn(2, 1, 5, 4), RNG.randn(2, 1), 'mse')


def merged(mode):
    branches = [Sequential([Dense(3, input_dim=2)]), Sequential([Dense(3, input_dim=2)]),
                Sequential([Dense(3, input_dim=2)])]
    return traced([Merge(branches, mode=mode), Dense(1)], [RNG.randn(2, 2) for _ in branches], RNG.randn(2, 1), 'mse')


def embedded():
    return traced([Embedding(4, 2, input_length=5), Flatten(), Dense(1)], RNG.randint(0, 3, (2, 5)),
                  RNG.randn(2, 1), 'mse')


def lstm(**options):
    return traced([LSTM(3, input_shape=(4, 2), **options), Dense(1)], RNG.randn(2, 4, 2), RNG.randn(2, 1), 'mse')


def stateful_lstm():
    """An LSTM whose second batch starts from the states the first left: h_0, c_0 ≠ 0."""
    am.seed(6)
    model = Sequential([LSTM(3, batch_input_shape=(2, 4, 2), stateful=True), Dense(1)])
    model.compile('sgd', 'mse')
    model.predict(RNG.randn(2, 4, 2), batch_size=2)
    trace = model.trace(RNG.randn(2, 4, 2), RNG.randn(2, 1))
    starts = step_of(trace, 'lstm').forward_step
    assert np.abs(starts.fact('h_0')).sum() > 0 and np.abs(starts.fact('c_0')).sum() > 0
    return trace


def input_dropout():
    """An LSTM with dropout_W: x ⊙ m, the mask (n, 1, d) broadcast over the timesteps."""
    return lstm(dropout_W=0.5)


def arithmetic():
    from teachnet.layers import Lambda
    from teachnet import backend as K
    return traced([Dense(3, input_dim=2), Lambda(lambda x: K.square(x) - x * 2.0 + x * x[:, :1])],
                  RNG.randn(4, 2), RNG.randn(4, 3), 'mse')


def gru(**options):
    return traced([GRU(3, input_shape=(4, 2), **options), Dense(1)], RNG.randn(2, 4, 2), RNG.randn(2, 1), 'mse')


def simple_rnn(**options):
    return traced([SimpleRNN(3, input_shape=(5, 2), **options), Dense(1)], RNG.randn(2, 5, 2), RNG.randn(2, 1),
                  'mse')


def assert_every_entry_is_its_sum(trace, ops):
    seen = set()
    for step in trace.backward:
        for name, shape in explained(step).items():
            for index in np.ndindex(*shape):
                found = entry(step, name, index)
                sent = float(np.asarray(step.input(name), dtype=float)[index])
                assert found.computed == pytest.approx(sent)
                assert found.agrees(), f'{step.layer} {step.op} dL/d{name}{index}: {found}'
            seen.add(step.op)
    assert ops <= seen, f'not explained: {ops - seen}'


@pytest.mark.parametrize('make, ops', [
    (mlp, {'linear', 'relu', 'dropout', 'tanh', 'sigmoid', 'softplus', 'softsign', 'elu', 'hard_sigmoid',
           'softmax', 'categorical_crossentropy'}),
    (binary, {'linear', 'sigmoid', 'binary_crossentropy'}),
    (regression, {'linear', 'softmax', 'reshape', 'permute_dimensions', 'batch_flatten', 'mean_squared_error'}),
    (convnet_channels_first, {'conv2d', 'relu', 'max_pool2d', 'batch_flatten', 'softmax'}),
    (convnet_channels_last, {'conv2d', 'max_pool2d'}),
    (convnet_1d, {'conv1d', 'max_pool1d'}),
    (average_pooling, {'avg_pool2d'}),
    (lambda: merged('sum'), {'merge_sum'}),
    (lambda: merged('ave'), {'merge_ave'}),
    (lambda: merged('mul'), {'merge_mul'}),
    (lambda: merged('concat'), {'merge_concat'}),
    (embedded, {'embedding'}),
    (lstm, {'lstm'}),
    (lambda: lstm(inner_activation='sigmoid', activation='relu'), {'lstm'}),
    (lambda: lstm(go_backwards=True), {'lstm'}),
    (lambda: lstm(dropout_U=0.4), {'lstm'}),
    (simple_rnn, {'simple_rnn'}),
    (lambda: simple_rnn(go_backwards=True, activation='sigmoid'), {'simple_rnn'}),
    (lambda: simple_rnn(dropout_U=0.5), {'simple_rnn'}),
    (stateful_lstm, {'lstm'}),
    (gru, {'gru'}),
    (input_dropout, {'multiply', 'lstm'}),
    (arithmetic, {'subtract', 'multiply', 'add'}),
    (lambda: gru(dropout_U=0.4, go_backwards=True, activation='relu'), {'gru'}),
])
def test_every_entry_the_chain_rule_writes_out_is_what_backward_sent(make, ops):
    assert_every_entry_is_its_sum(make(), ops)


def step_of(trace, op):
    return next(s for s in trace.backward if s.op == op)


def test_the_terms_are_the_ones_the_formula_names():
    trace = mlp()
    relu = step_of(trace, 'relu')
    found = entry(relu, 'input 0', (1, 2))
    assert len(found.terms) == 1 and found.terms[0][0] == pytest.approx(relu.output[1, 2])
    assert found.terms[0][1] == float(relu.forward_step.output[1, 2] > 0)
    dropout = step_of(trace, 'dropout')
    mask = dropout.forward_step.fact('mask')
    assert set(np.unique(mask)) <= {0.0, 2.0} and 0.0 in mask
    assert entry(dropout, 'input 0', (0, 0)).terms[0][1] == mask[0, 0]
    softmax = step_of(trace, 'softmax')
    assert [label for label in entry(softmax, 'input 0', (0, 1)).labels] == ['k=0', 'k=1', 'k=2']
    conv = step_of(convnet_channels_first(), 'conv2d')
    weight = entry(conv, 'W', (1, 2, 0, 1))
    assert len(weight.terms) == 2 * 4 * 3                                 # every image and position
    pixel = entry(conv, 'x', (0, 1, 3, 3))
    assert {label.split(' (')[0] for label in pixel.labels} <= {f'a={a}, b={b}, k={k}' for a in range(3)
                                                               for b in range(3) for k in range(2)}
    recurrent = step_of(lstm(), 'lstm')
    assert len(entry(recurrent, 'W', (1, 5)).terms) == 4 * 2            # every timestep and sample
    assert set(explained(recurrent)) == {'x', 'W', 'U', 'b'} - {'x'}


def test_a_long_sum_shows_its_largest_terms_and_how_many_more():
    conv = step_of(convnet_channels_first(), 'conv2d')
    found = entry(conv, 'W', (0, 0, 0, 0))
    shown, rest = found.largest(4)
    assert len(shown) == 4 and rest == len(found.terms) - 4
    smallest_shown = min(abs(product) for _, _, product in shown)
    assert all(abs(p) <= smallest_shown + 1e-12 for k, p in enumerate(found.products)
               if found.labels[k] not in [label for label, _, _ in shown])
    assert f'… + {rest} more terms' in found.terms_text(4)
    assert 'backward sent' in str(found) and ' = ' in str(found)


def test_asking_for_what_it_cannot_show_says_what_it_can():
    trace = mlp()
    with pytest.raises(ValueError, match=r"not shown for dL/dU.*'x', 'W', 'b'"):
        entry(step_of(trace, 'linear'), 'U', (0, 0))
    with pytest.raises(ValueError, match='forward'):
        entry(trace.forward[0], 'W', (0, 0))
    no_entry = r'dL/dW of dense_\d+ \(linear\) has shape \(\d+, \d+\); there is no entry \(9, 0\)'
    with pytest.raises(IndexError, match=no_entry):
        entry(step_of(trace, 'linear'), 'W', (9, 0))
    assert explained(trace.forward[0]) == {}
    assert explained(step_of(trace, 'weighted_mean')) == {}


def test_a_masked_sequence_is_not_written_out_and_says_why():
    am.seed(5)
    model = Sequential([Embedding(4, 2, input_length=5, mask_zero=True), LSTM(3), Dense(1)])
    model.compile('sgd', 'mse')
    ids = np.array([[1, 2, 3, 0, 0], [2, 1, 0, 0, 0]])
    step = step_of(model.trace(ids, RNG.randn(2, 1)), 'lstm')
    assert explained(step) == {}
    with pytest.raises(ValueError, match='masked steps are not written out'):
        entry(step, 'W', (0, 0))


def test_a_gru_with_reset_after_is_not_written_out():
    step = step_of(gru(reset_after=True), 'gru')
    assert explained(step) == {}
    with pytest.raises(ValueError, match='reset_after'):
        entry(step, 'W', (0, 0))
