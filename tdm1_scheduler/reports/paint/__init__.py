"""The day sheet painted onto pages: the one render path for preview, printer, PDF and PNG.

Three rooms: ``layout.py`` (page geometry, the page plan, font sizes), ``drawing.py``
(every QPainter call: ``SheetPages``) and ``devices.py`` (printer, PDF, PNG). Import from
here: ``from tdm1_scheduler.reports.paint import write_pdf``.

The only package of ``reports`` that imports Qt. ``render_pages(sheet, device)`` paints
every page onto a paged device (``QPdfWriter``, ``QPrinter``); ``SheetPages.paint`` paints
one page with a ``QPainter`` the caller owns (what ``render_pages`` and
``render_page_image`` both use, so preview, printer, PDF and PNG never drift apart).

Pages (landscape): the first page holds the header with the day's summary, the
chair-by-time grid of up to ``CHAIRS_PER_PAGE`` chairs (a lane per chair: names and
marks over a bar strip, prep hatched, infusion solid, observation open, blocked
cross-hatched, missed dashed; type at least 9 pt) and the starts per 30-minute slot
against the cap. More chairs go 24 to a page. The table of visits (at least 8 pt,
names and marks wrapped, never cut) begins under the last lanes when there is room
and runs on over the following pages. Every page ends with its legend, the printed
time and "Page n of m". Black on white only. ``SheetPages`` plans this once per device.

GUI use::

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    prepare_printer(printer)                      # landscape, grayscale
    dialog = QPrintPreviewDialog(printer)
    dialog.paintRequested.connect(lambda p: render_pages(sheet, p, set_layout=False))
"""

from __future__ import annotations

from .cells import TABLE_COLUMNS, TIMES_LEGEND
from .devices import (
    _image_pages as _image_pages,
    ensure_gui_application,
    page_count,
    pdf_bytes,
    prepare_printer,
    render_page_image,
    render_pages,
    write_pdf,
    write_pdf_quietly,
    write_png,
)
from .drawing import BLACK, WHITE, SheetPages
from .layout import (
    AXIS_H,
    CELL_PAD,
    FONT_FAMILY,
    GAP,
    GRID_PT,
    LANE_MAX,
    MARGIN_MM,
    PAGE_SIZES,
    STARTS_H,
    TABLE_GUTTER,
    TABLE_PT,
    Column,
    PagePlan,
    SheetLayout,
    TableRow,
    page_layout,
    prepare_device,
    sized_layout,
)

__all__ = [
    "AXIS_H",
    "BLACK",
    "CELL_PAD",
    "FONT_FAMILY",
    "GAP",
    "GRID_PT",
    "LANE_MAX",
    "MARGIN_MM",
    "PAGE_SIZES",
    "STARTS_H",
    "TABLE_COLUMNS",
    "TABLE_GUTTER",
    "TABLE_PT",
    "TIMES_LEGEND",
    "WHITE",
    "Column",
    "PagePlan",
    "SheetLayout",
    "SheetPages",
    "TableRow",
    "ensure_gui_application",
    "page_count",
    "page_layout",
    "pdf_bytes",
    "prepare_device",
    "prepare_printer",
    "render_page_image",
    "render_pages",
    "sized_layout",
    "write_pdf",
    "write_pdf_quietly",
    "write_png",
]
