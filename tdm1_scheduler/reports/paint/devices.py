"""The day sheet onto devices: printer, PDF (bytes or file), page images and PNG files.

Each paints through ``drawing.SheetPages``, so preview, printer, PDF and PNG never drift
apart; ``ensure_gui_application`` makes the (offscreen) QGuiApplication painting needs.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QBuffer, QIODevice, QSizeF, qInstallMessageHandler
from PySide6.QtGui import QGuiApplication, QImage, QPagedPaintDevice, QPainter, QPdfWriter

from ..day_sheet import DaySheet
from ..html import title_text
from .drawing import WHITE, SheetPages
from .layout import page_layout, prepare_device

# The QGuiApplication made here, if any (kept alive for the process).
_app: QGuiApplication | None = None


def ensure_gui_application() -> QGuiApplication:
    """The running QGuiApplication, or a new one (offscreen unless a platform was chosen)."""
    global _app
    app = QGuiApplication.instance()
    if app is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        # A QApplication (a QGuiApplication too) so that widgets made later in the same
        # process (a test session, the GUI's print preview) still work.
        try:
            from PySide6.QtWidgets import QApplication

            _app = QApplication(["tdm1-scheduler"])
        except ImportError:  # pragma: no cover - Essentials always ships QtWidgets
            _app = QGuiApplication(["tdm1-scheduler"])
        return _app
    if not isinstance(app, QGuiApplication):
        raise RuntimeError("painting needs a QGuiApplication; a bare QCoreApplication runs")
    return app


def prepare_printer(printer: Any) -> None:
    """A ``QPrinter`` set up for the sheet: landscape, grayscale (before a preview opens).

    A print preview dialog does not own its QPrinter: the caller keeps it alive as long
    as the preview (a collected printer crashes ``updatePreview``).
    """
    from PySide6.QtPrintSupport import QPrinter

    prepare_device(printer)
    printer.setColorMode(QPrinter.ColorMode.GrayScale)


def render_pages(sheet: DaySheet, device: QPagedPaintDevice, *, set_layout: bool = True) -> int:
    """Paint every page of ``sheet`` onto ``device`` (QPdfWriter, QPrinter); the page count.

    ``set_layout`` first turns the device landscape with our margins (leave it False in a
    print preview's ``paintRequested``: ``prepare_printer`` did that before the dialog).
    """
    ensure_gui_application()
    if set_layout:
        prepare_device(device)
    resolution = _resolution(device)
    rect = device.pageLayout().paintRectPixels(resolution)
    pages = SheetPages(sheet, device, QSizeF(rect.width(), rect.height()), resolution)
    painter = QPainter()
    if not painter.begin(device):
        raise OSError("cannot paint on the output device (is the file writable?)")
    try:
        for index in range(pages.count):
            if index and not device.newPage():
                raise OSError("the output device refused a new page")
            pages.paint(painter, index)
    finally:
        painter.end()
    return pages.count


def _resolution(device: QPagedPaintDevice) -> int:
    resolution = getattr(device, "resolution", None)
    return int(resolution()) if callable(resolution) else int(device.logicalDpiX())


def pdf_bytes(sheet: DaySheet, paper: str = "a4") -> tuple[bytes, int]:
    """The sheet as PDF bytes, and its number of pages (painted in memory)."""
    ensure_gui_application()
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(600)
    writer.setTitle(title_text(sheet))
    writer.setCreator("tdm1-scheduler")
    writer.setPageLayout(page_layout(paper))
    count = render_pages(sheet, writer, set_layout=False)
    del writer  # finishes the document
    data = bytes(buffer.data().data())
    buffer.close()
    return data, count


def write_pdf(sheet: DaySheet, path: Path | str, paper: str = "a4") -> int:
    """Write the sheet as a PDF at ``path``, all or nothing (``safe_files``: 0600, fsynced,
    renamed into place); returns the number of pages. Raises ``OutputFailed`` (one line)
    when the PDF cannot be made or written. The caller decides whether ``path`` may be
    replaced (``safe_files.check_output_path``)."""
    from ...safe_files import PDF_MAGIC, OutputFailed, write_bytes_atomically

    data, count = pdf_bytes(sheet, paper)
    if not data.startswith(PDF_MAGIC):
        raise OutputFailed(f"could not make the PDF for {path}; nothing was written")
    write_bytes_atomically(path, data)
    return count


def write_pdf_quietly(sheet: DaySheet, path: Path | str, paper: str = "a4") -> int:
    """``write_pdf`` with Qt's warnings (QPainter...) kept off stderr, for a command line
    whose stderr holds one line at most."""
    previous = qInstallMessageHandler(lambda *message: None)
    try:
        return write_pdf(sheet, path, paper)
    finally:
        qInstallMessageHandler(previous)


def page_count(sheet: DaySheet, paper: str = "a4", dpi: int = 600) -> int:
    """How many pages the sheet takes on ``paper`` (landscape)."""
    return _image_pages(sheet, paper, dpi)[1].count


def _image_pages(sheet: DaySheet, paper: str, dpi: int) -> tuple[QImage, SheetPages]:
    ensure_gui_application()
    layout = page_layout(paper)
    full = layout.fullRectPixels(dpi)
    image = QImage(full.width(), full.height(), QImage.Format.Format_RGB32)
    dots_per_metre = round(dpi / 0.0254)
    image.setDotsPerMeterX(dots_per_metre)
    image.setDotsPerMeterY(dots_per_metre)
    paint = layout.paintRectPixels(dpi)
    return image, SheetPages(sheet, image, QSizeF(paint.width(), paint.height()), dpi)


def render_page_image(sheet: DaySheet, index: int = 0, dpi: int = 110, paper: str = "a4") -> QImage:
    """Page ``index`` (0-based) as a white image of the whole sheet of paper."""
    image, pages = _image_pages(sheet, paper, dpi)
    if not 0 <= index < pages.count:
        raise IndexError(f"page {index + 1} of {pages.count}")
    image.fill(WHITE)
    margin = page_layout(paper).paintRectPixels(dpi).topLeft()
    painter = QPainter(image)
    try:
        painter.translate(margin.x(), margin.y())
        pages.paint(painter, index)
    finally:
        painter.end()
    return image


def write_png(
    sheet: DaySheet, path: Path | str, index: int = 0, dpi: int = 110, paper: str = "a4"
) -> None:
    image = render_page_image(sheet, index, dpi, paper)
    # PySide6 6.11 takes the format as str at run time; its stubs say bytes.
    if not image.save(str(path), "PNG"):  # type: ignore[call-overload]
        raise OSError(f"cannot write {path}")
