"""get_file: the cache, the SHA-256 check, atomic downloads, the offline message. No network."""
import hashlib
import io
import os
import tarfile
import urllib.error
import urllib.request

import pytest

from teachnet.utils import data_utils
from teachnet.utils.data_utils import DatasetChecksumError, DatasetUnavailable, get_file, sha256_of

pytestmark = pytest.mark.backend_independent

ORIGIN = 'https://example.org/data/tiny.bin'
CONTENT = b'teachnet test bytes\n' * 10
DIGEST = hashlib.sha256(CONTENT).hexdigest()


@pytest.fixture
def offline(monkeypatch):
    def refuse(*args, **kwargs):
        raise urllib.error.URLError('no network in tests')
    monkeypatch.setattr(urllib.request, 'urlopen', refuse)


@pytest.fixture
def serving(monkeypatch):
    """A fake server answering every address with the bytes in ``served['bytes']``."""
    served = {'bytes': CONTENT, 'calls': 0}

    def answer(url, timeout=None):
        served['calls'] += 1
        return io.BytesIO(served['bytes'])
    monkeypatch.setattr(urllib.request, 'urlopen', answer)
    return served


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv('TEACHNET_DATA_DIR', str(tmp_path))
    return tmp_path


def test_sha256_of_matches_hashlib(tmp_path):
    path = tmp_path / 'f'
    path.write_bytes(CONTENT)
    assert sha256_of(path) == DIGEST


def test_a_cached_file_with_the_right_hash_is_used_without_network(cache, offline):
    target = cache / 'datasets' / 'tiny.bin'
    target.parent.mkdir()
    target.write_bytes(CONTENT)
    assert get_file('tiny.bin', ORIGIN, file_hash=DIGEST) == str(target)
    assert get_file('tiny.bin', ORIGIN) == str(target)


def test_download_once_checked_and_atomic(cache, serving):
    path = get_file('tiny.bin', ORIGIN, file_hash=DIGEST, cache_subdir='sub')
    assert path == str(cache / 'sub' / 'tiny.bin')
    assert open(path, 'rb').read() == CONTENT
    assert os.listdir(cache / 'sub') == ['tiny.bin']           # no temporary file left
    get_file('tiny.bin', ORIGIN, file_hash=DIGEST, cache_subdir='sub')
    assert serving['calls'] == 1


def test_a_corrupted_download_is_deleted_with_a_clear_error(cache, serving):
    serving['bytes'] = CONTENT[:-1]
    with pytest.raises(DatasetChecksumError, match=f'expected {DIGEST}'):
        get_file('tiny.bin', ORIGIN, file_hash=DIGEST)
    assert os.listdir(cache / 'datasets') == []


def test_offline_error_says_what_to_download_and_where(cache, offline):
    with pytest.raises(DatasetUnavailable) as caught:
        get_file('tiny.bin', ORIGIN, file_hash=DIGEST)
    message = str(caught.value)
    assert isinstance(caught.value, OSError)
    assert ORIGIN in message and str(cache / 'datasets' / 'tiny.bin') in message and DIGEST in message
    assert caught.value.path == str(cache / 'datasets' / 'tiny.bin')


def test_a_stale_copy_is_replaced_or_reported(cache, offline, monkeypatch):
    target = cache / 'datasets' / 'tiny.bin'
    target.parent.mkdir()
    target.write_bytes(b'old')
    with pytest.raises(DatasetUnavailable, match='does not match'):
        get_file('tiny.bin', ORIGIN, file_hash=DIGEST)
    monkeypatch.setattr(urllib.request, 'urlopen', lambda url, timeout=None: io.BytesIO(CONTENT))
    get_file('tiny.bin', ORIGIN, file_hash=DIGEST)
    assert target.read_bytes() == CONTENT


def test_cache_folder_precedence(tmp_path, monkeypatch):
    monkeypatch.setenv('TEACHNET_DATA_DIR', str(tmp_path / 'env'))
    assert data_utils.cache_folder() == str(tmp_path / 'env')
    assert data_utils.cache_folder(str(tmp_path / 'arg')) == str(tmp_path / 'arg')
    monkeypatch.delenv('TEACHNET_DATA_DIR')
    monkeypatch.setenv('HOME', str(tmp_path / 'home'))
    assert data_utils.cache_folder() == str(tmp_path / 'home' / '.teachnet')


def test_extract_unpacks_beside_and_refuses_escaping_entries(cache, serving):
    def archive(name):
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode='w:gz') as tar:
            info = tarfile.TarInfo(name)
            info.size = len(CONTENT)
            tar.addfile(info, io.BytesIO(CONTENT))
        return buffer.getvalue()
    serving['bytes'] = archive('folder/inner.txt')
    path = get_file('good.tar.gz', ORIGIN, extract=True)
    assert (cache / 'datasets' / 'folder' / 'inner.txt').read_bytes() == CONTENT
    assert path == str(cache / 'datasets' / 'good.tar.gz')
    serving['bytes'] = archive('../evil.txt')
    with pytest.raises(ValueError, match='outside'):
        get_file('bad.tar.gz', ORIGIN, extract=True)
    assert not (cache / 'evil.txt').exists()


def test_a_malformed_hash_is_refused(cache, offline):
    with pytest.raises(ValueError, match='SHA-256'):
        get_file('tiny.bin', ORIGIN, file_hash='abc')
