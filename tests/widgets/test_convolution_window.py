"""The sliding-window picture and widget: the output size it states is the one the layers
compute, and the sliders redraw the windows and the formula with their numbers."""
import re

import numpy as np
import pytest

from teachnet.layers import Convolution2D, ZeroPadding2D
from teachnet.models import Sequential
from teachnet.widgets.convolution_window import (ConvolutionWindow, output_size, output_size_text,
                                                 sliding_window_svg)


@pytest.mark.parametrize('n, k, p, s', [(5, 3, 0, 1), (5, 3, 1, 2), (8, 3, 0, 2), (7, 2, 0, 3), (6, 5, 2, 4),
                                        (4, 1, 0, 1), (9, 4, 1, 3)])
def test_the_output_size_is_what_a_padded_convolution_layer_computes(n, k, p, s):
    layers = [ZeroPadding2D(padding=(p, p), input_shape=(1, n, n))] if p else []
    conv = Convolution2D(1, k, k, subsample=(s, s), **({} if p else {'input_shape': (1, n, n)}))
    model = Sequential(layers + [conv])
    out = model.output_shape[-1]
    assert output_size(n, k, p, s) == out
    assert output_size_text(n, k, p, s).endswith(f'= {out}')
    x = np.arange(n * n, dtype=float).reshape(1, 1, n, n)
    assert model.predict(x).shape == (1, 1, out, out)


def test_the_formula_is_written_out_with_the_numbers():
    assert output_size_text(5, 3, 1, 2) == 'out = ⌊(5 + 2·1 − 3) / 2⌋ + 1 = ⌊4 / 2⌋ + 1 = 2 + 1 = 3'
    assert output_size(2, 5, 1, 1) == 0 and 'no output' in output_size_text(2, 5, 1, 1)


def window_starts(svg):
    """The (x, y) of each dot drawn where a window starts."""
    return re.findall(r'class="teachnet-window-start" cx="([\d.]+)" cy="([\d.]+)"', svg)


def test_the_picture_has_a_dot_per_window_and_the_chosen_window_and_output_cell_lit():
    svg = sliding_window_svg(5, 3, 1, 2, position=(1, 2))
    assert len(window_starts(svg)) == 3 * 3
    assert svg.count('>0<') == (7 * 7 - 5 * 5) + 1               # the padding's zeros, and pixel 0
    assert '>24<' in svg and '>25<' not in svg                   # pixels 0..24 of the 5 x 5 input
    window = re.search(r'class="teachnet-window" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)"', svg)
    assert window.groups() == ('98', '78', '66')                 # column 2·2, row 1·2, 3 cells of 22
    assert 'fill="#ff7f0e" stroke="#999" stroke-width="0.5"/><text x="' in svg
    assert '>1,2<' in svg


def test_a_stride_that_does_not_divide_leaves_unreached_pixels_hatched():
    assert 'url(#teachnet-unreached)"' not in sliding_window_svg(5, 3, 0, 2)       # (5 - 3) / 2 exact
    hatched = sliding_window_svg(6, 3, 0, 2).count('fill="url(#teachnet-unreached)"')
    assert hatched == 6 * 6 - 5 * 5                                                # row and column 5


def test_the_sliders_redraw_the_windows_and_the_formula():
    explorer = ConvolutionWindow(n=5, k=3, p=0, s=1)
    assert 'teachnet-convolution-window' in explorer.widget._dom_classes
    assert explorer.out == 3 and explorer.window.max == 8 and len(window_starts(explorer.picture.value)) == 9
    explorer.window.value = 8
    explorer.padding.value = 1
    assert explorer.out == 5 and explorer.window.max == 24 and len(window_starts(explorer.picture.value)) == 25
    assert '⌊(5 + 2·1 − 3) / 1⌋ + 1' in explorer.formula.value and explorer.formula.value.endswith('= 5</code>')
    explorer.stride.value = 2
    assert explorer.out == 3 and explorer.window.max == 8 and explorer.window.value == 8
    assert '⌊4 / 2⌋ + 1 = 2 + 1 = 3' in explorer.formula.value and '>2,2<' in explorer.picture.value
    explorer.kernel.value = 5
    explorer.size.value = 2
    assert explorer.out == 0 and explorer.window.disabled and 'no output' in explorer.formula.value
    assert repr(explorer).startswith('ConvolutionWindow: out = ⌊(2 + 2·1 − 5) / 2⌋')
