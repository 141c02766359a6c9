"""Diagnostics: plain-language notes when training looks wrong, with what to try.

Each check reads the numbers a ``TrainingRecord`` holds and returns a ``Note`` or None.
The thresholds are rules of thumb, not laws; each note says what it saw.

* non-finite loss      the loss became NaN or infinite: training cannot recover.
* exploding gradients  a layer's |dL/dθ| is above 100 or a thousand times its first value,
                       or a step moved its weights by more than their size (|Δθ|/|θ| > 1), or
                       its weights grew to ten times their initial norm.
* vanishing gradients  the first layer's |dL/dθ| is below 1e-4 of the last layer's.
* dead ReLUs           most units of a ReLU layer output 0 for every probe sample.
* saturated units      most outputs of a tanh/sigmoid layer, or of an RNN's gates, sit at
                       their flat ends, where the slope is nearly 0.
* update ratio         |Δθ|/|θ| of a step far from about 1e-3 (below 1e-6 or above 0.1).
* loss not falling     after three epochs (or 200 batches) the loss is no lower than at first.
"""
import html
from collections import namedtuple

import numpy as np

Note = namedtuple('Note', 'check title meaning advice')
Note.__doc__ = """One finding: ``check`` (a short key such as 'exploding'), a ``title`` saying
what was seen (with the numbers), what it ``meaning``s for training, and ``advice``."""

EXPLODING_NORM = 100.0
EXPLODING_GROWTH = 1e3
EXPLODING_STEP = 1.0
EXPLODING_WEIGHTS = 10.0
VANISHING_RATIO = 1e-4
MOSTLY = 0.5
UPDATE_RATIO_RANGE = (1e-6, 1e-1)


def non_finite_loss(record):
    if record.non_finite is None:
        return None
    step, loss, layer = record.non_finite
    where = (f"; the first layer whose output is non-finite on the probe batch now is {layer}" if layer
             else '; on the probe batch every layer still gives finite outputs, so look at this batch and the step')
    return Note('non-finite', f'The loss became {loss} at step {step}{where}.',
                'Once a weight is NaN or infinite every later number is too: training stopped.',
                'Lower the learning rate, clip gradients (clipnorm=1.0), check the data for NaN or huge '
                'values, and keep log/exp inputs in range (a softmax with categorical_crossentropy is safe).')


def _explosion(record, name, numbers):
    """What exploded in layer ``name``, in words, or None."""
    norm, first = numbers.gradient_norm, record.first_gradient_norm.get(name)
    if not (np.isnan(norm) and first is None):          # NaN before any finite one: not measured yet
        if not np.isfinite(norm) or norm > EXPLODING_NORM or (first and norm > EXPLODING_GROWTH * first):
            return f'|dL/dθ| of {name} is {norm:.3g}' + (f' (it started at {first:.3g})' if first else '')
    if np.isfinite(numbers.update_ratio) and numbers.update_ratio > EXPLODING_STEP:
        return f'one step changed the weights of {name} by {numbers.update_ratio:.3g} times their size'
    initial = record.initial_weight_norm.get(name)
    if initial and numbers.weight_norm > EXPLODING_WEIGHTS * initial:
        return f'the weights of {name} grew from |θ| = {initial:.3g} to {numbers.weight_norm:.3g}'
    return None


def exploding_gradients(record):
    for name, numbers in record.parameters.items():
        seen = _explosion(record, name, numbers)
        if seen:
            return Note('exploding', f'Exploding gradients: {seen}.',
                        'Steps that large throw the weights far away; the loss jumps, stalls or becomes NaN.',
                        'Lower the learning rate (by 10x), clip gradients (clipnorm=1.0), or normalise '
                        'the inputs; for RNNs clipping is the usual cure.')
    return None


def vanishing_gradients(record):
    norms = [(name, numbers.gradient_norm) for name, numbers in record.parameters.items()
             if np.isfinite(numbers.gradient_norm)]
    if len(norms) < 2:
        return None
    (first_name, first), (last_name, last) = norms[0], norms[-1]
    if last > 0 and first < VANISHING_RATIO * last:
        return Note('vanishing', f'Vanishing gradients: |dL/dθ| of {first_name} is {first:.2e}, '
                    f'{last / max(first, 1e-300):.1e} times smaller than that of {last_name}.',
                    'The first layers barely learn: the gradient shrinks on its way back through the layers.',
                    'Use ReLU rather than sigmoid/tanh in deep stacks, a better initialisation '
                    "(init='he_normal' for ReLU), fewer layers, or an LSTM/GRU instead of SimpleRNN.")
    return None


def dead_relus(record):
    for name, stats in record.activations.items():
        if np.isfinite(stats.dead_fraction) and stats.dead_fraction > MOSTLY:
            return Note('dead-relu', f'{stats.dead_fraction:.0%} of the ReLUs of {name} are dead '
                        '(0 for every probe sample).',
                        'A dead ReLU passes no gradient, so it never learns again.',
                        'Lower the learning rate, use a smaller initialisation, or try LeakyReLU/ELU.')
    return None


def saturated_units(record):
    for name, stats in record.activations.items():
        if np.isfinite(stats.saturated_fraction) and stats.saturated_fraction > MOSTLY:
            return Note('saturated', f'{stats.saturated_fraction:.0%} of the outputs of {name} are saturated.',
                        'At the flat ends of tanh and sigmoid the slope is nearly 0: little gradient passes.',
                        'Normalise the inputs, lower the learning rate or the initial weights.')
    for gate, values in record.gates.items():
        if gate in ('i', 'f', 'o', 'z', 'r'):
            flat = np.mean((values < 0.01) | (values > 0.99))
            if flat > MOSTLY:
                return Note('saturated', f'Gate {gate} of {record.gates_layer} is saturated for {flat:.0%} '
                            'of its values on the probe sequence.',
                            'A gate stuck at 0 or 1 no longer learns (its slope is 0).',
                            'Lower the learning rate, clip gradients, normalise the inputs.')
    return None


def update_ratio(record):
    ratios = [(name, numbers.update_ratio) for name, numbers in record.parameters.items()
              if np.isfinite(numbers.update_ratio)]
    low, high = UPDATE_RATIO_RANGE
    for name, ratio in ratios:
        if ratio > high:
            return Note('large-steps', f'Steps too large: |Δθ|/|θ| of {name} is {ratio:.2e} (about 1e-3 is usual).',
                        'Each step changes the weights by a large part of their size: training jumps around.',
                        'Lower the learning rate.')
        if ratio < low:
            return Note('small-steps', f'Steps too small: |Δθ|/|θ| of {name} is {ratio:.2e} (about 1e-3 is usual).',
                        'The weights barely move: this layer learns very slowly.',
                        'Raise the learning rate, or try an adaptive optimizer (adam, rmsprop).')
    return None


def loss_not_falling(record):
    epochs = record.epoch.get('loss')
    if epochs is not None and len(epochs) >= 3:
        values = epochs.values()[1]
    else:
        batches = record.batch.get('loss')
        if batches is None or batches.stride * len(batches) < 200:
            return None
        y = batches.values()[1]
        tenth = max(1, len(y) // 10)
        values = [np.mean(y[:tenth]), np.mean(y[-tenth:])]
    if np.isfinite(values[-1]) and values[-1] >= values[0]:
        return Note('not-falling', f'The loss is not falling: {values[0]:.4g} at first, {values[-1]:.4g} now.',
                    'The model learns nothing from the data yet.',
                    'Check the labels and the loss, raise (or lower) the learning rate, normalise the inputs, '
                    'or give the model more capacity.')
    return None


#: the notes' ``check`` keys, most urgent first: the order they are listed in
URGENCY = ('non-finite', 'exploding', 'vanishing', 'dead-relu', 'saturated', 'large-steps', 'small-steps',
           'not-falling')

CHECKS = (non_finite_loss, exploding_gradients, vanishing_gradients, dead_relus, saturated_units,
          update_ratio, loss_not_falling)


def diagnose(record, earlier=()):
    """Every note that applies to ``record`` now, most urgent first, together with the
    ``earlier`` notes whose check does not fire now (a problem seen once stays listed:
    a jump at step 3 still explains a flat loss at step 300)."""
    now = {note.check: note for note in (check(record) for check in CHECKS) if note is not None}
    kept = {note.check: note for note in earlier}
    kept.update(now)
    return sorted(kept.values(), key=lambda note: URGENCY.index(note.check))


def notes_html(notes):
    """The notes as HTML: a title line, what it means, what to try; a calm line when none."""
    if not notes:
        return '<div class="teachnet-diagnostics">No problems seen so far.</div>'
    items = ''.join(f'<li><b>{html.escape(n.title)}</b><br>{html.escape(n.meaning)}<br>'
                    f'<i>Try:</i> {html.escape(n.advice)}</li>' for n in notes)
    return f'<div class="teachnet-diagnostics"><ul style="margin:0">{items}</ul></div>'


def notes_text(notes):
    """The notes' titles on one line, for a terminal."""
    return ' | '.join(note.title for note in notes)
