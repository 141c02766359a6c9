"""digits, mnist and cifar10 on small files of the published formats, made here. No network."""
import hashlib
import io
import os
import pickle
import tarfile
import urllib.error
import urllib.request

import numpy as np
import pytest

from teachnet.datasets import cifar10, digits, mnist, safe_pickle
from teachnet.utils.data_utils import DatasetUnavailable

pytestmark = pytest.mark.backend_independent


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv('TEACHNET_DATA_DIR', str(tmp_path))
    def refuse(*args, **kwargs):
        raise urllib.error.URLError('no network in tests')
    monkeypatch.setattr(urllib.request, 'urlopen', refuse)
    (tmp_path / 'datasets').mkdir()
    return tmp_path / 'datasets'


def sha256(path):
    return hashlib.sha256(open(path, 'rb').read()).hexdigest()


# ----------------------------------------------------------------------------- digits
def test_digits_are_images_in_the_unit_interval():
    (x_train, y_train), (x_test, y_test) = digits.load_data()
    assert x_train.shape == (1438, 1, 8, 8) and x_test.shape == (359, 1, 8, 8)
    assert x_train.dtype == np.float32 and 0 <= x_train.min() and x_train.max() == 1
    assert y_train.dtype.kind == 'i' and set(np.unique(y_test)) == set(range(10))
    from sklearn.datasets import load_digits
    bunch = load_digits()
    rows = {tuple(row) for row in bunch.data}
    assert tuple((x_test[0, 0] * 16).round().ravel()) in rows


def test_digits_split_is_seeded_and_channels_last_is_one_setting_away():
    (a, la), _ = digits.load_data(seed=3)
    (b, lb), _ = digits.load_data(seed=3, data_format='channels_last')
    np.testing.assert_array_equal(b, a.transpose(0, 2, 3, 1))
    np.testing.assert_array_equal(la, lb)
    (c, _), _ = digits.load_data(seed=4)
    assert not np.array_equal(a, c)
    with pytest.raises(ValueError, match='test_split'):
        digits.load_data(test_split=1.5)


# ----------------------------------------------------------------------------- mnist
def write_mnist(folder, name='mnist.npz'):
    rng = np.random.default_rng(0)
    arrays = {'x_train': rng.integers(0, 256, (5, 28, 28), dtype=np.uint8), 'y_train': np.arange(5, dtype=np.uint8),
              'x_test': rng.integers(0, 256, (3, 28, 28), dtype=np.uint8), 'y_test': np.arange(3, dtype=np.uint8)}
    np.savez(folder / name, **arrays)
    return arrays


def test_mnist_reads_the_npz_once_its_hash_matches(cache, monkeypatch):
    arrays = write_mnist(cache)
    monkeypatch.setattr(mnist, 'EXPECTED_SHA256', sha256(cache / 'mnist.npz'))
    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    for key, value in zip(('x_train', 'y_train', 'x_test', 'y_test'), (x_train, y_train, x_test, y_test)):
        np.testing.assert_array_equal(value, arrays[key])
        assert value.dtype == np.uint8


def test_mnist_without_the_file_says_where_to_put_it(cache):
    with pytest.raises(DatasetUnavailable) as caught:
        mnist.load_data()
    assert mnist.ORIGIN in str(caught.value) and str(cache / 'mnist.npz') in str(caught.value)


def test_mnist_refuses_a_file_with_another_hash(cache):
    write_mnist(cache)          # the real published hash does not match this small file
    with pytest.raises(DatasetUnavailable, match='does not match'):
        mnist.load_data()


# ----------------------------------------------------------------------------- cifar10
def write_cifar(folder, protocol, per_batch=2):
    rng = np.random.default_rng(1)
    batches = {}
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode='w:gz') as tar:
        for name in cifar10.TRAIN_BATCHES + (cifar10.TEST_BATCH,):
            batch = {b'batch_label': b'a small batch', b'filenames': [b'f.png'] * per_batch,
                     b'data': rng.integers(0, 256, (per_batch, 3072), dtype=np.uint8),
                     b'labels': rng.integers(0, 10, per_batch).tolist()}
            batches[name] = batch
            payload = pickle.dumps(batch, protocol=protocol)
            info = tarfile.TarInfo(f'cifar-10-batches-py/{name}')
            info.size = len(payload)
            tar.addfile(info, io.BytesIO(payload))
    (folder / cifar10.FILE_NAME).write_bytes(buffer.getvalue())
    return batches


@pytest.mark.parametrize('protocol', [2, 4])
def test_cifar10_reads_the_pickled_batches(cache, monkeypatch, protocol):
    batches = write_cifar(cache, protocol)
    monkeypatch.setattr(cifar10, 'EXPECTED_SHA256', sha256(cache / cifar10.FILE_NAME))
    (x_train, y_train), (x_test, y_test) = cifar10.load_data()
    assert x_train.shape == (10, 3, 32, 32) and y_train.shape == (10, 1) and x_test.shape == (2, 3, 32, 32)
    row = batches['data_batch_2'][b'data'][1]
    np.testing.assert_array_equal(x_train[3, 0], row[:1024].reshape(32, 32))       # red plane, row by row
    np.testing.assert_array_equal(x_train[3, 2], row[2048:].reshape(32, 32))       # blue plane
    assert y_test[:, 0].tolist() == batches['test_batch'][b'labels']
    (last, _), _ = cifar10.load_data(data_format='channels_last')
    np.testing.assert_array_equal(last, x_train.transpose(0, 2, 3, 1))


def test_cifar10_is_never_unpickled_before_the_hash_matches(cache, monkeypatch):
    write_cifar(cache, 4)
    opened = []
    monkeypatch.setattr(tarfile, 'open', lambda *a, **k: opened.append(a))
    with pytest.raises(DatasetUnavailable, match='does not match'):
        cifar10.load_data()
    assert opened == []


class Exploit:
    def __reduce__(self):
        return (os.system, ('echo pwned',))


def test_the_restricted_unpickler_refuses_code():
    with pytest.raises(pickle.UnpicklingError, match='os|posix|system'):
        safe_pickle.loads(pickle.dumps({b'data': Exploit()}))
    array = np.arange(6, dtype=np.uint8).reshape(2, 3)
    np.testing.assert_array_equal(safe_pickle.loads(pickle.dumps({b'data': array}, protocol=2))[b'data'], array)
