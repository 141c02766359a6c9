"""Re-run tutorial notebooks in place, so their stored outputs match the code.

    python notebooks/execute.py                       # every notebook here
    python notebooks/execute.py notebooks/01_*.ipynb  # some of them

Run it with the project's environment active after changing anything a notebook prints,
then commit the notebooks: `pytest --nbval` compares new runs with these stored outputs.
Cells run in the notebooks folder, with no timing metadata, so the files stay stable.
"""
import pathlib
import sys

import nbformat
from nbclient import NotebookClient

HERE = pathlib.Path(__file__).resolve().parent


def execute(path):
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=600, kernel_name='python3', record_timing=False,
                   resources={'metadata': {'path': str(HERE)}}).execute()
    nbformat.write(notebook, path)
    print(f'executed {path}')


if __name__ == '__main__':
    paths = sys.argv[1:] or sorted(str(p) for p in HERE.glob('*.ipynb'))
    for notebook_path in paths:
        execute(notebook_path)
