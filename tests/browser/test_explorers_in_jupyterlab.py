"""The explorers in a real JupyterLab: Next steps through a trace, the timestep slider moves.

The notebook opens ``model.trace(x, y).explore()``, a ``GateExplorer`` over a Bidirectional
LSTM and ``FeatureMaps`` of a colour convnet; the test clicks Next twice on the first, moves
the second's timestep slider with the keyboard and picks the backward direction, and picks
an input channel of the third's filters, as a student would, and checks that what they
show changed and that no cell failed.
"""
import pytest

from .notebook_page import NotebookPage, WIDGET_ERROR, write_notebook
from .training_notebooks import EXPLORERS

pytestmark = pytest.mark.backend_independent

NOTEBOOK = 'explorers.ipynb'


def test_next_and_the_timestep_slider_change_what_the_explorers_show(jupyter_lab, page, screenshots):
    from playwright.sync_api import expect
    write_notebook(jupyter_lab.notebooks / NOTEBOOK, EXPLORERS)
    notebook = NotebookPage(page, jupyter_lab)
    notebook.open(NOTEBOOK)
    notebook.run_all()
    notebook.wait_for_output('explorers shown', timeout=120)
    views = notebook.widget_views('teachnet-explorer')
    expect(views).to_have_count(3, timeout=60_000)           # widget views draw after the text output
    step_through, gates, maps = views.nth(0), views.nth(1), views.nth(2)

    formula = step_through.locator('.teachnet-formula')
    expect(formula).to_have_text('z = x·W + b')
    expect(step_through.locator('.teachnet-current')).to_have_text('dense_1')
    next_button = step_through.get_by_role('button', name='Next ▶')
    next_button.click()
    expect(formula).to_have_text('a = max(z, 0)')                      # the relu
    next_button.click()
    expect(formula).to_have_text('z = x·W + b')                        # the next layer's product
    expect(step_through.locator('.teachnet-current')).to_have_text('dense_2')
    expect(step_through.get_by_text('3 of ')).to_be_visible()

    rows = gates.locator('.teachnet-gate').first
    before = rows.inner_text()
    gates.locator('.noUi-handle').first.focus()
    page.keyboard.press('ArrowRight')
    expect(rows).not_to_have_text(before)
    expect(gates.locator('svg text', has_text='timestep 2')).to_have_count(1)     # timesteps count from 1
    gates.locator('select').first.select_option('bi/backward')
    expect(gates.get_by_text('reads the sequence backwards')).to_be_visible()
    expect(gates.get_by_text('Timestep 2 of 6 read input')).to_contain_text('x5')

    expect(maps.get_by_text('as red, green and blue')).to_be_visible()
    maps.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / 'feature-maps-rgb.png'))
    maps.locator('select').nth(1).select_option('input channel 1')
    expect(maps.get_by_text('input channel 1 of 3')).to_be_visible()
    page.screenshot(path=str(screenshots / 'feature-maps-channel.png'))
    gates.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / 'explorers-page.png'))

    for output in notebook.outputs():
        assert WIDGET_ERROR not in output and 'Traceback' not in output, output
