"""An LSTM cell, drawn: its four gates, the cell path along the top, the output below.

In the notation of the tutorials (notebook 3), at every timestep $t$

$$
\\begin{aligned}
i_t &= \\sigma(x_t W_i + h_{t-1} U_i + b_i), &
f_t &= \\sigma(x_t W_f + h_{t-1} U_f + b_f), \\\\
\\tilde c_t &= g(x_t W_c + h_{t-1} U_c + b_c), &
o_t &= \\sigma(x_t W_o + h_{t-1} U_o + b_o), \\\\
c_t &= f_t \\odot c_{t-1} + i_t \\odot \\tilde c_t, &
h_t &= o_t \\odot g(c_t).
\\end{aligned}
$$

The picture is drawn from ``WIRING``, a table of the cell's nodes (inputs, the gates' boxes
$\\sigma$ and $g$, the products $\\odot$ and the sum $+$, outputs) and the wires between them.
The same table can be *computed* (``run_wiring``): the tests run it with a real layer's
weights and find the layer's own gates and states, so the picture shows what the layer does.

``lstm_cell_svg()`` returns the picture as an SVG string.
"""
import html
import re
from collections import namedtuple

#: one node of the drawing: its name (the gates keep the names of ``inspect.gates``: 'i',
#: 'f', 'c~', 'o', 'c', 'h'), its kind ('input', 'σ', 'g', '⊙', '+', 'output'), its label
#: (``_{...}`` is a subscript, ``~`` over the letter before it) and its centre
Node = namedtuple('Node', 'name kind label at')
#: one wire: from node ``source`` to node ``target``, through the corners ``via``
Wire = namedtuple('Wire', 'source target via')

NODES = [
    Node('c_prev', 'input', 'c_{t−1}', (34, 60)),
    Node('h_prev', 'input', 'h_{t−1}', (34, 260)),
    Node('x', 'input', 'x_{t}', (120, 308)),
    Node('f', 'σ', 'f_{t}', (170, 190)),
    Node('i', 'σ', 'i_{t}', (250, 190)),
    Node('c~', 'g', 'c~_{t}', (330, 190)),
    Node('o', 'σ', 'o_{t}', (430, 190)),
    Node('kept', '⊙', '', (170, 60)),
    Node('written', '⊙', '', (290, 125)),
    Node('c', '+', '', (290, 60)),
    Node('g(c)', 'g', 'g(c_{t})', (500, 115)),
    Node('h', '⊙', '', (500, 190)),
    Node('c_out', 'output', 'c_{t}', (580, 60)),
    Node('h_out', 'output', 'h_{t}', (580, 260)),
]

WIRES = [Wire(source, gate, [(x, 260), (gate_x, 260)])
         for gate, gate_x in (('f', 170), ('i', 250), ('c~', 330), ('o', 430))
         for source, x in (('h_prev', 34), ('x', 120))] + [
    Wire('c_prev', 'kept', []),
    Wire('f', 'kept', []),
    Wire('i', 'written', [(250, 125)]),
    Wire('c~', 'written', [(330, 125)]),
    Wire('kept', 'c', []),
    Wire('written', 'c', []),
    Wire('c', 'c_out', []),
    Wire('c', 'g(c)', [(500, 60)]),
    Wire('g(c)', 'h', []),
    Wire('o', 'h', []),
    Wire('h', 'h_out', [(500, 260)]),
]

WIRING = (NODES, WIRES)

STYLE = {'σ': ('#fdd0a2', 'rect'), 'g': ('#c7e9c0', 'rect'), '⊙': ('#ffffff', 'circle'),
         '+': ('#ffffff', 'circle'), 'input': (None, None), 'output': (None, None)}


def inputs_of(name, wires=WIRES):
    """The names of the nodes wired into node ``name``, in the table's order."""
    return [wire.source for wire in wires if wire.target == name]


def run_wiring(inputs, preactivation, sigma, g, wiring=WIRING):
    """Compute the drawn cell: ``inputs`` gives 'c_prev', 'h_prev' and 'x';
    ``preactivation(gate, x, h_prev)`` is that gate's $x W + h U + b$; ``sigma`` and ``g``
    are the activations. Returns the value of every node, by name."""
    nodes, wires = wiring
    values = dict(inputs)
    pending = [node for node in nodes if node.name not in values]
    while pending:
        node = next(n for n in pending if all(s in values for s in inputs_of(n.name, wires)))
        sources = inputs_of(node.name, wires)
        if node.kind in ('σ', 'g') and sorted(sources) == ['h_prev', 'x']:
            activation = sigma if node.kind == 'σ' else g
            values[node.name] = activation(preactivation(node.name, values['x'], values['h_prev']))
        elif node.kind == 'g':
            values[node.name] = g(values[sources[0]])
        elif node.kind == '⊙':
            values[node.name] = values[sources[0]] * values[sources[1]]
        elif node.kind == '+':
            values[node.name] = values[sources[0]] + values[sources[1]]
        else:                                               # an output: what its wire carries
            values[node.name] = values[sources[0]]
        pending.remove(node)
    return values


def label_svg(label, x, y, anchor='middle', size=13):
    """An SVG ``<text>`` for a label such as 'c~_{t−1}': subscripts lowered, '~' as a tilde."""
    match = re.fullmatch(r'(.*?)(~?)_\{(.*)\}(\))?', label)
    if not match:
        return f'<text x="{x}" y="{y}" text-anchor="{anchor}" font-size="{size}">{html.escape(label)}</text>'
    base, tilde, sub, close = match.groups()
    base = html.escape(base) + ('\u0303' if tilde else '')
    return (f'<text x="{x}" y="{y}" text-anchor="{anchor}" font-size="{size}" font-style="italic">{base}'
            f'<tspan font-size="{size * 0.7:.0f}" dy="4">{html.escape(sub)}</tspan>'
            f'<tspan dy="-4">{close or ""}</tspan></text>')


def _node_svg(node):
    x, y = node.at
    fill, shape = STYLE[node.kind]
    if shape == 'rect':
        text = 'σ' if node.kind == 'σ' else 'g'
        return (f'<rect class="teachnet-gate-box" x="{x - 20}" y="{y - 14}" width="40" height="28" rx="5" '
                f'fill="{fill}" stroke="#555"/><text x="{x}" y="{y + 5}" text-anchor="middle" '
                f'font-size="15" font-style="italic">{text}</text>')
    if shape == 'circle':
        return (f'<circle class="teachnet-operation" cx="{x}" cy="{y}" r="11" fill="{fill}" stroke="#555"/>'
                f'<text x="{x}" y="{y + 5}" text-anchor="middle" font-size="15">{node.kind}</text>')
    return ''


def _end_gap(kind, vertical):
    """How far before a node's centre a wire's arrow stops: at the edge of its box or circle."""
    if kind in ('σ', 'g'):
        return 15 if vertical else 21
    return 12 if kind in ('⊙', '+') else 4


def _wire_svg(wire, nodes):
    at = {name: node.at for name, node in nodes.items()}
    points = [at[wire.source]] + list(wire.via) + [at[wire.target]]
    (x0, y0), (x1, y1) = points[-2], points[-1]
    length = max(abs(x1 - x0) + abs(y1 - y0), 1)
    gap = _end_gap(nodes[wire.target].kind, vertical=x0 == x1)
    points[-1] = (x1 - (x1 - x0) * gap / length, y1 - (y1 - y0) * gap / length)
    text = ' '.join(f'{x:g},{y:g}' for x, y in points)
    return (f'<polyline class="teachnet-wire" data-from="{html.escape(wire.source)}" '
            f'data-to="{html.escape(wire.target)}" points="{text}" fill="none" stroke="#444" '
            f'stroke-width="1.6" marker-end="url(#teachnet-lstm-arrow)"/>')


LABEL_PLACES = {'f': (184, 130, 'start'), 'i': (236, 160, 'end'), 'c~': (344, 160, 'start'),
                'o': (466, 182, 'middle'), 'g(c)': (512, 92, 'start'), 'c_prev': (34, 50, 'middle'),
                'h_prev': (34, 250, 'middle'), 'x': (136, 312, 'start'), 'c_out': (580, 50, 'middle'),
                'h_out': (580, 250, 'middle')}


def lstm_cell_svg(width=620, height=330):
    """The LSTM cell as an SVG string, drawn from ``WIRING`` (see the module doc)."""
    nodes = {node.name: node for node in NODES}
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="teachnet-lstm-cell" width="{width}" '
             f'height="{height}" viewBox="0 0 {width} {height}" style="font-family: serif">',
             '<defs><marker id="teachnet-lstm-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="5" '
             'markerHeight="5" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#444"/></marker></defs>',
             '<rect x="60" y="30" width="480" height="268" rx="14" fill="#f7f7f7" stroke="#bbb"/>',
             '<text x="70" y="46" font-size="11" font-family="sans-serif" fill="#555">the cell path: '
             'only ⊙ f and + i ⊙ c̃ on the way</text>']
    parts += [_wire_svg(wire, nodes) for wire in WIRES]
    parts += [_node_svg(node) for node in NODES]
    for name, (x, y, anchor) in LABEL_PLACES.items():
        label = next(node.label for node in NODES if node.name == name)
        parts.append(label_svg(label, x, y, anchor))
    parts.append('<text x="150" y="290" font-size="11" font-family="sans-serif" fill="#555">'
                 'every box sees [x_t, h_t−1]: σ(x W + h U + b), g(x W + h U + b)</text>')
    parts.append('</svg>')
    return ''.join(parts)
