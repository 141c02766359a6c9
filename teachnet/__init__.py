"""teachnet: build and train neural networks the Keras 1 way, and watch every step.

    from teachnet.models import Sequential
    from teachnet.layers import Dense, Activation

Choose the array backend with ``TEACHNET_BACKEND=numpy|cupy|strict|auto`` or
``teachnet.backend.set_backend``; seed everything with ``teachnet.set_seed(42)``.

Imports run one way, from the bottom up: backend -> ops -> layers -> models and engine ->
inspect. Importing teachnet loads every part, so that every layer and model class is
registered by name (saved files rebuild them), and joins the pairs that point up:
``layer.trace(x)`` runs ``teachnet.inspect.trace_layer``, ``fit(verbose=1)`` in a
notebook shows ``teachnet.widgets``' progress bar, and ``trace.explore()`` opens
``teachnet.widgets.StepThrough``.
"""
from teachnet import backend  # noqa: F401  (the array module is chosen first)
from teachnet.backend.array_module import seed as set_seed  # noqa: F401
from teachnet import models  # noqa: F401  (every layer and model class registers itself)
from teachnet.inspect.trace import Trace as _Trace, trace_layer as _trace_layer
from teachnet.layers.base import Layer as _Layer

from teachnet.callbacks import progbar as _progbar

_Layer.tracer = _trace_layer


def _notebook_progress_logger():
    """fit(verbose=1)'s progress bar inside a notebook kernel (None elsewhere): the widgets
    are imported only there."""
    from teachnet.widgets.notebook import in_notebook
    if not in_notebook():
        return None
    from teachnet.widgets.progress import NotebookProgbarLogger
    return NotebookProgbarLogger()


_progbar.notebook_progress_logger = _notebook_progress_logger


def _explore(trace):
    """``trace.explore()``: the step-through explorer in a notebook; elsewhere, a line saying
    where it works and the text trace."""
    from teachnet.widgets.notebook import in_notebook
    if not in_notebook():
        print('trace.explore() draws an explorer in a Jupyter notebook (JupyterLab, Notebook 7, '
              'VS Code); here is the trace as text:')
        print(trace)
        return None
    from teachnet.widgets.step_through import StepThrough
    return StepThrough(trace=trace)


_Trace.explorer = _explore

__version__ = '0.1.0'
