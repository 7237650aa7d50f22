"""Scroll areas whose viewport Python made, so that reaching it is cheap (issue 19).

Shiboken builds PySide's classes lazily. The first time Python meets a widget that Qt
made itself, such as the plain ``QWidget`` a ``QAbstractScrollArea`` makes for its
viewport, Shiboken looks its type up by building every class of QtWidgets not built
yet, with their enums (about 67 classes and 29 enums; 30-100 ms on this machine's
cold start). ``view.viewport()`` before the first paint did exactly that.

``own_viewport`` gives a view a viewport made from Python, with what Qt sets on the one
it makes (the same name, colours, fill and place among the view's children:
``tests/gui/test_viewports.py`` compares them with Qt's own), so ``viewport()`` returns a
widget Python already knows.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QAbstractItemView, QAbstractScrollArea, QWidget

__all__ = ["own_viewport"]


def own_viewport(view: QAbstractScrollArea) -> QWidget:
    """Replace ``view``'s viewport with an equal one that Python made; return it."""
    viewport = QWidget()
    if isinstance(view, QAbstractItemView):
        # What QAbstractScrollArea's own init sets (a QGraphicsView makes a bare one).
        viewport.setObjectName("qt_scrollarea_viewport")
        viewport.setBackgroundRole(QPalette.ColorRole.Base)
        viewport.setAutoFillBackground(True)
        view.setViewport(viewport)
        viewport.lower()  # first among the view's children, as Qt's own is
    else:
        # A QGraphicsView keeps its viewport's input-method flag equal to its own.
        method = Qt.WidgetAttribute.WA_InputMethodEnabled
        viewport.setAttribute(method, view.testAttribute(method))
        view.setViewport(viewport)
    return viewport
