"""binder/launch_links.py: the Binder badge and a launch link per notebook, from an address."""
import importlib.util
import pathlib

import pytest

REPO = pathlib.Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location('launch_links', REPO / 'binder' / 'launch_links.py')
launch_links = importlib.util.module_from_spec(spec)
spec.loader.exec_module(launch_links)

pytestmark = pytest.mark.backend_independent

BLOCK = f'{launch_links.START}: written by binder/launch_links.py -->\nnot yet\n{launch_links.END}\n'


def a_repository(tmp_path, notebooks=('00_welcome.ipynb', '01_sequential_model.ipynb')):
    (tmp_path / 'notebooks').mkdir()
    for name in notebooks:
        (tmp_path / 'notebooks' / name).write_text('{}')
    (tmp_path / 'README.md').write_text(f'# teachnet\n\n{BLOCK}\nmore text\n')
    (tmp_path / 'notebooks' / 'README.md').write_text(f'# The tutorials\n\n{BLOCK}')
    return tmp_path


def test_every_notebook_gets_a_link_pinned_to_the_ref(tmp_path):
    root = a_repository(tmp_path)
    launch_links.write_links('a-school/teachnet', 'v1.0', root=root)
    readme = (root / 'README.md').read_text()
    table = (root / 'notebooks' / 'README.md').read_text()
    welcome = 'https://mybinder.org/v2/gh/a-school/teachnet/v1.0?urlpath=lab/tree/notebooks/00_welcome.ipynb'
    assert f'[![Launch on Binder](https://mybinder.org/badge_logo.svg)]({welcome})' in readme
    assert readme.endswith('\nmore text\n') and 'not yet' not in readme
    for text in (readme, table):                       # the markers stay, each on a line of its own
        lines = text.splitlines()
        assert [line for line in lines if launch_links.END in line] == [launch_links.END]
        assert [line for line in lines if launch_links.START in line] == [BLOCK.splitlines()[0]]
    for name in ('00_welcome.ipynb', '01_sequential_model.ipynb'):
        assert f'| `{name}` | [launch](https://mybinder.org/v2/gh/a-school/teachnet/v1.0?urlpath=lab/tree/notebooks/' \
               f'{name}) |' in table


def test_writing_again_re_pins_instead_of_adding(tmp_path):
    root = a_repository(tmp_path)
    launch_links.write_links('a-school/teachnet', 'v1.0', root=root)
    launch_links.write_links('a-school/teachnet', 'spring-term', root=root)
    table = (root / 'notebooks' / 'README.md').read_text()
    assert table.count('[launch]') == 2 and 'v1.0' not in table and '/spring-term?urlpath' in table


def test_a_branch_with_a_slash_is_escaped_in_the_link(tmp_path):
    root = a_repository(tmp_path)
    launch_links.write_links('a-school/teachnet', 'term/autumn', root=root)
    assert '/a-school/teachnet/term%2Fautumn?urlpath=' in (root / 'README.md').read_text()


@pytest.mark.parametrize('address, ref, words', [
    ('teachnet', 'main', 'OWNER/NAME'),
    ('https://github.com/a/b', 'main', 'OWNER/NAME'),
    ('-a/teachnet', 'main', 'OWNER/NAME'),
    ('a-school/teachnet', 'main branch', 'git ref'),
    ('a-school/teachnet', '../main', 'git ref'),
])
def test_a_wrong_address_or_ref_is_refused_and_nothing_is_written(tmp_path, address, ref, words):
    root = a_repository(tmp_path)
    before = (root / 'README.md').read_text()
    with pytest.raises(ValueError, match=words):
        launch_links.write_links(address, ref, root=root)
    assert (root / 'README.md').read_text() == before


def test_a_file_without_its_block_stops_everything_before_any_file_changes(tmp_path):
    root = a_repository(tmp_path)
    (root / 'notebooks' / 'README.md').write_text('# The tutorials, with no block\n')
    before = (root / 'README.md').read_text()
    with pytest.raises(ValueError, match='notebooks/README.md has no block'):
        launch_links.write_links('a-school/teachnet', root=root)
    assert (root / 'README.md').read_text() == before
    assert sorted(p.name for p in root.iterdir()) == ['README.md', 'notebooks']     # no temporary file left


def test_the_repository_has_both_blocks_for_the_script_to_fill(tmp_path):
    for path in (REPO / 'README.md', REPO / 'notebooks' / 'README.md'):
        text = path.read_text()
        assert text.find(launch_links.START) < text.find(launch_links.END), f'{path} lacks the binder links block'


def test_the_command_line_says_how_to_call_it(capsys):
    assert launch_links.main([]) == 2
    assert 'OWNER/NAME [REF]' in capsys.readouterr().out
    assert launch_links.main(['nonsense']) == 2
    assert 'OWNER/NAME' in capsys.readouterr().err
