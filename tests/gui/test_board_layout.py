"""The board readable across the room (issue 14, item 1): every chair in a fixed place,
the grid sized to the window, a text label for each phase, nothing clipped, and the
countdown in words with its wall time, right across a DST change. A fixed clock."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtGui import QFont
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel

from tdm1_scheduler.domain.regimen import Setting
from tdm1_scheduler.domain.timers import Phase, Visit
from tdm1_scheduler.gui.main_window import MainWindow
from tdm1_scheduler.gui.nurse.board import NurseBoard, NurseBoardWindow, VisitTile
from tdm1_scheduler.gui.nurse.look import FREE, PHASE_LOOK
from tdm1_scheduler.services import nurse
from tdm1_scheduler.services.context import Context, load_settings
from tdm1_scheduler.text import plain
from tests.store.backends import sqlite_of

from .conftest import DEMO_NOW, OFFSCREEN_NOISE
from .test_nurse_board import board, click, clock, started_tile

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE, "This plugin does not support raise")


def standalone(qtbot, ctx: Context, width: int, height: int) -> NurseBoardWindow:  # type: ignore[no-untyped-def]
    window = NurseBoardWindow(ctx)
    qtbot.addWidget(window)
    window.resize(width, height)
    window.show()
    qtbot.waitExposed(window)
    QApplication.processEvents()
    window.board.scroll_area.fit()
    QApplication.processEvents()
    return window


def clipped(tile: VisitTile) -> list[str]:
    """Labels on a tile whose text does not fit the room they were given."""
    found = []
    for label in tile.findChildren(QLabel):
        if not label.isVisibleTo(tile) or not label.text():
            continue
        if label.wordWrap():
            need_h = label.heightForWidth(label.width())
            if label.height() < need_h:
                found.append(f"{label.objectName()}: {label.text()!r} (height)")
        elif label.width() < label.sizeHint().width() or label.height() < label.sizeHint().height():
            found.append(f"{label.objectName()}: {label.text()!r}")
    return found


def assert_fits(window: NurseBoardWindow) -> None:
    grid = window.board.scroll_area
    assert not grid.verticalScrollBar().isVisible()
    assert not grid.horizontalScrollBar().isVisible()
    host = grid.widget()
    for tile in window.board.chair_tiles.values():
        assert tile.isVisible()
        top_left = tile.mapTo(host, tile.rect().topLeft())
        assert top_left.x() >= 0 and top_left.y() >= 0
        assert top_left.x() + tile.width() <= grid.viewport().width()
        assert top_left.y() + tile.height() <= grid.viewport().height()
        assert clipped(tile) == []


def test_twelve_chairs_fit_a_1920x1080_window_without_scrolling(qtbot, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    window = standalone(qtbot, ctx, 1920, 1080)
    b = window.board
    chairs = [
        row["name"]
        for row in sqlite_of(ctx.store).query(
            "SELECT name FROM chairs WHERE active = 1 ORDER BY position, id"
        )
    ]
    assert len(b.chair_tiles) == len(chairs) == 12
    assert not b.scroll_area.compact  # full tiles, the name large
    assert_fits(window)
    assert [t.chair_name for t in b.scroll_area.order] == chairs  # the clinic's chair order
    tile = next(iter(b.tiles.values()))
    assert tile.patient_label.font().pointSizeF() >= 2 * QApplication.font().pointSizeF()
    window.close()


def test_twenty_four_chairs_fit_with_compact_tiles(
    qtbot, ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """A bigger clinic: the demo's twelve chairs twice over, every tile with a patient."""
    real = nurse.chair_board

    def doubled(db, now):  # type: ignore[no-untyped-def]
        views = real(db, now)
        busy = [v.tile for v in views if v.tile is not None]
        extra = [
            nurse.ChairView(
                1000 + n, f"Chair {13 + n}", replace(busy[n % len(busy)], appointment_id=10_000 + n)
            )
            for n in range(12)
        ]
        return [*views, *extra]

    monkeypatch.setattr(nurse, "chair_board", doubled)
    window = standalone(qtbot, ctx, 1920, 1080)
    b = window.board
    assert len(b.chair_tiles) == 24
    assert b.scroll_area.compact
    assert_fits(window)
    window.close()


def test_at_1366x768_nothing_is_clipped_and_nothing_scrolls_sideways(qtbot, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    window = standalone(qtbot, ctx, 1366, 768)
    b = window.board
    grid = b.scroll_area
    assert not grid.horizontalScrollBar().isVisible()
    for tile in b.chair_tiles.values():
        assert clipped(tile) == []
        assert tile.width() <= grid.viewport().width()
    window.close()


def test_a_tiles_place_does_not_change_when_another_chair_empties(window: MainWindow) -> None:
    tile = started_tile(window)
    b = board(window)
    b.resize(1600, 900)
    QApplication.processEvents()
    before = {chair: b.scroll_area.position_of(t) for chair, t in b.chair_tiles.items()}
    emptied = tile.chair_id
    appointment = tile.data.appointment_id
    clock(window.ctx).advance(minutes=tile.data.visit.infusion_min)
    click(tile.buttons["end_infusion"])
    clock(window.ctx).advance(minutes=tile.data.visit.observation_min + 1)
    b.tick()
    click(b.tile_for(appointment).buttons["discharge"])
    assert appointment not in b.tiles  # discharged: the steps are done
    after = {chair: b.scroll_area.position_of(t) for chair, t in b.chair_tiles.items()}
    assert after == before  # every chair where it was, the emptied one too
    shown = b.chair_tiles[emptied]
    assert shown.phase_label.text() in ("Discharged", "Expected")  # or its next patient


def visit_in(phase: str, start: datetime) -> Visit:
    base = Visit(planned_start=start, prep_min=15, infusion_min=90, observation_min=90)
    at = start + timedelta(minutes=15)
    steps = {
        "expected": base,
        "arrived/prep": replace(base, arrived_at=start),
        "infusing": replace(base, arrived_at=start, infusion_started_at=at),
        "paused": replace(
            base,
            arrived_at=start,
            infusion_started_at=at,
            paused_at=at + timedelta(minutes=5),
            pause_count=1,
        ),
        "observing": replace(
            base,
            arrived_at=start,
            infusion_started_at=at,
            infusion_ended_at=at + timedelta(minutes=90),
        ),
    }
    observing = steps["observing"]
    steps["observation ended"] = replace(observing, observation_ended_at=at + timedelta(hours=3))
    steps["done"] = replace(
        steps["observation ended"], discharged_at=at + timedelta(hours=3, minutes=5)
    )
    return steps[phase]


def tile_data(visit: Visit, **changes: object) -> nurse.BoardTile:
    data = nurse.BoardTile(
        appointment_id=1, chair_id=1, chair_name="Chair 1", mrn="MRN-1",
        patient_name="Emma Baptiste-Okonkwo", cycle=1, setting=Setting.EBC, visit=visit,
        acknowledged=frozenset(), bag="", bag_ok=True, early_discharge_reason=None,
    )  # fmt: skip
    return replace(data, **changes)  # type: ignore[arg-type]


def test_each_phase_has_its_own_text_label_and_icon(qtbot, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    settings = load_settings(ctx.store)
    start = datetime(2026, 11, 18, 13, 0, tzinfo=UTC)
    now = start + timedelta(hours=5)
    labels: dict[str, str] = {}
    for phase in Phase:
        tile = VisitTile(1, "Chair 1", tile_data(visit_in(phase.value, start)))
        qtbot.addWidget(tile)
        tile.repaint_at(now, settings)
        assert tile.phase == phase.value and tile.phase_icon.phase == phase.value
        labels[phase.value] = tile.phase_label.text()
    free = VisitTile(2, "Chair 2")
    qtbot.addWidget(free)
    free.repaint_at(now, settings)
    labels[FREE] = free.phase_label.text()
    assert free.patient_label.text() == "No patient"
    assert len(set(labels.values())) == len(labels) == 8  # no two phases read alike
    assert all(labels.values())
    for phase, text in labels.items():
        assert text == PHASE_LOOK[phase].label
    # The names: expected, arrived, infusing, paused, observing, discharged, free.
    lowered = " ".join(labels.values()).lower()
    for word in ("expected", "arrived", "infusing", "paused", "observing", "discharged", "free"):
        assert word in lowered


@pytest.mark.parametrize(
    ("started_utc", "now_utc", "what", "wall"),
    [
        # Fall back, Sun 1 Nov 2026: 02:00 EDT becomes 01:00 EST. Started 00:50 EDT,
        # 90 min: it ends at 01:20 EST, 80 min after 01:00 EDT (not 20).
        ("2026-11-01T04:50", "2026-11-01T05:00", "Infusion ends in 1 h 20 min", "at 01:20"),
        # Spring forward, Sun 8 Mar 2026: 02:00 EST becomes 03:00 EDT. Started 01:30
        # EST, 90 min: it ends at 04:00 EDT, 80 min after 01:40 EST (not 140).
        ("2026-03-08T06:30", "2026-03-08T06:40", "Infusion ends in 1 h 20 min", "at 04:00"),
    ],
)
def test_the_countdown_label_and_wall_time_across_a_dst_change(
    qtbot, ctx: Context, started_utc: str, now_utc: str, what: str, wall: str
) -> None:  # type: ignore[no-untyped-def]
    settings = load_settings(ctx.store)
    assert settings.timezone == "America/New_York"
    started = datetime.fromisoformat(started_utc).replace(tzinfo=UTC)
    visit = replace(
        visit_in("infusing", started - timedelta(minutes=15)), infusion_started_at=started
    )
    tile = VisitTile(1, "Chair 1", tile_data(visit))
    qtbot.addWidget(tile)
    now = datetime.fromisoformat(now_utc).replace(tzinfo=UTC)
    tile.repaint_at(now, settings)
    assert (plain(tile.countdown_label.text()), tile.until_label.text()) == (what, wall)
    # Ended at the same instant, observation counts to its real end + 90 min.
    ended = replace(visit, infusion_ended_at=now)
    tile.set_data(tile_data(ended))
    tile.repaint_at(now, settings)
    local_end = settings.calendar.local(now + timedelta(minutes=90))
    assert plain(tile.countdown_label.text()) == "Observation ends in 1 h 30 min"
    assert tile.until_label.text() == f"at {local_end:%H:%M}"


def test_badges_first_infusion_reaction_prolonged_and_a_bag_expiring(qtbot, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    settings = load_settings(ctx.store)
    start = DEMO_NOW
    expected = tile_data(visit_in("expected", start), bag_expires_at=start + timedelta(minutes=90))
    tile = VisitTile(1, "Chair 1", expected)
    qtbot.addWidget(tile)
    tile.repaint_at(start, settings)
    assert tile.badges == [
        "First infusion",
        f"Bag expires {settings.calendar.local(start + timedelta(minutes=90)):%H:%M}",
    ]
    tile.repaint_at(start - timedelta(hours=1), settings)  # 2 h 30 min left: no badge
    assert tile.badges == ["First infusion"]
    later = visit_in("infusing", start)
    later = replace(later, infusion_min=90, reaction_grade=2)
    tile.set_data(tile_data(later, cycle=4))
    tile.repaint_at(start + timedelta(minutes=30), settings)
    assert tile.badges == ["Reaction grade 2", "Prolonged 90 min"]


def test_overdue_and_ready_to_leave_chairs_first_when_told(window: MainWindow) -> None:
    b = board(window)
    order = [t.chair_id for t in b.scroll_area.order]
    clock(window.ctx).advance(hours=3)  # flags everywhere but on free chairs
    b.tick()
    assert [t.chair_id for t in b.scroll_area.order] == order  # off: the clock moves nothing
    flagged = [t.chair_id for t in b.scroll_area.order if t.needs_look]
    assert flagged and len(flagged) < len(order)
    b.header.overdue_first.click()
    now_order = [t.chair_id for t in b.scroll_area.order]
    assert now_order[: len(flagged)] == flagged
    b.header.overdue_first.click()
    assert [t.chair_id for t in b.scroll_area.order] == order


def test_the_board_shows_the_date_and_a_clock_in_wall_time(qtbot, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    b = NurseBoard(ctx)
    qtbot.addWidget(b)
    assert b.header.date_label.text() == "Wednesday 18 November 2026"
    assert b.header.clock_label.text() == "10:00"  # 15:00 UTC in New York
    b.stop()


def test_the_board_follows_the_desktop_font_size(qtbot, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before = QFont(app.font())
    b = NurseBoard(ctx)
    qtbot.addWidget(b)
    tile = next(iter(b.tiles.values()))
    small = tile.patient_label.font().pointSizeF()
    try:
        bigger = QFont(before)
        bigger.setPointSizeF(before.pointSizeF() * 1.5)
        app.setFont(bigger)
        QTest.qWait(10)
        assert tile.patient_label.font().pointSizeF() == pytest.approx(small * 1.5)
    finally:
        app.setFont(before)
    b.stop()
