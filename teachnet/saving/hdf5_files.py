"""HDF5 files: opening them safely, writing them atomically, reading their attributes.

An HDF5 file is a small file system inside one file: *groups* (folders) hold *datasets*
(arrays) and other groups, and both can carry *attributes* (small named values). Keras
keeps a model's weights in such a file, one group per layer, and h5py reads and writes
them from Python.

Two promises are kept here, once, for every file teachnet writes or reads:

* **A save is all or nothing.** The file is first written under a temporary name in the
  same folder, closed and flushed to disk, and only then renamed over the target with
  ``os.replace``, which the operating system performs in one step. A crash in the middle
  of a save leaves the previous file as it was (and no half-written one in its place).
* **Reading a file never runs code from it.** Only numbers (datasets of numeric type) and
  text (attributes, JSON) are read; nothing is unpickled or evaluated.
"""
import contextlib
import os
import tempfile

import h5py

from teachnet.backend import array_module as am


# ----------------------------------------------------------------------------- writing
def _file_mode_for(path):
    """Permissions for the new file: the old file's, else what the umask allows."""
    if os.path.exists(path):
        return os.stat(path).st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _refuse_overwrite(path):
    raise FileExistsError(f"{path} already exists and overwrite=False: choose another file name, "
                          "delete the file, or pass overwrite=True.")


@contextlib.contextmanager
def atomic_hdf5_writer(filepath, overwrite=True):
    """``with atomic_hdf5_writer(path) as f:`` gives an open h5py.File to fill in; the
    file appears at ``path`` only when the block ends without an error.

    # Raises
        FileExistsError: ``overwrite=False`` and ``path`` exists.
        FileNotFoundError: the folder of ``path`` does not exist.
    """
    path = os.fspath(filepath)
    if not overwrite and os.path.exists(path):
        _refuse_overwrite(path)
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"Cannot save to {path}: the folder {folder} does not exist.")
    mode = _file_mode_for(path)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f'.{os.path.basename(path)}.', suffix='.tmp')
    os.close(handle)
    try:
        with h5py.File(temporary, 'w') as hdf5_file:
            yield hdf5_file
        with open(temporary, 'rb') as written:     # the bytes reach the disk before the rename
            os.fsync(written.fileno())
        os.chmod(temporary, mode)
        if not overwrite and os.path.exists(path):
            _refuse_overwrite(path)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def write_text_list(group, name, texts):
    """Store a list of strings as an attribute: an array of UTF-8 byte strings, as Keras
    does (an empty list is an empty array)."""
    encoded = [str(text).encode('utf8') for text in texts]
    group.attrs[name] = am.host.array(encoded) if encoded else am.host.array([], dtype='S1')


def write_text(group, name, text):
    """Store one string as a UTF-8 byte-string attribute."""
    group.attrs[name] = str(text).encode('utf8')


# ----------------------------------------------------------------------------- reading
def open_hdf5_for_reading(filepath):
    """Open ``filepath`` read-only, after checking that it exists and is an HDF5 file.

    # Raises
        FileNotFoundError: nothing at that path.
        ValueError: the path is a folder, or the file is not HDF5.
        OSError: the file starts as HDF5 but h5py cannot open it (cut short, damaged).
    """
    path = os.fspath(filepath)
    if not os.path.exists(path):
        raise FileNotFoundError(f"No such file: {os.path.abspath(path)}. Check the file's name and folder "
                                "(a relative path starts from the current folder).")
    if os.path.isdir(path):
        raise ValueError(f"{path} is a folder, not an HDF5 file.")
    if not h5py.is_hdf5(path):
        hint = (" A Keras 3 '.keras' file is a zip archive: its weights are the model.weights.h5 "
                "inside it." if path.endswith('.keras') else '')
        raise ValueError(f"{path} is not an HDF5 file: teachnet reads weights and models from the "
                         f"HDF5 files that model.save_weights / model.save (or Keras) write.{hint}")
    try:
        return h5py.File(path, 'r')
    except OSError as error:                # the HDF5 signature is there, the rest is not
        raise OSError(f"{path} is not a complete HDF5 file: it was truncated (a download, copy or save "
                      f"that stopped) or is damaged, or it is not HDF5 at all (h5py: {error}). Save, copy "
                      "or download it again, and check that its size is that of the original.") from None


def _decode(value):
    return value.decode('utf8') if isinstance(value, bytes) else str(value)


def has_attribute(group, name):
    """True when ``name`` is stored, whole or in chunks (``name0``, ``name1``...)."""
    return name in group.attrs or f'{name}0' in group.attrs


def read_text_list(group, name):
    """A list-of-strings attribute as Python strings.

    Large lists are split by Keras 2 into ``name0``, ``name1``, ... (an attribute holds at
    most 64 kB); those chunks are joined back here. An empty list may be stored as an
    empty array of any type.
    """
    if name in group.attrs:
        chunks = [group.attrs[name]]
    else:
        chunks, index = [], 0
        while f'{name}{index}' in group.attrs:
            chunks.append(group.attrs[f'{name}{index}'])
            index += 1
    texts = []
    for chunk in chunks:
        if isinstance(chunk, (bytes, str)):
            texts.append(_decode(chunk))
        else:
            texts.extend(_decode(item) for item in chunk)
    return texts


def read_text(group, name, default=None):
    """A one-string attribute as a Python string (``default`` when absent)."""
    if name not in group.attrs:
        return default
    value = group.attrs[name]
    if not isinstance(value, (bytes, str)) and getattr(value, 'shape', None) == ():
        value = value.item()
    return _decode(value)


def holds_arrays(item):
    """True when ``item`` is an array (a dataset), or a group with an array somewhere inside."""
    if isinstance(item, h5py.Dataset):
        return True
    return any(holds_arrays(child) for child in item.values())


def read_numbers(dataset, where):
    """The dataset's values as a host NumPy array; anything but numbers is refused."""
    if not isinstance(dataset, h5py.Dataset):
        raise ValueError(f"{where}: expected an array (an HDF5 dataset), found a group.")
    if dataset.dtype.kind not in 'biuf':
        raise ValueError(f"{where}: expected numbers, found data of type {dataset.dtype}.")
    return am.host.asarray(dataset[()])
