"""The reusable pieces of the widgets: bounded series, the throttle, the drawings."""
import io

import numpy as np
import pytest
from matplotlib import colormaps
from matplotlib import image as mpimage

from teachnet.widgets import throttle as throttle_module
from teachnet.widgets.drawing import heatmap_png, histogram_svg, image_grid, line_chart
from teachnet.widgets.ring_buffer import DecimatedSeries
from teachnet.widgets.throttle import Throttle

pytestmark = pytest.mark.backend_independent


def test_decimated_series_stays_bounded_and_averages_pairs():
    series = DecimatedSeries(capacity=8)
    for step in range(8):
        series.append(step, 10.0 * step)
    x, y = series.values()
    np.testing.assert_allclose(x, [0.5, 2.5, 4.5, 6.5])          # full: halved
    np.testing.assert_allclose(y, 10 * x)
    for step in range(8, 100_000):
        series.append(step, 10.0 * step)
    x, y = series.values()
    assert len(x) <= 8 and series.stride >= 100_000 // 8
    np.testing.assert_allclose(y, 10 * x)                          # every point: a mean of whole steps
    assert x[0] < 10_000 and x[-1] > 90_000                       # still spans the whole run


def test_throttle_waits_its_interval_and_backs_off_with_cost(monkeypatch):
    wall, cpu = [0.0], [0.0]
    monkeypatch.setattr(throttle_module, 'wall_clock', lambda: wall[0])
    monkeypatch.setattr(throttle_module, 'cpu_clock', lambda: cpu[0])
    throttle = Throttle(interval=1.0, budget=0.1)
    assert throttle.due()
    throttle.record(start=0.0, start_cpu=0.0, cpu_duration=0.01)      # cheap: the interval rules
    assert not throttle.due(now=0.5, cpu_now=0.5) and throttle.due(now=1.0, cpu_now=1.0)
    throttle.record(start=1.0, start_cpu=1.0, cpu_duration=0.5)       # dear: wait for cost / budget of work
    assert throttle.work_needed() > 1.0
    assert not throttle.due(now=3.0, cpu_now=2.0)                     # a busy machine: little work done
    assert throttle.due(now=30.0, cpu_now=1.0 + throttle.work_needed())
    cost = throttle.cost
    wall[0], cpu[0] = 10.0, 5.0
    with throttle.measure():
        wall[0], cpu[0] = 10.5, 5.2                                    # an update taking 0.2 s of CPU
    assert (throttle.last, throttle.last_cpu) == (10.0, 5.0)
    assert throttle.cost == pytest.approx(0.7 * cost + 0.3 * 0.2)


def test_line_chart_is_svg_with_one_polyline_per_line_and_bounded_points():
    x = np.arange(100_000.0)
    svg = line_chart([{'x': x, 'y': np.exp(-x / 1e4), 'label': 'loss'},
                      {'x': x[:3], 'y': [1, np.nan, 2], 'label': 'val', 'dashed': True}],
                     log_scale=True, max_points=300)
    assert svg.startswith('<svg') and svg.endswith('</svg>')
    assert svg.count('<polyline') == 2 and 'stroke-dasharray' in svg
    first = svg.split('points="')[1].split('"')[0]
    assert len(first.split()) == 300
    assert 'no data yet' in line_chart([])


def test_line_chart_legend_sits_under_the_plot_and_wraps_into_rows():
    x = np.arange(50.0)
    lines = [{'x': x, 'y': x + i, 'label': f'layer_{i}'} for i in range(9)]
    width, height, plot_bottom = 300, 150, 150 - 22
    svg = line_chart(lines, width=width, height=height, title='|dL/dθ|')
    samples = svg.split('<line ')[1:]
    assert len(samples) == 9
    ys = [float(sample.split('y1="')[1].split('"')[0]) for sample in samples]
    xs = [float(sample.split('x1="')[1].split('"')[0]) for sample in samples]
    assert min(ys) > plot_bottom + 10                           # under the plot and its x labels: on no line
    rows = sorted(set(ys))
    assert len(rows) >= 2 and max(xs) + 18 + 6 * len('layer_8') <= width
    total = float(svg.split('height="')[1].split('"')[0])
    assert total >= max(ys) + 4 and total > height              # the picture grew to hold the legend


def png_pixels(data):
    """The pixels as floats in 0..1, RGB (a palette PNG) or RGBA."""
    return mpimage.imread(io.BytesIO(data))


def test_heatmap_png_has_one_enlarged_pixel_per_value():
    values = np.arange(12.0).reshape(3, 4)
    pixels = png_pixels(heatmap_png(values, min_size=30))
    assert pixels.shape[:2] == (30, 40)
    assert not np.allclose(pixels[0, 0], pixels[-1, -1])           # the colours follow the values
    np.testing.assert_allclose(pixels[0, 0], png_pixels(heatmap_png(np.zeros((1, 1)), vmin=0, vmax=11))[0, 0])


@pytest.mark.parametrize('cmap', ['viridis', 'RdBu_r', 'gray'])
def test_heatmap_png_paints_the_colours_matplotlib_gives_the_values(cmap):
    values = np.random.default_rng(1).uniform(-1.5, 1.5, (9, 7))
    values[0, :3] = [-1, 1, 0.999999]                         # the ends of the range, and just below
    pixels = png_pixels(heatmap_png(values, cmap=cmap, vmin=-1, vmax=1, min_size=1))
    colours = colormaps[cmap]((values + 1) / 2, bytes=True)[..., :3]      # out of range: the end colours
    np.testing.assert_array_equal(np.round(pixels[..., :3] * 255).astype(np.uint8), colours)


def test_histogram_svg_draws_taller_bars_for_larger_counts():
    svg = histogram_svg([0, 5, 10], height=10)
    assert svg.startswith('<svg') and svg.endswith('</svg>')
    heights = [float(bar.split('height="')[1].split('"')[0]) for bar in svg.split('<rect')[2:]]
    assert heights == [5.0, 10.0]                              # no bar for a count of 0


def test_image_grid_tiles_maps_each_scaled_to_its_range():
    grid = image_grid([np.arange(4.0).reshape(2, 2), 100 + np.arange(4.0).reshape(2, 2)], columns=2)
    assert grid.shape == (2, 5)
    np.testing.assert_allclose(grid[:, :2], grid[:, 3:])
    assert np.isnan(grid[:, 2]).all()


@pytest.mark.parametrize('capacity, chunks', [(8, [3, 1, 20, 7, 100, 2]), (6, [1] * 50), (4, [1000]),
                                               (16, [5, 11, 0, 64, 33, 300])])
def test_extending_a_decimated_series_is_appending_each_point(capacity, chunks):
    rng = np.random.default_rng(capacity)
    one_by_one, in_bulk = DecimatedSeries(capacity), DecimatedSeries(capacity)
    step = 0
    for size in chunks:
        xs, ys = np.arange(step, step + size, dtype=float), rng.standard_normal(size)
        for x, y in zip(xs, ys):
            one_by_one.append(x, y)
        in_bulk.extend(xs, ys)
        step += size
        assert (in_bulk.kept, in_bulk.stride, in_bulk.pending_count) == \
            (one_by_one.kept, one_by_one.stride, one_by_one.pending_count)
        np.testing.assert_allclose(in_bulk.values(), one_by_one.values(), rtol=1e-12, atol=1e-12)


def test_a_record_nobody_reads_holds_a_bounded_number_of_unread_batches(monkeypatch):
    """Batches are counted and read into the series later; a run that nobody watches still
    holds at most UNREAD_BATCHES of them, and the series hold every one counted."""
    from teachnet.layers import Dense
    from teachnet.models import Sequential
    from teachnet.widgets import record as record_module

    monkeypatch.setattr(record_module, 'UNREAD_BATCHES', 10)
    record = record_module.TrainingRecord(Sequential([Dense(2, input_dim=3)]))
    for step in range(95):
        record.add_batch({'batch': step, 'size': 4, 'loss': float(step)})
        assert len(record.unread) < 10
    steps, losses = record.batch['loss'].values()
    assert len(steps) == 95 and np.array_equal(losses, np.arange(95.0))
