"""A synthetic clinic for the benchmarks: chairs, EBC and MBC courses, years of history.

``generated_database(spec, seed)`` returns the path of a clinic database built to
``spec`` (chairs, days of history), cached under ``bench/.cache`` by size and seed. The
schema and the clinic come from the app itself (``open_database(create=True)`` and
``services.clinic.init_clinic``); the history is written straight into the tables with
``executemany``, because booking years of doses one service call at a time would take
hours. The rows stay valid:

- the database's own overlap triggers stay on, so no chair is ever double-booked;
- every dose belongs to a course, every course to one patient, one active course each;
- doses are 21 days apart (15 open days: the generated clinic closes only on weekends);
  a missed dose keeps its missed appointment and is re-booked the next open day; a
  moved dose is given 1-3 open days late and has an audit row; later cycles re-anchor
  21 days after the dose actually given;
- EBC courses complete after 14 given doses; MBC courses run 4-40 cycles, then stop
  (progression) with their next booking cancelled; active MBC courses are booked 6
  cycles ahead, active EBC courses up to cycle 14;
- the doses of the last 30 days have their preparations; now's morning bags are shelved.

Run as a script to build (or find) a database: ``python bench/generate.py --size full``.
"""

from __future__ import annotations

import argparse
import heapq
import json
import random
import sys
import time as timer
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path[:0] = [str(path) for path in (ROOT, BENCH_DIR) if str(path) not in sys.path]

import compat  # noqa: E402

from tdm1_scheduler.clock import FixedClock  # noqa: E402
from tdm1_scheduler.services.clinic import init_clinic  # noqa: E402
from tdm1_scheduler.store.database import open_database  # noqa: E402

CACHE_DIR = BENCH_DIR / ".cache"
TIMEZONE = "America/New_York"
# Wednesday 18 November 2026, 10:00 in New York (the same "now" as the GUI tests' demo).
NOW = datetime(2026, 11, 18, 15, 0, tzinfo=UTC)
# A long day: about 800,000 appointments in 5 years at 80 chairs. New courses only
# start while a chair is booked up to NEW_COURSE_FILL_MIN, so every chair keeps a few
# free hours at the end of the day: room to move a dose or book a new course.
OPENS = time(5, 0)
CLOSES = time(21, 0)
OPEN_MIN = 960
NEW_COURSE_FILL_MIN = 760
PREP_MIN = 15
FIRST = (90, 90)  # first infusion and observation, minutes
LATER = (30, 30)
CYCLE_OPEN_DAYS = 15  # 21 calendar days when only weekends are closed
MBC_HORIZON = 6
UTC_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
# Bump when the generator changes what it writes, so stale caches are not reused.
GENERATOR_VERSION = 2

FIRST_NAMES = ("Ada", "Beatriz", "Chen", "Dolores", "Emma", "Fatima", "Grace", "Hana", "Ines")
LAST_NAMES = ("Abbott", "Baptiste", "Castillo", "Dimitrova", "Eriksen", "Fontaine", "Haddad")


@dataclass(frozen=True)
class Spec:
    """One generated clinic: how many chairs, how many days of history before NOW."""

    name: str
    chairs: int
    history_days: int


# The sizes the runner knows: the clinic with its history. Its "window" copy (see
# ``window_database``) holds the same clinic's rows of the days around NOW only: the
# same day, with (for "full") about 8,000 appointments in all instead of 800,000.
SPECS: dict[str, Spec] = {
    "tiny": Spec("tiny", 6, 60),
    "demo": Spec("demo", 80, 365),
    "full": Spec("full", 80, 5 * 365),
    "huge": Spec("huge", 200, 10 * 365),  # issue 19: flat with history and chairs
}
WINDOW_DAYS = (10, 9)  # calendar days before and after NOW's day kept in the window copy


@dataclass
class Course:
    id: int
    patient_id: int
    setting: str
    last_cycle: int  # EBC 14; MBC: the cycle after which it stops (progression)
    weight: float
    chair: int
    given: int = 0
    next_cycle: int = 1
    dose_level: float = 3.6
    infusion_min: int = LATER[0]  # planned later infusion (longer after a reaction)
    reduce_after: int | None = None
    status: str = "active"
    stopped_at: str | None = None
    first_day: date | None = None
    booked_at_now: int = 0  # cycles booked after NOW (the MBC rolling horizon)
    pending_dose: int | None = None  # a missed dose keeps its id when re-booked
    written: bool = False


@dataclass
class Tables:
    patients: list[tuple[Any, ...]] = field(default_factory=list)
    courses: list[tuple[Any, ...]] = field(default_factory=list)
    doses: list[tuple[Any, ...]] = field(default_factory=list)
    appointments: list[tuple[Any, ...]] = field(default_factory=list)
    preparations: list[tuple[Any, ...]] = field(default_factory=list)
    audit: list[tuple[Any, ...]] = field(default_factory=list)


def cache_path(spec: Spec, seed: int) -> Path:
    return (
        CACHE_DIR
        / f"{spec.name}-c{spec.chairs}-d{spec.history_days}-s{seed}-v{GENERATOR_VERSION}.db"
    )


def generated_database(spec: Spec, seed: int = 1, *, quiet: bool = True) -> Path:
    """The cached database for ``spec`` and ``seed``; built first when missing."""
    path = cache_path(spec, seed)
    if path.exists() and path.with_suffix(".json").exists():
        return path
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        leftover.unlink(missing_ok=True)
    began = timer.perf_counter()
    counts = build(partial, spec, seed)
    counts["seconds"] = round(timer.perf_counter() - began, 2)
    partial.rename(path)
    path.with_suffix(".json").write_text(json.dumps(counts, indent=1))
    if not quiet:
        print(f"generated {path.name}: {counts}", file=sys.stderr)
    return path


def generated_counts(path: Path) -> dict[str, Any]:
    """What ``generated_database`` wrote (row counts, build seconds)."""
    return dict(json.loads(path.with_suffix(".json").read_text()))


def _open_days(first: date, last: date) -> list[date]:
    days = []
    day = first
    while day <= last:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


class Clinic:
    """The simulation: day by day, due doses first, then new courses in what is left."""

    def __init__(self, spec: Spec, seed: int) -> None:
        self.spec = spec
        self.rng = random.Random(seed)
        self.zone = ZoneInfo(TIMEZONE)
        self.now_local = NOW.astimezone(self.zone)
        self.today = self.now_local.date()
        self.now_text = NOW.strftime(UTC_FORMAT)
        first = self.today - timedelta(days=spec.history_days)
        # Enough future for every active course's remaining cycles.
        self.days = _open_days(first, self.today + timedelta(days=14 * 21 + 60))
        self.today_index = self.days.index(self.today)
        self.due: dict[int, list[Course]] = {}
        self.courses: list[Course] = []
        self.tables = Tables()
        self.ids = {"patient": 0, "course": 0, "dose": 0, "appointment": 0, "prep": 0}
        self._texts: dict[tuple[int, int], str] = {}

    def next_id(self, kind: str) -> int:
        self.ids[kind] += 1
        return self.ids[kind]

    # --- time -------------------------------------------------------------------------
    def instant(self, index: int, minute: int) -> str:
        """UTC text of ``minute`` minutes after opening on open day ``index``."""
        key = (index, minute)
        text = self._texts.get(key)
        if text is None:
            opening = datetime.combine(self.days[index], OPENS, tzinfo=self.zone)
            text = (opening + timedelta(minutes=minute)).astimezone(UTC).strftime(UTC_FORMAT)
            self._texts[key] = text
        return text

    def is_past(self, index: int, minute: int) -> bool:
        return self.instant(index, minute) < self.now_text

    # --- the simulation -----------------------------------------------------------------
    def run(self) -> Tables:
        for index in range(len(self.days)):
            self._texts.clear()
            free = [(0, chair) for chair in range(1, self.spec.chairs + 1)]
            heapq.heapify(free)
            for course in self.due.pop(index, []):
                self._dose(course, index, free)
            if index <= self.today_index:
                self._new_courses(index, free)
            if index > self.today_index and not self.due:
                break
        for course in self.courses:  # past the last simulated day: written as they stand
            if not course.written:
                self._close_leftover(course)
        return self.tables

    def _close_leftover(self, course: Course) -> None:
        if course.pending_dose is not None:  # a missed dose never re-booked: cancelled
            self.tables.doses.append(
                (course.pending_dose, course.id, course.next_cycle, "cancelled",
                 course.dose_level, course.weight, self.now_text, None, None, None, None)
            )  # fmt: skip
            course.status = "stopped"
            course.stopped_at = self.now_text
        self._write_course(course)

    def _place(self, free: list[tuple[int, int]], minutes: int) -> tuple[int, int] | None:
        """The earliest chair time today of ``minutes`` length, as (chair, start minute)."""
        start, chair = free[0]
        if start + minutes > OPEN_MIN:
            return None
        heapq.heapreplace(free, (start + minutes, chair))
        return chair, start

    def _schedule(self, course: Course, index: int) -> None:
        if index < len(self.days):
            self.due.setdefault(index, []).append(course)

    def _new_courses(self, index: int, free: list[tuple[int, int]]) -> None:
        minutes = PREP_MIN + sum(FIRST)
        rng = self.rng
        while free[0][0] + minutes <= NEW_COURSE_FILL_MIN:
            setting = "EBC" if rng.random() < 0.6 else "MBC"
            patient_id = self.next_id("patient")
            weight = round(rng.uniform(45, 110), 1)
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} {patient_id}"
            measured = self.instant(max(index - 5, 0), 0)
            self.tables.patients.append((patient_id, f"B{patient_id:07d}", name, weight, measured))
            course = Course(
                id=self.next_id("course"),
                patient_id=patient_id,
                setting=setting,
                last_cycle=14 if setting == "EBC" else rng.randint(4, 40),
                weight=weight,
                chair=free[0][1],
                reduce_after=rng.randint(2, 10) if rng.random() < 0.08 else None,
                first_day=self.days[index],
            )
            self.courses.append(course)
            self._dose(course, index, free)

    def _chair_time(self, course: Course) -> tuple[int, int]:
        return FIRST if course.next_cycle == 1 else (course.infusion_min, LATER[1])

    def _dose(self, course: Course, index: int, free: list[tuple[int, int]]) -> None:
        """Course ``course`` is due on open day ``index``: book, give, miss or move it."""
        rng = self.rng
        past_day = index < self.today_index
        if past_day and course.next_cycle > 1 and rng.random() < 0.03:
            # Moved to a later day before it came (an in-place move in the app: one row).
            self._schedule(course, index + rng.randint(1, 3))
            self.tables.audit.append(
                (
                    self.instant(index - 1 if index else 0, 0),
                    "bench",
                    "move appointment",
                    "course",
                    course.id,
                    None,
                    json.dumps({"cycle": course.next_cycle}),
                )
            )
            return
        infusion, observation = self._chair_time(course)
        minutes = PREP_MIN + infusion + observation
        placed = self._place(free, minutes)
        if placed is None:  # the day is full: the next open day
            self._schedule(course, index + 1)
            return
        chair, start = placed
        if course.pending_dose is None:
            course.pending_dose = self.next_id("dose")
        dose_id = course.pending_dose
        status = "given" if self.is_past(index, start + PREP_MIN) else "booked"
        missed = status == "given" and rng.random() < 0.03
        self.tables.appointments.append(
            (
                self.next_id("appointment"),
                chair,
                dose_id,
                "missed" if missed else status,
                self.instant(index, start),
                self.instant(index, start + minutes),
                PREP_MIN,
                infusion,
                observation,
            )
        )
        if missed:  # the missed booking stays; the dose is re-booked the next open day
            self._schedule(course, index + 1)
            return
        course.pending_dose = None
        infusion_start = self.instant(index, start + PREP_MIN)
        reaction = status == "given" and rng.random() < 0.02
        given: tuple[Any, ...] = (None, None, None, None)
        if status == "given":
            actual = infusion + 30 if reaction else infusion
            given = (infusion_start, actual, 0 if reaction else 1, 2 if reaction else None)
            if index >= self.today_index - 21:
                self._preparation(dose_id, index, start + PREP_MIN, course, used=True)
        elif index == self.today_index and start < 240:
            self._preparation(dose_id, index, start + PREP_MIN, course, used=False)
        self.tables.doses.append(
            (
                dose_id,
                course.id,
                course.next_cycle,
                status,
                course.dose_level,
                course.weight,
                self.instant(max(index - 5, 0), 0),
                *given,
            )
        )
        self._after_dose(course, index, status, reaction, infusion)

    def _minute_of_now(self) -> int:
        opening = datetime.combine(self.today, OPENS, tzinfo=self.zone)
        return int((self.now_local - opening).total_seconds() // 60)

    def _after_dose(
        self, course: Course, index: int, status: str, reaction: bool, infusion: int
    ) -> None:
        if status == "given":
            course.given += 1
            if reaction:
                course.infusion_min = infusion + 30  # the next keeps what was tolerated
        else:
            course.booked_at_now += 1
        if course.reduce_after == course.next_cycle and status == "given":
            course.dose_level = 3.0
        course.next_cycle += 1
        if course.setting == "EBC" and course.given == 14:
            course.status = "completed"
            self._write_course(course)
            return
        if course.setting == "EBC" and course.next_cycle > 14:
            self._write_course(course)  # active, every remaining cycle booked
            return
        if course.setting == "MBC" and status == "given" and course.given >= course.last_cycle:
            self._stop(course, index)
            return
        if course.setting == "MBC" and course.booked_at_now >= MBC_HORIZON:
            self._write_course(course)  # the rolling horizon ends here
            return
        self._schedule(course, index + CYCLE_OPEN_DAYS)

    def _stop(self, course: Course, index: int) -> None:
        """Progression: the course stops; its next booking is cancelled, as the app does."""
        course.status = "stopped"
        course.stopped_at = self.instant(min(index + 2, len(self.days) - 1), 60)
        target = index + CYCLE_OPEN_DAYS
        if target < len(self.days):
            dose_id = self.next_id("dose")
            self.tables.doses.append(
                (
                    dose_id,
                    course.id,
                    course.next_cycle,
                    "cancelled",
                    course.dose_level,
                    course.weight,
                    self.instant(index, 0),
                    None,
                    None,
                    None,
                    None,
                )
            )
            self.tables.appointments.append(
                (
                    self.next_id("appointment"),
                    course.chair,
                    dose_id,
                    "cancelled",
                    self.instant(target, 0),
                    self.instant(target, PREP_MIN + sum(LATER)),
                    PREP_MIN,
                    LATER[0],
                    LATER[1],
                )
            )
        self._write_course(course)

    def _preparation(
        self, dose_id: int, index: int, infusion_minute: int, course: Course, *, used: bool
    ) -> None:
        self.tables.preparations.append(
            (
                self.next_id("prep"),
                dose_id,
                self.instant(index, infusion_minute - 100),
                f"LOT{dose_id % 997:03d}",
                self.instant(index, infusion_minute - 40),
                "0.9% Sodium Chloride",
                round(course.dose_level * course.weight, 1),
                self.instant(index, infusion_minute) if used else None,
            )
        )

    def _write_course(self, course: Course) -> None:
        assert course.first_day is not None and not course.written
        course.written = True
        created = datetime.combine(
            course.first_day - timedelta(days=7), time(9), tzinfo=self.zone
        ).astimezone(UTC)
        self.tables.courses.append(
            (
                course.id,
                course.patient_id,
                course.setting,
                course.status,
                course.dose_level,
                "09:00",
                course.chair,
                "progression" if course.status == "stopped" else None,
                course.stopped_at,
                created.strftime(UTC_FORMAT),
            )
        )


def build(path: Path, spec: Spec, seed: int) -> dict[str, Any]:
    """Create the clinic through the app's services, then write the history in bulk."""
    db = open_database(path, create=True)
    try:
        ctx = compat.context(db, FixedClock(NOW - timedelta(days=spec.history_days + 30)), "bench"
        )
        init_clinic(
            ctx,
            timezone=TIMEZONE,
            opens=OPENS,
            closes=CLOSES,
            chairs=spec.chairs,
            name=f"Synthetic clinic ({spec.chairs} chairs, {spec.history_days} days)",
        )
        clinic = Clinic(spec, seed)
        tables = clinic.run()
        conn = db.conn
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO patients (id, mrn, name, weight_kg, weight_measured_at) "
            "VALUES (?, ?, ?, ?, ?)",
            tables.patients,
        )
        conn.executemany(
            "INSERT INTO courses (id, patient_id, setting, status, dose_level_mg_per_kg, "
            "preferred_time, preferred_chair_id, stop_reason, stopped_at, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            tables.courses,
        )
        conn.executemany(
            "INSERT INTO doses (id, course_id, cycle, status, dose_level_mg_per_kg, weight_kg, "
            "weight_measured_at, given_at, infusion_actual_min, tolerated, reaction_grade) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            tables.doses,
        )
        conn.executemany(
            "INSERT INTO appointments (id, chair_id, dose_id, status, start_utc, end_utc, "
            "prep_min, infusion_min, observation_min) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            tables.appointments,
        )
        conn.executemany(
            "INSERT INTO preparations (id, dose_id, reconstituted_at, vial_lots, diluted_at, "
            "diluent, dose_mg, used_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            tables.preparations,
        )
        conn.executemany(
            "INSERT INTO audit_log (at_utc, user, action, entity, entity_id, old_values, "
            "new_values) VALUES (?, ?, ?, ?, ?, ?, ?)",
            tables.audit,
        )
        conn.execute("COMMIT")
        conn.execute("ANALYZE")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        statuses = dict(
            conn.execute("SELECT status, COUNT(*) FROM appointments GROUP BY status").fetchall()
        )
        return {
            "chairs": spec.chairs,
            "history_days": spec.history_days,
            "appointments": len(tables.appointments),
            "appointment_statuses": statuses,
            "patients": len(tables.patients),
            "courses": len(tables.courses),
            "doses": len(tables.doses),
            "preparations": len(tables.preparations),
            "audit_rows": len(tables.audit),
            "now": NOW.isoformat(),
            "file_mb": round(path.stat().st_size / 1e6, 1),
        }
    finally:
        db.conn.close()


def window_database(history: Path) -> Path:
    """A copy of ``history`` keeping only the appointments within ``WINDOW_DAYS`` of NOW
    (with their doses, courses and patients): the same days, without the years.

    Only the day query uses it; a course there lacks the doses of its other cycles.
    """
    path = history.with_name(history.stem + "-window.db")
    if path.exists() and path.with_suffix(".json").exists():
        return path
    partial = path.with_suffix(".partial")
    for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        leftover.unlink(missing_ok=True)
    counts = generated_counts(history)
    today = NOW.astimezone(ZoneInfo(TIMEZONE)).date()
    low = datetime.combine(today - timedelta(days=WINDOW_DAYS[0]), time(0), tzinfo=UTC)
    high = datetime.combine(today + timedelta(days=WINDOW_DAYS[1] + 1), time(0), tzinfo=UTC)
    db = open_database(partial, create=True)
    try:
        ctx = compat.context(db, FixedClock(NOW - timedelta(days=60)), "bench")
        init_clinic(
            ctx,
            timezone=TIMEZONE,
            opens=OPENS,
            closes=CLOSES,
            chairs=counts["chairs"],
            name=f"Synthetic clinic ({counts['chairs']} chairs, days around now only)",
        )
        conn = db.conn
        conn.execute("ATTACH DATABASE ? AS source", [f"file:{history}?mode=ro"])
        # Copied child table first; every row it points at follows in the same transaction.
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("BEGIN")
        conn.execute(
            "INSERT INTO appointments SELECT * FROM source.appointments "
            "WHERE start_utc >= ? AND start_utc < ?",
            [low.strftime(UTC_FORMAT), high.strftime(UTC_FORMAT)],
        )
        conn.execute(
            "INSERT INTO doses SELECT * FROM source.doses "
            "WHERE id IN (SELECT dose_id FROM appointments)"
        )
        conn.execute(
            "INSERT INTO courses SELECT * FROM source.courses "
            "WHERE id IN (SELECT course_id FROM doses)"
        )
        conn.execute(
            "INSERT INTO patients SELECT * FROM source.patients "
            "WHERE id IN (SELECT patient_id FROM courses)"
        )
        conn.execute(
            "INSERT INTO preparations SELECT * FROM source.preparations "
            "WHERE dose_id IN (SELECT id FROM doses)"
        )
        conn.execute("COMMIT")
        conn.execute("PRAGMA foreign_keys = ON")
        assert not conn.execute("PRAGMA foreign_key_check").fetchall()
        conn.execute("DETACH DATABASE source")
        conn.execute("ANALYZE")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        appointments = conn.execute("SELECT COUNT(*) FROM appointments").fetchone()[0]
    finally:
        db.conn.close()
    partial.rename(path)
    window = {"appointments": appointments, "window_days": WINDOW_DAYS, "from": history.name}
    path.with_suffix(".json").write_text(json.dumps(window, indent=1))
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SPECS), default="tiny")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    path = generated_database(SPECS[args.size], args.seed, quiet=False)
    print(path, generated_counts(path))
    window = window_database(path)
    print(window, generated_counts(window))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
