"""The gradient check as a picture: one bar per parameter, its relative error on a log scale.

``error_bars_svg(report)`` draws a horizontal bar per row of a ``GradientCheckReport``,
as long as log10 of its relative error, with a dashed line at the tolerance: bars that
cross it (failures) are red, the others green. An error of 0 sits at the left edge. In a
notebook the report shows this chart next to its table.
"""
import html
import math

LEFT, BAR, GAP, WIDTH = 170, 14, 6, 300


def _decade(error, floor):
    return math.log10(error) if error > 0 else floor


def error_bars_svg(report):
    """An SVG string: the report's relative errors as bars on a log axis, tolerance marked."""
    errors = [row['relative_error'] for row in report.rows]
    finite = [e for e in errors if e > 0 and math.isfinite(e)]
    low = math.floor(min([math.log10(report.tolerance) - 4] + [math.log10(e) for e in finite]))
    high = max(0, math.ceil(max([math.log10(report.tolerance) + 1] + [math.log10(e) for e in finite])))

    def x_of(decade):
        return LEFT + (min(max(decade, low), high) - low) / (high - low) * WIDTH

    top = 16
    height = top + len(errors) * (BAR + GAP) + 20
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="teachnet-gradient-check-chart" '
             f'width="{LEFT + WIDTH + 70}" height="{height}" style="font: 10px sans-serif">',
             '<text x="0" y="10" font-weight="bold">relative error (log scale)</text>']
    for k, (row, error) in enumerate(zip(report.rows, errors)):
        y = top + k * (BAR + GAP)
        failed = not error <= report.tolerance
        decade = high if not math.isfinite(error) else _decade(error, low)
        colour = '#d62728' if failed else '#2ca02c'
        parts.append(f'<text x="{LEFT - 4}" y="{y + BAR - 3}" text-anchor="end">{html.escape(row["parameter"])}</text>')
        parts.append(f'<rect class="{"failed" if failed else "passed"}" x="{LEFT}" y="{y}" '
                     f'width="{x_of(decade) - LEFT:.1f}" height="{BAR}" fill="{colour}"/>')
        parts.append(f'<text x="{x_of(decade) + 3:.1f}" y="{y + BAR - 3}">{error:.1e}</text>')
    tolerance_x = x_of(math.log10(report.tolerance))
    bottom = top + len(errors) * (BAR + GAP)
    parts.append(f'<line class="tolerance" x1="{tolerance_x:.1f}" y1="{top - 4}" x2="{tolerance_x:.1f}" '
                 f'y2="{bottom}" stroke="#333" stroke-dasharray="4 3"/>')
    parts.append(f'<text x="{tolerance_x:.1f}" y="{bottom + 12}" text-anchor="middle">tolerance '
                 f'{report.tolerance:.0e}</text>')
    parts.append(f'<text x="{LEFT}" y="{bottom + 12}">1e{low}</text>')
    parts.append(f'<text x="{LEFT + WIDTH}" y="{bottom + 12}" text-anchor="end">1e{high}</text></svg>')
    return ''.join(parts)
