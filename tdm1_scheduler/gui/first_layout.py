"""The main window's first layout, placed at once rather than by a 0 ms animation
(issue 19).

A ``QMainWindow`` places its central widget, toolbars and docks through its widget
animator. When the style has widget animations (Fusion: 200 ms), even the first
layout, which is not animated, starts a 0 ms ``QPropertyAnimation`` per part; that
wakes Qt's private animation timer, and Python meeting that object of a private class
(an application-wide event filter, as the start-up bench has) makes Shiboken build
every QtCore, QtGui and QtWidgets class not built yet, with their enums, before the
first paint. With ``widget-animation-duration: 0`` the animator sets the same
geometry at once instead (``resources/style.qss``: the rule holds while the window's
``firstLayout`` property is true).

``place_at_once(window)`` sets the property; just after the window's first paint (and
the work queued with it) ``animate_again`` clears it and polishes the parts again, so
that from then on moving a dock animates as before (``tests/gui/test_first_layout.py``).
Pages that add a dock register it with ``also_animate``.
"""

from __future__ import annotations

import weakref

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMainWindow, QWidget

from .first_paint import Deferred, after_first_paint

__all__ = ["PROPERTY", "also_animate", "animate_again", "place_at_once"]

PROPERTY = "firstLayout"
_parts: weakref.WeakKeyDictionary[QMainWindow, list[QWidget]] = weakref.WeakKeyDictionary()


def place_at_once(window: QMainWindow) -> Deferred:
    """Until just after ``window``'s first paint, its layout places its parts at once."""
    window.setProperty(PROPERTY, True)
    _parts[window] = []
    return after_first_paint(window, lambda: QTimer.singleShot(0, lambda: animate_again(window)))


def also_animate(window: QMainWindow, part: QWidget) -> None:
    """``part`` (a dock, a toolbar) is polished again by ``animate_again``."""
    parts = _parts.get(window)
    if parts is not None:
        parts.append(part)


def animate_again(window: QMainWindow) -> None:
    """The style's animations again for ``window``'s parts (once; a no-op after)."""
    parts = _parts.pop(window, None)
    if parts is None:
        return
    window.setProperty(PROPERTY, False)
    style = window.style()
    central = window.centralWidget()
    for part in ([central] if central is not None else []) + parts:
        style.unpolish(part)
        style.polish(part)
