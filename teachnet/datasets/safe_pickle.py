"""Reading the CIFAR batches, which are Python pickles, without trusting them.

A pickle is not data but a small program: loading one runs its instructions, and an
instruction may name ANY importable function to call (``os.system``, say). Loading a
pickle from the internet with plain ``pickle.load`` therefore runs whatever its author
wrote. Two locks keep that from happening here:

1. The archive is opened only after its SHA-256 equals the digest published for the real
   CIFAR-10 file, so the bytes are the ones the dataset's authors released.
2. ``load`` uses an Unpickler that may build only what a CIFAR batch holds: dicts,
   lists, bytes, str and numbers (built by pickle's own opcodes, not by calling functions)
   and NumPy arrays. Its ``find_class`` is the only door to a named function, and it opens
   only for the handful of NumPy array builders listed in ``ALLOWED``; every other name
   raises ``pickle.UnpicklingError`` before anything is called.
"""
import codecs
import io
import pickle

from teachnet.backend import array_module as am

_np = am.host
_reconstruct = _np.empty(0).__reduce__()[0]     # NumPy's array builder, as pickles name it

#: (module, name) -> the object a pickle may ask for. NumPy moved its internals from
#: numpy.core to numpy._core in 2.0: files written by either name the builder differently.
ALLOWED = {
    ('numpy.core.multiarray', '_reconstruct'): _reconstruct,
    ('numpy._core.multiarray', '_reconstruct'): _reconstruct,
    ('numpy', 'ndarray'): _np.ndarray,
    ('numpy', 'dtype'): _np.dtype,
    # Python 3 writing protocol 2 stores bytes as _codecs.encode(text, 'latin1')
    ('_codecs', 'encode'): codecs.encode,
}


class RestrictedUnpickler(pickle.Unpickler):
    """An Unpickler that refuses every global name outside ``ALLOWED``."""

    def find_class(self, module, name):
        try:
            return ALLOWED[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(
                f"Refusing to load {module}.{name} from a pickle: only NumPy arrays, dicts, lists, "
                "bytes, str and numbers are allowed in a dataset file.") from None


def loads(data, encoding='bytes'):
    """Unpickle ``data`` (bytes) with ``RestrictedUnpickler``. ``encoding='bytes'`` keeps the
    Python 2 strings of the CIFAR files as bytes (hence the keys b'data', b'labels')."""
    return RestrictedUnpickler(io.BytesIO(data), encoding=encoding).load()
