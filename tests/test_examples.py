"""The examples run end to end on the offline digits, quickly, and fall back to them without data."""
import importlib.util
import pathlib

import pytest

import teachnet.datasets.mnist
from teachnet.utils.data_utils import DatasetUnavailable

pytestmark = pytest.mark.backend_independent

EXAMPLES = pathlib.Path(__file__).resolve().parents[1] / 'examples'


def load_example(name):
    spec = importlib.util.spec_from_file_location(f'example_{name}', EXAMPLES / f'{name}.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_mnist_mlp_offline_learns_the_digits():
    result = load_example('mnist_mlp').main(['--offline', '--epochs', '1', '--verbose', '0'])
    assert result['offline'] and result['score'][1] > 0.6


def test_mnist_mlp_falls_back_to_offline_when_mnist_is_unavailable(monkeypatch, capsys):
    def unavailable():
        raise DatasetUnavailable('mnist.npz is not in the cache; save it as /somewhere/mnist.npz')
    monkeypatch.setattr(teachnet.datasets.mnist, 'load_data', unavailable)
    result = load_example('mnist_mlp').main(['--epochs', '1', '--verbose', '0'])
    assert result['offline']
    assert '/somewhere/mnist.npz' in capsys.readouterr().err


def test_mnist_cnn_offline_runs():
    result = load_example('mnist_cnn').main(['--offline', '--epochs', '1', '--limit', '128', '--verbose', '0'])
    assert result['offline'] and 0 <= result['score'][1] <= 1


def test_cifar10_cnn_offline_runs_with_augmentation():
    result = load_example('cifar10_cnn').main(['--offline', '--epochs', '1', '--limit', '96',
                                                    '--verbose', '0'])
    assert result['offline'] and len(result['history'].history['val_loss']) == 1
