"""Throttle: update a view often enough to feel live, rarely enough to cost little.

A training step can take a fraction of a millisecond; redrawing a chart takes
milliseconds. Updating after every step would make the view the slowest part of
training (and Jupyter drops messages beyond about a thousand a second anyway). So each
view asks its throttle ``due()`` and updates only when both

    wall time since the last update >= interval
    CPU time since the last update  >= cost / budget

``interval`` is the fastest rate wanted (about 0.15 s for a progress text, 1 s for a
chart); ``cost`` is the CPU time of the view's recent updates (a running average) and
``budget`` the fraction of the work that updates may take. A view whose update costs
20 ms with a budget of 2% waits until training has done at least 1 s of work: when its
updates grow dearer, it updates more rarely by itself.

Why CPU time for the budget: on a machine that other programs keep busy, a second of
wall-clock time may hold only a tenth of a second of our training. Counted against wall
time, a 2% budget would then be 20% of the work; counted against the work done (the
process's CPU time), it stays 2%.
"""
import time

wall_clock = time.perf_counter       # module names, so that a test can replace the clocks
cpu_clock = time.process_time       # the CPU time of the whole process, all threads


class Throttle:
    """Decides when the next update is due, from a minimum interval and a cost budget.

    # Arguments
        interval: the shortest wall-clock time between two updates, in seconds.
        budget: the largest fraction of the process's CPU time that updates may take.

    # Example
        throttle = Throttle(interval=1.0, budget=0.02)
        if throttle.due():
            with throttle.measure():
                redraw()
    """

    def __init__(self, interval, budget=0.02):
        self.interval = interval
        self.budget = budget
        self.cost = 0.0                 # running average of an update's CPU time
        self.last = None                # wall-clock time when the last update started
        self.last_cpu = None            # CPU time then
        self.total = 0.0                # CPU time of all updates so far

    def work_needed(self):
        """CPU seconds of other work to wait for between updates: ``cost / budget``."""
        return self.cost / self.budget

    def due(self, now=None, cpu_now=None):
        """True when the next update may run now (always true before the first one)."""
        if self.last is None:
            return True
        if (wall_clock() if now is None else now) - self.last < self.interval:
            return False
        return (cpu_clock() if cpu_now is None else cpu_now) - self.last_cpu >= self.work_needed()

    def measure(self):
        """Context manager around an update: records when it ran and what it cost."""
        return _Measured(self)

    def start(self):
        """Count the present as an update that cost nothing: the next is due after ``interval``."""
        self.record(wall_clock(), cpu_clock(), 0.0)

    def record(self, start, start_cpu, cpu_duration):
        """Count an update that started at wall time ``start`` and CPU time ``start_cpu``
        and took ``cpu_duration`` CPU seconds."""
        self.last, self.last_cpu = start, start_cpu
        self.total += cpu_duration
        self.cost = cpu_duration if self.cost == 0.0 else 0.7 * self.cost + 0.3 * cpu_duration


class _Measured:
    def __init__(self, throttle):
        self.throttle = throttle

    def __enter__(self):
        self.start, self.start_cpu = wall_clock(), cpu_clock()
        return self

    def __exit__(self, *exc_info):
        self.throttle.record(self.start, self.start_cpu, cpu_clock() - self.start_cpu)
        return False
