"""The Pharmacy page at 1366x768 and 1920x1080 (offscreen): queue rows one text line
high, the whole Next step in its tooltip, no sideways scrolling on the small screen, and
the Selected dose panel's drug banner (name and look-alike reminder) shown whole."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from tdm1_scheduler.domain.regimen import DRUG_NAME, DRUG_NAME_REMINDER
from tdm1_scheduler.gui.main_window import MainWindow
from tdm1_scheduler.gui.pharmacy.page import ROW_PADDING, Column, PharmacyPage

from .conftest import OFFSCREEN_NOISE
from .test_pharmacy_view import FIRST_CYCLE, FIRST_MRN, click_row, pharmacy_page

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

SIZES = [(1366, 768), (1920, 1080)]


def _sized(qtbot: Any, window: MainWindow, width: int, height: int) -> PharmacyPage:
    window.resize(width, height)
    page = pharmacy_page(window)
    qtbot.wait(30)
    page.reload()
    qtbot.wait(30)
    return page


def _whole(label: QLabel) -> bool:
    """The label is as tall as its wrapped text needs at its width."""
    return label.height() >= label.heightForWidth(label.width())


@pytest.mark.parametrize(("width", "height"), SIZES, ids=["1366x768", "1920x1080"])
def test_queue_rows_are_one_line_and_the_tooltip_has_the_whole_next_step(
    qtbot: Any, window: MainWindow, width: int, height: int
) -> None:
    page = _sized(qtbot, window, width, height)
    model, table = page.model, page.table
    assert model.rowCount() > 0
    one_line = 1.6 * table.fontMetrics().height() + ROW_PADDING
    long_texts = 0
    for row in range(model.rowCount()):
        assert table.rowHeight(row) <= one_line, (row, table.rowHeight(row))
        index = model.index(row, Column.NEXT)
        whole = model.next_step(model.row_data(row))
        tip = str(index.data(Qt.ItemDataRole.ToolTipRole))
        assert tip.splitlines()[0] == whole
        long_texts += len(whole) > len(str(index.data()))
    # the demo's doses have no lab results: "... MISSING: no lab or LVEF result ..."
    assert long_texts > 0
    assert not table.wordWrap()
    assert table.textElideMode() is Qt.TextElideMode.ElideRight
    if width == 1366:
        assert table.horizontalScrollBar().maximum() == 0  # nothing to scroll to


@pytest.mark.parametrize(("width", "height"), SIZES, ids=["1366x768", "1920x1080"])
def test_the_selected_dose_banner_shows_whole_and_the_reminder_stays_in_sight(
    qtbot: Any, window: MainWindow, width: int, height: int
) -> None:
    page = _sized(qtbot, window, width, height)
    click_row(page, FIRST_MRN, FIRST_CYCLE)
    banner = page.detail_drug_label
    box = banner.parentWidget()

    def shown_whole() -> None:
        assert banner.isVisible() and DRUG_NAME in banner.text()
        assert _whole(banner), (banner.height(), banner.heightForWidth(banner.width()))
        assert banner.geometry().top() >= 0
        assert banner.geometry().bottom() <= box.contentsRect().bottom()
        for key, label in [*page.detail_labels.items(), ("warnings", page.warning_label)]:
            assert label.geometry().right() <= box.contentsRect().right(), key
            assert _whole(label), key

    qtbot.waitUntil(shown_whole, timeout=3000)  # the panel's layout settles in a few events
    # the page's own banner keeps the look-alike reminder in sight, whole
    assert page.drug_label.isVisible() and DRUG_NAME_REMINDER in page.drug_label.text()
    assert _whole(page.drug_label)
