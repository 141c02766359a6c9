"""Fetching a data file once and keeping it: ``get_file``.

A dataset such as MNIST lives on a web server. The first ``load_data()`` downloads it into
a cache folder; every later call finds it there. Three rules keep this safe:

1. **Where**: ``<cache>/<cache_subdir>/<fname>``, where ``<cache>`` is the ``cache_dir``
   argument, else the environment variable ``TEACHNET_DATA_DIR``, else ``~/.teachnet``.
2. **Checked**: a file is trusted only when its SHA-256 digest equals the one published
   for it (``file_hash``). A digest is a 64-hex-digit fingerprint of the bytes: change one
   byte and it changes completely, so a truncated or tampered download is caught.
3. **Atomic**: the download goes to a temporary file in the same folder and is renamed
   into place only when complete and checked (``os.replace``), so an interrupted download
   never leaves a half file under the real name.

Without a network (a classroom behind a firewall, a laptop on a train) ``get_file`` raises
``DatasetUnavailable``, whose message says which file to fetch, from where, and the full
path to put it at. Copy it there and ``load_data()`` works offline from then on.

# Example
    path = get_file('mnist.npz', origin='https://.../mnist.npz', file_hash='731c5a...')
"""
import hashlib
import os
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.request
import zipfile

#: Seconds to wait for the server before deciding there is no network.
DOWNLOAD_TIMEOUT = 30


class DatasetUnavailable(OSError):
    """A data file is not in the cache and cannot be downloaded (or came down corrupted).

    The message names the file, the address to download it from and the full path to
    save it at; ``path`` and ``origin`` hold the last two.
    """

    def __init__(self, message, path=None, origin=None):
        super().__init__(message)
        self.path = path
        self.origin = origin


class DatasetChecksumError(DatasetUnavailable):
    """A downloaded file's SHA-256 differs from the published one (it was deleted)."""


def cache_folder(cache_dir=None):
    """The cache root: ``cache_dir``, else $TEACHNET_DATA_DIR, else ~/.teachnet."""
    root = cache_dir or os.environ.get('TEACHNET_DATA_DIR') or os.path.join('~', '.teachnet')
    return os.path.abspath(os.path.expanduser(root))


def sha256_of(path, chunk_size=1 << 20):
    """The SHA-256 digest of the file at ``path``, as 64 hex digits (read in chunks)."""
    return _digest_of(path, 'sha256', chunk_size)


def _digest_of(path, algorithm, chunk_size=1 << 20):
    digest = hashlib.new(algorithm)
    with open(path, 'rb') as handle:
        for chunk in iter(lambda: handle.read(chunk_size), b''):
            digest.update(chunk)
    return digest.hexdigest()


def _algorithm_for(file_hash):
    """SHA-256 for a 64-digit hash; the 32-digit MD5 hashes of older Keras files also work."""
    text = str(file_hash).lower()
    if len(text) == 64 and all(c in '0123456789abcdef' for c in text):
        return 'sha256'
    if len(text) == 32 and all(c in '0123456789abcdef' for c in text):
        return 'md5'
    raise ValueError(f"file_hash must be a SHA-256 digest (64 hex digits), got {file_hash!r}.")


def _matches(path, file_hash):
    return file_hash is None or _digest_of(path, _algorithm_for(file_hash)) == str(file_hash).lower()


def get_file(fname, origin, file_hash=None, cache_dir=None, cache_subdir='datasets', extract=False):
    """The local path of ``fname``, downloading it from ``origin`` if it is not cached yet.

    # Arguments
        fname: the file's name in the cache, such as 'mnist.npz'.
        origin: the URL to download it from.
        file_hash: its published SHA-256 (64 hex digits), or None to skip the check.
        cache_dir: the cache root (default: $TEACHNET_DATA_DIR, else ~/.teachnet).
        cache_subdir: the folder inside the cache root ('datasets').
        extract: also unpack a .tar(.gz) or .zip archive beside the file (entries that
            would land outside that folder are refused). The archive's path is returned.

    # Returns
        The absolute path ``<cache>/<cache_subdir>/<fname>``.

    # Raises
        DatasetUnavailable: no network, or the server refused; the message says where to
            put a copy of the file. DatasetChecksumError (a DatasetUnavailable): the
            download's SHA-256 differs from ``file_hash``.
    """
    if file_hash is not None:
        _algorithm_for(file_hash)
    folder = os.path.join(cache_folder(cache_dir), cache_subdir)
    path = os.path.join(folder, fname)
    stale = os.path.exists(path) and not _matches(path, file_hash)
    if not os.path.exists(path) or stale:
        _download(origin, path, file_hash, stale)
    if extract:
        _extract(path, folder)
    return path


def _download(origin, path, file_hash, stale):
    folder = os.path.dirname(path)
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as error:
        raise DatasetUnavailable(f"Cannot create the cache folder {folder} for {os.path.basename(path)}: "
                                 f"{error}. Set TEACHNET_DATA_DIR to a writable folder.", path, origin) from error
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=os.path.basename(path) + '.', suffix='.part')
    try:
        with os.fdopen(handle, 'wb') as out:
            print(f"Downloading {origin} to {path}")
            with urllib.request.urlopen(origin, timeout=DOWNLOAD_TIMEOUT) as response:
                shutil.copyfileobj(response, out)
        if not _matches(temporary, file_hash):
            got = _digest_of(temporary, _algorithm_for(file_hash))
            raise DatasetChecksumError(
                f"The download of {os.path.basename(path)} from {origin} is corrupted: its SHA-256 is {got}, "
                f"expected {file_hash}. It was deleted; try again, or download it yourself and put it at "
                f"{path}.", path, origin)
        os.replace(temporary, path)
    except DatasetUnavailable:
        raise
    except (urllib.error.URLError, OSError, ValueError) as error:    # no network, refused, timed out
        reason = getattr(error, 'reason', None) or error
        state = (f"The copy at {path} does not match its SHA-256 ({file_hash}), and a fresh one could not be "
                 "downloaded" if stale else f"{os.path.basename(path)} is not in the cache and could not be "
                 "downloaded")
        raise DatasetUnavailable(
            f"{state} ({reason}).\nDownload it yourself from\n    {origin}\nand save it as\n    {path}\n"
            + (f"(its SHA-256 must be {file_hash})." if file_hash else ''), path, origin) from error
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def _inside(folder, name):
    target = os.path.abspath(os.path.join(folder, name))
    return os.path.commonpath([folder, target]) == folder


def _extract(path, folder):
    """Unpack an archive into ``folder``, refusing entries that would escape it."""
    folder = os.path.abspath(folder)
    if tarfile.is_tarfile(path):
        with tarfile.open(path) as archive:
            members = archive.getmembers()
            bad = [m.name for m in members if not _inside(folder, m.name) or m.issym() or m.islnk()]
            if bad:
                raise ValueError(f"Refusing to extract {path}: entry {bad[0]!r} is a link or points outside {folder}.")
            safe = {'filter': 'data'} if hasattr(tarfile, 'data_filter') else {}
            archive.extractall(folder, members=members, **safe)
    elif zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            bad = [n for n in archive.namelist() if not _inside(folder, n)]
            if bad:
                raise ValueError(f"Refusing to extract {path}: entry {bad[0]!r} points outside {folder}.")
            archive.extractall(folder)
    else:
        raise ValueError(f"extract=True, but {path} is neither a tar nor a zip archive.")
