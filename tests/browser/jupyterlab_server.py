"""A private JupyterLab server for the browser tests: started, waited for, stopped.

The server runs in a fresh temporary folder (its notebook root, settings, workspaces and
runtime files all live there), listens on 127.0.0.1 only, on a free port, behind a random
token. Its kernels import teachnet from this checkout, whatever is installed.

One user setting is written before it starts: ``saveState`` of the widget manager
(``@jupyter-widgets/jupyterlab-manager:plugin``), so that saving a notebook stores its
widgets' state in the file and a reopened notebook shows them again.

    with JupyterLab(root) as lab:
        page.goto(lab.url_of('notebook.ipynb'))

Where the ``notebook`` package (Notebook 7) is installed, its server extension is loaded by
the same server, so the same notebooks open in Notebook 7's interface too:
``lab.tree_url()`` is its file browser and ``lab.notebook7_url(name)`` a notebook in it.
"""
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]

#: User settings, by plugin, that the test server starts with.
USER_SETTINGS = {
    # Store widget state in the notebook on save (off by default in JupyterLab).
    '@jupyter-widgets/jupyterlab-manager/plugin': {'saveState': True},
    # Every cell in the page, not only those scrolled into view, so that a test can read
    # all the outputs of a long notebook (JupyterLab 4 draws only the visible cells by default).
    '@jupyterlab/notebook-extension/tracker': {'windowingMode': 'none'},
    # No "Would you like to receive official Jupyter news?" toast over the notebook.
    '@jupyterlab/apputils-extension/notification': {'fetchNews': 'false',
                                                    'checkForUpdates': False},
}


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


class JupyterLab:
    """One JupyterLab server process, started by ``start`` and ended by ``stop``."""

    def __init__(self, root, startup_timeout=90):
        self.root = Path(root)
        self.notebooks = self.root / 'notebooks'
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.startup_timeout = startup_timeout
        self.log_path = self.root / 'jupyterlab.log'
        self.process = None

    @property
    def base_url(self):
        return f'http://127.0.0.1:{self.port}'

    def url_of(self, notebook, workspace='default'):
        """The address that opens ``notebook`` (a path under the notebook root) in its
        own workspace, so that no other notebook of an earlier test is restored beside it."""
        return (f'{self.base_url}/lab/workspaces/{workspace}/tree/{notebook}'
                f'?token={self.token}')

    def tree_url(self):
        """Notebook 7's file browser (``/tree``)."""
        return f'{self.base_url}/tree?token={self.token}'

    def notebook7_url(self, notebook):
        """The address that opens ``notebook`` in Notebook 7's interface (``/notebooks/...``)."""
        return f'{self.base_url}/notebooks/{notebook}?token={self.token}'

    def command(self):
        settings = self.root / 'user-settings'
        return [sys.executable, '-m', 'jupyter', 'lab',
                '--no-browser',
                '--ServerApp.ip=127.0.0.1',
                f'--ServerApp.port={self.port}',
                '--ServerApp.port_retries=0',
                f'--IdentityProvider.token={self.token}',
                f'--ServerApp.root_dir={self.notebooks}',
                f'--LabApp.user_settings_dir={settings}',
                f'--LabApp.workspaces_dir={self.root / "workspaces"}',
                '--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate',
                # CI containers run as root, which Jupyter refuses unless told.
                f'--ServerApp.allow_root={getattr(os, "geteuid", lambda: 1)() == 0}']

    def environment(self):
        """The server's environment, inherited by its kernels: teachnet from this
        checkout, one BLAS thread, and Jupyter's own files kept in the temporary folder."""
        env = dict(os.environ)
        env['PYTHONPATH'] = os.pathsep.join(
            [str(REPO_ROOT)] + [p for p in env.get('PYTHONPATH', '').split(os.pathsep) if p])
        for name in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS'):
            env[name] = '1'
        env['JUPYTER_CONFIG_DIR'] = str(self.root / 'config')
        env['JUPYTER_DATA_DIR'] = str(self.root / 'data')
        env['JUPYTER_RUNTIME_DIR'] = str(self.root / 'runtime')
        env['IPYTHONDIR'] = str(self.root / 'ipython')
        env['JUPYTER_PLATFORM_DIRS'] = '1'
        return env

    def write_user_settings(self):
        for plugin, values in USER_SETTINGS.items():
            path = self.root / 'user-settings' / (plugin + '.jupyterlab-settings')
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values, indent=2))

    def start(self):
        """Start the server and return once it answers HTTP requests."""
        self.notebooks.mkdir(parents=True, exist_ok=True)
        self.write_user_settings()
        log = open(self.log_path, 'wb')
        # A session of its own, so that Ctrl+C in the terminal reaches only pytest.
        self.process = subprocess.Popen(self.command(), env=self.environment(),
                                        stdin=subprocess.DEVNULL, stdout=log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        try:
            self.wait_until_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def wait_until_ready(self):
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f'JupyterLab exited with code {self.process.returncode}:\n'
                                   + self.log_tail())
            try:
                with urllib.request.urlopen(f'{self.base_url}/api/status?token={self.token}',
                                            timeout=5) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.25)
        raise RuntimeError(f'JupyterLab did not answer within {self.startup_timeout} s:\n'
                           + self.log_tail())

    def log_tail(self, lines=40):
        if not self.log_path.exists():
            return ''
        return '\n'.join(self.log_path.read_text(errors='replace').splitlines()[-lines:])

    def processes(self):
        """The ids of the live processes whose command line names this server's folder:
        the server itself and its kernels (their connection files lie in it). Kernels run
        in sessions of their own, so this is how to find them. Linux only (``/proc``)."""
        found = []
        for entry in Path('/proc').glob('[0-9]*'):
            try:
                command_line = (entry / 'cmdline').read_bytes()
            except OSError:
                continue            # gone already, or not ours to read
            if str(self.root).encode() in command_line and int(entry.name) != os.getpid():
                found.append(int(entry.name))
        return found

    def stop(self, grace=10):
        """Stop the server and every process it started (its kernels), whatever state
        they are in: a polite SIGTERM first, SIGKILL for whatever is left after ``grace``."""
        if self.process is None:
            return
        started = self.processes()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)   # the server shuts its kernels down
            try:
                self.process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and set(started) & set(self.processes()):
            time.sleep(0.1)
        for pid in set(started) & set(self.processes()):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()
