"""The gradient check's chart: a bar per parameter on a log scale, failures in red."""
import re

import numpy as np

from teachnet.inspect import GradientCheckReport, gradient_check
from teachnet.inspect.gradient_check_chart import error_bars_svg
from teachnet.layers import Dense
from teachnet.models import Sequential


def report(*errors, tolerance=1e-6):
    return GradientCheckReport([{'parameter': f'p{k}', 'shape': (2,), 'checked': 2, 'relative_error': e}
                                for k, e in enumerate(errors)], tolerance)


def bars(svg):
    return re.findall(r'<rect class="(\w+)" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"[^>]*fill="(#\w+)"', svg)


def test_each_parameter_is_a_bar_as_long_as_its_log_error_and_failures_are_red():
    svg = error_bars_svg(report(1e-9, 1e-3, 0.0, 1e-7))
    found = bars(svg)
    assert [kind for kind, *_ in found] == ['passed', 'failed', 'passed', 'passed']
    assert [colour for *_, colour in found] == ['#2ca02c', '#d62728', '#2ca02c', '#2ca02c']
    widths = [float(width) for _, _, width, _ in found]
    assert widths[2] == 0.0                                     # an error of 0: no bar
    assert widths[1] > widths[3] > widths[0]
    assert abs((widths[1] - widths[3]) - 2 * (widths[3] - widths[0])) < 0.5    # log scale: 4 decades vs 2
    tolerance_x = float(re.search(r'class="tolerance" x1="([\d.]+)"', svg).group(1))
    left = float(found[0][1])
    assert left + widths[3] < tolerance_x < left + widths[1]
    assert 'p1' in svg and 'tolerance 1e-06' in svg


def test_a_non_finite_error_is_a_failure_bar_to_the_right_edge():
    found = bars(error_bars_svg(report(float('nan'), 1e-9)))
    assert found[0][0] == 'failed' and float(found[0][2]) > float(found[1][2])


def test_the_report_shows_its_table_and_chart_in_a_notebook():
    model = Sequential([Dense(2, input_dim=3)])
    model.compile('sgd', 'mse')
    rng = np.random.RandomState(0)
    checked = gradient_check(model, rng.randn(4, 3), rng.randn(4, 2))
    page = checked._repr_html_()
    assert 'teachnet-gradient-check-chart' in page and 'PASSED' in page
    assert len(bars(page)) == len(checked.rows) == 2
