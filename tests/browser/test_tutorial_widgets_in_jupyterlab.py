"""A tutorial's slider in a real JupyterLab: notebook 2's ``ConvolutionWindow`` renders, and
moving its stride slider with the keyboard redraws the window positions and the formula
(the redraw is done by the kernel, so this is a round trip through Python).
"""
from pathlib import Path

import pytest

from .notebook_page import WIDGET_ERROR, NotebookPage
from .test_welcome_in_jupyterlab import copy_without_outputs

pytestmark = pytest.mark.backend_independent

CONVNETS = Path(__file__).resolve().parents[2] / 'notebooks' / '02_convnets.ipynb'


def test_the_stride_slider_redraws_the_sliding_window(jupyter_lab, page, screenshots):
    from playwright.sync_api import expect
    copy_without_outputs(CONVNETS, jupyter_lab.notebooks)
    notebook = NotebookPage(page, jupyter_lab)
    notebook.open(CONVNETS.name)
    notebook.run_all()
    notebook.wait_until_all_ran(timeout=120)           # a click waits for the running cells
    view = notebook.wait_for_view('teachnet-convolution-window')
    view.scroll_into_view_if_needed()
    expect(view).to_contain_text('⌊2 / 1⌋ + 1 = 2 + 1 = 3')                   # n = 5, k = 3, p = 0, s = 1
    expect(view.locator('svg .teachnet-window-start')).to_have_count(9)
    view.locator('.noUi-handle').nth(3).focus()                             # the stride slider
    page.keyboard.press('ArrowRight')
    expect(view).to_contain_text('⌊2 / 2⌋ + 1 = 1 + 1 = 2', timeout=30_000)
    expect(view.locator('svg .teachnet-window-start')).to_have_count(4)
    view.screenshot(path=str(screenshots / 'convolution-window.png'))
    for output in notebook.outputs():
        assert WIDGET_ERROR not in output and 'Traceback' not in output, output
