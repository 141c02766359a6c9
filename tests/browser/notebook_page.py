"""What a student does in JupyterLab (or Notebook 7), as Python calls on a Playwright page.

    notebook = NotebookPage(page, jupyter_lab)          # NotebookPage(page, lab, ui='notebook7')
    notebook.open('training.ipynb')
    notebook.run_all()
    notebook.wait_for_output('epochs run:')
    notebook.save()

Notebook 7 is built from JupyterLab's parts: the same cells, outputs and menus (Run > Run
All Cells), so everything below works in both; only opening a notebook differs (its file
browser at ``/tree``, the notebook at ``/notebooks/...``, the kernel's state on the
notebook's toolbar rather than in a status bar).

Widget views are found the way the project's design says: a widget's view is an element
with the ``jupyter-widgets`` class that is not an output area (``WIDGET_VIEW``).
"""
import json
import re
import time
import urllib.error
import urllib.request

import nbformat

#: A rendered widget view (the output area that holds it carries the class too).
WIDGET_VIEW = '.jupyter-widgets:not(.jp-OutputArea-output)'
#: The coloured bar inside an ipywidgets IntProgress or FloatProgress.
PROGRESS_BAR = '.widget-hprogress .progress-bar'
#: What JupyterLab writes where a widget's model cannot be found or its view fails.
WIDGET_ERROR = 'Error displaying widget'


def write_notebook(path, cells):
    """Write a notebook of code cells (a list of source strings) for the Python 3 kernel."""
    notebook = nbformat.v4.new_notebook()
    notebook.metadata['kernelspec'] = {'name': 'python3', 'display_name': 'Python 3',
                                       'language': 'python'}
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    nbformat.write(notebook, str(path))


def read_notebook(path):
    return nbformat.read(str(path), as_version=4)


#: The interfaces a notebook can be opened in.
INTERFACES = ('jupyterlab', 'notebook7')


class NotebookPage:
    """One notebook opened in a browser tab, in JupyterLab or (``ui='notebook7'``) Notebook 7."""

    def __init__(self, page, lab, ui='jupyterlab'):
        if ui not in INTERFACES:
            raise ValueError(f'NotebookPage: ui must be one of {INTERFACES}, got {ui!r}.')
        self.page = page
        self.lab = lab
        self.ui = ui
        self.name = None

    @property
    def path(self):
        """The notebook's file on disk."""
        return self.lab.notebooks / self.name

    def open(self, name, workspace=None):
        """Open the notebook ``name`` (in the server's notebook folder) and wait until its
        kernel is ready. In JupyterLab each call gets a workspace of its own unless told one;
        in Notebook 7 the file browser is opened first and must list the notebook."""
        self.name = name
        if self.ui == 'notebook7':
            self.page.goto(self.lab.tree_url())            # the file browser lists it, as a student finds it
            self.page.get_by_text(name, exact=True).first.wait_for(timeout=60_000)
            self.page.goto(self.lab.notebook7_url(name))
        else:
            workspace = workspace or f'{name.replace(".", "-")}-{time.monotonic_ns()}'
            self.page.goto(self.lab.url_of(name, workspace))
        self.page.locator('.jp-NotebookPanel .jp-Cell').first.wait_for(timeout=60_000)
        self.wait_for_idle_kernel()
        # The server's kernel is ready; now wait until the page is connected to it too.
        if self.ui == 'notebook7':
            self.page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]').first \
                .wait_for(timeout=60_000)
        else:
            self.page.locator('.jp-StatusBar-TextItem', has_text=re.compile(r'\|\s*Idle')).first \
                .wait_for(timeout=60_000)

    def api(self, path, method='GET', attempts=20):
        """Call the server's REST API; return the decoded JSON answer (or None).

        The server answers 500 to a listing that races with a kernel's start, so a
        server error is retried a few times before it counts."""
        request = urllib.request.Request(f'{self.lab.base_url}{path}?token={self.lab.token}',
                                         method=method)
        for attempt in range(attempts):
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    body = response.read()
                    return json.loads(body) if body else None
            except urllib.error.HTTPError as error:
                if error.code < 500 or attempt == attempts - 1:
                    raise
                time.sleep(0.25)

    def kernel_state(self):
        """The execution state of this notebook's kernel ('starting', 'idle', 'busy'...),
        or None while it has none."""
        for session in self.api('/api/sessions'):
            if session['path'] == self.name and session.get('kernel'):
                return session['kernel']['execution_state']
        return None

    def wait_for_idle_kernel(self, timeout=60):
        deadline = time.monotonic() + timeout
        while (state := self.kernel_state()) != 'idle':
            if time.monotonic() > deadline:
                raise TimeoutError(f'The kernel of {self.name} was not idle within {timeout} s '
                                   f'(it is {state})')
            time.sleep(0.25)

    def run_all(self):
        """Run > Run All Cells, from the menu bar, as a student would."""
        from playwright.sync_api import expect     # here: collecting must not need playwright
        self.page.get_by_role('menuitem', name='Run', exact=True).click()
        self.page.get_by_role('menuitem', name='Run All Cells', exact=True).click()
        # The first code cell's prompt turns from [ ] to [*] (queued or running) or [1] (done).
        expect(self.page.locator('.jp-CodeCell .jp-InputPrompt').first).to_have_text(
            re.compile(r'\[(\*|\d+)\]'), timeout=30_000)

    def wait_until_all_ran(self, timeout=120):
        """After ``run_all``: wait until the last code cell has run (its prompt shows a
        number) and the kernel is idle; fail at once, with its text, if a cell shows an error."""
        prompts = self.page.locator('.jp-CodeCell .jp-InputPrompt')
        finished = prompts.last.filter(has_text=re.compile(r'\[\d+\]'))
        failed = self.page.locator('.jp-OutputArea-output', has_text=re.compile(r'Traceback|Error'))
        finished.or_(failed).first.wait_for(timeout=timeout * 1000)
        if failed.count():
            raise AssertionError(f'A cell of {self.name} failed:\n' + failed.first.inner_text())
        self.wait_for_idle_kernel(timeout=timeout)

    def outputs(self):
        """The text of every cell output, in order."""
        return self.page.locator('.jp-OutputArea-output').all_inner_texts()

    def wait_for_output(self, text, timeout=60):
        """Wait until some cell output contains ``text``; return that output's text."""
        output = self.page.locator('.jp-OutputArea-output', has_text=text).first
        output.wait_for(timeout=timeout * 1000)
        return output.inner_text()

    def widget_views(self, css_class):
        """The rendered widget views that carry ``css_class``."""
        return self.page.locator(f'{WIDGET_VIEW}.{css_class}')

    def wait_for_view(self, css_class, timeout=60):
        """Wait for the first widget view with ``css_class``, and return it; fail at once,
        with the error's text, if a cell shows an error first."""
        view = self.widget_views(css_class).first
        error = self.page.locator('.jp-OutputArea-output',
                                  has_text=re.compile(r'Traceback|Error')).first
        view.or_(error).first.wait_for(timeout=timeout * 1000)
        if not view.is_visible():
            raise AssertionError(f'A cell failed before the {css_class} view appeared:\n'
                                 + error.inner_text())
        return view

    def save(self, timeout=30):
        """Save with Ctrl+S and wait until the file on disk has changed."""
        before = self.path.stat().st_mtime_ns
        self.page.locator('.jp-NotebookPanel').first.click(position={'x': 5, 'y': 5})
        self.page.keyboard.press('Control+s')
        deadline = time.monotonic() + timeout
        while True:
            if self.path.stat().st_mtime_ns != before:
                try:
                    return read_notebook(self.path)
                except Exception:
                    pass                # the server writes in place: half a file so far
            if time.monotonic() > deadline:
                raise TimeoutError(f'{self.name} was not saved within {timeout} s')
            time.sleep(0.1)

    def shut_down_kernels(self):
        """End every notebook session and its kernel, through the REST API (the menu's
        File > Shut Down would ask for confirmation)."""
        for session in self.api('/api/sessions'):
            self.api(f'/api/sessions/{session["id"]}', method='DELETE')
