"""The command line, as scripts and the morning print call it: each command in a fresh
process against ``python -c "import sqlite3"`` (the floor), interleaved in one run; and
the SQL statements one day's sheet costs, on a light and on a busy day."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import compat
import generate
from figures import Figure, median

from tdm1_scheduler.clock import FixedClock
from tdm1_scheduler.services.context import load_settings
from tdm1_scheduler.store.database import open_database, to_utc_text

ROOT = Path(__file__).resolve().parent.parent  # `-m tdm1_scheduler` runs this checkout
FLOOR = [sys.executable, "-c", "import sqlite3"]
APP = [sys.executable, "-m", "tdm1_scheduler"]


def wall_ms(command: list[str]) -> float:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    began = time.perf_counter()
    done = subprocess.run(
        command, capture_output=True, text=True, env=env, timeout=120, cwd=ROOT
    )
    took = (time.perf_counter() - began) * 1000
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {done.stderr[-2000:]}")
    return took


def some_mrn(history: Path) -> str:
    """A patient with a course that has history (the most doses)."""
    conn = sqlite3.connect(f"file:{history}?mode=ro", uri=True)
    try:
        row = conn.execute(
            "SELECT p.mrn FROM patients p JOIN courses c ON c.patient_id = p.id "
            "JOIN doses d ON d.course_id = c.id GROUP BY c.id ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()
    finally:
        conn.close()
    return str(row[0])


def busy_and_light_days(history: Path) -> tuple[tuple[date, int], tuple[date, int]]:
    """The open days of the two weeks after now with the most and the fewest bookings."""
    db = open_database(history, read_only=True)
    try:
        calendar = load_settings(compat.store_of(db)).calendar
        counts: list[tuple[int, date]] = []
        day = calendar.local_date(generate.NOW)
        for _ in range(14):
            day = calendar.next_open_day(day + timedelta(days=1))
            start, end = calendar.day_bounds(day)
            found = db.conn.execute(
                "SELECT count(*) FROM appointments WHERE start_utc >= ? AND start_utc < ?",
                [to_utc_text(start), to_utc_text(end)],
            ).fetchone()[0]
            counts.append((int(found), day))
    finally:
        db.conn.close()
    counts.sort()
    light = next(((d, n) for n, d in counts if n > 0), (counts[0][1], counts[0][0]))
    return (counts[-1][1], counts[-1][0]), light


def statements_for_sheet(history: Path, day: date) -> int:
    """SQL statements that building one day's sheet (as ``day-sheet --json``) runs."""
    from tdm1_scheduler.reports.day_sheet import build_day_sheet, sheet_to_json

    db = open_database(history, read_only=True)
    statements = 0

    def count(_sql: str) -> None:
        nonlocal statements
        statements += 1

    try:
        db.conn.set_trace_callback(count)
        sheet_to_json(build_day_sheet(compat.store_of(db), day, FixedClock(generate.NOW)))
        db.conn.set_trace_callback(None)
    finally:
        db.conn.close()
    return statements


def cli_figures(history: Path, repeat: int) -> list[Figure]:
    mrn = some_mrn(history)
    (busy_day, busy_rows), (light_day, light_rows) = busy_and_light_days(history)
    now = ["--now", generate.NOW.isoformat()]
    show = [*APP, "course", "show", "--mrn", mrn, "--json", "--db", str(history), *now]
    sheet = [*APP, "day-sheet", busy_day.isoformat(), "--json", "--db", str(history), *now]
    wall_ms(FLOOR)  # warms the interpreter's files; not counted
    wall_ms(show)
    floors: list[float] = []
    shows: list[float] = []
    sheets: list[float] = []
    for _ in range(max(repeat, 3)):  # interleaved, so drift hits all three alike
        floors.append(wall_ms(FLOOR))
        shows.append(wall_ms(show))
        sheets.append(wall_ms(sheet))
    floor = median(floors)
    busy_statements = statements_for_sheet(history, busy_day)
    light_statements = statements_for_sheet(history, light_day)
    figures = []
    for name, what, samples, goal in (
        ("cli_course_show", "`course show --json` in a fresh process", shows, 3.0),
        ("cli_day_sheet", f"`day-sheet --json` in a fresh process, {busy_rows} bookings",
         sheets, 4.0),
    ):  # fmt: skip
        value = median(samples)
        extra: dict[str, Any] = {"command": " ".join(show if name == "cli_course_show" else sheet)}
        met = value / floor <= goal
        if name == "cli_day_sheet":
            extra |= {
                "statements_busy_day": busy_statements,
                "bookings_busy_day": busy_rows,
                "statements_light_day": light_statements,
                "bookings_light_day": light_rows,
            }
            met = met and busy_statements == light_statements
        figures.append(
            Figure(
                name,
                what,
                "ms",
                value,
                samples,
                floor,
                '`python -c "import sqlite3"`, same run',
                value / floor,
                f"<= {goal:g}x floor"
                + ("; statements per day flat" if name == "cli_day_sheet" else ""),
                met,
                extra,
            )
        )
    return figures
