"""The Pharmacy page on the demo clinic: queue, detail, and the dialogs, driven by real
Qt events. The window's clock is a FixedClock, advanced to make preparations expire."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel, QWidget

from tdm1_scheduler.clock import FixedClock
from tdm1_scheduler.domain.dosing import DILUENT, vial_plan
from tdm1_scheduler.domain.regimen import DRUG_NAME, DRUG_NAME_REMINDER
from tdm1_scheduler.gui.main_window import MainWindow
from tdm1_scheduler.gui.pharmacy.dialogs import (
    DiluteDialog,
    DiscardDialog,
    PrepDialog,
    ReconstituteDialog,
)
from tdm1_scheduler.gui.pharmacy.page import (
    EXPIRED_BACKGROUND,
    EXPIRED_ROLE,
    REFRESH_INTERVAL_MS,
    Column,
    PharmacyPage,
    PharmacyQueueModel,
)
from tdm1_scheduler.services import pharmacy
from tdm1_scheduler.services.context import Context
from tdm1_scheduler.store.database import to_utc_text
from tests.store.backends import sqlite_of

from .conftest import DEMO_NOW, OFFSCREEN_NOISE

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

# The demo's most urgent dose at DEMO_NOW (10:00 New York): infusion 10:30, 345.6 mg.
FIRST_MRN, FIRST_CYCLE = "MRN100242", 4
# Two doses booked for tomorrow, used to put preparations on the shelf.
TOMORROW_A = ("MRN100375", 1)
TOMORROW_B = ("MRN100382", 6)


# --- helpers -----------------------------------------------------------------------------
def pharmacy_page(window: MainWindow) -> PharmacyPage:
    page = window.features["pharmacy_view"]
    assert isinstance(page, PharmacyPage)
    window.pages.setCurrentWidget(page)
    return page


def clock_of(ctx: Context) -> FixedClock:
    assert isinstance(ctx.clock, FixedClock)
    return ctx.clock


def click(widget: QWidget) -> None:
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton)


def click_row(page: PharmacyPage, mrn: str, cycle: int) -> int:
    row = page.model.find_row(mrn, cycle)
    assert row is not None, (mrn, cycle)
    index = page.model.index(row, Column.PATIENT)
    page.table.scrollTo(index)
    QTest.mouseClick(
        page.table.viewport(),
        Qt.MouseButton.LeftButton,
        pos=page.table.visualRect(index).center(),
    )
    assert page.selected() == (mrn, cycle)
    return row


def cell(page: PharmacyPage, mrn: str, cycle: int, column: Column) -> str:
    row = page.model.find_row(mrn, cycle)
    assert row is not None
    return str(page.model.index(row, column).data())


def shown_keys(page: PharmacyPage) -> list[tuple[str, str]]:
    model = page.model
    return [
        (model.index(r, Column.MRN).data(), model.index(r, Column.CYCLE).data())
        for r in range(model.rowCount())
    ]


def prep_row(ctx: Context, mrn: str, cycle: int) -> dict | None:  # type: ignore[type-arg]
    rows = list(
        sqlite_of(ctx.store).query(
            "SELECT p.* FROM preparations p JOIN doses d ON d.id = p.dose_id"
            " JOIN courses c ON c.id = d.course_id JOIN patients pt ON pt.id = c.patient_id"
            " WHERE pt.mrn = ? AND d.cycle = ? ORDER BY p.id DESC",
            [mrn, cycle],
        )
    )
    return rows[0] if rows else None


def open_dialog(page: PharmacyPage, button: QWidget) -> PrepDialog:
    click(button)
    dialog = page.dialog
    assert dialog is not None and dialog.isVisible()
    return dialog


def drug_mentions_are_full(widget: QWidget) -> None:
    """Every visible label naming the drug names it in full; the reminder is shown."""
    labels = [label for label in widget.findChildren(QLabel) if label.isVisible()]
    assert any(DRUG_NAME in label.text() and DRUG_NAME_REMINDER in label.text() for label in labels)
    for label in labels:
        rest = label.text().replace(DRUG_NAME, "").replace(DRUG_NAME_REMINDER, "").lower()
        assert "trastuzumab" not in rest and "kadcyla" not in rest, label.text()


# --- the model ------------------------------------------------------------------------------
def test_queue_model_passes_modeltester(qtmodeltester, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    model = PharmacyQueueModel()
    model.reload(ctx.store, DEMO_NOW)
    assert model.rowCount() > 10
    # The tester stays connected: it also checks the reset and the re-sort below.
    qtmodeltester.check(model, force_py=True)
    # A vial good until 11:00 (after the 10:30 infusion), then a tick past it: a re-sort.
    mrn, cycle = TOMORROW_B
    pharmacy.record_reconstitution(ctx, mrn=mrn, cycle=cycle, at=DEMO_NOW - timedelta(hours=23))
    model.reload(ctx.store, DEMO_NOW)
    assert model.find_row(mrn, cycle) == 1
    assert not model.refresh_times(DEMO_NOW + timedelta(minutes=30))  # same order
    assert model.refresh_times(DEMO_NOW + timedelta(minutes=65))
    assert model.find_row(mrn, cycle) == 0
    assert model.index(0, Column.STATUS).data() == "EXPIRED: vial"


# --- the drug's name ------------------------------------------------------------------------
def test_page_and_dialogs_name_the_drug_in_full_with_the_reminder(window: MainWindow) -> None:
    page = pharmacy_page(window)
    titles = [window.pages.tabText(i) for i in range(window.pages.count())]
    assert "Pharmacy" in titles
    assert DRUG_NAME in page.accessibleName()
    assert DRUG_NAME in page.table.accessibleName()
    drug_mentions_are_full(page)
    assert DRUG_NAME_REMINDER in page.detail_drug_label.text()

    click_row(page, FIRST_MRN, FIRST_CYCLE)
    dialog = open_dialog(page, page.reconstitute_button)
    assert isinstance(dialog, ReconstituteDialog)
    assert DRUG_NAME in dialog.windowTitle()
    drug_mentions_are_full(dialog)
    dialog.reject()

    # Reconstituted: the Dilute and Discard dialogs open on this dose.
    window.apply_changes(
        pharmacy.record_reconstitution(window.ctx, mrn=FIRST_MRN, cycle=FIRST_CYCLE, at=DEMO_NOW)
    )
    click_row(page, FIRST_MRN, FIRST_CYCLE)
    dilute = open_dialog(page, page.dilute_button)
    assert isinstance(dilute, DiluteDialog)
    assert DRUG_NAME in dilute.windowTitle()
    drug_mentions_are_full(dilute)
    dilute.reject()
    discard = open_dialog(page, page.discard_button)
    assert isinstance(discard, DiscardDialog)
    drug_mentions_are_full(discard)
    assert DRUG_NAME in discard.waste_label.text()  # the waste line names it in full too
    discard.reject()


def test_every_control_has_an_accessible_name(window: MainWindow) -> None:
    page = pharmacy_page(window)
    for button in (
        page.reconstitute_button,
        page.dilute_button,
        page.discard_button,
        page.discard_expired_button,
    ):
        assert button.accessibleName(), button.objectName()
    click_row(page, FIRST_MRN, FIRST_CYCLE)
    dialog = open_dialog(page, page.reconstitute_button)
    assert isinstance(dialog, ReconstituteDialog)
    for widget in (dialog.time_edit, *dialog.lot_edits, dialog.ok_button, dialog.cancel_button):
        assert widget.accessibleName(), widget.objectName()
    dialog.reject()


# --- the whole preparation through the dialogs ----------------------------------------------
def test_reconstitute_then_dilute_through_the_dialogs(window: MainWindow) -> None:
    ctx = window.ctx
    clock = clock_of(ctx)
    page = pharmacy_page(window)
    click_row(page, FIRST_MRN, FIRST_CYCLE)
    assert cell(page, FIRST_MRN, FIRST_CYCLE, Column.VIALS) == "1 x 160 mg + 2 x 100 mg"
    assert cell(page, FIRST_MRN, FIRST_CYCLE, Column.WATER) == "1 x 8 mL + 2 x 5 mL"
    assert cell(page, FIRST_MRN, FIRST_CYCLE, Column.DOSE) == "345.6"
    assert cell(page, FIRST_MRN, FIRST_CYCLE, Column.WITHDRAW) == "17.3"
    assert cell(page, FIRST_MRN, FIRST_CYCLE, Column.STATUS) == "not prepared"
    assert not page.dilute_action.isEnabled()
    assert prep_row(ctx, FIRST_MRN, FIRST_CYCLE) is None

    dialog = open_dialog(page, page.reconstitute_button)
    assert isinstance(dialog, ReconstituteDialog)
    # The time defaults to the clock's now in clinic wall time (10:00 New York).
    assert dialog.time_edit.dateTime().toString("yyyy-MM-dd HH:mm") == "2026-11-18 10:00"
    assert len(dialog.lot_edits) == 3
    for edit, lot in zip(dialog.lot_edits, ("KAD123", "KAB7", "KAB8"), strict=True):
        QTest.keyClicks(edit, lot)
    assert "Thu 2026-11-19 10:00" in dialog.expiry_label.text()
    click(dialog.ok_button)
    assert not dialog.isVisible()

    stored = prep_row(ctx, FIRST_MRN, FIRST_CYCLE)
    assert stored is not None
    assert stored["reconstituted_at"] == to_utc_text(DEMO_NOW)
    assert stored["vial_lots"] == "KAD123,KAB7,KAB8"
    assert stored["dose_mg"] == 345.6
    assert stored["diluted_at"] is None
    assert page.selected() == (FIRST_MRN, FIRST_CYCLE)
    assert cell(page, FIRST_MRN, FIRST_CYCLE, Column.STATUS) == "reconstituted (vial)"
    assert cell(page, FIRST_MRN, FIRST_CYCLE, Column.TIME_LEFT) == "24 h 00 min"
    assert page.detail_labels["lots"].text() == "KAD123, KAB7, KAB8"
    assert "2026-11-19 10:00" in page.detail_labels["vial_expires"].text()
    assert not page.reconstitute_action.isEnabled()

    clock.advance(minutes=20)
    dialog = open_dialog(page, page.dilute_button)
    assert isinstance(dialog, DiluteDialog)
    assert dialog.diluent_edit.currentText() == DILUENT
    assert dialog.time_edit.dateTime().toString("yyyy-MM-dd HH:mm") == "2026-11-18 10:20"
    click(dialog.ok_button)
    assert not dialog.isVisible()

    stored = prep_row(ctx, FIRST_MRN, FIRST_CYCLE)
    assert stored is not None
    assert stored["diluted_at"] == to_utc_text(DEMO_NOW + timedelta(minutes=20))
    assert stored["diluent"] == DILUENT
    assert cell(page, FIRST_MRN, FIRST_CYCLE, Column.STATUS) == "diluted (bag)"
    assert "2026-11-19 10:20" in page.detail_labels["bag_expires"].text()
    assert "2026-11-19 10:20" in page.detail_labels["infuse_by"].text()
    assert DILUENT in page.detail_labels["diluted"].text()
    assert "bag good until" in page.notes_label.text()
    actions = [row["action"] for row in sqlite_of(ctx.store).query("SELECT action FROM audit_log")]
    assert actions[-2:] == ["record reconstitution", "record dilution"]


def test_dextrose_is_refused_in_the_dialog_and_nothing_is_written(window: MainWindow) -> None:
    ctx = window.ctx
    page = pharmacy_page(window)
    window.apply_changes(
        pharmacy.record_reconstitution(ctx, mrn=FIRST_MRN, cycle=FIRST_CYCLE, at=DEMO_NOW)
    )
    click_row(page, FIRST_MRN, FIRST_CYCLE)
    before = sqlite_of(ctx.store).conn.total_changes
    dialog = open_dialog(page, page.dilute_button)
    assert isinstance(dialog, DiluteDialog)
    line = dialog.diluent_edit.lineEdit()
    line.selectAll()
    QTest.keyClick(line, Qt.Key.Key_Delete)
    QTest.keyClicks(line, "250 mL 5% Dextrose")
    click(dialog.ok_button)
    assert dialog.isVisible()
    assert dialog.error_label.isVisible()
    assert "Dextrose" in dialog.error_label.text()
    assert "must not be used" in dialog.error_label.text()
    assert sqlite_of(ctx.store).conn.total_changes == before
    stored = prep_row(ctx, FIRST_MRN, FIRST_CYCLE)
    assert stored is not None and stored["diluted_at"] is None
    dialog.reject()


def test_dilution_after_the_vial_window_is_refused_then_a_time_within_it_is_taken(
    window: MainWindow,
) -> None:
    ctx = window.ctx
    page = pharmacy_page(window)
    window.apply_changes(
        pharmacy.record_reconstitution(ctx, mrn=FIRST_MRN, cycle=FIRST_CYCLE, at=DEMO_NOW)
    )
    clock_of(ctx).advance(hours=24, minutes=30)
    page.refresh_timer.timeout.emit()
    click_row(page, FIRST_MRN, FIRST_CYCLE)
    assert cell(page, FIRST_MRN, FIRST_CYCLE, Column.STATUS) == "EXPIRED: vial"
    before = sqlite_of(ctx.store).conn.total_changes
    dialog = open_dialog(page, page.dilute_button)
    click(dialog.ok_button)
    assert dialog.isVisible()
    assert "reconstituted vial expired" in dialog.error_label.text()
    assert sqlite_of(ctx.store).conn.total_changes == before
    # A dilution done in time and recorded late: the time typed is within the window.
    assert isinstance(dialog, DiluteDialog)
    dialog.time_edit.setFocus()
    dialog.time_edit.selectAll()
    QTest.keyClicks(dialog.time_edit, "2026-11-18 10:45")
    assert dialog.time_edit.dateTime().toString("yyyy-MM-dd HH:mm") == "2026-11-18 10:45"
    click(dialog.ok_button)
    assert not dialog.isVisible()
    stored = prep_row(ctx, FIRST_MRN, FIRST_CYCLE)
    assert stored is not None
    assert stored["diluted_at"] == to_utc_text(DEMO_NOW + timedelta(minutes=45))


# --- expiry, the timer, and discards ----------------------------------------------------------
def test_timer_marks_an_expired_bag_and_discard_all_expired_records_the_waste(
    window: MainWindow,
) -> None:
    ctx = window.ctx
    page = pharmacy_page(window)
    assert page.refresh_timer.interval() == REFRESH_INTERVAL_MS == 30_000
    assert page.refresh_timer.isActive()
    pharmacy.record_reconstitution(ctx, mrn=FIRST_MRN, cycle=FIRST_CYCLE, at=DEMO_NOW)
    window.apply_changes(
        pharmacy.record_dilution(ctx, mrn=FIRST_MRN, cycle=FIRST_CYCLE, at=DEMO_NOW)
    )
    row = page.model.find_row(FIRST_MRN, FIRST_CYCLE)
    assert row is not None
    assert not page.model.index(row, Column.STATUS).data(EXPIRED_ROLE)
    assert not page.discard_expired_action.isEnabled()

    # One hour later, the tick counts the bag's time down, from the clock alone.
    clock_of(ctx).advance(hours=1)
    before = sqlite_of(ctx.store).conn.total_changes
    page.refresh_timer.timeout.emit()
    assert cell(page, FIRST_MRN, FIRST_CYCLE, Column.TIME_LEFT) == "23 h 00 min"

    # Past the bag's 24 h: marked expired, moved to the top, and still nothing written.
    clock_of(ctx).advance(hours=23, minutes=5)
    page.refresh_timer.timeout.emit()
    assert sqlite_of(ctx.store).conn.total_changes == before
    row = page.model.find_row(FIRST_MRN, FIRST_CYCLE)
    assert row == 0
    status = page.model.index(row, Column.STATUS)
    assert status.data() == "EXPIRED: bag"
    assert status.data(EXPIRED_ROLE) is True
    assert status.data(Qt.ItemDataRole.BackgroundRole).color() == EXPIRED_BACKGROUND
    assert page.model.index(row, Column.TIME_LEFT).data() == "expired 0 h 05 min ago"
    assert page.discard_expired_action.isEnabled()

    click(page.discard_expired_button)
    stored = prep_row(ctx, FIRST_MRN, FIRST_CYCLE)
    assert stored is not None
    assert stored["discarded_at"] == to_utc_text(clock_of(ctx).now())
    assert stored["discard_reason"] == "expired"
    assert stored["wasted_mg"] == vial_plan(345.6).total_mg == 360
    assert page.model.expired_count() == 0
    assert page.model.find_row(FIRST_MRN, FIRST_CYCLE) is None
    assert "360 mg" in page.notes_label.text()
    assert not page.discard_expired_action.isEnabled()


def test_discard_dialog_discards_with_the_reason_typed(window: MainWindow) -> None:
    ctx = window.ctx
    page = pharmacy_page(window)
    window.apply_changes(
        pharmacy.record_reconstitution(ctx, mrn=FIRST_MRN, cycle=FIRST_CYCLE, at=DEMO_NOW)
    )
    click_row(page, FIRST_MRN, FIRST_CYCLE)
    dialog = open_dialog(page, page.discard_button)
    assert isinstance(dialog, DiscardDialog)
    assert dialog.reason_edit.currentText() == ""
    click(dialog.ok_button)  # no reason: refused, nothing written
    assert dialog.isVisible() and "reason" in dialog.error_label.text()
    assert prep_row(ctx, FIRST_MRN, FIRST_CYCLE)["discarded_at"] is None  # type: ignore[index]
    QTest.keyClicks(dialog.reason_edit.lineEdit(), "vial dropped")
    click(dialog.ok_button)
    stored = prep_row(ctx, FIRST_MRN, FIRST_CYCLE)
    assert stored is not None
    assert stored["discard_reason"] == "vial dropped"
    assert stored["wasted_mg"] == 360
    assert cell(page, FIRST_MRN, FIRST_CYCLE, Column.STATUS) == "not prepared"


# --- order and refresh ------------------------------------------------------------------------
def test_queue_is_most_urgent_first(window: MainWindow) -> None:
    ctx = window.ctx
    page = pharmacy_page(window)
    # Nothing prepared yet: the deadline is each infusion start, earliest first.
    instants = [page.model.row_data(r).infusion_start for r in range(page.model.rowCount())]
    assert instants == sorted(instants)
    assert shown_keys(page)[0] == (FIRST_MRN, str(FIRST_CYCLE))

    # Tomorrow's doses: one vial already expired, one whose vial expires at 10:10 today.
    expired_mrn, expired_cycle = TOMORROW_A
    soon_mrn, soon_cycle = TOMORROW_B
    pharmacy.record_reconstitution(
        ctx, mrn=expired_mrn, cycle=expired_cycle, at=DEMO_NOW - timedelta(hours=25)
    )
    window.apply_changes(
        pharmacy.record_reconstitution(
            ctx, mrn=soon_mrn, cycle=soon_cycle, at=DEMO_NOW - timedelta(hours=23, minutes=50)
        )
    )
    keys = shown_keys(page)
    assert keys[0] == (expired_mrn, str(expired_cycle))  # to discard: first of all
    assert keys[1] == (soon_mrn, str(soon_cycle))  # its vial expires before 10:30
    assert keys[2] == (FIRST_MRN, str(FIRST_CYCLE))
    assert cell(page, soon_mrn, soon_cycle, Column.TIME_LEFT) == "0 h 10 min"

    # Twenty minutes on, the tick alone re-sorts: both expired, the oldest deadline first.
    clock_of(ctx).advance(minutes=20)
    page.refresh_timer.timeout.emit()
    assert shown_keys(page)[:2] == [
        (expired_mrn, str(expired_cycle)),
        (soon_mrn, str(soon_cycle)),
    ]
    assert cell(page, soon_mrn, soon_cycle, Column.STATUS) == "EXPIRED: vial"
    assert page.model.expired_count() == 2


def test_queue_follows_the_clock_not_the_day_shown(window: MainWindow) -> None:
    """The queue is the clock's today and tomorrow: browsing days does not re-read it,
    the clock passing midnight does."""
    ctx = window.ctx
    page = pharmacy_page(window)
    # Written without telling the window: the page still shows the old state...
    pharmacy.record_reconstitution(ctx, mrn=FIRST_MRN, cycle=FIRST_CYCLE, at=DEMO_NOW)
    assert cell(page, FIRST_MRN, FIRST_CYCLE, Column.STATUS) == "not prepared"
    # ...browsing to the next day shown leaves the queue as it was...
    QTest.mouseClick(window.next_button, Qt.MouseButton.LeftButton)
    assert cell(page, FIRST_MRN, FIRST_CYCLE, Column.STATUS) == "not prepared"
    # ...a change announced by the window reloads it.
    window.reload()
    assert cell(page, FIRST_MRN, FIRST_CYCLE, Column.STATUS) == "reconstituted (vial)"


def test_hidden_page_reloads_when_shown(window: MainWindow) -> None:
    ctx = window.ctx
    page = pharmacy_page(window)
    window.pages.setCurrentIndex(0)  # another page: the pharmacy page is hidden
    assert not page.isVisible()
    pharmacy.record_reconstitution(ctx, mrn=FIRST_MRN, cycle=FIRST_CYCLE, at=DEMO_NOW)
    window.reload()
    assert cell(page, FIRST_MRN, FIRST_CYCLE, Column.STATUS) == "not prepared"  # deferred
    window.pages.setCurrentWidget(page)
    assert cell(page, FIRST_MRN, FIRST_CYCLE, Column.STATUS) == "reconstituted (vial)"
