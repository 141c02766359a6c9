"""Watching one logged quantity: is a new value better than the best so far?

EarlyStopping, ModelCheckpoint and ReduceLROnPlateau all watch a name from the epoch
logs ('val_loss' by default). A loss should go down, an accuracy up:

    mode='min':  better  ⇔  current < best - δ
    mode='max':  better  ⇔  current > best + δ
    mode='auto': 'max' when the name contains 'acc' (or starts with 'fmeasure'), else 'min'

where δ ≥ 0 is the smallest change that counts as an improvement. The best starts at
+∞ for 'min' and -∞ for 'max', so the first value always improves on it.
"""
import warnings

MODES = ('auto', 'min', 'max')


def resolve_mode(owner, monitor, mode):
    """Return 'min' or 'max' for ``monitor``; ``owner`` names the callback in errors."""
    if mode not in MODES:
        raise ValueError('%s: mode must be one of %s, got %r.' % (owner, MODES, mode))
    if mode != 'auto':
        return mode
    if 'acc' in monitor or monitor.startswith('fmeasure'):
        return 'max'
    return 'min'


def worst_value(direction):
    """The starting 'best': +∞ when smaller is better, -∞ when larger is better."""
    return float('inf') if direction == 'min' else float('-inf')


def improves(direction, current, best, delta=0.0):
    """True when ``current`` beats ``best`` by more than ``delta`` in ``direction``."""
    if direction == 'min':
        return current < best - delta
    return current > best + delta


def read_monitored(owner, monitor, logs):
    """The monitored value from ``logs``, or None with a warning when it is missing."""
    value = (logs or {}).get(monitor)
    if value is None:
        warnings.warn('%s is monitoring %r, which is not in the epoch logs (available: %s).'
                      % (owner, monitor, ', '.join(sorted(logs or {})) or 'none'),
                      RuntimeWarning, stacklevel=3)
    return value
