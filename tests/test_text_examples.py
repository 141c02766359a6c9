"""The text examples run offline: reuters_mlp now, the LSTM ones once Embedding and LSTM exist."""
import importlib.util
import pathlib
import urllib.request

import numpy as np
import pytest

EXAMPLES = pathlib.Path(__file__).resolve().parent.parent / 'examples'


def load_example(name):
    spec = importlib.util.spec_from_file_location(f'example_{name}', EXAMPLES / f'{name}.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def no_network(monkeypatch, tmp_path):
    monkeypatch.setenv('TEACHNET_DATA_DIR', str(tmp_path))

    def refuse(*args, **kwargs):
        raise OSError('the tests never use the network')
    monkeypatch.setattr(urllib.request, 'urlopen', refuse)


def test_reuters_mlp_offline_learns(capsys):
    result = load_example('reuters_mlp').main(['--offline', '--epochs', '3', '--verbose', '0'])
    output = capsys.readouterr().out
    assert 'Test accuracy' in output and result['nb_classes'] == 8
    assert result['score'][1] > 0.4                          # chance is 1/8
    assert result['history'].history['loss'][-1] < result['history'].history['loss'][0]


@pytest.mark.backend_independent
def test_reuters_mlp_falls_back_to_offline_without_the_file(capsys):
    result = load_example('reuters_mlp').main(['--epochs', '1', '--verbose', '0'])
    assert 'Using the offline corpus' in capsys.readouterr().err
    assert result['topics'] is not None


@pytest.mark.backend_independent
def test_temperature_sampling():
    sample = load_example('lstm_text_generation').sample
    rng = np.random.default_rng(0)
    preds = np.array([0.1, 0.2, 0.7])
    assert sample(np.array([0., 1., 0.]), 1.0, rng) == 1
    assert sample(preds, 0.01, rng) == 2                     # a cold temperature takes the likeliest
    rows = np.tile(preds, (20000, 1))
    for temperature in (1.0, 2.0):
        drawn = sample(rows, temperature, rng)
        expected = preds ** (1 / temperature) / (preds ** (1 / temperature)).sum()
        np.testing.assert_allclose(np.bincount(drawn, minlength=3) / len(rows), expected, atol=0.015)
    per_row = sample(np.tile(preds, (4, 1)), np.array([0.01, 0.01, 0.01, 0.01]), rng)
    assert per_row.tolist() == [2, 2, 2, 2]
    with pytest.raises(ValueError, match='temperature'):
        sample(preds, 0.)


@pytest.mark.backend_independent
def test_imdb_lstm_offline_runs():
    result = load_example('imdb_lstm').main(['--offline', '--epochs', '1', '--units', '16', '--verbose', '0'])
    assert 0 <= result['accuracy'] <= 1


@pytest.mark.backend_independent
def test_lstm_text_generation_offline_runs():
    result = load_example('lstm_text_generation').main(
        ['--offline', '--iterations', '2', '--max-chars', '3000', '--units', '16', '--generate-length', '5',
         '--verbose', '0'])
    assert len(result['losses']) == 2 and all(len(text) == 5 for text in result['samples'][-1])
    assert set(''.join(result['samples'][-1])) <= set(result['chars'])


class NextLetterModel:
    """Predicts, with certainty, the letter after the window's last one (a stand-in for the LSTM)."""

    def predict(self, x, verbose=0):
        last = x[:, -1, :].argmax(axis=1)
        return np.eye(x.shape[2])[(last + 1) % x.shape[2]]


@pytest.mark.backend_independent
def test_generate_writes_all_temperatures_in_one_batch():
    example = load_example('lstm_text_generation')
    chars = list('abcde')
    texts = example.generate(NextLetterModel(), 'abc', chars, {c: i for i, c in enumerate(chars)}, 6,
                             (0.2, 1.0, 1.2), np.random.default_rng(0))
    assert texts == ['deabcd'] * 3


def dense_stand_in(input_shape, units, activation, loss):
    """Flatten + Dense in place of an example's recurrent model, to run the rest of its pipeline."""
    from teachnet.layers import Activation, Dense, Flatten
    from teachnet.models import Sequential
    model = Sequential([Flatten(input_shape=input_shape), Dense(units), Activation(activation)])
    model.compile(loss=loss, optimizer='adam', metrics=['accuracy'])
    return model


@pytest.mark.backend_independent
def test_imdb_lstm_pipeline_with_a_dense_stand_in():
    example = load_example('imdb_lstm')
    example.build_model = lambda max_features, maxlen, units: dense_stand_in(
        (maxlen,), 1, 'sigmoid', 'binary_crossentropy')
    result = example.main(['--offline', '--epochs', '1', '--verbose', '0'])
    assert result['model'].input_shape == (None, 30)           # offline: 30-word pieces
    assert 0 <= result['accuracy'] <= 1


@pytest.mark.backend_independent
def test_lstm_text_generation_pipeline_with_a_dense_stand_in():
    example = load_example('lstm_text_generation')
    example.build_model = lambda maxlen, nb_chars, units: dense_stand_in(
        (maxlen, nb_chars), nb_chars, 'softmax', 'categorical_crossentropy')
    result = example.main(['--offline', '--iterations', '2', '--max-chars', '2000', '--generate-length', '7',
                           '--verbose', '0'])
    assert len(result['losses']) == 2 and [len(t) for t in result['samples'][-1]] == [7, 7, 7, 7]
    assert set(''.join(result['samples'][-1])) <= set(result['chars'])
