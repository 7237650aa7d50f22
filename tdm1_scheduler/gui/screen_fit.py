"""Keeping windows on the screen: a remembered main-window geometry and a dialog that
grows (Preferences listing a date's bookings) stay within the screen's free area.

``clamp_rect`` is pure (two QRects in, one out) so it is tested without a screen;
``available_geometry`` is the one place that asks Qt for the free area, so a test can
stand in a smaller screen for it.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget


def clamp_rect(available: QRect, wanted: QRect) -> QRect:
    """``wanted`` shrunk to fit ``available`` and moved inside it (its size kept when
    it fits); an empty ``available`` leaves ``wanted`` as it is."""
    if available.isEmpty():
        return QRect(wanted)
    width = min(wanted.width(), available.width())
    height = min(wanted.height(), available.height())
    left = min(max(wanted.x(), available.left()), available.left() + available.width() - width)
    top = min(max(wanted.y(), available.top()), available.top() + available.height() - height)
    return QRect(left, top, width, height)


def available_geometry(widget: QWidget) -> QRect:
    """The free area (less taskbars) of the screen ``widget`` is on, else the primary."""
    screen = widget.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry() if screen is not None else QRect()


def cap_to_screen(widget: QWidget, available: QRect | None = None) -> QRect:
    """Limit ``widget``'s maximum size to the free area and move its frame inside it.

    The frame (title bar, borders) is allowed for, so the whole window stays visible.
    Returns the free area used.
    """
    area = available_geometry(widget) if available is None else available
    if area.isEmpty():
        return area
    frame = widget.frameGeometry()
    inner = widget.geometry()
    extra_w = max(0, frame.width() - inner.width())
    extra_h = max(0, frame.height() - inner.height())
    widget.setMaximumSize(QSize(area.width() - extra_w, area.height() - extra_h))
    if widget.isWindow() and (frame.height() > area.height() or frame.width() > area.width()
                              or not area.contains(frame)):
        fitted = clamp_rect(area, frame)
        widget.resize(fitted.width() - extra_w, fitted.height() - extra_h)
        widget.move(fitted.topLeft())
    return area
