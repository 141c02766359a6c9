"""Every tutorial fits a Binder seat: the time and memory that notebooks/execute.py recorded
(on one core) stay within the classroom budget. A record checked, not a timed test."""
import importlib.util
import pathlib

NOTEBOOKS = pathlib.Path(__file__).resolve().parents[1] / 'notebooks'
SECONDS_ON_ONE_CORE = 60
MEMORY_MIB = 1024


def recorded_budget():
    spec = importlib.util.spec_from_file_location('execute', NOTEBOOKS / 'execute.py')
    execute = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(execute)
    return execute.read_budget(NOTEBOOKS / 'README.md')


def test_every_notebook_has_a_budget_record_and_every_record_a_notebook():
    notebooks = sorted(p.name for p in NOTEBOOKS.glob('*.ipynb'))
    recorded = sorted(recorded_budget())
    assert recorded == notebooks, ("notebooks/README.md's budget table must list exactly the notebooks; "
                                   "run python notebooks/execute.py to record them")


def test_every_notebook_runs_within_the_classroom_budget():
    for name, (seconds, mib) in recorded_budget().items():
        assert seconds <= SECONDS_ON_ONE_CORE, f'{name} took {seconds} s on one core, over the {SECONDS_ON_ONE_CORE} s budget'
        assert mib <= MEMORY_MIB, f'{name} peaked at {mib} MiB, over the {MEMORY_MIB} MiB budget'
