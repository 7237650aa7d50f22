"""A brush of one colour, made without ``QBrush(colour)``'s overload resolution (issue 19).

Shiboken picks among ``QBrush``'s constructors by checking the argument against each
one's types, and checking a colour against ``QImage`` and ``QPixmap`` builds those
classes (with ``QImage``'s enums) before the first paint, where nothing else needs
them. ``brush(colour, style)`` sets the same colour and style on an empty brush: the
same brush (``==``; ``tests/gui/test_start_deferred.py``).

``fill(painter, rect, brush)`` is ``QPainter.fillRect(rect, brush)`` without its
overload check: every ``fillRect`` call checks its argument against ``QGradient.Preset``
first, which builds ``QGradient`` and its five enums (about 12 M instructions,
``Preset`` has 170 values) in the first paint pass, where nothing else needs them.
``eraseRect(rect)`` is Qt's own ``fillRect(rect, background())`` (no brush argument, so
no check): the same call, the same pixels (``tests/gui/test_fill_rect.py``; a rectangle
drawn with no pen is not: it differs at half-pixel edges without antialiasing). The
painter keeps ``brush`` as its background, which only an opaque background mode would
paint (the app never sets one).
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter

__all__ = ["brush", "fill"]


def brush(colour: QColor, style: Qt.BrushStyle = Qt.BrushStyle.SolidPattern) -> QBrush:
    """``QBrush(colour, style)``."""
    made = QBrush()
    made.setColor(colour)
    made.setStyle(style)
    return made


def fill(painter: QPainter, rect: QRectF, with_brush: QBrush) -> None:
    """``painter.fillRect(rect, with_brush)``; ``with_brush`` stays the background."""
    painter.setBackground(with_brush)
    painter.eraseRect(rect)
