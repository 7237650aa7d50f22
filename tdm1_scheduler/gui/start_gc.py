"""The cyclic garbage collector during the window's start (issue 19).

Starting the GUI makes some 50,000 objects that live as long as the process (Qt's
Python enums and classes, the app's modules and dataclasses, the window's wrappers) and
little garbage, and the collector scanned them about 90 times before the first paint
(generations 0 and 1: 80-110 ms of a start on the busy bench machine, timed with
``gc.callbacks``). So from the GUI package's import until just after the main window's
first paint it runs only after 100,000 allocations (not never: a process that never
shows a window still collects); then one full collection, ``gc.freeze()`` so the start's
survivors are never scanned again, and the thresholds as they were.
"""

from __future__ import annotations

import gc

__all__ = ["PAUSED_THRESHOLD", "pause", "paused", "resume"]

PAUSED_THRESHOLD = 100_000  # generation-0 allocations between collections while paused
_saved: tuple[int, int, int] | None = None


def pause() -> None:
    """Collect rarely until ``resume`` (once per process; a no-op if gc is off)."""
    global _saved
    if _saved is None and gc.isenabled():
        _saved = gc.get_threshold()
        gc.set_threshold(max(PAUSED_THRESHOLD, _saved[0]), _saved[1], _saved[2])


def paused() -> bool:
    return _saved is not None


def resume() -> None:
    """Collect once, freeze what survived the start, and collect as before."""
    global _saved
    if _saved is None:
        return
    saved, _saved = _saved, None
    gc.collect()
    gc.freeze()
    gc.set_threshold(*saved)
