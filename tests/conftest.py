"""Every test runs once per array backend: NumPy, then the strict backend.

The strict backend (teachnet/backend/strict.py) behaves like CuPy where CuPy is strict,
so a test that passes on both is a test whose code would also run on a GPU.

Choose the backends with ``--backends=numpy,strict`` (comma separated) or the environment
variable ``TEACHNET_TEST_BACKENDS``; on a machine with a GPU, ``--backends=cupy`` runs the
suite on CuPy. A test that does not depend on the backend (the strict module's own tests,
file formats, argument checking) is marked ``@pytest.mark.backend_independent`` and runs
once, on NumPy. A test can ask for the ``teachnet_backend`` fixture to learn which
backend is active.
"""
import os

import pytest

from teachnet.backend import array_module as am

DEFAULT_BACKENDS = ('numpy', 'strict')
TESTABLE_BACKENDS = ('numpy', 'strict', 'cupy')


def pytest_addoption(parser):
    parser.addoption('--backends', default=None,
                     help="comma-separated array backends to run the tests on "
                          f"(any of {', '.join(TESTABLE_BACKENDS)}; default: numpy,strict; "
                          "also read from TEACHNET_TEST_BACKENDS)")


def pytest_configure(config):
    config.addinivalue_line(
        'markers', 'backend_independent: run this test once, on the numpy backend only')
    requested_backends(config)          # a misspelt backend stops the run before collection


def requested_backends(config):
    """The backends asked for on the command line, else in the environment, else both."""
    text = config.getoption('--backends') or os.environ.get('TEACHNET_TEST_BACKENDS', '')
    names = [name.strip().lower() for name in text.split(',') if name.strip()]
    unknown = [name for name in names if name not in TESTABLE_BACKENDS]
    if unknown:
        raise pytest.UsageError(f"Unknown test backend(s) {', '.join(unknown)}: expected a "
                                f"comma-separated list of {', '.join(TESTABLE_BACKENDS)}.")
    return list(dict.fromkeys(names)) or list(DEFAULT_BACKENDS)


def pytest_generate_tests(metafunc):
    if 'teachnet_backend' not in metafunc.fixturenames:
        return
    backends = requested_backends(metafunc.config)
    if metafunc.definition.get_closest_marker('backend_independent') is not None:
        backends = ['numpy']
    metafunc.parametrize('teachnet_backend', backends, ids=backends, indirect=True)


@pytest.fixture(autouse=True)
def teachnet_backend(request):
    """Make the parametrized backend active for one test, then restore NumPy and the
    default float type and fuzz factor, so no test leaks its settings into the next."""
    name = getattr(request, 'param', 'numpy')
    floatx, epsilon = am.floatx(), am.epsilon()
    am.set_backend(name)
    yield name
    am.set_backend('numpy')
    am.set_floatx(floatx)
    am.set_epsilon(epsilon)
