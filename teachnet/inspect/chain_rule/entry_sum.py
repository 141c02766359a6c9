"""One entry of a gradient as the sum it is, with a step's own numbers.

The chain rule writes every entry of a gradient sent back as a sum of products: each term
one way the entry reaches the loss, the factors the local derivatives along that way. For
dL/dW_ij of a linear op the terms are x_ni·g_nj, one per sample n. An ``EntrySum`` holds
those terms (``terms``: a tuple of numbers per term, multiplied), what each term is
(``labels``, e.g. 'n=2'), the ``formula`` in symbols, their ``total`` and ``computed``, the
number backward actually sent: the two agree (``agrees()``), which is the point.

A long sum (a convolution's dL/dW adds up every position of every image) is shown by its
largest terms and "… + k more terms": ``largest(count)``.
"""
import numpy as np

SHOWN_TERMS = 6


def _product(factors):
    result = 1.0
    for factor in factors:
        result *= factor
    return result


class EntrySum:
    """dL/d(name)[index] as a sum of products (see the module doc).

    # Attributes
        name, index: which gradient ('W', 'x', 'input 0'...) and which entry (a tuple).
        terms: one tuple of factors per term (floats); ``products`` their products.
        labels: what each term is ('n=0', 'k=2', 't=3, n=1'...).
        formula: the sum in symbols, e.g. 'dL/dW[3,2] = Σ_n x[n,3]·g[n,2]'.
        total: the sum of the products; computed: the entry backward sent.
    """

    def __init__(self, name, index, terms, labels, formula, computed):
        self.name, self.index = name, tuple(int(i) for i in index)
        self.terms = [tuple(float(f) for f in factors) for factors in terms]
        self.labels = list(labels)
        self.formula = formula
        self.products = [_product(factors) for factors in self.terms]
        self.total = float(np.sum(self.products)) if self.products else 0.0
        self.computed = float(computed)

    def agrees(self, rtol=1e-4, atol=1e-6):
        """Whether the sum equals what backward sent (up to float32 rounding)."""
        scale = max(abs(self.total), abs(self.computed), max(map(abs, self.products), default=0.0))
        return abs(self.total - self.computed) <= atol + rtol * scale

    def largest(self, count=SHOWN_TERMS):
        """The ``count`` terms of largest size, in their order in the sum, as
        (label, factors, product), and how many terms are left out."""
        order = sorted(range(len(self.terms)), key=lambda k: -abs(self.products[k]))[:count]
        kept = sorted(order)
        return [(self.labels[k], self.terms[k], self.products[k]) for k in kept], len(self.terms) - len(kept)

    def terms_text(self, count=SHOWN_TERMS, number='{:.4g}'):
        """The shown terms as '(a)·(b) + (c)·(d) + … + k more terms'."""
        shown, rest = self.largest(count)
        parts = ['·'.join(f'({number.format(f)})' for f in factors) for _, factors, _ in shown]
        if rest:
            parts.append(f'… + {rest} more term{"s" if rest > 1 else ""}')
        return ' + '.join(parts) or '0 (no term)'

    def __str__(self):
        check = '=' if self.agrees() else '≠'
        return (f'{self.formula} = {self.terms_text()} = {self.total:.6g}   '
                f'(backward sent {self.computed:.6g} {check} {self.total:.6g})')

    __repr__ = __str__


def entry_text(index):
    """'[2,0]' for the index (2, 0)."""
    return '[' + ','.join(str(int(i)) for i in index) + ']'


def check_index(step, name, array, index):
    """``index`` as a tuple of ints, or an IndexError naming the layer, the gradient, its
    shape and the entry asked for."""
    index = tuple(int(i) for i in (index if isinstance(index, (tuple, list)) else (index,)))
    shape = np.shape(array)
    if len(index) != len(shape) or not all(0 <= i < size for i, size in zip(index, shape)):
        raise IndexError(f"dL/d{name} of {step.layer} ({step.op}) has shape {tuple(shape)}; "
                         f"there is no entry {index}.")
    return index
