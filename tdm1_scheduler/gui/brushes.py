"""A brush of one colour, made without ``QBrush(colour)``'s overload resolution (issue 19).

Shiboken picks among ``QBrush``'s constructors by checking the argument against each
one's types, and checking a colour against ``QImage`` and ``QPixmap`` builds those
classes (with ``QImage``'s enums) before the first paint, where nothing else needs
them. ``brush(colour, style)`` sets the same colour and style on an empty brush: the
same brush (``==``; ``tests/gui/test_start_deferred.py``).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor

__all__ = ["brush"]


def brush(colour: QColor, style: Qt.BrushStyle = Qt.BrushStyle.SolidPattern) -> QBrush:
    """``QBrush(colour, style)``."""
    made = QBrush()
    made.setColor(colour)
    made.setStyle(style)
    return made
