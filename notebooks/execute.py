"""Re-run tutorial notebooks in place, so their stored outputs match the code.

    python notebooks/execute.py                       # every notebook here
    python notebooks/execute.py notebooks/01_*.ipynb  # some of them

Run it with the project's environment active after changing anything a notebook prints,
then commit the notebooks: `pytest --nbval` compares new runs with these stored outputs.
Cells run in the notebooks folder, with no timing metadata, so the files stay stable;
widget state is saved with the outputs, so a reopened notebook shows its widgets.

The kernel runs on ONE processor core, as a Binder seat gives a student, and each run's
time and peak memory are written into the budget table of notebooks/README.md, which
tests/test_notebook_budget.py holds to the classroom budget (60 s, 1 GB).
"""
import os
import pathlib
import re
import sys
import time

import nbformat
from nbclient import NotebookClient

HERE = pathlib.Path(__file__).resolve().parent
README = HERE / 'README.md'
BUDGET_START, BUDGET_END = '<!-- budget table: written by execute.py -->', '<!-- end of budget table -->'

PEAK_MEMORY_CELL = ("import resource as _resource\n"
                    "print(_resource.getrusage(_resource.RUSAGE_SELF).ru_maxrss)")   # KiB on Linux


def execute(path):
    """Run one notebook top to bottom in a fresh kernel; returns (seconds, peak MiB)."""
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(PEAK_MEMORY_CELL))
    started = time.perf_counter()
    NotebookClient(notebook, timeout=600, kernel_name='python3', record_timing=False,
                   store_widget_state=True, resources={'metadata': {'path': str(HERE)}}).execute()
    seconds = time.perf_counter() - started
    peak_kib = int(notebook.cells.pop().outputs[0]['text'])
    nbformat.write(notebook, path)
    print(f'executed {path} in {seconds:.1f} s, peak memory {peak_kib / 1024:.0f} MiB')
    return seconds, peak_kib / 1024


def read_budget(readme=README):
    """The budget table as {notebook file name: (seconds, MiB)}."""
    text = readme.read_text() if readme.exists() else ''
    rows = re.findall(r'^\| `([^`]+\.ipynb)` \| ([\d.]+) \| (\d+) \|$', text, flags=re.M)
    return {name: (float(seconds), int(mib)) for name, seconds, mib in rows}


def write_budget(budget, readme=README):
    """Rewrite the budget table between its two markers in notebooks/README.md."""
    lines = [BUDGET_START, '| notebook | seconds on one core | peak memory (MiB) |', '|---|---|---|']
    lines += [f'| `{name}` | {seconds:.1f} | {mib:.0f} |' for name, (seconds, mib) in sorted(budget.items())]
    lines.append(BUDGET_END)
    table = '\n'.join(lines)
    text = readme.read_text()
    start, end = text.index(BUDGET_START), text.index(BUDGET_END) + len(BUDGET_END)
    readme.write_text(text[:start] + table + text[end:])


def on_one_core():
    """Pin this process (and so the kernels it starts) to one core: a Binder seat's size."""
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


if __name__ == '__main__':
    paths = sys.argv[1:] or sorted(str(p) for p in HERE.glob('*.ipynb'))
    on_one_core()
    budget = {name: row for name, row in read_budget().items() if (HERE / name).exists()}
    for notebook_path in paths:
        budget[pathlib.Path(notebook_path).name] = execute(notebook_path)
    write_budget(budget)
