"""Check the Dockerfile that ``repo2docker --no-build --debug .`` writes for this repository.

A Binder seat must get Python 3.11 (binder/runtime.txt) and, once the repository is copied
in, ``pip install -r binder/requirements.txt``, which installs teachnet itself and JupyterLab.

    python binder/check_dockerfile.py Dockerfile
"""
import pathlib
import re
import sys

REPO = pathlib.Path(__file__).resolve().parents[1]


def problems(dockerfile):
    """What is wrong with the image repo2docker would build, as sentences (none: all is well)."""
    found = []
    python = re.search(r'conda environment for python=(\d+\.\d+)', dockerfile)
    wanted = (REPO / 'binder' / 'runtime.txt').read_text().strip().removeprefix('python-')
    if not python or python.group(1) != wanted:
        found.append(f"the image's Python is {python.group(1) if python else 'not named'}, "
                     f"binder/runtime.txt asks for {wanted}")
    copy = dockerfile.find('src/ ${REPO_DIR}/')               # the whole repository
    install = dockerfile.find('-r "binder/requirements.txt"')
    if install < 0:
        found.append('binder/requirements.txt is never installed')
    elif copy < 0 or install < copy:
        found.append('binder/requirements.txt is installed before the repository is copied in, '
                     'so it cannot install teachnet itself')
    requirements = (REPO / 'binder' / 'requirements.txt').read_text().split()
    if '.' not in requirements and '-e' not in requirements:
        found.append('binder/requirements.txt does not install the package itself (a line "." or "-e .")')
    if not any(line.startswith('jupyterlab') for line in requirements):
        found.append('binder/requirements.txt does not install JupyterLab')
    return found


if __name__ == '__main__':
    text = pathlib.Path(sys.argv[1]).read_text()
    wrong = problems(text)
    for sentence in wrong:
        print('Binder:', sentence, file=sys.stderr)
    if not wrong:
        print('Binder: Python', re.search(r'python=(\S+)', text).group(1),
              'and binder/requirements.txt after the repository is copied in')
    sys.exit(1 if wrong else 0)
