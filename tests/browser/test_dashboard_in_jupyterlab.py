"""The training dashboard in a real JupyterLab, in a real browser.

One notebook trains an MLP with ``callbacks=[Dashboard()]`` (see ``training_notebooks``).
The ``dashboard_run`` fixture runs it once, as a student would (Run > Run All Cells),
watches the dashboard while the cell runs, clicks Stop, saves the notebook, and reopens
it from disk in a fresh tab; each test below checks one thing it saw.

Screenshots land in ``tests/browser/screenshots/``. With ``TEACHNET_UPDATE_SCREENSHOT=1``
the one of the dashboard mid-training is also copied to ``docs/dashboard.png``, the
picture in the README.
"""
import os
import re
import shutil
import time
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

import pytest

from .notebook_page import PROGRESS_BAR, WIDGET_ERROR, NotebookPage, write_notebook
from .training_notebooks import DASHBOARD, DASHBOARD_EPOCHS, PACE_SECONDS

pytestmark = pytest.mark.backend_independent

NOTEBOOK = 'dashboard_training.ipynb'
DASHBOARD_CLASS = 'teachnet-dashboard'
README_PICTURE = Path(__file__).resolve().parents[2] / 'docs' / 'dashboard.png'

#: How far training goes (the progress bar's width, in percent) before the test takes
#: the picture and clicks Stop: enough for the curves to show a few epochs (10% is 20
#: epochs), little enough to leave most of the run to stop.
WATCH_PERCENT = 10


def major_minor(package):
    return tuple(int(part) for part in re.findall(r'\d+', version(package))[:2])


def why_stop_cannot_work():
    """None where a click reaches Python while a cell runs, else the reason it cannot.

    JupyterLab 4.4 sends widget messages to a kernel subshell, and ipykernel 7 runs
    subshells on their own threads; with older versions a click waits for the cell."""
    lab, kernel = major_minor('jupyterlab'), major_minor('ipykernel')
    if lab >= (4, 4) and kernel >= (7, 0):
        return None
    return (f'JupyterLab {version("jupyterlab")} with ipykernel {version("ipykernel")} '
            'cannot deliver a click while a cell runs (that needs JupyterLab >= 4.4 and '
            'ipykernel >= 7)')


@dataclass
class Reading:
    """What the dashboard showed at one moment."""
    seconds: float                 # since Run All
    bar_width: str                 # the progress bar's CSS width, e.g. '12.5%'
    text: str                      # the dashboard's visible text
    cell_running: bool             # was the training cell still running?


@dataclass
class DashboardRun:
    """Everything the fixture saw, for the tests to check."""
    views_found: int = 0
    has_stop_button: bool = False
    readings: list = field(default_factory=list)
    stop_clicked: bool = False
    stop_unavailable: str = None
    epochs_run: int = None
    outputs: list = field(default_factory=list)
    final_button: tuple = None     # the finished dashboard's button: (label, whole label shown?)
    saved: object = None
    reopened_views: int = 0
    reopened_text: str = ''
    reopened_outputs: list = field(default_factory=list)


def read_dashboard(view, notebook, started):
    return Reading(seconds=round(time.monotonic() - started, 2),
                   bar_width=view.locator(PROGRESS_BAR).first.evaluate('bar => bar.style.width'),
                   text=view.inner_text(),
                   cell_running=not any('epochs run:' in text for text in notebook.outputs()))


def percent(bar):
    """How far a progress bar is, in percent (its CSS width)."""
    return float(bar.evaluate('bar => bar.style.width').rstrip('%') or 0)


def epochs_run(output):
    return int(re.search(r'epochs run: (\d+)', output).group(1))


def watch_training(notebook, run, screenshots):
    """Run All, find the dashboard, read it until it has changed twice, take its picture
    once training is ``WATCH_PERCENT`` along, and click Stop (where a click can work)."""
    notebook.open(NOTEBOOK)
    started = time.monotonic()
    notebook.run_all()
    dashboard = notebook.wait_for_view(DASHBOARD_CLASS)
    bar = dashboard.locator(PROGRESS_BAR).first
    bar.wait_for()
    run.views_found = notebook.widget_views(DASHBOARD_CLASS).count()
    stop_button = dashboard.get_by_role('button', name='Stop')
    run.has_stop_button = stop_button.count() == 1

    run.readings.append(read_dashboard(dashboard, notebook, started))
    deadline = time.monotonic() + 15
    while len(run.readings) < 3 and time.monotonic() < deadline:
        time.sleep(0.5)
        reading = read_dashboard(dashboard, notebook, started)
        if reading.bar_width != run.readings[-1].bar_width:
            run.readings.append(reading)
    while percent(bar) < WATCH_PERCENT and time.monotonic() < deadline + 30:
        time.sleep(0.2)

    dashboard.scroll_into_view_if_needed()
    picture = screenshots / 'dashboard-mid-training.png'
    dashboard.screenshot(path=str(picture))
    notebook.page.screenshot(path=str(screenshots / 'dashboard-mid-training-page.png'))
    if os.environ.get('TEACHNET_UPDATE_SCREENSHOT') == '1':
        README_PICTURE.parent.mkdir(exist_ok=True)
        shutil.copyfile(picture, README_PICTURE)

    if run.stop_unavailable is None and run.has_stop_button:
        stop_button.click()
        run.stop_clicked = True


def finish_and_save(notebook, run, screenshots):
    """Wait for the cell that reports the epochs run, then save the notebook (Ctrl+S)."""
    report = notebook.wait_for_output('epochs run:',
                                      timeout=30 + 2 * DASHBOARD_EPOCHS * PACE_SECONDS)
    run.epochs_run = epochs_run(report)
    run.outputs = notebook.outputs()
    button = notebook.widget_views(DASHBOARD_CLASS).first.locator('button.widget-button').first
    button.wait_for()
    run.final_button = (button.inner_text().strip(),
                        button.evaluate('b => b.scrollWidth <= b.clientWidth'))    # else cut to "S…"
    notebook.page.screenshot(path=str(screenshots / 'dashboard-finished-page.png'))
    run.saved = notebook.save()


def reopen(notebook, context, run, screenshots):
    """Shut the kernel down, and open the saved file again in a fresh tab: whatever
    widgets show now come from the state saved in the file."""
    notebook.shut_down_kernels()
    notebook.page.close()
    reopened = NotebookPage(context.new_page(), notebook.lab)
    reopened.open(NOTEBOOK)
    views = reopened.widget_views(DASHBOARD_CLASS)
    try:
        views.first.wait_for(timeout=20_000)
    except Exception:
        pass                        # counted as zero views below; the test says so
    run.reopened_views = views.count()
    run.reopened_text = views.first.inner_text() if run.reopened_views else ''
    run.reopened_outputs = reopened.outputs()
    reopened.page.screenshot(path=str(screenshots / 'dashboard-reopened-page.png'))
    reopened.shut_down_kernels()
    return reopened


@pytest.fixture(scope='module')
def dashboard_run(browser, jupyter_lab, screenshots):
    """Train with a dashboard in JupyterLab once, and return what was seen (``DashboardRun``)."""
    write_notebook(jupyter_lab.notebooks / NOTEBOOK, DASHBOARD)
    run = DashboardRun(stop_unavailable=why_stop_cannot_work())
    context = browser.new_context(viewport={'width': 1280, 'height': 1000})
    context.set_default_timeout(30_000)
    try:
        notebook = NotebookPage(context.new_page(), jupyter_lab)
        try:
            watch_training(notebook, run, screenshots)
            finish_and_save(notebook, run, screenshots)
            notebook = reopen(notebook, context, run, screenshots)
        except Exception:
            if not notebook.page.is_closed():
                notebook.page.screenshot(path=str(screenshots / 'FAILED-dashboard-run.png'))
            raise
        yield run
    finally:
        context.close()


def test_dashboard_renders_with_a_progress_bar_and_a_stop_button(dashboard_run):
    assert dashboard_run.views_found == 1, \
        f'expected one view with the CSS class {DASHBOARD_CLASS}, found {dashboard_run.views_found}'
    assert dashboard_run.has_stop_button, 'the dashboard has no button named Stop'


def test_dashboard_values_change_while_the_cell_runs(dashboard_run):
    readings = dashboard_run.readings
    assert len(readings) >= 2, f'the progress bar never moved while training ran: {readings}'
    first, later = readings[0], readings[-1]
    assert later.cell_running, f'the training cell had already finished at {later}'
    assert later.bar_width != first.bar_width and later.text != first.text, \
        f'the dashboard did not change between two reads:\n{first}\n{later}'


def test_no_widget_error_and_no_traceback(dashboard_run):
    for output in dashboard_run.outputs + dashboard_run.reopened_outputs:
        assert WIDGET_ERROR not in output, output
        assert 'Traceback' not in output, output
    errors = [output for cell in dashboard_run.saved.cells for output in cell.get('outputs', [])
              if output.output_type == 'error']
    assert not errors, errors


def test_the_finished_dashboards_button_says_in_full_how_training_ended(dashboard_run):
    label, shown_whole = dashboard_run.final_button
    expected = 'Stopped' if dashboard_run.stop_clicked else 'Finished'
    assert label == expected, f'the button says {label!r}, expected {expected!r}'
    assert shown_whole, f'the button cuts its label {label!r} short'


def test_stop_ends_training_early(dashboard_run):
    if dashboard_run.stop_unavailable:
        pytest.skip(dashboard_run.stop_unavailable)
    assert dashboard_run.stop_clicked
    assert dashboard_run.epochs_run < DASHBOARD_EPOCHS, \
        (f'Stop was clicked at {WATCH_PERCENT}% of the run, yet all {DASHBOARD_EPOCHS} epochs '
         'ran: the click did not reach Python while the cell was running')
    assert dashboard_run.epochs_run >= 1


def test_saved_notebook_holds_the_dashboard_state(dashboard_run):
    state = dashboard_run.saved.metadata.get('widgets', {}).get(
        'application/vnd.jupyter.widget-state+json', {}).get('state', {})
    assert state, 'the saved notebook holds no widget state (is saveState on?)'
    classes = [model['state'].get('_dom_classes', []) for model in state.values()]
    assert any(DASHBOARD_CLASS in names for names in classes), \
        f'no saved widget carries the class {DASHBOARD_CLASS}'


def test_reopened_notebook_shows_the_saved_dashboard(dashboard_run):
    assert dashboard_run.reopened_views == 1, \
        f'the reopened notebook shows {dashboard_run.reopened_views} dashboards'
    assert 'Stop' in dashboard_run.reopened_text
    assert f'Epoch {dashboard_run.epochs_run}/{DASHBOARD_EPOCHS}' in dashboard_run.reopened_text, \
        'the reopened dashboard does not show the last epoch reached'
