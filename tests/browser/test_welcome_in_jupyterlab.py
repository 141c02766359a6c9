"""The welcome notebook in a real JupyterLab: a student opens ``00_welcome.ipynb``, runs all
its cells, and every output shows: no error, its text and its pictures rendered, and its
widgets, if it has any, drawn (never "Error displaying widget").

The notebook is copied from ``notebooks/`` with its stored outputs removed, so that what
the page shows comes from this run.
"""
import re
from pathlib import Path

import nbformat
import pytest

from .notebook_page import WIDGET_ERROR, WIDGET_VIEW, NotebookPage

pytestmark = pytest.mark.backend_independent

WELCOME = Path(__file__).resolve().parents[2] / 'notebooks' / '00_welcome.ipynb'
WIDGET_OUTPUT = 'application/vnd.jupyter.widget-view+json'


def copy_without_outputs(source, folder):
    """Write ``source`` into ``folder`` with no outputs and no widget state; return the
    number of widget outputs it had stored (what a run should draw again)."""
    notebook = nbformat.read(str(source), as_version=4)
    widgets = sum(WIDGET_OUTPUT in output.get('data', {}) for cell in notebook.cells
                  if cell.cell_type == 'code' for output in cell.outputs)
    for cell in notebook.cells:
        if cell.cell_type == 'code':
            cell.outputs, cell.execution_count = [], None
    notebook.metadata.pop('widgets', None)
    nbformat.write(notebook, str(folder / source.name))
    return widgets


def test_the_welcome_notebook_runs_in_jupyterlab_and_all_its_outputs_render(jupyter_lab, page, screenshots):
    from playwright.sync_api import expect
    stored_widgets = copy_without_outputs(WELCOME, jupyter_lab.notebooks)
    code_cells = sum(cell.cell_type == 'code' for cell in nbformat.read(str(WELCOME), as_version=4).cells)
    notebook = NotebookPage(page, jupyter_lab)
    notebook.open(WELCOME.name)
    notebook.run_all()

    prompts = page.locator('.jp-CodeCell .jp-InputPrompt')
    expect(prompts).to_have_count(code_cells)
    notebook.wait_until_all_ran(timeout=120)
    texts = prompts.all_inner_texts()
    assert all(re.fullmatch(r'\[\d+\]:?', text.strip()) for text in texts), f'not every cell ran: {texts}'

    outputs = notebook.outputs()
    for output in outputs:
        assert 'Traceback' not in output and WIDGET_ERROR not in output, output
    joined = '\n'.join(outputs)
    for expected in ('test accuracy', 'dense_1 (Dense)', 'z = x·W + b          : True', 'Right if you wrote (32, 10)',
                     '<- activation_2 softmax'):
        assert expected in joined, f'no output shows {expected!r}'

    pictures = page.locator('.jp-RenderedSVG')
    expect(pictures).to_have_count(1)                                  # the computation graph
    box = pictures.first.bounding_box()
    assert box and box['width'] > 200 and box['height'] > 200, f'the computation graph is drawn {box}'
    views = page.locator(f'.jp-OutputArea-output {WIDGET_VIEW}')
    expect(views).to_have_count(stored_widgets)
    page.screenshot(path=str(screenshots / 'welcome-page.png'), full_page=True)
