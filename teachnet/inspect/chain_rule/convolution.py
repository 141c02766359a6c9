"""Convolution: every entry of dL/dW, dL/db and dL/dx as the sum it is.

Forward, z[n,i,j,k] = Σ_{a,b,c} x[n, i·s+a, j·s+b, c]·W[a,b,c,k] + b_k (x padded with zeros,
s the stride). One weight is used at every position (i, j) of every image n, and one pixel
sits under several kernel offsets (a, b) and feeds every filter k, so, with g = dL/dz::

    dL/dW[a,b,c,k] = Σ_{n,i,j} x[n, i·s+a, j·s+b, c] · g[n,i,j,k]       a sum over positions
    dL/db[k]       = Σ_{n,i,j} g[n,i,j,k]
    dL/dx[n,r,q,c] = Σ_{a,b,k} g[n,i,j,k] · W[a,b,c,k]   over the offsets (a, b) with
                     r + top = i·s+a and q + left = j·s+b               and over the filters k

(written channels last; a channels-first x is read as (n, c, r, q) and its index given so).
A 1-D convolution is the same on an image of one row.
"""
import numpy as np

from teachnet.inspect.chain_rule.entry_sum import EntrySum, entry_text
from teachnet.inspect.chain_rule.step_arrays import arriving, sent, went_in


class Geometry:
    """The step's x (padded) and g, channels last with a row axis (a 1-D one gets a row of
    one), the kernel (kh, kw, c_in, c_out), strides and padding, and how to turn an index
    of x as the student sees it into (n, r, q, c)."""

    def __init__(self, step):
        facts = step.forward_step.facts
        self.one_d = step.op == 'conv1d'
        self.first = facts.get('data_format') == 'channels_first'
        (self.top, _), (self.left, _) = facts['padding']
        self.strides = tuple(facts['strides'])
        x, g, w = went_in(step, 'x'), arriving(step), went_in(step, 'W')
        if self.one_d:
            x, g, w = x[:, None], g[:, None], w[None]
        elif self.first:
            x, g = x.transpose(0, 2, 3, 1), g.transpose(0, 2, 3, 1)
        (top, bottom), (left, right) = facts['padding']
        self.x = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))
        self.g, self.w = g, w

    def pixel(self, index):
        """(n, r, q, c) of an index of x."""
        if self.one_d:
            n, q, c = index
            return n, 0, q, c
        return (index[0], index[2], index[3], index[1]) if self.first else tuple(index)

    def kernel(self, index):
        return (0,) + tuple(index) if self.one_d else tuple(index)


def weight_entry(step, *index):
    """dL/dW entry: terms (x under the kernel, g), one per image n and position (i, j)."""
    geo = Geometry(step)
    a, b, c, k = geo.kernel(index)
    (sh, sw), (n_images, rows, cols, _) = geo.strides, geo.g.shape
    terms, labels = [], []
    for n in range(n_images):
        for i in range(rows):
            for j in range(cols):
                terms.append((geo.x[n, i * sh + a, j * sw + b, c], geo.g[n, i, j, k]))
                labels.append(f'n={n}, i={i}, j={j}')
    return EntrySum('W', index, terms, labels,
                    f'dL/dW{entry_text(index)} = Σ_(n,i,j) x[n, i·s+{a}, j·s+{b}, {c}]·g[n,i,j,{k}]',
                    sent(step, 'W')[index])


def bias_entry(step, k):
    """dL/db_k: one term g[n,i,j,k] per image and position."""
    geo = Geometry(step)
    g = geo.g[..., k]
    positions = list(np.ndindex(*g.shape))
    return EntrySum('b', (k,), [(g[p],) for p in positions], [f'n={p[0]}, i={p[1]}, j={p[2]}' for p in positions],
                    f'dL/db[{k}] = Σ_(n,i,j) g[n,i,j,{k}]', sent(step, 'b')[k])


def input_entry(step, *index):
    """dL/dx at one pixel: terms (g, W), one per kernel offset (a, b) that covers it and filter k."""
    geo = Geometry(step)
    n, r, q, c = geo.pixel(index)
    kh, kw, _, filters = geo.w.shape
    (sh, sw), (_, rows, cols, _) = geo.strides, geo.g.shape
    terms, labels = [], []
    for a in range(kh):
        for b in range(kw):
            i, i_left = divmod(r + geo.top - a, sh)
            j, j_left = divmod(q + geo.left - b, sw)
            if i_left or j_left or not (0 <= i < rows and 0 <= j < cols):
                continue
            for k in range(filters):
                terms.append((geo.g[n, i, j, k], geo.w[a, b, c, k]))
                labels.append(f'a={a}, b={b}, k={k} (at i={i}, j={j})')
    formula = (f'dL/dx{entry_text(index)} = Σ_(a,b,k) g[{n},i,j,k]·W[a,b,{c},k]  '
               f'over i·s+a = {r}+pad, j·s+b = {q}+pad')
    return EntrySum('x', index, terms, labels, formula, sent(step, 'x')[index])


RULES = {name: {'W': weight_entry, 'b': bias_entry, 'x': input_entry} for name in ('conv2d', 'conv1d')}
