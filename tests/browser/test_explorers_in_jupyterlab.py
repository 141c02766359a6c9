"""The explorers in a real JupyterLab and in Notebook 7: Next steps through a trace, the
timestep slider moves.

The notebook opens ``model.trace(x, y).explore()``, a ``GateExplorer`` over a Bidirectional
LSTM and ``FeatureMaps`` of a colour convnet; the test clicks Next twice on the first, drags
the second's timestep slider and picks the backward direction, and picks an input channel
of the third's filters, as a student would, and checks that what they show changed and that
no cell failed. It runs once in each interface (Notebook 7 from its file browser, where the
``notebook`` package is installed; the server is the same).
"""
import importlib.util
import re

import pytest

from .conftest import browser_required
from .notebook_page import INTERFACES, NotebookPage, WIDGET_ERROR, write_notebook
from .training_notebooks import EXPLORERS

pytestmark = pytest.mark.backend_independent


def require_interface(ui):
    if ui == 'notebook7' and importlib.util.find_spec('notebook') is None:
        message = 'Notebook 7 is not installed: `pip install notebook` (the test extra has it).'
        if browser_required():
            pytest.fail('TEACHNET_REQUIRE_BROWSER is set but ' + message, pytrace=False)
        pytest.skip(message)


def drag_slider_handle(page, view, fraction):
    """Drag the first slider's handle in ``view`` with the mouse, ``fraction`` of the way
    along its track, as a student does (a key press may go to the notebook's shortcuts)."""
    handle = view.locator('.noUi-handle').first
    handle.scroll_into_view_if_needed()
    track = view.locator('.noUi-target').first.bounding_box()
    start = handle.bounding_box()
    page.mouse.move(start['x'] + start['width'] / 2, start['y'] + start['height'] / 2)
    page.mouse.down()
    page.mouse.move(track['x'] + track['width'] * fraction, start['y'] + start['height'] / 2, steps=5)
    page.mouse.up()


@pytest.mark.parametrize('ui', INTERFACES)
def test_next_and_the_timestep_slider_change_what_the_explorers_show(ui, jupyter_lab, page, screenshots):
    from playwright.sync_api import expect
    require_interface(ui)
    name = f'explorers-{ui}.ipynb'
    write_notebook(jupyter_lab.notebooks / name, EXPLORERS)
    notebook = NotebookPage(page, jupyter_lab, ui=ui)
    notebook.open(name)
    notebook.run_all()
    notebook.wait_for_output('explorers shown', timeout=120)
    views = notebook.widget_views('teachnet-explorer')
    expect(views).to_have_count(3, timeout=60_000)           # widget views draw after the text output
    step_through, gates, maps = views.nth(0), views.nth(1), views.nth(2)

    formula = step_through.locator('.teachnet-formula')
    expect(formula).to_have_text('z = x·W + b')
    expect(step_through.locator('.teachnet-current')).to_have_text('dense_1')
    expect(step_through.locator('.teachnet-entry')).to_contain_text('out[0,0] = ')     # the picked entry
    next_button = step_through.get_by_role('button', name='Next ▶')
    next_button.click()
    expect(formula).to_have_text('a = max(z, 0)')                      # the relu
    next_button.click()
    expect(formula).to_have_text('z = x·W + b')                        # the next layer's product
    expect(step_through.locator('.teachnet-current')).to_have_text('dense_2')
    expect(step_through.get_by_text('3 of ')).to_be_visible()

    rows = gates.locator('.teachnet-gate').first
    before = rows.inner_text()
    drag_slider_handle(page, gates, 0.2)
    expect(rows).not_to_have_text(before)
    label = gates.locator('svg text', has_text=re.compile(r'^timestep \d+$'))
    expect(label).to_have_count(1)
    timestep = int(label.text_content().split()[-1])        # timesteps count from 1
    assert timestep > 1, 'the drag should have moved the slider off the first timestep'
    gates.locator('select').first.select_option('bi/backward')
    expect(gates.get_by_text('reads the sequence backwards')).to_be_visible()
    expect(gates.get_by_text(f'Timestep {timestep} of 6 read input')).to_contain_text(f'x{7 - timestep}')

    expect(maps.get_by_text('as red, green and blue')).to_be_visible()
    maps.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / f'feature-maps-rgb-{ui}.png'))
    maps.locator('select').nth(1).select_option('input channel 1')
    expect(maps.get_by_text('input channel 1 of 3')).to_be_visible()
    page.screenshot(path=str(screenshots / f'feature-maps-channel-{ui}.png'))
    gates.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / f'explorers-{ui}.png'))

    for output in notebook.outputs():
        assert WIDGET_ERROR not in output and 'Traceback' not in output, output
