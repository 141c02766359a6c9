"""``model.summary()``: one row per layer, as Keras 1 prints it.

The parameter count of a Dense layer with n inputs and m units is n·m + m: a weight for
every (input, unit) pair plus one bias per unit.
"""
from teachnet.layers.base import format_shape

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
    """The summary table of a Sequential model, as one string."""
    positions = [int(line_length * p) for p in POSITIONS]
    lines = ['_' * line_length, _row(COLUMNS, positions), '=' * line_length]
    previous = None
    for i, layer in enumerate(model.layers):
        source = f'{layer.name}_input' if previous is None else previous
        lines.append(_row([f'{layer.name} ({type(layer).__name__})', format_shape(layer.output_shape),
                           layer.count_params(), f'{source}[0][0]'], positions))
        lines.append(('=' if i == len(model.layers) - 1 else '_') * line_length)
        previous = layer.name
    trainable = sum(p.data.size for layer in model.layers if layer.trainable for p in layer.params if p.trainable)
    total = model.count_params()
    lines += [f'Total params: {total:,}', f'Trainable params: {trainable:,}',
              f'Non-trainable params: {total - trainable:,}', '_' * line_length]
    return '\n'.join(lines)
