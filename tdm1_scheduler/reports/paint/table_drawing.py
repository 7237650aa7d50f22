"""The table of visits drawn: its parts side by side, rows that wrap, never an ellipsis."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPainter

from .cells import cell
from .layout import CELL_PAD, TABLE_GUTTER, TABLE_PT, PagePlan, TableRow
from .primitives import SheetCanvas


def paint_table(pages: SheetCanvas, painter: QPainter, plan: PagePlan) -> None:
    """Page ``plan``'s table rows from ``plan.table_top`` down."""
    pages.part = "table"
    y = plan.table_top
    if not pages.sheet_rows:
        if plan.summary:
            painter.setPen(pages.pen())
            painter.setFont(pages.font(TABLE_PT + 1))
            pages.text(painter, (0, y, pages.width, 14), "No chair is booked on this day.")
        return
    width = pages.part_width()
    for number, rows in enumerate(plan.parts):
        x = number * (width + TABLE_GUTTER)
        if number:  # a rule down the middle of the gutter
            painter.setPen(pages.pen(0.5))
            gutter = x - TABLE_GUTTER / 2
            bottom = y + pages.head_h + sum(pages.row_h(r) for r in rows)
            pages.line(painter, gutter, y, gutter, bottom)
        _part(pages, painter, rows, x, y)


def _part(
    pages: SheetCanvas, painter: QPainter, rows: tuple[TableRow, ...], x: float, y: float
) -> None:
    width = pages.part_width()
    painter.setPen(pages.pen())
    painter.setFont(pages.font(TABLE_PT, bold=True))
    cell_x = x
    for column in pages.columns:
        pages.text(
            painter, (cell_x + CELL_PAD, y, column.width - 2 * CELL_PAD, pages.head_h), column.title
        )
        cell_x += column.width
    painter.setPen(pages.pen(0.9))
    pages.line(painter, x, y + pages.head_h, x + width, y + pages.head_h)
    row_y = y + pages.head_h
    previous = None
    for number, row in enumerate(rows):
        new_chair = row.chair is not previous
        if number:  # a heavier rule where the next chair begins
            painter.setPen(pages.pen(0.7 if new_chair else 0.25))
            pages.line(painter, x, row_y, x + width, row_y)
        if row.item.status == "missed":  # struck through in grey would not copy: dashed box
            painter.setPen(pages.pen(0.5, Qt.PenStyle.DashLine))
            painter.drawRect(pages.rect(x + 0.5, row_y + 0.6, width - 1, pages.row_h(row) - 1.2))
        cell_x = x
        for column in pages.columns:
            text, bold, italic = cell(pages.sheet, row.chair, row.item, column.key)
            if column.key == "chair" and not new_chair:
                text = ""  # the chair's name once, on its first row in this part
            if text:
                font = pages.font(TABLE_PT, bold=bold, italic=italic)
                painter.setPen(pages.pen())
                painter.setFont(font)
                inner = column.width - 2 * CELL_PAD
                for line_no, line in enumerate(pages.wrap(text, font, inner)):
                    top = row_y + 1.0 + line_no * pages.table_line
                    pages.text(painter, (cell_x + CELL_PAD, top, inner, pages.table_line), line)
            cell_x += column.width
        row_y += pages.row_h(row)
        previous = row.chair
    painter.setPen(pages.pen(0.9))
    pages.line(painter, x, row_y, x + width, row_y)
