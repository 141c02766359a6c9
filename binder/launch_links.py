"""Write the Binder badge and launch links, once the repository's public address is known.

    python binder/launch_links.py OWNER/NAME [REF]        # REF: the tag or branch, default main

A Binder link names the public GitHub repository it builds, and the tag or branch to pin:

    https://mybinder.org/v2/gh/OWNER/NAME/REF?urlpath=lab/tree/notebooks/01_sequential_model.ipynb

opens JupyterLab on that notebook in a fresh copy of the repository at REF. Nothing in
the repository can know its own public address, so this script writes the links from the
address given, in two marked blocks (each between a ``<!-- binder links`` line and a
``<!-- end of binder links -->`` line):

* ``README.md``: the badge, which opens the welcome notebook;
* ``notebooks/README.md``: one launch link per notebook in ``notebooks/``.

Run it again with another REF to re-pin (a tag per term keeps a class on the notebooks
it was given); each file is replaced whole, never left half written.
"""
import os
import pathlib
import re
import sys
import tempfile
from urllib.parse import quote

REPO = pathlib.Path(__file__).resolve().parents[1]
BADGE = 'https://mybinder.org/badge_logo.svg'
WELCOME = '00_welcome.ipynb'
START, END = '<!-- binder links', '<!-- end of binder links -->'
#: GitHub's rules: an owner is letters, digits and single hyphens; a name adds '.' and '_'
ADDRESS = re.compile(r'[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}/[A-Za-z0-9._-]{1,100}')
REF = re.compile(r'[A-Za-z0-9._/-]{1,200}')


def launch_url(address, ref, notebook):
    """The Binder link that opens ``notebooks/<notebook>`` in JupyterLab at ``ref``."""
    return f'https://mybinder.org/v2/gh/{address}/{quote(ref, safe="")}?urlpath=lab/tree/notebooks/{notebook}'


def readme_block(address, ref):
    return (f'[![Launch on Binder]({BADGE})]({launch_url(address, ref, WELCOME)}) opens the tutorials '
            f'in JupyterLab on [Binder](https://mybinder.org), nothing to install (`{address}` at `{ref}`).')


def notebooks_block(address, ref, notebooks):
    rows = '\n'.join(f'| `{name}` | [launch]({launch_url(address, ref, name)}) |' for name in notebooks)
    return f'Each notebook on Binder (`{address}` at `{ref}`):\n\n| notebook | Binder |\n|---|---|\n{rows}'


def replace_block(text, block, where):
    """``text`` with what stands between the markers replaced by ``block``."""
    start, end = text.find(START), text.find(END)
    if start < 0 or end < start:
        raise ValueError(f'{where} has no block between a {START!r} line and a {END!r} line to write the '
                         'links into.')
    opening = text.index('\n', start) + 1             # the marker line itself stays
    return text[:opening] + block + '\n' + text[end:]


def write_atomically(path, text):
    """Replace ``path`` whole: write a temporary file beside it, then rename it over."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f'.{path.name}.')
    try:
        with os.fdopen(handle, 'w', encoding='utf-8') as file:
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def write_links(address, ref='main', root=REPO):
    """Write the badge into README.md and a link per notebook into notebooks/README.md."""
    if not ADDRESS.fullmatch(address):
        raise ValueError(f'The repository address must read OWNER/NAME as on GitHub (e.g. "a-school/teachnet"), '
                         f'not {address!r}.')
    if not REF.fullmatch(ref) or '..' in ref:
        raise ValueError(f'The tag or branch must be a git ref name such as "main" or "v1.0", not {ref!r}.')
    root = pathlib.Path(root)
    notebooks = sorted(path.name for path in (root / 'notebooks').glob('*.ipynb'))
    if WELCOME not in notebooks:
        raise ValueError(f'The badge opens notebooks/{WELCOME}, which is missing.')
    updates = {root / 'README.md': readme_block(address, ref),
               root / 'notebooks' / 'README.md': notebooks_block(address, ref, notebooks)}
    texts = {path: replace_block(path.read_text(encoding='utf-8'), block, path.relative_to(root))
             for path, block in updates.items()}            # every block found before anything is written
    for path, text in texts.items():
        write_atomically(path, text)


def main(argv):
    if len(argv) not in (1, 2) or argv[0] in ('-h', '--help'):
        print(__doc__.strip().splitlines()[0] + '\n\n    python binder/launch_links.py OWNER/NAME [REF]')
        return 0 if argv and argv[0] in ('-h', '--help') else 2
    try:
        write_links(*argv)
    except ValueError as error:
        print(f'launch_links: {error}', file=sys.stderr)
        return 2
    print(f'Binder links written for {argv[0]} at {argv[1] if len(argv) > 1 else "main"}: README.md, '
          'notebooks/README.md')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
