"""Predict, then reveal: judging a student's guess, and saying why it was right or not.

Two kinds of guess:

* a **shape** ('2, 3', '(2, 3)', '2 x 3', '()'): right when it is the shape;
* a **value** of one chosen entry: a number, right within ``RELATIVE_TOLERANCE`` of the
  value (or ``ABSOLUTE_TOLERANCE`` for values near 0); or just its sign, '+', '-' or '0',
  right when the sign is (0 meaning |value| ≤ ``ABSOLUTE_TOLERANCE``).

``judge_shape`` and ``judge_value`` return (right, html): the verdict with the true answer
and the reason, for the explorer's verdict line.
"""
import html
import re

RELATIVE_TOLERANCE = 0.1
ABSOLUTE_TOLERANCE = 1e-3
SIGNS = {'+': 1, '-': -1, '−': -1, '0': 0}


def parse_shape(text):
    """The shape a student typed ('(2, 3)', '2,3', '2 x 3', '()'), as a tuple of ints."""
    return tuple(int(n) for n in re.findall(r'\d+', text))


def parse_value(text):
    """('sign', -1|0|1) for '+', '-' or '0'; ('number', x) for a number; None otherwise."""
    text = text.strip().replace('−', '-')
    if text in SIGNS:
        return 'sign', SIGNS[text]
    try:
        return 'number', float(text)
    except ValueError:
        return None


def sign_of(value):
    return 0 if abs(value) <= ABSOLUTE_TOLERANCE else (1 if value > 0 else -1)


def _verdict(right, text):
    word = '<b style="color:#2ca02c">right</b>' if right else '<b style="color:#d62728">not quite</b>'
    return f'{word}: {text}'


def judge_shape(text, expected, why=''):
    """(right, html) for a guessed shape; ``why`` says where the shape comes from."""
    guessed, why = parse_shape(text), f' {html.escape(why)}' if why else ''
    if guessed == tuple(expected):
        return True, _verdict(True, f'{tuple(expected)}.{why}')
    return False, _verdict(False, f'you said {guessed}, it is {tuple(expected)}.{why}')


def judge_value(text, expected, what, why=''):
    """(right, html) for a guessed value of ``what`` (e.g. 'dL/dW[2,1]'), whose true value
    is ``expected``; ``why`` says how it comes about (a formula, the chain rule below)."""
    what, why = html.escape(what), f' {html.escape(why)}' if why else ''
    guess = parse_value(text)
    if guess is None:
        return False, _verdict(False, f'type a number, or a sign (+, - or 0), for {what}')
    kind, value = guess
    expected, names = float(expected), {1: 'positive', -1: 'negative', 0: 'zero'}
    if kind == 'sign':
        right = value == sign_of(expected)
        return right, _verdict(right, f'{what} = {expected:.4g} is {names[sign_of(expected)]}.{why}')
    off = abs(value - expected)
    right = off <= max(ABSOLUTE_TOLERANCE, RELATIVE_TOLERANCE * abs(expected))
    closeness = (f'within {RELATIVE_TOLERANCE:.0%}' if right else
                 f'off by {off:.3g}' + (f' ({off / abs(expected):.0%})' if expected else ''))
    return right, _verdict(right, f'you said {value:.4g}, {what} = {expected:.4g}, {closeness}.{why}')
