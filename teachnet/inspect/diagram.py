"""A model as rows of boxes: what a small drawing of the network needs.

``model_diagram(model)`` returns the model's layers grouped in *levels*, from input to
output. A Sequential model has one box per level; the branches of a Merge sit side by side
on the same levels, with the Merge below them; a functional model puts each layer one level
below the deepest layer feeding it, so parallel paths share levels::

    model_diagram(model)
    # [[Box('dense_1', 'Dense')], [Box('dense_2', 'Dense')], [Box('loss', 'loss')]]

Each ``Box`` names the layers it stands for (``box.layers``): a trace step of any of them
(``step.layer``) lights that box. A model used inside a functional model is one box for all
its layers. The loss comes last, as the box ``'loss'``, like the trace steps of the loss.
"""
from teachnet.inspect.layer_outputs import model_layers


class Box:
    """One box of the diagram: its ``name``, its ``kind`` (the layer class) and ``layers``,
    the names of the layers it stands for (trace steps carry one of them)."""

    def __init__(self, name, kind, layers=None):
        self.name = name
        self.kind = kind
        self.layers = list(layers or [name])

    def __repr__(self):
        return f'Box({self.name!r}, {self.kind!r})'


def _sequence_levels(layers):
    """Levels of layers run one after the other (a Sequential model, a Merge's branch)."""
    levels = []
    for layer in layers:
        branches = getattr(layer, 'branches', None)
        if branches:                                        # a Merge: its branches side by side
            columns = [_levels(branch) for branch in branches]
            depth = max(len(column) for column in columns)
            for k in range(depth):
                levels.append([box for column in columns if k < len(column) for box in column[k]])
            levels.append([Box(layer.name, type(layer).__name__)])
        elif getattr(layer, 'nodes', None) is not None or getattr(layer, 'layers', None):
            levels.extend(_levels(layer))                   # a model used as a layer: its own levels
        else:
            levels.append([Box(layer.name, type(layer).__name__)])
    return levels


def _graph_levels(model):
    """Levels of a functional model: each layer one below the deepest layer feeding it."""
    depth_of_node, levels, placed = {}, [], set()
    for node in model.nodes:
        depth = 1 + max((depth_of_node[id(t.node)] for t in node.inputs), default=-1)
        depth_of_node[id(node)] = depth
        layer = node.layer
        if layer.name in placed:                            # a shared layer: one box, at its first call
            continue
        placed.add(layer.name)
        while len(levels) <= depth:
            levels.append([])
        levels[depth].append(Box(layer.name, type(layer).__name__, [inner.name for inner in model_layers(layer)] or [layer.name]))
    return [level for level in levels if level]


def _levels(layer):
    if getattr(layer, 'nodes', None) is not None:
        return _graph_levels(layer)
    if getattr(layer, 'layers', None):
        return _sequence_levels(layer.layers)
    return [[Box(layer.name, type(layer).__name__)]]


def model_diagram(model):
    """The model's boxes in levels, input first, the loss box last (see the module doc)."""
    return _levels(model) + [[Box('loss', 'loss')]]


def highlighted_box(levels, layer_name):
    """The box of ``levels`` standing for the layer called ``layer_name`` (None if none)."""
    for level in levels:
        for box in level:
            if layer_name in box.layers:
                return box
    return None
