"""Fixtures for the browser tests: a JupyterLab server, a headless Chromium, a page.

These tests drive a real JupyterLab in a real browser, the way a student uses teachnet.
They need three things besides the test extras' Python packages:

- Chromium: Debian's ``chromium`` package (``apt-get install chromium``), or any
  Chromium or Chrome named by the environment variable ``TEACHNET_CHROMIUM``.
- Playwright for Python (``pip install playwright``), which drives that Chromium. Its
  own ``playwright install`` downloads a browser and is never needed here.
- JupyterLab (``pip install jupyterlab``).

Where one is missing the tests are skipped, and the reason says how to install it. With
``TEACHNET_REQUIRE_BROWSER=1`` (set by ``.ci/run``) a missing one fails them instead.

The server and the browser start once for the tests in this folder and are always stopped
after them, passing or failing. Screenshots go to ``tests/browser/screenshots/`` (ignored
by git); the end of the test report names the folder.
"""
import importlib.util
import os
import shutil
from pathlib import Path

import pytest

from .jupyterlab_server import JupyterLab

SCREENSHOTS = Path(__file__).parent / 'screenshots'

#: Where Debian and Ubuntu put Chromium.
CHROMIUM_PATHS = ('/usr/bin/chromium', '/usr/bin/chromium-browser')

#: Flags for a headless Chromium that runs as root in a container and talks to nothing
#: but the local JupyterLab.
CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
                 '--no-first-run', '--disable-background-networking',
                 '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage']

HOW_TO_INSTALL = ("install Chromium with `apt-get install chromium` (or point "
                  "TEACHNET_CHROMIUM at a Chromium binary) and Playwright for Python and "
                  "JupyterLab with `pip install playwright jupyterlab` (no `playwright "
                  "install` needed)")


def find_chromium():
    """The Chromium binary to drive, or None where there is none."""
    named = os.environ.get('TEACHNET_CHROMIUM')
    if named:
        return named if os.path.exists(named) else None
    for path in CHROMIUM_PATHS:
        if os.path.exists(path):
            return path
    return shutil.which('chromium') or shutil.which('chromium-browser')


def missing_requirements():
    """What the browser tests need and this machine lacks, as a list of names."""
    missing = []
    if find_chromium() is None:
        missing.append('Chromium')
    for module, name in (('playwright', 'Playwright for Python'), ('jupyterlab', 'JupyterLab')):
        if importlib.util.find_spec(module) is None:
            missing.append(name)
    return missing


def browser_required():
    return os.environ.get('TEACHNET_REQUIRE_BROWSER', '') not in ('', '0')


@pytest.fixture(scope='session')
def browser_requirements():
    """Skip (or, when required, fail) the browser tests on a machine that cannot run them."""
    missing = missing_requirements()
    if missing:
        message = f"browser test needs {', '.join(missing)}: {HOW_TO_INSTALL}."
        if browser_required():
            pytest.fail('TEACHNET_REQUIRE_BROWSER is set but the ' + message, pytrace=False)
        pytest.skip('The ' + message)


@pytest.fixture(scope='package')
def jupyter_lab(browser_requirements, tmp_path_factory):
    """A running JupyterLab server with an empty notebook folder (``jupyter_lab.notebooks``)."""
    lab = JupyterLab(tmp_path_factory.mktemp('jupyterlab'))
    try:
        lab.start()
        yield lab
    finally:
        lab.stop()


@pytest.fixture(scope='package')
def browser(browser_requirements):
    """A headless Chromium driven by Playwright, closed at the end of the session."""
    from playwright.sync_api import sync_playwright
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=find_chromium(),
                                              args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()


@pytest.fixture
def page(browser, request):
    """A fresh browser tab (its own cookies and storage). A failing test leaves a
    screenshot of it in the screenshots folder, named after the test."""
    context = browser.new_context(viewport={'width': 1280, 'height': 1000})
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    try:
        yield tab
    finally:
        if getattr(request.node, 'failed', False):
            try:
                tab.screenshot(path=screenshot_path(f'FAILED-{request.node.name}'))
            except Exception:          # the page may be what broke; the report matters more
                pass
        context.close()


@pytest.fixture(scope='session')
def screenshots():
    """The folder the browser tests keep their screenshots in."""
    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS


def screenshot_path(name):
    SCREENSHOTS.mkdir(exist_ok=True)
    return str(SCREENSHOTS / f'{name}.png')


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Remember on the test item whether its body failed, for the ``page`` fixture."""
    outcome = yield
    report = outcome.get_result()
    if report.when == 'call' and report.failed:
        item.failed = True


def pytest_terminal_summary(terminalreporter):
    """Say why the browser tests were skipped, even under ``-q``, or where their
    screenshots are."""
    reasons = set()
    for report in terminalreporter.stats.get('skipped', []):
        if 'tests/browser/' in report.nodeid.replace(os.sep, '/') and report.longrepr:
            reasons.add(report.longrepr[2].removeprefix('Skipped: '))
    for reason in sorted(reasons):
        terminalreporter.write_line(f'Browser tests skipped. {reason}', yellow=True)
    ran = [report for name in ('passed', 'failed', 'error')
           for report in terminalreporter.stats.get(name, [])
           if 'tests/browser/' in getattr(report, 'nodeid', '').replace(os.sep, '/')]
    if ran and SCREENSHOTS.is_dir():
        terminalreporter.write_line(f'Browser test screenshots: {SCREENSHOTS}')
