"""``model.summary()``: one row per layer, as Keras 1 prints it.

A functional model lists, for each layer, the tensors it was called on
(``dense_1[0][0]``: output 0 of call 0 of dense_1). A model that starts with a Merge shows each branch (a model with its layers indented
beneath it), then the Merge, connected to every branch.

The parameter count of a Dense layer with n inputs and m units is n·m + m: a weight for
every (input, unit) pair plus one bias per unit.
"""
from teachnet.utils.shapes import format_shape

COLUMNS = ('Layer (type)', 'Output Shape', 'Param #', 'Connected to')
POSITIONS = (.33, .55, .67, 1.)


def _row(fields, positions):
    line = ''
    for i, field in enumerate(fields):
        if i > 0:
            line = line[:-1] + ' '
        line = (line + str(field))[:positions[i]]
        line += ' ' * (positions[i] - len(line))
    return line.rstrip()


def format_summary(model, line_length=100):
    """The summary table of a model (Sequential or functional), as one string."""
    positions = [int(line_length * p) for p in POSITIONS]
    lines = ['_' * line_length, _row(COLUMNS, positions), '=' * line_length]
    groups = _graph_groups(model) if hasattr(model, 'layer_nodes') else _stack_groups(model.layers, depth=0)
    for i, group in enumerate(groups):
        for depth, name, shape, params, connected in group:
            shape = shape if isinstance(shape, str) else format_shape(shape)
            lines.append(_row(['  ' * depth + name, shape, params, connected[0] if connected else ''], positions))
            lines += [_row(['', '', '', source], positions) for source in connected[1:]]
        lines.append(('=' if i == len(groups) - 1 else '_') * line_length)
    trainable = sum(p.data.size for p in model.trainable_weights if p.trainable)
    total = model.count_params()
    lines += [f'Total params: {total:,}', f'Trainable params: {trainable:,}',
              f'Non-trainable params: {total - trainable:,}', '_' * line_length]
    return '\n'.join(lines)


# A functional Model shows one row per layer, connected to the tensors of each of its calls
# (a shared layer lists the inputs of every call); 'multiple' when its calls differ in shape.

def _graph_groups(model):
    groups = []
    for layer in model.layers:
        nodes = model.layer_nodes(layer)
        shapes = {tuple(t.shape) for node in nodes for t in node.outputs}
        shape = shapes.pop() if len(shapes) == 1 else 'multiple'
        connected = [model.reference(t) for node in nodes for t in node.inputs]
        groups.append([(0, f'{layer.name} ({_type_name(layer)})', shape, layer.count_params(), connected)])
    return groups


def _type_name(layer):
    return 'Model' if hasattr(layer, 'layer_nodes') else type(layer).__name__


# A Merge shows its branches first, each with its layers indented beneath it, then the
# merge row connected to every branch (as Keras 1 listed a merge's inputs).

def _stack_groups(layers, depth):
    """Row groups for a stack of layers, each layer fed by the one before."""
    groups, previous = [], None
    for layer in layers:
        source = f'{layer.name}_input' if previous is None else previous
        groups += _layer_groups(layer, source, depth)
        previous = layer.name
    return groups


def _layer_groups(layer, source, depth):
    branches = getattr(layer, 'branches', None)
    if not branches:
        return [[(depth, f'{layer.name} ({type(layer).__name__})', layer.output_shape, layer.count_params(),
                  [f'{source}[0][0]'])]]
    groups = [group for branch in branches for group in _branch_groups(branch, depth)]
    groups.append([(depth, f'{layer.name} (Merge)', layer.output_shape, 0, [f'{b.name}[0][0]' for b in branches])])
    return groups


def _branch_groups(branch, depth):
    """One branch: a model's own row with its layers beneath, or a single layer's rows."""
    if not hasattr(branch, 'layers'):
        return _layer_groups(branch, f'{branch.name}_input', depth)
    inputs = getattr(branch.layers[0], 'input_layers', branch.layers[:1])
    heading = (depth, f'{branch.name} ({type(branch).__name__})', branch.output_shape, branch.count_params(),
               [f'{layer.name}_input[0][0]' for layer in inputs])
    return [[heading] + [row for group in _stack_groups(branch.layers, depth + 1) for row in group]]
