"""The day sheet painted onto pages: the one render path for preview, printer, PDF and PNG.

Three rooms: ``layout.py`` (page geometry, the page plan, font sizes), ``drawing.py``
(every QPainter call: ``SheetPages``) and ``devices.py`` (printer, PDF, PNG). Import from
here: ``from tdm1_scheduler.reports.paint import write_pdf``.

The only package of ``reports`` that imports Qt. ``render_pages(sheet, device)`` paints
every page onto a paged device (``QPdfWriter``, ``QPrinter``); ``SheetPages.paint`` paints
one page with a ``QPainter`` the caller owns (what ``render_pages`` and
``render_page_image`` both use, so preview, printer, PDF and PNG never drift apart).

Pages (landscape): a normal day of up to ``CHAIRS_PER_PAGE`` chairs is ONE page holding
the header (clinic, date, printed at; on page 1 the summary box), the timeline (a lane
per chair: prep hatched, infusion solid, observation open with the patient's name in
it, blocked cross-hatched; on page 1 the starts per 30-minute slot against the cap),
the appointment table in 2 or 3 side-by-side columns (6.5 pt), the legend and "Page i
of n". More chairs go 24 to a page, each page with its own lanes and table rows. Only
when a page's rows cannot fit beside its lanes (an extreme day) do they continue on an
extra page with the header repeated. ``SheetPages`` plans this once per device.
Black on white only.

GUI use::

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    prepare_printer(printer)                      # landscape, grayscale
    dialog = QPrintPreviewDialog(printer)
    dialog.paintRequested.connect(lambda p: render_pages(sheet, p, set_layout=False))
"""

from __future__ import annotations

from .devices import _image_pages as _image_pages
from .devices import (
    ensure_gui_application,
    page_count,
    pdf_bytes,
    prepare_printer,
    render_page_image,
    render_pages,
    write_pdf,
    write_png,
)
from .drawing import BLACK, WHITE, SheetPages
from .layout import (
    AXIS_H,
    CELL_PAD,
    FONT_FAMILY,
    FOOTER_H,
    GAP,
    HEADER_H,
    LANE_MAX,
    LANE_MIN,
    LANE_ROOMY,
    MARGIN_MM,
    PAGE_SIZES,
    PATIENT_MAX,
    STARTS_H,
    TABLE_COLUMNS,
    TABLE_GUTTER,
    TABLE_PT,
    TIMES_LEGEND,
    Column,
    PagePlan,
    SheetLayout,
    TableRow,
    page_layout,
    prepare_device,
)

__all__ = [
    "AXIS_H",
    "BLACK",
    "CELL_PAD",
    "FONT_FAMILY",
    "FOOTER_H",
    "GAP",
    "HEADER_H",
    "LANE_MAX",
    "LANE_MIN",
    "LANE_ROOMY",
    "MARGIN_MM",
    "PAGE_SIZES",
    "PATIENT_MAX",
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
    "write_pdf",
    "write_png",
]
