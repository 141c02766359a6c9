"""Where is this code running: a notebook kernel, or a terminal?

Widgets only make sense where a Jupyter frontend draws them. ``in_notebook()`` says
whether this Python runs inside an IPython *kernel* (JupyterLab, Notebook 7, VS Code,
Colab): ipykernel is imported and the running IPython shell has a kernel attached.
A terminal IPython or a plain script has none, and gets text instead.

Override it when the guess is wrong, with the environment variable
``TEACHNET_NOTEBOOK=1`` (or ``0``) or with ``set_notebook(True)`` (or ``False``;
``None`` goes back to guessing).

``clicks_during_run()`` answers a subtler question: can a button click reach Python
*while a cell is running*? Normally the kernel reads one message at a time, and a click
waits until the training cell has finished: a Stop button would do nothing. Since
JupyterLab 4.4 and ipykernel 7 the frontend can send widget messages to a *subshell*,
a second thread of the kernel that handles them while the cell runs (so a click
callback may only set a flag that the training loop reads). The kernel side is
visible from Python: ipykernel 7 announces subshells, and once a subshell-aware
frontend has opened one for its comms, the kernel lists it.
"""
import os
import sys

_forced = None


def set_notebook(value):
    """Force ``in_notebook()`` to answer ``value`` (True or False); None: guess again."""
    global _forced
    if value not in (True, False, None):
        raise ValueError(f"set_notebook takes True, False or None, got {value!r}.")
    _forced = value


def _kernel():
    """The running ipykernel kernel, or None (without importing IPython when absent)."""
    if 'ipykernel' not in sys.modules or 'IPython' not in sys.modules:
        return None
    from IPython import get_ipython
    shell = get_ipython()
    return getattr(shell, 'kernel', None) if shell is not None else None


def in_notebook():
    """True when running in a Jupyter kernel (widgets can show), else False."""
    if _forced is not None:
        return _forced
    setting = os.environ.get('TEACHNET_NOTEBOOK', '').strip().lower()
    if setting in ('1', 'true', 'yes'):
        return True
    if setting in ('0', 'false', 'no'):
        return False
    return _kernel() is not None


def clicks_during_run():
    """Can a widget click run its callback while a cell is still running?

    True: the kernel supports subshells and a frontend has opened one (JupyterLab >= 4.4
    with ipykernel >= 7). False: no kernel, or a kernel without subshells. None: the kernel
    supports subshells but no frontend has used one yet (it may still, or it may be an
    older frontend): unknown.
    """
    kernel = _kernel()
    if kernel is None or not getattr(kernel, '_supports_kernel_subshells', False):
        return False
    try:
        return bool(kernel.shell_channel_thread.manager.list_subshell()) or None
    except AttributeError:
        return None


def let_clicks_through(widget):
    """Let a click on ``widget`` reach Python while a cell runs, on every ipykernel 7.

    ipykernel 7.4 remembers, for each widget, the shell that last sent a message from it,
    and hands the frontend's messages for that widget back to that same shell. A button
    built by the training cell was last sent from the main shell, so its clicks would wait
    behind the running cell, subshell or not. Forgetting that route (a private attribute of
    the widget's comm; absent before 7.4, when there is nothing to forget) lets the
    frontend's subshell deliver the click. Call it after the widget has last sent its state.
    """
    comm = getattr(widget, 'comm', None)
    lock = getattr(comm, '_reply_subshell_lock', None)
    if comm is None or lock is None:
        return
    with lock:
        if '_reply_subshell_id' in vars(comm):
            del comm._reply_subshell_id
