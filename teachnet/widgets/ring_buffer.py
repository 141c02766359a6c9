"""A bounded series: what a live chart remembers, at a cost that never grows.

A chart redrawn once a second must not get slower as training goes on, so it never
keeps every point. ``DecimatedSeries(capacity)`` keeps the *whole* history at a coarser
and coarser grain: one point per step until it is full, then it averages neighbouring
pairs, halving the points and doubling the steps each point stands for::

      steps   0 1 2 3 4 5 6 7        (full: capacity 8)
      ->      0.5  2.5  4.5  6.5     (each point: the mean of two steps)

  A point is then the mean of its ``stride`` steps (its x the mean step), so a noisy
  per-batch loss is smoothed the longer training runs, and the chart still spans all of it.

Appending costs O(1) (the halving, O(capacity), happens once per ``capacity / 2`` appends).
"""
import numpy as np


class DecimatedSeries:
    """All of a series (x, y) in at most ``capacity`` points, averaged pairwise when full.

    ``stride`` is how many appended points each kept point averages (1, 2, 4, ...).

    # Example
        losses = DecimatedSeries(capacity=1024)
        for step, loss in enumerate(batch_losses):
            losses.append(step, loss)
        x, y = losses.values()          # at most 1024 points spanning every step
    """

    def __init__(self, capacity=2048):
        if capacity < 2 or capacity % 2:
            raise ValueError(f"DecimatedSeries needs an even capacity of at least 2, got {capacity}.")
        self.points = np.empty((capacity, 2))
        self.kept = 0                      # full points stored
        self.stride = 1
        self.pending_x = self.pending_y = 0.0     # sums over the current, unfinished point
        self.pending_count = 0

    @property
    def capacity(self):
        return len(self.points)

    def append(self, x, y):
        self.pending_x += x                 # Python floats: cheaper than NumPy scalars, once per batch
        self.pending_y += y
        self.pending_count += 1
        if self.pending_count == self.stride:
            self._close_pending()

    def extend(self, xs, ys):
        """``append`` each (x, y) in turn, done in bulk: whole points are means of slices."""
        xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
        start, count = 0, len(xs)
        while start < count:
            if self.pending_count:                      # first complete the point under way
                take = min(self.stride - self.pending_count, count - start)
                self._add_pending(xs[start:start + take], ys[start:start + take])
                start += take
                continue
            groups = min((count - start) // self.stride, self.capacity - self.kept)
            if groups == 0:                             # less than a point's worth: it waits
                self._add_pending(xs[start:], ys[start:])
                return
            end = start + groups * self.stride
            for column, values in ((0, xs), (1, ys)):
                self.points[self.kept:self.kept + groups, column] = \
                    values[start:end].reshape(groups, self.stride).mean(axis=1)
            self.kept += groups
            start = end
            if self.kept == self.capacity:
                self._halve()

    def _add_pending(self, xs, ys):
        """Add values to the point under way (fewer than ``stride`` - ``pending_count``, or
        exactly enough to complete it, which then joins the points)."""
        self.pending_x += float(xs.sum())
        self.pending_y += float(ys.sum())
        self.pending_count += len(xs)
        if self.pending_count == self.stride:
            self._close_pending()

    def _close_pending(self):
        """The point under way has its ``stride`` values: their mean joins the points."""
        self.points[self.kept] = (self.pending_x / self.stride, self.pending_y / self.stride)
        self.kept += 1
        self.pending_x = self.pending_y = 0.0
        self.pending_count = 0
        if self.kept == self.capacity:
            self._halve()

    def _halve(self):
        half = self.capacity // 2
        self.points[:half] = (self.points[0::2] + self.points[1::2]) / 2
        self.kept = half
        self.stride *= 2

    def __len__(self):
        return self.kept + (1 if self.pending_count else 0)

    def values(self):
        """(x, y) as two new arrays; an unfinished last point counts with what it has."""
        points = self.points[:self.kept]
        if self.pending_count:
            last = [[self.pending_x / self.pending_count, self.pending_y / self.pending_count]]
            points = np.concatenate([points, last])
        return points[:, 0].copy(), points[:, 1].copy()
