"""``fit(verbose=1)`` in a notebook shows a widget progress bar, not Keras's text bar.

In a terminal, verbose=1 redraws one text line with ``\\r``:

    320/1000 [========>.....................] - ETA: 1s - loss: 0.6931

In a notebook that line piles up in the output and is saved into the file, so teachnet
shows an ipywidgets progress bar there instead. This test runs a short fit in JupyterLab
and looks at what the student sees and at what the saved notebook holds.
"""
import re

import pytest

from .notebook_page import NotebookPage, WIDGET_ERROR, write_notebook
from .training_notebooks import VERBOSE_FIT

pytestmark = pytest.mark.backend_independent

NOTEBOOK = 'verbose_fit.ipynb'
#: Keras's text bar: '320/1000 [========>......]'.
TEXT_BAR = re.compile(r'\d+/\d+ \[[=>.]+\]')


def test_verbose_fit_shows_a_widget_progress_bar(jupyter_lab, page, screenshots):
    write_notebook(jupyter_lab.notebooks / NOTEBOOK, VERBOSE_FIT)
    notebook = NotebookPage(page, jupyter_lab)
    notebook.open(NOTEBOOK)
    notebook.run_all()
    assert notebook.wait_for_output('epochs run:', timeout=120).strip() == 'epochs run: 3'
    page.screenshot(path=str(screenshots / 'verbose-fit-page.png'))

    from playwright.sync_api import expect
    expect(page.locator('.widget-hprogress').first).to_be_visible(timeout=60_000)   # else: no widget bar
    outputs = notebook.outputs()
    for output in outputs:
        assert not TEXT_BAR.search(output), f'a text progress bar was printed:\n{output}'
        assert WIDGET_ERROR not in output and 'Traceback' not in output, output

    saved = notebook.save()
    streams = [output.text for cell in saved.cells for output in cell.get('outputs', [])
               if output.output_type == 'stream']
    assert not any('\r' in text for text in streams), f'\\r text in the saved outputs: {streams}'
