"""The temperature slider: p_T = softmax(log p / T), drawn for the slider's T, and a new
line written by the given sampler whenever the slider moves."""
import re

import numpy as np

from teachnet.widgets.temperature import TemperatureSlider, choices, distribution_svg, with_temperature

P = np.array([0.5, 0.3, 0.15, 0.05])
LABELS = ['e', ' ', '\n', 'q']


def test_with_temperature_is_p_to_the_power_one_over_t_normalised():
    for temperature in (0.2, 0.5, 1.0, 2.0, 7.0):
        powered = P ** (1 / temperature)
        np.testing.assert_allclose(with_temperature(P, temperature), powered / powered.sum(), rtol=1e-12)
    assert with_temperature(P, 0.001)[0] == 1.0                         # no underflow to 0/0
    np.testing.assert_allclose(with_temperature(np.stack([P, P[::-1]]), 0.5).sum(axis=1), 1.0)


def test_choices_counts_equally_likely_characters():
    assert np.isclose(choices(np.full(4, 0.25)), 4.0) and np.isclose(choices([1.0, 0, 0]), 1.0)
    assert choices(with_temperature(P, 0.5)) < choices(P) < choices(with_temperature(P, 2.0))


def bar_values(svg):
    """The value written on top of each bar, in the drawn order."""
    return [float(v) for v in re.findall(r'font-size="9">([\d.]+)</text>', svg)]


def test_the_bars_are_p_t_of_the_likeliest_characters_in_a_fixed_order():
    svg = distribution_svg(P[::-1], LABELS[::-1], 0.5)
    expected = with_temperature(P, 0.5)
    assert bar_values(svg) == [round(v, 2) for v in expected]
    assert re.findall(r'class="teachnet-character"[^>]*>([^<]+)<', svg) == ['e', '␣', '⏎', 'q']
    heights = [float(h) for h in re.findall(r'class="teachnet-bar"[^>]* height="([\d.]+)"', svg)]
    np.testing.assert_allclose(heights, expected * 120, atol=0.05)
    assert len(bar_values(distribution_svg(P, LABELS, 1.0, top=2))) == 2


def test_the_slider_redraws_the_bars_and_writes_a_line_at_its_temperature():
    asked = []

    def sample(temperature):
        asked.append(temperature)
        return f'a line at {temperature}'

    slider = TemperatureSlider(P, LABELS, sample=sample, context='th')
    assert 'teachnet-temperature' in slider.widget._dom_classes
    assert bar_values(slider.chart.value) == [0.5, 0.3, 0.15, 0.05] and asked == [1.0]
    slider.slider.value = 0.5
    assert bar_values(slider.chart.value) == [round(v, 2) for v in with_temperature(P, 0.5)]
    assert asked == [1.0, 0.5] and 'a line at 0.5' in slider.line.value and 'T = 0.50' in slider.line.value
    assert repr(slider) == "TemperatureSlider at T = 0.50: 'e' 0.68, '␣' 0.25, '⏎' 0.06, ..."
    slider.slider.value = 2.0
    assert bar_values(slider.chart.value)[0] == round(with_temperature(P, 2.0)[0], 2) == 0.38
