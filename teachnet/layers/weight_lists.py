"""Setting the weights of something made of parts (a model's layers, a Merge's branches)
from one flat list, as ``get_weights`` returns it: every count and shape is checked before
any weight changes, so a bad list leaves everything as it was."""
from teachnet.backend import array_module as am


def set_weights_of_parts(owner, parts, weights, part_word='layer'):
    """Give each of ``parts`` (objects with get_weights/set_weights and a name) its slice of
    ``weights``. ``owner`` names the whole in error messages ('Model sequential_1'), and
    ``part_word`` what its parts are ('layer', 'branch')."""
    weights, current = list(weights), [part.get_weights() for part in parts]
    expected = sum(len(arrays) for arrays in current)
    if len(weights) != expected:
        holders = ', '.join(part.name for part, arrays in zip(parts, current) if arrays) or 'none of its parts'
        raise ValueError(f"{owner} has {expected} weight arrays (in {holders}), "
                         f"set_weights received {len(weights)}.")
    slices, start = [], 0
    for part, arrays in zip(parts, current):
        given = weights[start:start + len(arrays)]
        names = [p.name for p in getattr(part, 'params', [])]
        for i, (now, value) in enumerate(zip(arrays, given)):
            if tuple(am.host.shape(value)) != tuple(now.shape):
                weight = names[i] if len(names) == len(arrays) else f'number {i}'
                raise ValueError(f"{owner}: {part_word} {part.name} has a weight of shape {tuple(now.shape)} "
                                 f"({weight}), the array given has shape {tuple(am.host.shape(value))}.")
        slices.append(given)
        start += len(arrays)
    for part, given in zip(parts, slices):
        part.set_weights(given)
