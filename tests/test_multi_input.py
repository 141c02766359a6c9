"""Multi-input Sequential models: a Merge first, one input array per branch.

The guide's section 3 and 5 programs run as written and learn; every engine method takes
the list of arrays; mistakes in the list are clear errors; traces group the steps by
branch; weights, configs and files keep the branches.
"""

import h5py
import numpy as np
import pytest

import teachnet
from teachnet.backend import array_module as am
from teachnet.inspect.gradient_check import gradient_check
from teachnet.layers import Dense, Flatten
from teachnet.layers.merge import Merge
from teachnet.models import Sequential, load_model
from teachnet.utils.np_utils import to_categorical

RNG = np.random.default_rng(11)


def _learnable_pair(n, rng):
    """Two 784-feature noise inputs and a class of 10: classes 0-4 raise one block of 40
    features of input 1 by 1, classes 5-9 one block of input 2 (a model needs both)."""
    labels = rng.integers(0, 10, n)
    block = np.arange(784) // 40
    signal = (block[None, :] == (labels % 5)[:, None]).astype(float)
    in_second = (labels >= 5)[:, None]
    input_data_1 = rng.random((n, 784)) + signal * ~in_second
    input_data_2 = rng.random((n, 784)) + signal * in_second
    return input_data_1, input_data_2, to_categorical(labels, 10)


def _guide_model(mode):
    """Section 3 of the guide, as written."""
    left_branch = Sequential();  left_branch.add(Dense(32, input_dim=784))     # noqa: E702
    right_branch = Sequential(); right_branch.add(Dense(32, input_dim=784))    # noqa: E702
    merged = Merge([left_branch, right_branch], mode=mode)
    final_model = Sequential()
    final_model.add(merged)
    final_model.add(Dense(10, activation='softmax'))
    final_model.compile(optimizer='rmsprop', loss='categorical_crossentropy', metrics=['accuracy'])
    return final_model


@pytest.mark.parametrize('mode', ['concat', lambda x: x[0] - x[1]], ids=['concat', 'lambda'])
def test_guide_section_3_learns(mode):
    teachnet.set_seed(0)
    input_data_1, input_data_2, targets = _learnable_pair(400, np.random.default_rng(0))
    final_model = _guide_model(mode)
    assert final_model.output_shape == (None, 10)
    history = final_model.fit([input_data_1, input_data_2], targets, nb_epoch=10, batch_size=32, verbose=0)
    losses = history.history['loss']
    assert losses[-1] < 0.3 * losses[0]
    assert history.history['acc'][-1] > 0.9               # chance is 0.1
    test_1, test_2, test_targets = _learnable_pair(200, np.random.default_rng(1))
    loss, accuracy = final_model.evaluate([test_1, test_2], test_targets, verbose=0)
    assert accuracy > 0.8


def test_guide_section_5_two_branch_fit():
    model = _guide_model('concat')
    data_1 = np.random.random((1000, 784)); data_2 = np.random.random((1000, 784))   # noqa: E702
    labels = to_categorical(np.random.randint(10, size=(1000, 1)), 10)
    history = model.fit([data_1, data_2], labels, nb_epoch=10, batch_size=32, verbose=0)
    assert len(history.history['loss']) == 10 and np.isfinite(history.history['loss']).all()


def test_every_engine_method_takes_the_list_of_inputs():
    teachnet.set_seed(1)
    model = _guide_model('sum')
    x1, x2, y = _learnable_pair(64, RNG)
    xs = [x1, x2]
    history = model.fit(xs, y, nb_epoch=2, batch_size=16, verbose=0, validation_data=(xs, y))
    assert set(history.history) >= {'loss', 'acc', 'val_loss', 'val_acc'}
    history = model.fit(xs, y, nb_epoch=1, batch_size=16, verbose=0, validation_split=0.25)
    assert 'val_loss' in history.history
    predictions = model.predict(xs, batch_size=10)
    assert predictions.shape == (64, 10)
    np.testing.assert_allclose(model.predict_on_batch(xs), predictions, rtol=1e-5)
    np.testing.assert_array_equal(model.predict_classes(xs, verbose=0), predictions.argmax(axis=1))
    loss, accuracy = model.evaluate(xs, y, verbose=0)
    assert np.isclose(model.test_on_batch(xs, y)[0], loss, rtol=1e-4)
    before = model.train_on_batch(xs, y)[0]
    assert np.isclose(before, loss, rtol=1e-4) and model.test_on_batch(xs, y)[0] < before


def test_generators_take_the_list_of_inputs():
    model = _guide_model('concat')

    def batches():
        rng = np.random.default_rng(0)
        while True:
            x1, x2, y = _learnable_pair(16, rng)
            yield [x1, x2], y
    history = model.fit_generator(batches(), samples_per_epoch=64, nb_epoch=2, verbose=0)
    assert len(history.history['loss']) == 2
    assert model.predict_generator((x for x, _ in batches()), 32).shape == (32, 10)


def test_inputs_are_checked_against_the_branches():
    model = _guide_model('concat')
    x1, x2, y = _learnable_pair(8, RNG)
    with pytest.raises(ValueError, match=r'has 2 inputs.*dense_\d+ \(branch sequential_\d+\) expects '
                                         r'\(None, 784\).*but x holds one array'):
        model.fit(x1, y, verbose=0)
    with pytest.raises(ValueError, match='but x holds a list of 3 arrays'):
        model.predict([x1, x2, x2])
    second = model.layers[0].input_layers[1].name
    with pytest.raises(ValueError, match=rf'Layer {second} expects x of shape \(None, 784\), but got an array '
                                         r'of shape \(8, 10\)'):
        model.train_on_batch([x1, x2[:, :10]], y)
    with pytest.raises(ValueError, match='but validation x holds one array'):
        model.fit([x1, x2], y, verbose=0, validation_data=(x1, y))
    with pytest.raises(ValueError, match='same number of samples'):
        model.evaluate([x1, x2[:5]], y, verbose=0)


def test_each_input_is_converted_to_its_own_branch_dtype():
    from teachnet.layers import embeddings
    words = Sequential([embeddings.Embedding(20, 4, input_length=5), Flatten()])
    numbers = Sequential([Dense(20, input_dim=3)])
    model = Sequential([Merge([words, numbers], mode='concat'), Dense(1, activation='sigmoid')])
    model.compile(optimizer='rmsprop', loss='binary_crossentropy')
    ids, values = RNG.integers(0, 20, (16, 5)), RNG.random((16, 3))
    assert model._input_dtypes() == ['int32', am.floatx()]
    inputs, _, _ = model._to_device(*model._prepare([ids, values]))
    assert [str(a.dtype) for a in inputs] == ['int32', am.floatx()]
    model.fit([ids, values], RNG.integers(0, 2, (16, 1)), nb_epoch=1, verbose=0)


def test_a_branch_containing_a_merge_takes_its_inputs_in_order():
    a, b, c = (Sequential([Dense(3, input_dim=d)]) for d in (2, 4, 5))
    inner = Sequential([Merge([a, b], mode='mul'), Dense(3)])
    model = Sequential([Merge([inner, c], mode='concat'), Dense(1)])
    model.compile(optimizer='sgd', loss='mse')
    assert model.input_shape == [(None, 2), (None, 4), (None, 5)]
    xs = [RNG.standard_normal((6, d)) for d in (2, 4, 5)]

    def dense(x, layer):
        kernel, bias = layer.get_weights()
        return x @ kernel + bias
    inner_out = dense(dense(xs[0], a.layers[0]) * dense(xs[1], b.layers[0]), inner.layers[1])
    expected = dense(np.concatenate([inner_out, dense(xs[2], c.layers[0])], axis=1), model.layers[1])
    np.testing.assert_allclose(model.predict(xs), expected, rtol=1e-4, atol=1e-6)
    assert gradient_check(model, [x[:3] for x in xs], RNG.standard_normal((3, 1))).passed
    y = xs[0][:, :1] * xs[2][:, :1]
    history = model.fit(xs, y, nb_epoch=30, batch_size=6, verbose=0)
    assert history.history['loss'][-1] < history.history['loss'][0]


def test_trace_groups_steps_by_branch_and_shows_the_gradient_split():
    model = _guide_model('concat')
    x1, x2, y = _learnable_pair(2, RNG)
    trace = model.trace([x1, x2], y)
    left, right = model.layers[0].branches
    first_left, first_right = left.layers[0].name, right.layers[0].name
    assert trace.layers()[:3] == [first_left, first_right, model.layers[0].name]
    assert {s.where.get('branch') for s in trace.layer(first_left)} == {left.name}
    merge_forward = [s for s in trace.forward if s.op == 'merge_concat'][0]
    assert [label for label, _ in merge_forward.inputs] == [left.name, right.name]
    assert merge_forward.facts['gradient split'] == f'{left.name} <- g[:, 0:32], {right.name} <- g[:, 32:64]'
    merge_backward = [s for s in trace.backward if s.op == 'merge_concat'][0]
    g = merge_backward.output
    np.testing.assert_array_equal(merge_backward.inputs[0][1], g[:, :32])
    np.testing.assert_array_equal(merge_backward.inputs[1][1], g[:, 32:])
    assert f'branch {left.name}' in str(trace)


def test_summary_shows_the_branches_and_what_the_merge_connects():
    model = _guide_model('concat')
    lines = []
    model.summary(print_fn=lines.append)
    text = lines[0]
    left, right = model.layers[0].branches
    merge = model.layers[0]
    assert f'{left.name} (Sequential)' in text and f'  {left.layers[0].name} (Dense)' in text
    merge_line = [line for line in text.splitlines() if line.startswith(f'{merge.name} (Merge)')][0]
    assert '(None, 64)' in merge_line and merge_line.endswith(f'{left.name}[0][0]')
    following = text.splitlines()[text.splitlines().index(merge_line) + 1]
    assert following.strip() == f'{right.name}[0][0]'
    assert 'Total params: 50,890' in text and 'Trainable params: 50,890' in text


def test_save_and_load_weights_walk_the_branches(tmp_path):
    model = _guide_model('concat')
    path = tmp_path / 'merged.h5'
    model.save_weights(path)
    with h5py.File(path, 'r') as f:
        names = [n.decode() if isinstance(n, bytes) else n for n in f.attrs['layer_names']]
    assert names == [layer.name for layer in model.flattened_layers]
    assert names[:2] == [branch.layers[0].name for branch in model.layers[0].branches]
    copy = _guide_model('concat')
    copy.load_weights(path)
    for a, b in zip(copy.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)
    renamed = _guide_model('concat')
    before = renamed.get_weights()
    renamed.load_weights(path, by_name=True)               # other names: nothing matches
    for a, b in zip(renamed.get_weights(), before):
        np.testing.assert_array_equal(a, b)


def test_save_and_load_model_keeps_the_merge(tmp_path):
    model = _guide_model('concat')
    x1, x2, y = _learnable_pair(16, RNG)
    model.fit([x1, x2], y, nb_epoch=1, verbose=0)
    model.save(tmp_path / 'model.h5')
    loaded = load_model(tmp_path / 'model.h5')
    assert isinstance(loaded.layers[0], Merge) and loaded.layers[0].mode == 'concat'
    np.testing.assert_allclose(loaded.predict([x1, x2]), model.predict([x1, x2]), rtol=1e-5)
    loaded.train_on_batch([x1, x2], y)


def test_guide_two_merged_lstm_encoders_learn():
    from teachnet.layers import LSTM
    teachnet.set_seed(0)
    data_dim, timesteps, nb_classes = 16, 8, 10
    rng = np.random.default_rng(0)

    def make(n):
        """Classes 0-4 show as a raised feature in sequence a, classes 5-9 in sequence b."""
        labels = rng.integers(0, nb_classes, n)
        xa, xb = rng.random((n, timesteps, data_dim)) * 0.5, rng.random((n, timesteps, data_dim)) * 0.5
        in_a = labels < 5
        xa[in_a, :, labels[in_a]] += 1.0
        xb[~in_a, :, labels[~in_a] - 5] += 1.0
        return xa, xb, to_categorical(labels, nb_classes)
    x_train_a, x_train_b, y_train = make(640)
    x_val_a, x_val_b, y_val = make(64)

    encoder_a = Sequential(); encoder_a.add(LSTM(32, input_shape=(timesteps, data_dim)))   # noqa: E702
    encoder_b = Sequential(); encoder_b.add(LSTM(32, input_shape=(timesteps, data_dim)))   # noqa: E702
    decoder = Sequential()
    decoder.add(Merge([encoder_a, encoder_b], mode='concat'))
    decoder.add(Dense(32, activation='relu'))
    decoder.add(Dense(nb_classes, activation='softmax'))
    decoder.compile(loss='categorical_crossentropy', optimizer='rmsprop', metrics=['accuracy'])
    history = decoder.fit([x_train_a, x_train_b], y_train, batch_size=64, nb_epoch=5,
                          validation_data=([x_val_a, x_val_b], y_val), verbose=0)
    assert history.history['loss'][-1] < 0.7 * history.history['loss'][0]
    assert history.history['val_acc'][-1] > 0.5
