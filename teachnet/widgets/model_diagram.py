"""The model drawn as rows of boxes, one row per level, input at the top.

The levels come from ``teachnet.inspect.diagram.model_diagram``: a Merge's branches and a
functional model's parallel paths stand side by side. ``diagram_html(levels, current)``
draws them as plain HTML; the box standing for the layer ``current`` is filled, so a
student sees where in the network the step they are reading happens.
"""
import html

from teachnet.inspect.diagram import highlighted_box

BOX = ('display:inline-block;margin:2px 4px;padding:2px 6px;border:1px solid #888;'
       'border-radius:4px;font:11px sans-serif;')
LIT = 'background:#ff7f0e;color:white;border-color:#ff7f0e;font-weight:bold;'


def diagram_html(levels, current=None):
    """HTML of the diagram's boxes, the box of the layer called ``current`` highlighted
    (with the class ``teachnet-current``)."""
    lit = highlighted_box(levels, current) if current is not None else None
    rows = []
    for level in levels:
        boxes = []
        for box in level:
            on = box is lit
            title = html.escape(f'{box.name} ({box.kind})')
            boxes.append(f'<span class="teachnet-box{" teachnet-current" if on else ""}" title="{title}" '
                         f'style="{BOX}{LIT if on else ""}">{html.escape(box.name)}</span>')
        rows.append(f'<div style="text-align:center">{"".join(boxes)}</div>')
    arrow = '<div style="text-align:center;color:#888;font-size:10px;line-height:10px">↓</div>'
    return f'<div class="teachnet-diagram">{arrow.join(rows)}</div>'
