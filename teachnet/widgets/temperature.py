"""Sampling with a temperature, on a slider: how $T$ reshapes a next-character distribution.

A language model gives a probability $p(k)$ to every character $k$ that could come next.
Writing with a **temperature** $T > 0$ draws from

$$p_T(k) = \\frac{p(k)^{1/T}}{\\sum_j p(j)^{1/T}} = \\mathrm{softmax}\\Big(\\frac{\\log p}{T}\\Big)_k$$

instead: $T = 1$ leaves $p$ as it is, $T < 1$ sharpens it (as $T \\to 0$, always the
likeliest), $T > 1$ flattens it towards equal chances.

* ``with_temperature(p, T)`` computes $p_T$ row by row, in logarithms (no underflow);
* ``choices(p)`` is $e^{H(p)}$, $H(p) = -\\sum_k p(k) \\log p(k)$: how many equally likely
  characters would be as uncertain as $p$ (1 when sure, the alphabet's size when uniform);
* ``distribution_svg(p, labels, T)`` draws $p_T$ of the likeliest characters as bars, $p$
  itself as a tick on each;
* ``TemperatureSlider(p, labels, sample=...)`` is a widget: moving its slider redraws the
  bars and, when given ``sample(T)`` (a function writing a line at that temperature with a
  fixed seed), writes a new line.
"""
import html

import ipywidgets as widgets
import numpy as np

BAR_WIDTH, BAR_HEIGHT, TOP = 30, 120, 14
SHOWN = {' ': '␣', '\n': '⏎', '\t': '⇥'}


def with_temperature(p, temperature):
    """p_T = softmax(log p / T) along the last axis; the largest logarithm is subtracted
    first, so that a small T cannot make every power underflow to 0."""
    logits = np.log(np.maximum(np.asarray(p, dtype=float), 1e-300)) / temperature
    weights = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return weights / weights.sum(axis=-1, keepdims=True)


def choices(p):
    """e^H(p): the number of equally likely characters that would be as uncertain as p."""
    p = np.asarray(p, dtype=float)
    nonzero = p[p > 0]
    return float(np.exp(-np.sum(nonzero * np.log(nonzero))))


def shown(label):
    """A character as it can be seen: a space as ␣, a newline as ⏎."""
    return SHOWN.get(label, label)


def distribution_svg(p, labels, temperature, top=TOP):
    """An SVG string: bars of p_T for the ``top`` likeliest characters under p (in that
    fixed order, so bars grow and shrink without moving), each with its value, and a tick
    at p itself (T = 1)."""
    p = np.asarray(p, dtype=float)
    p_t = with_temperature(p, temperature)
    order = np.argsort(-p, kind='stable')[:top]
    left, head = 8, 34
    width, height = left * 2 + len(order) * BAR_WIDTH, head + BAR_HEIGHT + 34
    base = head + BAR_HEIGHT
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="teachnet-temperature" width="{width}" '
             f'height="{height}" style="font: 10px sans-serif">',
             f'<text x="{left}" y="12" font-size="11">p_T = softmax(log p / T) at T = {temperature:.2f}: '
             f'the {len(order)} likeliest characters</text>',
             f'<text x="{left}" y="25" fill="#555">bars: p_T (the value on top); black ticks: p, at T = 1</text>',
             f'<line x1="{left}" y1="{base}" x2="{width - left}" y2="{base}" stroke="#999"/>']
    for slot, k in enumerate(order):
        x = left + slot * BAR_WIDTH
        bar = p_t[k] * BAR_HEIGHT
        parts.append(f'<rect class="teachnet-bar" x="{x + 3}" y="{base - bar:.1f}" width="{BAR_WIDTH - 6}" '
                     f'height="{bar:.1f}" fill="#1f77b4"/>')
        tick = base - p[k] * BAR_HEIGHT
        parts.append(f'<line class="teachnet-p" x1="{x + 1}" y1="{tick:.1f}" x2="{x + BAR_WIDTH - 1}" '
                     f'y2="{tick:.1f}" stroke="black" stroke-width="1.5"/>')
        parts.append(f'<text x="{x + BAR_WIDTH / 2}" y="{base - bar - 3:.1f}" text-anchor="middle" '
                     f'font-size="9">{p_t[k]:.2f}</text>')
        parts.append(f'<text class="teachnet-character" x="{x + BAR_WIDTH / 2}" y="{base + 14}" '
                     f'text-anchor="middle" font-size="12">{html.escape(shown(labels[k]))}</text>')
    parts.append(f'<text x="{left}" y="{height - 6}">as uncertain as a choice among {choices(p_t):.1f} '
                 f'equally likely characters (at T = 1: {choices(p):.1f})</text></svg>')
    return ''.join(parts)


class TemperatureSlider:
    """The next-character distribution ``p`` over ``labels``, reshaped by a temperature slider.

    ``sample(T)``, when given, returns a line written at temperature T (with a fixed seed,
    so that one T always writes the same line); it runs when the slider is let go.
    Drive it from Python as a student does: ``slider.value = 0.5``. ``chart.value`` is the
    SVG, ``line.value`` the written line; ``widget`` is the root (CSS class
    ``teachnet-temperature``).
    """

    def __init__(self, p, labels, sample=None, temperature=1.0, context='', top=TOP):
        self.p, self.labels, self.sample, self.top = np.asarray(p, dtype=float), list(labels), sample, top
        self.slider = widgets.FloatSlider(value=temperature, min=0.1, max=2.0, step=0.05,
                                          description='temperature T', continuous_update=False,
                                          style={'description_width': 'initial'}, readout_format='.2f')
        heading = 'The next character' + (f' after <code>{html.escape(context)}</code>' if context else '')
        self.chart = widgets.HTML()
        self.line = widgets.HTML()
        self.slider.observe(lambda _: self.show(), names='value')
        self.widget = widgets.VBox([widgets.HTML(heading), self.slider, self.chart, self.line])
        self.widget.add_class('teachnet-temperature')
        self.show()

    @property
    def reshaped(self):
        """p_T at the slider's temperature."""
        return with_temperature(self.p, self.slider.value)

    def show(self):
        """Redraw the bars, and write a new line, for the slider's temperature."""
        temperature = self.slider.value
        self.chart.value = distribution_svg(self.p, self.labels, temperature, self.top)
        if self.sample is not None:
            text = self.sample(temperature)
            self.line.value = (f'written at T = {temperature:.2f}: <pre style="margin:0;white-space:pre-wrap">'
                               f'{html.escape(text)}</pre>')

    def __repr__(self):
        p_t = self.reshaped
        order = np.argsort(-self.p, kind='stable')[:3]
        likeliest = ', '.join(f'{shown(self.labels[k])!r} {p_t[k]:.2f}' for k in order)
        return f'TemperatureSlider at T = {self.slider.value:.2f}: {likeliest}, ...'

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = self.widget._repr_mimebundle_(include=include, exclude=exclude) or {}
        bundle['text/plain'] = repr(self)
        return bundle
