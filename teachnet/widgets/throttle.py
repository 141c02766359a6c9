"""Throttle: update a view often enough to feel live, rarely enough to cost little.

A training step can take a fraction of a millisecond; redrawing a chart takes
milliseconds. Updating after every step would make the view the slowest part of
training (and Jupyter drops messages beyond about a thousand a second anyway). So each
view asks its throttle ``due()`` and updates only when

    now - last update >= max(interval, cost / budget)

``interval`` is the fastest rate wanted (about 0.15 s for a progress text, 1 s for a
chart); ``cost`` is the measured time of the view's recent updates (a running average)
and ``budget`` the fraction of time the view may take. A view whose update costs 20 ms
with a budget of 2% waits at least 1 s: when its updates grow dearer, it updates more
rarely by itself, and its share of the run stays about ``budget``.
"""
import time

_clock = time.perf_counter          # a module name, so a test can replace the clock


class Throttle:
    """Decides when the next update is due, from a minimum interval and a cost budget.

    # Arguments
        interval: the shortest time between two updates, in seconds.
        budget: the largest fraction of the time that updates may take (0.02: 2%).

    # Example
        throttle = Throttle(interval=1.0, budget=0.02)
        if throttle.due():
            with throttle.measure():
                redraw()
    """

    def __init__(self, interval, budget=0.02):
        self.interval = interval
        self.budget = budget
        self.cost = 0.0                 # running average of an update's duration
        self.last = None                # clock time when the last update started

    def wait(self):
        """The current gap between updates: ``max(interval, cost / budget)``."""
        return max(self.interval, self.cost / self.budget)

    def due(self, now=None):
        """True when the next update may run now (always true before the first one)."""
        if self.last is None:
            return True
        return (_clock() if now is None else now) - self.last >= self.wait()

    def measure(self):
        """Context manager around an update: records when it ran and what it cost."""
        return _Measured(self)

    def record(self, start, duration):
        """Count an update that started at ``start`` and took ``duration`` seconds."""
        self.last = start
        self.cost = duration if self.cost == 0.0 else 0.7 * self.cost + 0.3 * duration


class _Measured:
    def __init__(self, throttle):
        self.throttle = throttle

    def __enter__(self):
        self.start = _clock()
        return self

    def __exit__(self, *exc_info):
        self.throttle.record(self.start, _clock() - self.start)
        return False
