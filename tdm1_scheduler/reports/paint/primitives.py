"""The sheet's drawing primitives: black pens, whole text, lines and rects, in points.

``SheetCanvas`` is the ``layout.SheetLayout`` plan with them; ``drawing.SheetPages`` (the
grid and the page) and ``table_drawing`` (the table) both draw through it.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen

from .layout import SheetLayout

BLACK = QColor(0, 0, 0)
WHITE = QColor(255, 255, 255)
_CENTRED: dict[Qt.AlignmentFlag, Qt.AlignmentFlag] = {}  # an alignment | AlignVCenter


class SheetCanvas(SheetLayout):
    """The layout plan plus the primitives every painted part uses."""

    def pen(self, width_pt: float = 0.5, style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> QPen:
        """A black pen, made once per width and style (a value Qt copies: setPen)."""
        pens: dict[tuple[float, Qt.PenStyle], QPen] = self.__dict__.setdefault("_pens", {})
        pen = pens.get((width_pt, style))
        if pen is None:
            pen = pens[width_pt, style] = QPen(BLACK)
            pen.setWidthF(self.pt(width_pt))
            pen.setStyle(style)
        return pen

    def text(
        self,
        painter: QPainter,
        rect: tuple[float, float, float, float],
        text: str,
        align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft,
    ) -> None:
        """Draw ``text`` whole in ``rect`` = (x, y, w, h) points, centred vertically."""
        x, y, w, h = rect
        flags = _CENTRED.get(align)
        if flags is None:  # Python's enum ``|``, once per alignment
            flags = _CENTRED[align] = align | Qt.AlignmentFlag.AlignVCenter
        k = self.k
        painter.drawText(QRectF(x * k, y * k, w * k, h * k), flags, text)

    def line(self, painter: QPainter, x1: float, y1: float, x2: float, y2: float) -> None:
        painter.drawLine(QPointF(self.pt(x1), self.pt(y1)), QPointF(self.pt(x2), self.pt(y2)))

    def rect(self, x: float, y: float, w: float, h: float) -> QRectF:
        return QRectF(self.pt(x), self.pt(y), self.pt(w), self.pt(h))
