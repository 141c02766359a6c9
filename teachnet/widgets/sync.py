"""Grouping widget updates: one message per widget per refresh.

Setting a trait of a displayed widget sends a message to the browser at once. Inside
``with widget.hold_sync():`` the changes of that widget wait and leave together when the
block ends. ``hold_all(widgets)`` does that for several widgets at once, so that one
refresh of a view sends one message per widget it changed.
"""
from contextlib import ExitStack


def hold_all(widgets):
    """A context manager holding the sync of every widget in ``widgets`` (None skipped)."""
    stack = ExitStack()
    for widget in widgets:
        if widget is not None:
            stack.enter_context(widget.hold_sync())
    return stack
