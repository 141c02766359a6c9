"""Small pictures for live views: SVG line charts and PNG heatmaps, made in milliseconds.

A matplotlib figure drawn and encoded costs about 0.2 s, far too slow to redraw while
a network trains. These functions draw only what a view needs:

* ``line_chart``: lines as SVG ``<polyline>``s, with the value range and a legend. The
  browser draws them; we only write a few kilobytes of text. At most ``max_points``
  points per line are sent (evenly picked), whatever the length of the series.
* ``heatmap_png``: a 2-D array colour-mapped as matplotlib's ``imsave`` would (no
  figure, no axes): one pixel per value, enlarged by repeating pixels so that small arrays
  stay crisp. It is written as a *palette* PNG, one byte per pixel indexing the colour
  map's 256 colours, with fast compression: about a tenth of the time ``imsave`` takes to
  write the same picture in full RGBA.
* ``histogram_svg``: the bars of a histogram as SVG rectangles.
* ``rgb_png``: an array of red, green and blue values as a PNG, enlarged the same way;
  ``image_grid`` tiles many small pictures (maps, filters) into one array to draw.

All of them take host NumPy arrays and return ``str`` (SVG) or ``bytes`` (PNG), ready
for an ``HTML`` or ``Image`` widget's ``value``.
"""
import functools
import html
import io

import numpy as np
from matplotlib import colormaps
from PIL import Image

#: colours of successive lines (matplotlib's default cycle)
COLOURS = ('#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f',
           '#bcbd22', '#17becf')


def _pick(x, y, max_points):
    if len(x) <= max_points:
        return x, y
    keep = np.linspace(0, len(x) - 1, max_points).round().astype(int)
    return x[keep], y[keep]


def _svg_points(xs, ys):
    """'x1,y1 x2,y2 ...' with one decimal, written by one % over all the numbers (a few
    times faster than formatting each point)."""
    flat = np.empty(2 * len(xs))
    flat[0::2], flat[1::2] = xs, ys
    return ('%.1f,%.1f ' * len(xs) % tuple(flat.tolist()))[:-1]


def format_number(value):
    """A short label: 3 significant digits, scientific notation when very small or large."""
    if not np.isfinite(value):
        return str(value)
    if value != 0 and (abs(value) < 1e-2 or abs(value) >= 1e4):
        return f'{value:.2e}'
    return f'{value:.3g}'


LEGEND_ROW = 13         # pixels per row of the legend under a chart
CHARACTER_WIDTH = 6     # about the width of one character of the 10 px sans-serif labels


def legend_layout(labels, left, width):
    """Where each legend entry goes, in rows under the chart: (x, row) per label, entries
    side by side from ``left``, a new row where the next would pass ``width``."""
    places, x, row = [], left, 0
    for label in labels:
        entry = 18 + CHARACTER_WIDTH * len(label)           # the line sample, then the text
        if x > left and x + entry > width:
            x, row = left, row + 1
        places.append((x, row))
        x += entry + 12
    return places


def line_chart(lines, width=420, height=180, log_scale=False, title='', x_label='', max_points=400):
    """An SVG line chart.

    # Arguments
        lines: list of dicts with 'x', 'y' (host arrays), 'label', and optionally 'colour',
            'dashed' (bool) and 'faint' (bool: drawn thin and pale, e.g. raw values behind
            a smoothed line, and left out of the legend).
        width, height: the size of the chart with its axes' labels; the legend adds rows
            under it (``legend_layout``), so that it never covers a line.
        log_scale: a logarithmic y axis (non-positive values are left out).
        title, x_label: text above and below the plot.

    # Returns
        The SVG as a string. Non-finite values are skipped; an empty chart says so.
    """
    left, right, top, bottom = 52, 8, 18, 22
    plot_w, plot_h = width - left - right, height - top - bottom
    cleaned = []
    for i, line in enumerate(lines):
        x = np.asarray(line['x'], dtype=float)
        y = np.asarray(line['y'], dtype=float)
        keep = np.isfinite(x) & np.isfinite(y) & ((y > 0) if log_scale else True)
        x, y = _pick(x[keep], y[keep], max_points)
        if len(x):
            cleaned.append((line, x, np.log10(y) if log_scale else y, line.get('colour', COLOURS[i % len(COLOURS)])))
    legend = [(line['label'], colour, line.get('dashed')) for line, _, _, colour in cleaned
              if not line.get('faint')]
    places = legend_layout([label for label, _, _ in legend], left, width - right)
    rows = places[-1][1] + 1 if places else 0
    total_height = height + rows * LEGEND_ROW + (4 if rows else 0)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{total_height}" '
             f'viewBox="0 0 {width} {total_height}" style="font: 10px sans-serif">',
             f'<text x="{left}" y="12" font-weight="bold">{html.escape(title)}</text>',
             f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#ccc"/>']
    if not cleaned:
        parts.append(f'<text x="{left + 8}" y="{top + plot_h / 2}" fill="#888">no data yet</text></svg>')
        return ''.join(parts)
    x_all = np.concatenate([x for _, x, _, _ in cleaned])
    y_all = np.concatenate([y for _, _, y, _ in cleaned])
    x_min, x_max = x_all.min(), x_all.max()
    y_min, y_max = y_all.min(), y_all.max()
    if x_max == x_min:
        x_max = x_min + 1
    if y_max == y_min:
        y_min, y_max = y_min - 0.5, y_max + 0.5

    def sx(x):
        return left + (x - x_min) / (x_max - x_min) * plot_w

    def sy(y):
        return top + (y_max - y) / (y_max - y_min) * plot_h

    for line, x, y, colour in cleaned:
        points = _svg_points(sx(x), sy(y))
        style = ' stroke-dasharray="4 3"' if line.get('dashed') else ''
        stroke = 'stroke-width="1" stroke-opacity="0.3"' if line.get('faint') else 'stroke-width="1.5"'
        if len(x) == 1:
            parts.append(f'<circle cx="{sx(x)[0]:.1f}" cy="{sy(y)[0]:.1f}" r="2.5" fill="{colour}"/>')
        else:
            parts.append(f'<polyline fill="none" stroke="{colour}" {stroke}{style} points="{points}"/>')
    for value, y in ((y_max, top + 8), (y_min, top + plot_h)):
        label = format_number(10 ** value if log_scale else value)
        parts.append(f'<text x="{left - 4}" y="{y}" text-anchor="end">{label}</text>')
    parts.append(f'<text x="{left}" y="{height - 6}">{format_number(x_min)}</text>')
    parts.append(f'<text x="{left + plot_w}" y="{height - 6}" text-anchor="end">{format_number(x_max)}</text>')
    parts.append(f'<text x="{left + plot_w / 2}" y="{height - 6}" text-anchor="middle">{html.escape(x_label)}'
                 + (' · values on a log scale' if log_scale else '') + '</text>')
    for (label, colour, dashed), (x0, row) in zip(legend, places):
        y0 = height + 8 + row * LEGEND_ROW                   # under the x axis's labels
        style = ' stroke-dasharray="4 3"' if dashed else ''
        parts.append(f'<line x1="{x0}" y1="{y0 - 3}" x2="{x0 + 14}" y2="{y0 - 3}" stroke="{colour}" '
                     f'stroke-width="2"{style}/><text x="{x0 + 18}" y="{y0}">{html.escape(label)}</text>')
    parts.append('</svg>')
    return ''.join(parts)


def _enlarged(array, min_size):
    """Repeat pixels so that the shorter side has at least ``min_size`` pixels."""
    rows, cols = array.shape[:2]                    # an RGB array's colour axis is not enlarged
    factor = max(1, int(np.ceil(min_size / max(1, min(rows, cols)))))
    factor = min(factor, max(1, 512 // max(rows, cols)))
    return np.repeat(np.repeat(array, factor, axis=0), factor, axis=1) if factor > 1 else array


@functools.lru_cache(maxsize=None)
def _palette(cmap):
    """The colour map's colours as a flat list r, g, b, r, g, b... of bytes (a PNG palette),
    exactly the bytes matplotlib paints them with; and how many colours there are."""
    colours = colormaps[cmap]
    return colours(np.arange(colours.N), bytes=True)[:, :3].reshape(-1).tolist(), colours.N


def colour_indices(array, vmin, vmax, colours):
    """Which of ``colours`` colours matplotlib gives each value of ``array`` between ``vmin``
    and ``vmax``: ⌊(v - vmin) / (vmax - vmin) · colours⌋, clipped to 0 … colours - 1 (so values
    below vmin take the first colour and above vmax the last, as matplotlib's defaults do)."""
    scaled = (array - vmin) / (vmax - vmin) * colours
    return np.clip(scaled, 0, colours - 1).astype(np.uint8)


def heatmap_png(array, cmap='viridis', vmin=None, vmax=None, min_size=96):
    """A 2-D host array as PNG bytes, one colour-mapped pixel per value (rows top to bottom).

    ``vmin``/``vmax`` fix the colour range (default: the array's finite range); non-finite
    values show as the lowest colour. The colours are those ``matplotlib.image.imsave``
    would paint, in a palette PNG (see the module doc)."""
    array = np.asarray(array, dtype=float)
    finite = np.isfinite(array)
    if vmin is None:
        vmin = float(array[finite].min()) if finite.any() else 0.0
    if vmax is None:
        vmax = float(array[finite].max()) if finite.any() else 1.0
    if vmax <= vmin:
        vmax = vmin + 1e-12
    palette, colours = _palette(cmap)
    indices = colour_indices(np.where(finite, array, vmin), vmin, vmax, colours)
    picture = Image.fromarray(_enlarged(indices, min_size))      # 8-bit grey levels, made a palette:
    picture.putpalette(palette)
    buffer = io.BytesIO()
    picture.save(buffer, format='png', compress_level=1)
    return buffer.getvalue()


def histogram_svg(counts, width=240, height=60, colour='#1f77b4'):
    """Histogram bars (one per count, heights scaled to the largest) as a small SVG."""
    counts = np.asarray(counts, dtype=float)
    peak = counts.max() if counts.size and counts.max() > 0 else 1.0
    bar = width / max(1, counts.size)
    bars = ''.join(f'<rect x="{i * bar:.1f}" y="{height - h:.1f}" width="{max(bar - 1, 1):.1f}" height="{h:.1f}"/>'
                   for i, h in enumerate(np.maximum(counts, 0) / peak * height) if h > 0)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}"><rect width="{width}" height="{height}" fill="#f4f4f4"/>'
            f'<g fill="{colour}">{bars}</g></svg>')


def rgb_png(array, min_size=96):
    """An (rows, cols, 3) host array of red, green and blue in [0, 1] as PNG bytes (the
    gaps of an ``image_grid``, NaN, are white)."""
    colours = np.clip(np.nan_to_num(np.asarray(array, dtype=float), nan=1.0), 0, 1)
    picture = Image.fromarray((_enlarged(colours, min_size) * 255).astype(np.uint8), mode='RGB')
    buffer = io.BytesIO()
    picture.save(buffer, format='png', compress_level=1)
    return buffer.getvalue()


def image_grid(images, columns=8, gap=1, own_scale=True, blank=np.nan):
    """Tile equally shaped arrays (2-D, or 3-D with a trailing colour axis) into one array,
    ``columns`` per row, with ``gap`` pixels of ``blank`` between them. With ``own_scale``
    each is scaled to its own 0..1 range (feature maps at a glance); otherwise the values
    are kept as they are, to be drawn on one common scale."""
    images = [np.asarray(image, dtype=float) for image in images]
    if not images:
        return np.zeros((1, 1))
    rows_n = int(np.ceil(len(images) / columns))
    h, w = images[0].shape[:2]
    columns = min(columns, len(images))
    grid = np.full((rows_n * (h + gap) - gap, columns * (w + gap) - gap) + images[0].shape[2:], blank)
    for k, image in enumerate(images):
        if own_scale:
            finite = np.isfinite(image)
            low = image[finite].min() if finite.any() else 0.0
            high = image[finite].max() if finite.any() else 1.0
            image = (image - low) / (high - low) if high > low else np.zeros_like(image)
        r, c = divmod(k, columns)
        grid[r * (h + gap): r * (h + gap) + h, c * (w + gap): c * (w + gap) + w] = image
    return grid


MAX_MAPS = 32


def maps_png(maps, max_maps=MAX_MAPS):
    """The first ``max_maps`` feature maps (or filters) as one grey PNG grid, each on its own
    scale; a 1-D map (one per timestep) is drawn as a row."""
    arrays = [a if np.ndim(a) == 2 else np.asarray(a)[None, :] for a in list(maps)[:max_maps]]
    return heatmap_png(image_grid(arrays), cmap='gray', vmin=0, vmax=1)
