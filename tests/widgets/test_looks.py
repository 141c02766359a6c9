"""Widgets built with SharedLooks share one Layout and one style object of each kind."""
import ipywidgets as widgets
import pytest

from teachnet.widgets.looks import SharedLooks

from tests.widgets.test_dashboard import live, mlp

pytestmark = pytest.mark.backend_independent


def test_widgets_share_the_layout_and_their_kind_of_style():
    looks = SharedLooks()
    first, second = looks.make(widgets.HTML, value='a'), looks.make(widgets.HTML, value='b')
    box = looks.make(widgets.VBox, children=[first, second])
    assert first.layout is second.layout is box.layout is looks.layout
    assert first.style is second.style and (first.value, second.value) == ('a', 'b')
    button = looks.make(widgets.Button, description='Go')
    assert button.layout is looks.layout and type(button.style).__name__ == 'ButtonStyle'


def test_own_layouts_and_other_style_settings_are_not_shared():
    looks = SharedLooks()
    wide = looks.make(widgets.HTML, layout=widgets.Layout(width='300px'))
    assert wide.layout is not looks.layout and wide.layout.width == '300px'
    plain = looks.make(widgets.Dropdown, options=['a'])
    labelled = looks.make(widgets.Dropdown, options=['a'], style={'description_width': 'initial'})
    again = looks.make(widgets.Dropdown, options=['b'], style={'description_width': 'initial'})
    assert labelled.style is again.style is not plain.style
    assert labelled.style.description_width == 'initial'


def every_widget(root):
    found = [root]
    for child in getattr(root, 'children', ()):
        found += every_widget(child)
    return found


def test_a_finished_dashboard_builds_three_layouts_not_one_per_widget():
    model, x, y = mlp()
    dashboard = live()
    model.fit(x, y, batch_size=16, nb_epoch=2, verbose=0, callbacks=[dashboard])
    parts = every_widget(dashboard.widget)
    assert len(parts) > 12
    layouts = {id(part.layout) for part in parts}
    assert len(layouts) == 3        # the shared one, the progress bar's and the Stop button's widths
