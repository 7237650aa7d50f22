"""The appointment card painted on one portrait page (A5 or Letter): for the printer,
its preview and PDF. Uses the day sheet's paint helpers (the Qt application, fonts,
black on white) and the same device flow as ``paint.render_pages``.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import (
    QFont,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
)

from .card import AppointmentCard
from .paint import BLACK, FONT_FAMILY, ensure_gui_application
from .paint.layout import sized_layout

CARD_SIZES = {"a5": QPageSize.PageSizeId.A5, "letter": QPageSize.PageSizeId.Letter}
COLUMNS = (("Date", 0.30), ("Arrive", 0.12), ("Infusion", 0.13), ("Plan for", 0.17),
           ("Chair", 0.16), ("Cycle", 0.12))  # fmt: skip


def card_layout(paper: str = "a5") -> QPageLayout:
    return sized_layout(CARD_SIZES[paper.lower()], QPageLayout.Orientation.Portrait)


def _font(size_pt: float, dpi: float, bold: bool = False) -> QFont:
    font = QFont(FONT_FAMILY)
    font.setPixelSize(max(1, round(size_pt * dpi / 72)))
    font.setBold(bold)
    return font


def paint_card(card: AppointmentCard, painter: QPainter, width: float, dpi: float) -> None:
    """Draw the card from the top-left of the paint rectangle, ``width`` pixels wide."""
    k = dpi / 72  # device pixels per point
    painter.setPen(QPen(BLACK, max(1.0, 0.6 * k)))
    y = 0.0

    def line(text: str, size: float, bold: bool = False, gap: float = 4) -> None:
        nonlocal y
        painter.setFont(_font(size, dpi, bold))
        height = size * 1.35 * k
        painter.drawText(QRectF(0, y, width, height), int(Qt.AlignmentFlag.AlignLeft), text)
        y += height + gap * k

    line(card.clinic, 15, bold=True)
    line(f"Appointment card: {card.patient} (MRN {card.mrn})", 11, bold=True)
    line(f"{card.drug} infusion visits", 10, gap=8)
    size = 9.5
    row_h = size * 1.6 * k
    x = 0.0
    painter.setFont(_font(size, dpi, bold=True))
    for title, share in COLUMNS:
        painter.drawText(QRectF(x, y, width * share, row_h), int(Qt.AlignmentFlag.AlignLeft), title)
        x += width * share
    y += row_h
    painter.drawLine(0, round(y), round(width), round(y))
    y += 2 * k
    painter.setFont(_font(size, dpi))
    if not card.rows:
        painter.drawText(QRectF(0, y, width, row_h), int(Qt.AlignmentFlag.AlignLeft),
                         "No coming visits are booked.")  # fmt: skip
        y += row_h
    for row in card.rows:
        x = 0.0
        cells = (row.day, row.arrive, row.infusion, row.plan_for, row.chair, row.cycle)
        for text, (_title, share) in zip(cells, COLUMNS, strict=True):
            painter.drawText(QRectF(x, y, width * share, row_h), int(Qt.AlignmentFlag.AlignLeft),
                             text)  # fmt: skip
            x += width * share
        y += row_h
    if card.more:
        painter.drawText(QRectF(0, y, width, row_h), int(Qt.AlignmentFlag.AlignLeft),
                         f"... and {card.more} more; ask the clinic for the rest.")  # fmt: skip
        y += row_h
    y += 8 * k
    painter.setFont(_font(8.5, dpi))
    for text in (
        "Arrive at the time shown: the nurse checks you in before the infusion starts.",
        "Plan for the whole time shown: infusion and observation afterwards.",
        f"Printed {card.printed}. Dates can change; the clinic will tell you.",
    ):
        painter.drawText(QRectF(0, y, width, 12 * k), int(Qt.AlignmentFlag.AlignLeft), text)
        y += 12 * k


def render_card(card: AppointmentCard, device: QPagedPaintDevice, *, paper: str | None = None
                ) -> int:  # fmt: skip
    """Paint the card on ``device`` (QPrinter, QPdfWriter) as one page; returns 1.
    ``paper`` sets the page layout first (leave None in a print preview)."""
    ensure_gui_application()
    if paper:
        device.setPageLayout(card_layout(paper))
    resolution = getattr(device, "resolution", None)
    dpi = int(resolution()) if callable(resolution) else int(device.logicalDpiX())
    rect = device.pageLayout().paintRectPixels(dpi)
    painter = QPainter()
    if not painter.begin(device):
        raise OSError("cannot paint on the output device (is the file writable?)")
    try:
        paint_card(card, painter, float(rect.width()), float(dpi))
    finally:
        painter.end()
    return 1


def write_card_pdf(card: AppointmentCard, path: Path | str, paper: str = "a5") -> int:
    ensure_gui_application()
    writer = QPdfWriter(str(path))
    writer.setResolution(300)
    writer.setTitle(f"Appointment card {card.mrn}")
    writer.setCreator("tdm1-scheduler")
    writer.setPageLayout(card_layout(paper))
    count = render_card(card, writer)
    del writer
    return count
