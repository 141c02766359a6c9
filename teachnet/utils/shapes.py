"""Shapes as messages print them: ``(None, 784)``, ``(None, 3, 32, 32)``, ``(10,)``.

``None`` stands for a size that may be anything (the batch axis, mostly).
"""


def format_shape(shape):
    """(None, 784) -> '(None, 784)'; a one-axis shape keeps Python's comma: '(10,)'."""
    return '(' + ', '.join('None' if d is None else str(d) for d in shape) + (',)' if len(shape) == 1 else ')')
