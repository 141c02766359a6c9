"""The sliding window of a convolution, drawn: where the kernel lands and how many outputs it makes.

Along one axis, an input of $n$ pixels gets $p$ zeros on each side; a window of $k$ pixels
starts at $0, s, 2s, \\dots$ (the stride $s$) for as long as it fits in the $n + 2p$ padded
pixels. So there are

$$\\text{out} = \\left\\lfloor \\frac{n + 2p - k}{s} \\right\\rfloor + 1$$

window positions, one output per position. The same holds for the rows and the columns of
a square image, so the output is out × out.

* ``output_size(n, k, p, s)`` is that number (0 when the window does not fit at all);
* ``output_size_text(n, k, p, s)`` writes the formula out with the numbers;
* ``sliding_window_svg(n, k, p, s, position)`` draws the padded input (pixels numbered
  row by row, the zeros of the padding grey), a dot at the top-left corner of every window
  position, the window at output position ``position = (i, j)`` in orange, and beside it
  the out × out output with cell (i, j) in orange. Pixels that no window reaches (when
  $s$ does not divide $n + 2p - k$) are hatched: that is the floor in the formula;
* ``ConvolutionWindow()`` is a widget with sliders for n, k, p and s and for the window
  position, redrawing the picture and the formula as they move.
"""
import html

import ipywidgets as widgets

CELL = 22          # pixels per drawn image pixel
GAP = 48           # between the input and the output drawings
ORANGE = '#ff7f0e'


def output_size(n, k, p=0, s=1):
    """Window positions along an axis: ⌊(n + 2p - k) / s⌋ + 1, or 0 when k > n + 2p."""
    if k > n + 2 * p:
        return 0
    return (n + 2 * p - k) // s + 1


def output_size_text(n, k, p=0, s=1):
    """The formula with these numbers, e.g. 'out = ⌊(5 + 2·1 − 3) / 2⌋ + 1 = ⌊4 / 2⌋ + 1 = 3'."""
    span = n + 2 * p - k
    if span < 0:
        return (f'out = ⌊({n} + 2·{p} − {k}) / {s}⌋ + 1: the window ({k}) is wider than the padded '
                f'input ({n + 2 * p}), so there is no output')
    return (f'out = ⌊({n} + 2·{p} − {k}) / {s}⌋ + 1 = ⌊{span} / {s}⌋ + 1 = {span // s} + 1 = '
            f'{output_size(n, k, p, s)}')


def _grid(x0, y0, size, fill_of, text_of, cell=CELL):
    parts = []
    for r in range(size):
        for c in range(size):
            x, y = x0 + c * cell, y0 + r * cell
            parts.append(f'<rect x="{x}" y="{y}" width="{cell}" height="{cell}" fill="{fill_of(r, c)}" '
                         f'stroke="#999" stroke-width="0.5"/>')
            text = text_of(r, c)
            if text:
                parts.append(f'<text x="{x + cell / 2}" y="{y + cell / 2 + 3.5}" text-anchor="middle">{text}</text>')
    return parts


def sliding_window_svg(n=5, k=3, p=0, s=1, position=(0, 0)):
    """An SVG string: the padded n × n input, every window position and the output size
    (see the module doc). ``position`` (i, j) is the output cell whose window is drawn."""
    size, out = n + 2 * p, output_size(n, k, p, s)
    reached = (out - 1) * s + k if out else 0             # padded pixels some window covers
    i, j = position if out else (0, 0)
    i, j = min(i, out - 1) if out else 0, min(j, out - 1) if out else 0
    left, top = 10, 34
    out_x = left + size * CELL + GAP
    title = f'input {n}×{n}, padding p = {p} (grey zeros), kernel k = {k}, stride s = {s}'
    formula = output_size_text(n, k, p, s)
    width = max(out_x + max(out, 1) * CELL + 10, 20 + 6 * max(len(title), len(formula)))
    height = top + max(size, out, 1) * CELL + 24

    def input_fill(r, c):
        if r >= reached or c >= reached:
            return 'url(#teachnet-unreached)'
        return '#e6e6e6' if min(r, c) < p or max(r, c) >= p + n else 'white'

    def input_text(r, c):
        if min(r, c) < p or max(r, c) >= p + n:
            return '0'
        return str((r - p) * n + (c - p))

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="teachnet-sliding-window" width="{width}" '
             f'height="{height}" style="font: 9px sans-serif">',
             '<defs><pattern id="teachnet-unreached" width="6" height="6" patternUnits="userSpaceOnUse">'
             '<rect width="6" height="6" fill="#f4f4f4"/><path d="M0,6 L6,0" stroke="#bbb"/></pattern></defs>',
             f'<text x="{left}" y="12" font-size="11">{title}</text>',
             f'<text x="{left}" y="26" fill="#555">a dot marks where each window starts</text>']
    parts += _grid(left, top, size, input_fill, input_text)
    for a in range(out):
        for b in range(out):
            cx, cy = left + b * s * CELL + 4, top + a * s * CELL + 4
            parts.append(f'<circle class="teachnet-window-start" cx="{cx}" cy="{cy}" r="2.5" fill="#1f77b4"/>')
    if out:
        parts.append(f'<rect class="teachnet-window" x="{left + j * s * CELL}" y="{top + i * s * CELL}" '
                     f'width="{k * CELL}" height="{k * CELL}" fill="{ORANGE}" fill-opacity="0.25" '
                     f'stroke="{ORANGE}" stroke-width="2.5"/>')
        parts.append(f'<text x="{out_x}" y="26" font-size="11">output {out}×{out}</text>')
        parts += _grid(out_x, top, out, lambda r, c: ORANGE if (r, c) == (i, j) else 'white',
                       lambda r, c: f'{r},{c}')
        arrow_y = top + i * CELL + CELL / 2
        parts.append(f'<line x1="{left + (j * s + k) * CELL + 2}" y1="{top + (i * s + k / 2) * CELL}" '
                     f'x2="{out_x + j * CELL - 2}" y2="{arrow_y}" stroke="{ORANGE}" stroke-width="1.5" '
                     f'marker-end="url(#teachnet-arrow)"/>')
        parts.insert(2, '<defs><marker id="teachnet-arrow" viewBox="0 0 10 10" refX="9" refY="5" '
                        f'markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 z" '
                        f'fill="{ORANGE}"/></marker></defs>')
    else:
        parts.append(f'<text x="{out_x}" y="{top + 12}" font-size="11">no output: the window does not fit</text>')
    parts.append(f'<text x="{left}" y="{height - 6}" font-size="11">'
                 f'{html.escape(formula)}</text></svg>')
    return ''.join(parts)


class ConvolutionWindow:
    """Sliders for the input size ``n``, kernel ``k``, padding ``p`` and stride ``s``, and
    ``window`` for which output cell's window to draw (numbered row by row); the picture
    (``picture.value``, SVG) and the formula (``formula.value``) follow them.

    Drive it from Python as a student does with the mouse: ``stride.value = 2``.
    ``widget`` is the root (CSS class ``teachnet-convolution-window``).
    """

    def __init__(self, n=5, k=3, p=0, s=1):
        style = {'description_width': '150px'}
        self.size = widgets.IntSlider(value=n, min=2, max=10, description='input size n', style=style)
        self.kernel = widgets.IntSlider(value=k, min=1, max=5, description='kernel k', style=style)
        self.padding = widgets.IntSlider(value=p, min=0, max=3, description='padding p', style=style)
        self.stride = widgets.IntSlider(value=s, min=1, max=4, description='stride s', style=style)
        self.window = widgets.IntSlider(value=0, min=0, max=0, description='window (row by row)', style=style)
        self.picture = widgets.HTML()
        self.formula = widgets.HTML()
        for slider in (self.size, self.kernel, self.padding, self.stride):
            slider.observe(lambda _: self.show(), names='value')
        self.window.observe(lambda _: self._draw(), names='value')
        controls = widgets.VBox([self.size, self.kernel, self.padding, self.stride, self.window])
        self.widget = widgets.VBox([controls, self.formula, self.picture])
        self.widget.add_class('teachnet-convolution-window')
        self.show()

    @property
    def out(self):
        """The output size for the sliders' values now."""
        return output_size(self.size.value, self.kernel.value, self.padding.value, self.stride.value)

    def show(self):
        """Redraw after n, k, p or s moved: the window slider's range follows the output size."""
        last = max(self.out ** 2 - 1, 0)
        if self.window.value > last:
            self.window.value = last            # its observer redraws
        self.window.max = last
        self.window.disabled = self.out == 0
        self._draw()

    def _draw(self):
        n, k, p, s = self.size.value, self.kernel.value, self.padding.value, self.stride.value
        position = divmod(self.window.value, max(self.out, 1))
        self.formula.value = f'<code>{html.escape(output_size_text(n, k, p, s))}</code>'
        self.picture.value = sliding_window_svg(n, k, p, s, position)

    def __repr__(self):
        return ('ConvolutionWindow: ' + output_size_text(self.size.value, self.kernel.value,
                                                          self.padding.value, self.stride.value))

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = self.widget._repr_mimebundle_(include=include, exclude=exclude) or {}
        bundle['text/plain'] = repr(self)
        return bundle
