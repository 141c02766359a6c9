"""The computation graph of a trace, drawn: every op of the forward pass as a box, the arrays
flowing between them as arrows labelled with their shapes.

A trace's forward steps know where each of their inputs came from (``step.sources``: the
step that computed it, or None for the data and the parameters). That is the whole graph:

* each forward step is a box (its layer, its op and its formula), one row below the
  deepest step feeding it, so that steps side by side are independent of each other
  (the branches of a Merge);
* an arrow joins a step to each step that used its output, labelled with the output's shape;
* what no step computed (the data $x$, the targets, the parameters $W$ and $b$) stands
  on the left of the step that reads it, with its shape.

Backward walks the same arrows the other way: each box receives $\\partial L/\\partial$ of
its output from the boxes below it and sends $\\partial L/\\partial$ of each input up its
arrows, and to its parameters.

``computation_graph_svg(trace)`` returns the picture as an SVG string;
``graph_levels(trace)`` the forward steps in those rows.
"""
import html

LEAF_WIDTH, ROW_GAP, LEAF_HEIGHT, BOX_HEIGHT, CHAR = 120, 34, 18, 38, 6.2


def graph_levels(trace):
    """The trace's forward steps in rows: each step one row below the deepest step that
    computed one of its inputs; steps that read only data and parameters on row 0."""
    steps = trace.forward
    depth = {}
    for step in steps:
        feeding = [depth[id(source)] for source in step.sources if source is not None and id(source) in depth]
        depth[id(step)] = 1 + max(feeding, default=-1)
    levels = [[] for _ in range(1 + max(depth.values(), default=-1))]
    for step in steps:
        levels[depth[id(step)]].append(step)
    return levels


def _shape(array):
    return str(tuple(getattr(array, 'shape', ())))


def _leaves(step, in_trace):
    """The inputs of ``step`` that no step of the trace computed: (short name, label, array)."""
    return [(label.split(' = ')[0], label, value) for (label, value), source in zip(step.inputs, step.sources)
            if value is not None and (source is None or id(source) not in in_trace)]


def _box_width(step):
    return max(len(f'{step.layer} · {step.op}') * CHAR, len(step.formula) * 6.7) + 16


def computation_graph_svg(trace):
    """An SVG string: the forward computation of ``trace`` as a graph (see the module doc)."""
    in_trace = {id(step) for step in trace.forward}
    levels = graph_levels(trace)
    places, parts, y = {}, [], 30
    width = 0
    for level in levels:
        x = 10
        height = max([BOX_HEIGHT] + [len(_leaves(step, in_trace)) * LEAF_HEIGHT for step in level])
        for step in level:
            leaves = _leaves(step, in_trace)
            box_x, box_w = x + LEAF_WIDTH + 20, _box_width(step)
            box_y = y + (height - BOX_HEIGHT) / 2
            places[id(step)] = (box_x, box_y, box_w)
            top = y + (height - len(leaves) * LEAF_HEIGHT) / 2
            for k, (name, label, value) in enumerate(leaves):
                leaf_y = top + k * LEAF_HEIGHT + LEAF_HEIGHT / 2
                parts.append(f'<text class="teachnet-leaf" x="{x + LEAF_WIDTH:g}" y="{leaf_y + 4:g}" '
                             f'text-anchor="end"><title>{html.escape(label)}</title>{html.escape(name)} '
                             f'{_shape(value)}</text>')
                parts.append(f'<line x1="{x + LEAF_WIDTH + 3:g}" y1="{leaf_y:g}" x2="{box_x - 2:g}" '
                             f'y2="{box_y + BOX_HEIGHT / 2:g}" stroke="#999" marker-end="url(#teachnet-graph-arrow)"/>')
            parts.append(f'<rect class="teachnet-op" x="{box_x:g}" y="{box_y:g}" width="{box_w:g}" '
                         f'height="{BOX_HEIGHT}" rx="5" fill="#e8f0fa" stroke="#1f77b4"/>')
            parts.append(f'<text x="{box_x + 8:g}" y="{box_y + 15:g}" font-weight="bold">'
                         f'{html.escape(step.layer)} · {html.escape(step.op)}</text>')
            parts.append(f'<text x="{box_x + 8:g}" y="{box_y + 31:g}" font-family="monospace">'
                         f'{html.escape(step.formula)}</text>')
            x = box_x + box_w + 30
        width = max(width, x)
        y += height + ROW_GAP
    for step in trace.forward:
        to_x, to_y, to_w = places[id(step)]
        for source in step.sources:
            if source is None or id(source) not in places:
                continue
            from_x, from_y, from_w = places[id(source)]
            x1, y1, x2, y2 = from_x + from_w / 2, from_y + BOX_HEIGHT, to_x + to_w / 2, to_y - 2
            index = trace.forward.index
            parts.append(f'<line class="teachnet-flow" data-from="{index(source)}" data-to="{index(step)}" '
                         f'x1="{x1:g}" y1="{y1:g}" x2="{x2:g}" y2="{y2:g}" stroke="#1f77b4" stroke-width="1.5" '
                         f'marker-end="url(#teachnet-graph-arrow)"/>')
            parts.append(f'<text x="{(x1 + x2) / 2 + 6:g}" y="{(y1 + y2) / 2 + 4:g}" fill="#1f77b4">'
                         f'{_shape(source.output)}</text>')
    head = [f'<svg xmlns="http://www.w3.org/2000/svg" class="teachnet-computation-graph" width="{width:g}" '
            f'height="{y:g}" style="font: 11px sans-serif">',
            '<defs><marker id="teachnet-graph-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" '
            'markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>',
            f'<text x="10" y="16" font-weight="bold">{html.escape(trace.title)}: the forward computation</text>']
    return ''.join(head + parts + ['</svg>'])
