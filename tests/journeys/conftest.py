"""Journey fixtures: a small clinic of our own, the real main window on it, a fixed clock
the test advances, and readers that turn the database into plain tuples.

Every journey drives the window through real QTest mouse and keyboard events and, after
each step, compares what the database holds with the exact state it expects. The
readers below go straight to SQL (not through the services the window calls), so a
step's effect is checked independently of the code that made it.

The clinic: America/New_York, Monday-Friday 08:00-17:00, four chairs "Chair 1".."Chair
4", no closed dates. The clock starts on Monday 16 November 2026 at 08:00 clinic time.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QDialog, QMessageBox, QWidget

from tdm1_scheduler.clock import FixedClock
from tdm1_scheduler.services import clinic as clinic_service
from tdm1_scheduler.services.context import Context
from tdm1_scheduler.store.database import open_database
from tdm1_scheduler.store.sqlite_store import SqliteStore
from tests.store.backends import sqlite_of

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ZONE_NAME = "America/New_York"
ZONE = ZoneInfo(ZONE_NAME)
CHAIRS = 4
MONDAY = date(2026, 11, 16)
TUESDAY = date(2026, 11, 17)
CLOCK_START = datetime(2026, 11, 16, 8, 0, tzinfo=ZONE)

# The offscreen platform warns on every top-level window with size hints, and cannot
# raise a window.
OFFSCREEN_NOISE = (
    "This plugin does not support propagateSizeHints",
    "This plugin does not support raise",
    "This plugin does not support grabbing the keyboard",  # an open menu
)


def local(day: date, hh: int, mm: int = 0) -> datetime:
    """A clinic wall time as an aware instant."""
    return datetime.combine(day, time(hh, mm), tzinfo=ZONE)


def wall(text: str | None) -> str | None:
    """Stored UTC text as clinic wall time ``Tue 2026-11-17 09:00`` (seconds kept when
    not zero); None stays None."""
    if text is None:
        return None
    instant = datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(ZONE)
    shown = f"{instant:%a %Y-%m-%d %H:%M}"
    return f"{shown}:{instant:%S}" if instant.second else shown


def hhmm(text: str) -> str:
    value = wall(text)
    assert value is not None
    return value.split(" ")[-1]


# --- reading the database as plain tuples ------------------------------------------------
def rows(db: Any, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    cursor = db.conn.execute(sql, params)
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


COURSE_APPOINTMENTS = """
    SELECT d.cycle, ch.name AS chair, a.start_utc, a.end_utc, a.status, a.id,
           a.prep_min, a.infusion_min, a.observation_min
    FROM appointments a
    JOIN doses d ON d.id = a.dose_id
    JOIN courses c ON c.id = d.course_id
    JOIN patients p ON p.id = c.patient_id
    JOIN chairs ch ON ch.id = a.chair_id
    WHERE p.mrn = ? AND c.id = (
        SELECT max(c2.id) FROM courses c2 WHERE c2.patient_id = p.id)
    ORDER BY d.cycle, a.start_utc, a.id
"""

Appointment = tuple[int, str, str, str, str]
"""(cycle, chair, start ``Tue 2026-11-17 09:00``, end ``HH:MM``, status)"""


def appointments(db: Any, mrn: str) -> list[Appointment]:
    """Every appointment of the patient's latest course, any status, by cycle and start."""
    return [
        (r["cycle"], r["chair"], str(wall(r["start_utc"])), hhmm(r["end_utc"]), r["status"])
        for r in rows(db, COURSE_APPOINTMENTS, (mrn,))
    ]


def holding(db: Any, mrn: str) -> dict[int, Appointment]:
    """The appointment that holds a chair for each cycle (booked or given)."""
    found: dict[int, Appointment] = {}
    for item in appointments(db, mrn):
        if item[4] in ("booked", "given"):
            assert item[0] not in found, f"two chair-holding appointments for cycle {item[0]}"
            found[item[0]] = item
    return found


def appointment_id(db: Any, mrn: str, cycle: int) -> int:
    held = [
        r["id"]
        for r in rows(db, COURSE_APPOINTMENTS, (mrn,))
        if r["cycle"] == cycle and r["status"] in ("booked", "given")
    ]
    assert len(held) == 1, (mrn, cycle, held)
    return int(held[0])


def chair_time(db: Any, mrn: str, cycle: int) -> tuple[int, int, int]:
    """(prep, infusion, observation) minutes of the cycle's chair-holding booking."""
    for r in rows(db, COURSE_APPOINTMENTS, (mrn,)):
        if r["cycle"] == cycle and r["status"] in ("booked", "given"):
            return (r["prep_min"], r["infusion_min"], r["observation_min"])
    raise AssertionError(f"no booking for cycle {cycle} of {mrn}")


Outcome = tuple[str, str | None, int | None, int | None, int | None]
"""(dose status, given at, infusion minutes given, tolerated 0/1, reaction grade)"""


def dose_outcome(db: Any, mrn: str, cycle: int) -> Outcome:
    found = rows(
        db,
        """SELECT d.status, d.given_at, d.infusion_actual_min, d.tolerated, d.reaction_grade
           FROM doses d JOIN courses c ON c.id = d.course_id
           JOIN patients p ON p.id = c.patient_id
           WHERE p.mrn = ? AND d.cycle = ? ORDER BY c.id DESC LIMIT 1""",
        (mrn, cycle),
    )
    assert found, (mrn, cycle)
    r = found[0]
    return (
        r["status"],
        wall(r["given_at"]),
        r["infusion_actual_min"],
        r["tolerated"],
        r["reaction_grade"],
    )


def course_state(db: Any, mrn: str) -> tuple[str, str, str | None]:
    """(setting, status, stop reason) of the patient's latest course."""
    found = rows(
        db,
        """SELECT c.setting, c.status, c.stop_reason FROM courses c
           JOIN patients p ON p.id = c.patient_id WHERE p.mrn = ? ORDER BY c.id DESC""",
        (mrn,),
    )
    assert found, mrn
    return (found[0]["setting"], found[0]["status"], found[0]["stop_reason"])


def patient(db: Any, mrn: str) -> tuple[str, str, float] | None:
    found = rows(db, "SELECT mrn, name, weight_kg FROM patients WHERE mrn = ?", (mrn,))
    return None if not found else (found[0]["mrn"], found[0]["name"], found[0]["weight_kg"])


VISIT_TIMES = (
    "arrived_at",
    "infusion_started_at",
    "paused_at",
    "infusion_ended_at",
    "observation_ended_at",
    "discharged_at",
)


def recorded_phase(visit: dict[str, Any] | None) -> str:
    """The phase named by the last action recorded (never by the clock): expected,
    arrived, infusing, paused, observing, observation ended, discharged."""
    if visit is None:
        return "expected"
    if visit["discharged_at"]:
        return "discharged"
    if visit["observation_ended_at"]:
        return "observation ended"
    if visit["infusion_ended_at"]:
        return "observing"
    if visit["paused_at"]:
        return "paused"
    if visit["infusion_started_at"]:
        return "infusing"
    if visit["arrived_at"]:
        return "arrived"
    return "expected"


Visit = tuple[
    str, str | None, str | None, str | None, str | None, str | None, str | None, int, int | None
]
"""(phase, arrived, started, paused, infusion ended, observation ended, discharged,
pause count, reaction grade); instants as clinic wall time."""


def visit_state(db: Any, appointment: int) -> Visit:
    found = rows(db, "SELECT * FROM visits WHERE appointment_id = ?", (appointment,))
    visit = found[0] if found else None
    if visit is None:
        return ("expected", None, None, None, None, None, None, 0, None)
    times = tuple(wall(visit[name]) for name in VISIT_TIMES)
    return (recorded_phase(visit), *times, visit["pause_count"], visit["reaction_grade"])  # type: ignore[return-value]


def dump(db: Any) -> str:
    return "\n".join(db.conn.iterdump())


# --- the clinic and the window ------------------------------------------------------------
@dataclass
class Clinic:
    """One clinic database, its clock, and the main window currently open on it."""

    path: Path
    clock: FixedClock
    qtbot: Any
    db: Any = None
    ctx: Context | None = None
    window: Any = None
    closed: list[Any] = field(default_factory=list)

    def connect(self) -> Context:
        self.db = open_database(self.path)
        self.ctx = Context(SqliteStore(self.db), self.clock, "journey")
        return self.ctx

    def open_window(self) -> Any:
        from tdm1_scheduler.gui.main_window import MainWindow

        assert self.ctx is not None
        window = MainWindow(self.ctx)
        self.qtbot.addWidget(window)
        window.resize(1500, 1000)
        window.show()
        self.qtbot.waitExposed(window)
        self.window = window
        return window

    def start_app(self, now: str, monkeypatch: pytest.MonkeyPatch) -> Any:
        """Start the app as a person does, ``tdm1-scheduler --db PATH --now NOW``: the
        command's own window and fixed clock (the event loop is not entered). The
        journey's clock is then the one the command made."""
        from tdm1_scheduler.__main__ import main
        from tdm1_scheduler.gui.main_window import MainWindow

        self.close()
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        kept = (app.styleSheet(), app.applicationName(), app.organizationName())
        monkeypatch.setattr(QApplication, "exec", lambda *_args: 0)
        argv = ["tdm1-scheduler", "--db", str(self.path), "--now", now, "--user", "journey"]
        monkeypatch.setattr("sys.argv", argv)
        try:
            assert main() == 0
        finally:
            app.setStyleSheet(kept[0])  # the rest of the session keeps its own look
            app.setApplicationName(kept[1])
            app.setOrganizationName(kept[2])
        windows = [
            w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()
        ]
        assert len(windows) == 1, windows
        window = windows[0]
        self.qtbot.addWidget(window)
        self.qtbot.waitExposed(window)
        window.resize(1500, 1000)
        assert isinstance(window.ctx.clock, FixedClock), "the GUI ignored --now"
        self.clock = window.ctx.clock
        self.ctx = window.ctx
        self.db = sqlite_of(window.ctx.store)
        self.window = window
        return window

    def close(self) -> None:
        if self.window is not None:
            self.window.close()
            self.window = None
        if self.db is not None:
            self.db.conn.close()
            self.db = None

    def at(self, instant: datetime) -> None:
        """Set the clock (the test decides when time passes)."""
        self.clock.current = instant.astimezone(UTC)


@pytest.fixture
def clinic(tmp_path: Path, qtbot: Any) -> Iterator[Clinic]:
    path = tmp_path / "clinic.db"
    clock = FixedClock(CLOCK_START.astimezone(UTC))
    db = open_database(path, create=True)
    try:
        clinic_service.init_clinic(
            Context(SqliteStore(db), clock, "setup"),
            timezone=ZONE_NAME,
            opens=time(8, 0),
            closes=time(17, 0),
            chairs=CHAIRS,
            name="Journey Clinic",
        )
    finally:
        db.conn.close()
    found = Clinic(path, clock, qtbot)
    found.connect()
    yield found
    found.close()


# --- the nurses' day -------------------------------------------------------------------
ADA, GRACE = "J100", "J200"
NAMES = {ADA: "Ada Lovelace", GRACE: "Grace Hopper"}


def set_up_day(clinic: Clinic, *, grace_diluted: bool = True) -> None:
    """Tuesday 17 November: Ada (Chair 1) and Grace (Chair 2) have their first infusion
    at 09:00, EBC; the pharmacy reconstituted both vials at 07:00 and diluted the bags
    at 07:30 (Grace's only when ``grace_diluted``). The clock reads 08:50."""
    from tdm1_scheduler.services import courses, patients, pharmacy

    ctx = clinic.ctx
    assert ctx is not None
    for mrn, chair in ((ADA, "Chair 1"), (GRACE, "Chair 2")):
        patients.add_patient(ctx, mrn=mrn, name=NAMES[mrn], weight_kg=64.5)
        courses.book_course(ctx, mrn=mrn, setting="EBC", first_dose=local(TUESDAY, 9), chair=chair)
        pharmacy.record_reconstitution(ctx, mrn=mrn, cycle=1, at=local(TUESDAY, 7))
        if mrn == ADA or grace_diluted:
            pharmacy.record_dilution(ctx, mrn=mrn, cycle=1, at=local(TUESDAY, 7, 30))
    clinic.at(local(TUESDAY, 8, 50))


# --- driving the window -------------------------------------------------------------------
def click(widget: QWidget) -> None:
    assert widget.isVisible(), widget.objectName()
    assert widget.isEnabled(), widget.objectName()
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton)


def press(
    window: QWidget, key: Qt.Key, modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
) -> None:
    """A key press on the active main window (shortcuts such as Ctrl+Z)."""
    window.activateWindow()
    QApplication.processEvents()
    QTest.keyClick(window, key, modifiers)


def visible_dialogs() -> list[QDialog]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, QDialog) and w.isVisible()]


def button_with_text(dialog: QWidget, *words: str, avoid: tuple[str, ...] = ()) -> QAbstractButton:
    """The dialog's button whose text holds the first of ``words`` that any button holds
    (case-insensitive), skipping buttons that hold a word of ``avoid``."""
    buttons = [b for b in dialog.findChildren(QAbstractButton) if b.isVisible()]
    texts = [b.text().replace("&", "").lower() for b in buttons]
    for word in words:
        for button, text in zip(buttons, texts, strict=True):
            if word.lower() in text and not any(a.lower() in text for a in avoid):
                return button
    raise AssertionError(f"no button with {words} in {[b.text() for b in buttons]}")


def answer_box(box: QMessageBox, *words: str) -> None:
    click(button_with_text(box, *words))


def course_dates(first: date, count: int, step_days: int = 21) -> list[date]:
    return [first + timedelta(days=step_days * n) for n in range(count)]
