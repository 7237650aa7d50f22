"""The benchmark runner: every figure of issues 9 and 19, a table on stdout and a JSON file.

    python bench/run.py --size full --repeat 5      # the figures in docs/benchmarks.md
    python bench/run.py --size tiny --repeat 1      # the smoke run (tests/test_bench_smoke.py)

Each figure is a median over repeated runs (the drag-and-drop commit: its 95th
percentile) and, where a floor exists, its ratio to that floor measured in the same run.
Goals are only judged at ``--size full``; smaller sizes run the same code on smaller
clinics. Generated databases are cached under bench/.cache (see bench/generate.py);
benchmarks that write work on a copy in a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, time as clock_time, timedelta
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The window's size and layout from the bench's own file (the default window), never
# the user's last one: no figure depends on how a window was left.
os.environ.setdefault(
    "TDM1_SCHEDULER_WINDOW_STATE",
    os.path.join(tempfile.mkdtemp(prefix="tdm1-bench-"), "window.ini"),
)
BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))

import compat  # noqa: E402
import generate  # noqa: E402
from cli_figures import cli_figures  # noqa: E402
from cold_start import cold_start_figures, cold_starts, open_database_figure  # noqa: E402
from compat import day_read, planner_present  # noqa: E402
from figures import SAMPLES, Figure, median, percentile, timed  # noqa: E402
from moves import move_day, pick_move  # noqa: E402

from tdm1_scheduler.clock import FixedClock  # noqa: E402
from tdm1_scheduler.domain.errors import DomainError  # noqa: E402
from tdm1_scheduler.services.context import Context, load_settings  # noqa: E402
from tdm1_scheduler.store.database import ConflictError, open_database  # noqa: E402

RESULTS_DIR = BENCH_DIR / "results"

# Every figure the JSON holds, in table order (the smoke test checks each one is there).
FIGURES = (
    "cold_start_demo",
    "cold_start_history",
    "memory_history",
    "open_database_history",
    "day_switch",
    "move_commit",
    "book_course",
    "day_sheet_pdf",
    "day_query",
    "cli_course_show",
    "cli_day_sheet",
)

def machine() -> dict[str, Any]:
    from PySide6 import __version__ as pyside_version
    from PySide6.QtCore import qVersion

    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory_kb = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            memory_kb = int(line.split()[1])
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": round(memory_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "pyside6": pyside_version,
        "qt": qVersion(),
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
        "qpa": os.environ.get("QT_QPA_PLATFORM", ""),
    }


# --- databases ---------------------------------------------------------------------------
def demo_database() -> Path:
    """The app's own demo clinic at the generator's NOW, cached."""
    from tdm1_scheduler.demo import build_demo_clinic

    path = generate.CACHE_DIR / f"demo-clinic-{generate.NOW:%Y%m%dT%H%M}.db"
    if not path.exists():
        generate.CACHE_DIR.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        build_demo_clinic(partial, generate.NOW)
        partial.rename(path)
    return path


def working_copy(source: Path, folder: Path) -> Path:
    target = folder / source.name
    shutil.copyfile(source, target)
    return target


def empty_clinic(folder: Path, chairs: int) -> Path:
    """The generated clinic's settings with no history at all."""
    path = folder / "empty.db"
    db = open_database(path, create=True)
    try:
        clock = FixedClock(generate.NOW - timedelta(days=30))
        init_empty(compat.context(db, clock, "bench"), chairs)
    finally:
        db.conn.close()
    return path


def init_empty(ctx: Context, chairs: int) -> None:
    """The generated clinic's settings in ``ctx``'s empty store (a file or a server)."""
    from tdm1_scheduler.services.clinic import init_clinic

    init_clinic(
        ctx,
        timezone=generate.TIMEZONE,
        opens=generate.OPENS,
        closes=generate.CLOSES,
        chairs=chairs,
        name="Empty clinic",
    )


# --- in-process GUI and service figures ---------------------------------------------------
def application() -> Any:
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication([sys.argv[0]])


def build_window(ctx: Context) -> Any:
    from PySide6.QtWidgets import QApplication

    from tdm1_scheduler.gui.main_window import MainWindow

    window = MainWindow(ctx)
    window.stop_polling()  # the poll would add a reload now and then
    page = planner_page(window)
    if page is not None:
        window.pages.setCurrentWidget(page)
    window.show()
    deadline = time.perf_counter() + 5
    while not (window.windowHandle() and window.windowHandle().isExposed()):
        QApplication.processEvents()
        if time.perf_counter() > deadline:
            break
    QApplication.processEvents()
    return window


def planner_page(window: Any) -> Any:
    """The planner's page when the planner feature is attached, else None."""
    if "planner" not in getattr(window, "features", {}):
        return None
    for index in range(window.pages.count()):
        widget = window.pages.widget(index)
        title = window.pages.tabText(index).lower()
        if "planner" in widget.objectName().lower() or "planner" in title:
            return widget
    return None


def open_days_around(ctx: Context, count: int) -> list[date]:
    calendar = load_settings(compat.source(ctx)).calendar
    today = calendar.local_date(ctx.clock.now())
    days: list[date] = []
    day = today - timedelta(days=count)
    while len(days) < count:
        if calendar.is_open_day(day):
            days.append(day)
        day += timedelta(days=1)
    return days


def day_switch_figure(ctx: Context, repeat: int) -> Figure:
    from PySide6.QtWidgets import QApplication

    window = build_window(ctx)
    view = "planner" if planner_page(window) is not None else "day list (no planner yet)"
    days = open_days_around(ctx, 12)
    day_bookings = day_read()
    rows = [len(day_bookings(compat.source(ctx), window.settings, day)) for day in days]
    samples = []
    for number in range(SAMPLES["day_switch"] * repeat):
        day = days[number % len(days)]
        if day == window.shown_day:
            day = days[(number + 1) % len(days)]

        def switch(day: date = day) -> None:
            window.show_day(day)
            QApplication.processEvents()  # the repaint of what changed

        ms, _ = timed(switch)
        samples.append(ms)
    window.close()
    value = median(samples)
    return Figure(
        "day_switch",
        f"switch the {view} to another full day",
        "ms",
        value,
        samples,
        goal="<= 30 ms",
        met=value <= 30,
        extra={"view": view, "appointments_per_day": rows},
    )


def move_commit_figure(ctx: Context, repeat: int, seed: int) -> Figure:
    """A drag-and-drop commit: move_appointment + window.apply_changes + repaint."""
    from PySide6.QtWidgets import QApplication

    from tdm1_scheduler.services.courses import move_appointment

    window = build_window(ctx)
    settings = window.settings
    day = move_day(ctx, settings)
    window.show_day(day)
    QApplication.processEvents()
    rng = random.Random(seed)
    samples: list[float] = []
    parts: dict[str, list[float]] = {"service": [], "apply_changes": [], "repaint": []}
    refused: list[str] = []
    wanted = SAMPLES["move_commit"] * repeat
    attempts = 0
    while len(samples) < wanted and attempts < wanted * 4:
        attempts += 1
        move = pick_move(ctx, settings, day, rng)
        if isinstance(move, str):
            refused.append(move)
            continue
        began = time.perf_counter()
        try:
            changes = move_appointment(
                ctx, mrn=move.mrn, cycle=move.cycle, to=move.to, chair=move.chair
            )
        except (DomainError, ConflictError) as error:
            refused.append(str(error))
            continue
        served = time.perf_counter()
        window.apply_changes(changes)
        applied = time.perf_counter()
        QApplication.processEvents()
        painted = time.perf_counter()
        samples.append((painted - began) * 1000)
        parts["service"].append((served - began) * 1000)
        parts["apply_changes"].append((applied - served) * 1000)
        parts["repaint"].append((painted - applied) * 1000)
    window.close()
    if not samples:
        raise RuntimeError(f"no move could be made: {refused[:3]}")
    value = percentile(samples, 0.95)
    view = "planner" if planner_present() else "day list (no planner yet)"
    return Figure(
        "move_commit",
        f"drag-and-drop commit (move + apply_changes + repaint of the {view}), 95th percentile",
        "ms",
        value,
        samples,
        goal="p95 <= 20 ms",
        met=value <= 20,
        extra={
            "median_ms": round(median(samples), 2),
            "parts_median_ms": {key: round(median(v), 2) for key, v in parts.items()},
            "refused": refused,
            "day": day.isoformat(),
        },
    )


def book_samples(ctx: Context, repeat: int, tag: str) -> list[float]:
    """Book a 14-cycle EBC course for a new patient, a week or more ahead."""
    from tdm1_scheduler.services.courses import book_course
    from tdm1_scheduler.services.patients import add_patient

    calendar = load_settings(compat.source(ctx)).calendar
    day = calendar.local_date(ctx.clock.now()) + timedelta(days=7)
    samples = []
    for number in range(SAMPLES["book_course"] * repeat):
        day = calendar.next_open_day(day + timedelta(days=1))
        mrn = f"BENCH-{tag}-{number}"
        add_patient(ctx, mrn=mrn, name=f"Bench Patient {number}", weight_kg=70)
        first = calendar.at(day, clock_time(9, 0))

        def book(mrn: str = mrn, first: datetime = first) -> Any:
            return book_course(ctx, mrn=mrn, setting="EBC", first_dose=first, exact=False)

        ms, changes = timed(book)
        assert len(changes.appointments) == 14, changes
        samples.append(ms)
    return samples


def book_course_figure(history_ctx: Context, empty_ctx: Context, repeat: int) -> Figure:
    empty = book_samples(empty_ctx, repeat, "empty")
    samples = book_samples(history_ctx, repeat, "history")
    value, floor = median(samples), median(empty)
    ratio = value / floor
    return Figure(
        "book_course",
        "book a 14-cycle EBC course (book_course), history clinic",
        "ms",
        value,
        samples,
        floor,
        "the same booking on an empty clinic",
        ratio,
        "<= 150 ms and <= 2.5x empty",
        value <= 150 and ratio <= 2.5,
        {"empty_samples": empty},
    )


def day_sheet_figure(ctx: Context, repeat: int, folder: Path) -> Figure:
    from tdm1_scheduler.reports.day_sheet import build_day_sheet
    from tdm1_scheduler.reports.paint import write_pdf

    calendar = load_settings(compat.source(ctx)).calendar
    day = calendar.next_open_day(calendar.local_date(ctx.clock.now()))
    samples, build, pages = [], [], 0
    for number in range(max(SAMPLES["pdf"] * repeat, 2)):
        began = time.perf_counter()
        sheet = build_day_sheet(compat.source(ctx), day, ctx.clock)
        built = time.perf_counter()
        pages = write_pdf(sheet, folder / f"day-{number}.pdf")
        samples.append((time.perf_counter() - began) * 1000)
        build.append((built - began) * 1000)
    value = median(samples)
    chairs = len(sheet.chairs)
    return Figure(
        "day_sheet_pdf",
        f"day-sheet PDF, {chairs} chairs (build_day_sheet + write_pdf)",
        "ms",
        value,
        samples,
        goal="<= 1000 ms",
        met=value <= 1000,
        extra={
            "build_day_sheet_median_ms": round(median(build), 1),
            "pages": pages,
            "appointments": sum(len(c.appointments) for c in sheet.chairs),
        },
    )


def day_query_figure(history: Path, window_db: Path, repeat: int) -> Figure:
    from tdm1_scheduler.store.database import to_utc_text

    day_bookings = day_read()

    def query_samples(path: Path) -> tuple[list[float], int, Any]:
        db = open_database(path)
        store = compat.store_of(db)
        settings = load_settings(store)
        day = settings.calendar.next_open_day(settings.calendar.local_date(generate.NOW))
        day_bookings(store, settings, day)  # the first read warms SQLite's page cache
        samples, rows = [], 0
        for _ in range(SAMPLES["day_query"] * repeat):
            ms, found = timed(lambda: day_bookings(store, settings, day))
            samples.append(ms)
            rows = len(found)
        db.conn.close()
        return samples, rows, settings.calendar.day_bounds(day)

    window_samples, window_rows, _ = query_samples(window_db)
    samples, rows, bounds = query_samples(history)
    # The floor: a bare SELECT of the day's rows by the start index, nothing joined.
    conn = sqlite3.connect(f"file:{history}?mode=ro", uri=True)
    sql = "SELECT * FROM appointments WHERE start_utc >= ? AND start_utc < ?"
    params = [to_utc_text(bounds[0]), to_utc_text(bounds[1])]
    conn.execute(sql, params).fetchall()
    raw = [timed(lambda: conn.execute(sql, params).fetchall())[0] for _ in samples]
    plan = " / ".join(row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, params))
    conn.close()
    value, floor = median(samples), median(window_samples)
    return Figure(
        "day_query",
        "day query (queries.day_bookings, records), history clinic",
        "ms",
        value,
        samples,
        floor,
        "the same day with only the days around it (window copy)",
        value / floor,
        "<= 2x the window copy",
        value / floor <= 2,
        {
            "rows_history": rows,
            "rows_window": window_rows,
            "raw_sqlite_floor_ms": round(median(raw), 3),
            "raw_sqlite_plan": plan,
            "ratio_to_raw_floor": round(value / median(raw), 1),
        },
    )


# --- the run -------------------------------------------------------------------------------
# The figures measured together: ``--only`` runs a group when it names any of its figures.
GROUPS = {
    "cold_start": FIGURES[:4],
    "day_switch": ("day_switch",),
    "day_sheet_pdf": ("day_sheet_pdf",),
    "day_query": ("day_query",),
    "cli": ("cli_course_show", "cli_day_sheet"),
    "move_commit": ("move_commit",),
    "book_course": ("book_course",),
}


def run(
    size: str,
    repeat: int,
    seed: int,
    log: Callable[[str], None],
    only: frozenset[str] = frozenset(FIGURES),
) -> dict[str, Any]:
    wanted = {group for group, names in GROUPS.items() if only & set(names)}
    spec = generate.SPECS[size]
    log(f"databases for size {size} (cached under {generate.CACHE_DIR})")
    history = generate.generated_database(spec, seed)
    counts = generate.generated_counts(history)
    window_db = generate.window_database(history)
    demo = demo_database()
    figures: list[Figure] = []

    if "cold_start" in wanted:
        log("cold starts (subprocesses)")
        runs = cold_starts(demo, history, repeat)
        figures += cold_start_figures(runs, counts["appointments"])
        figures.append(open_database_figure(history, runs["history"], repeat))

    application()
    with tempfile.TemporaryDirectory(prefix="tdm1-bench-") as scratch:
        folder = Path(scratch)
        clock = FixedClock(generate.NOW)
        read_db = open_database(history)
        try:
            if "day_switch" in wanted:
                log("day switch")
                figures.append(day_switch_figure(compat.context(read_db, clock, "bench"), repeat))
            if "day_sheet_pdf" in wanted:
                log("day-sheet PDF")
                reading = compat.context(read_db, clock, "bench")
                figures.append(day_sheet_figure(reading, repeat, folder))
        finally:
            read_db.conn.close()
        if "day_query" in wanted:
            log("day query")
            figures.append(day_query_figure(history, window_db, repeat))
        if "cli" in wanted:
            log("command line (subprocesses)")
            figures += cli_figures(history, repeat)
        log("copying the history clinic for the writing benchmarks")
        copy = open_database(working_copy(history, folder))
        empty = open_database(empty_clinic(folder, spec.chairs))
        try:
            if "move_commit" in wanted:
                log("drag-and-drop commits")
                figures.append(
                    move_commit_figure(compat.context(copy, FixedClock(generate.NOW)), repeat, seed)
                )
            if "book_course" in wanted:
                log("course bookings")
                figures.append(
                    book_course_figure(
                        compat.context(copy, FixedClock(generate.NOW)),
                        compat.context(empty, FixedClock(generate.NOW)),
                        repeat,
                    )
                )
        finally:
            copy.conn.close()
            empty.conn.close()

    order = {name: index for index, name in enumerate(FIGURES)}
    figures.sort(key=lambda figure: order[figure.name])
    return {
        "size": size,
        "repeat": repeat,
        "seed": seed,
        "judged": size == "full",
        "ran_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": f"python bench/run.py --size {size} --repeat {repeat} --seed {seed}"
        + ("" if only >= set(FIGURES) else f" --only {','.join(sorted(only))}"),
        "machine": machine(),
        "planner_present": planner_present(),
        "databases": {
            "history": counts,
            "window": generate.generated_counts(window_db),
            "demo": str(demo.name),
        },
        "figures": {figure.name: figure.as_json() for figure in figures},
    }


def table(result: dict[str, Any]) -> str:
    lines = [
        f"size {result['size']}, repeat {result['repeat']}"
        + ("" if result["judged"] else " (goals are judged at --size full only)"),
        f"{'figure':<24}{'value':>12}{'floor':>12}{'ratio':>8}  {'goal':<40}met",
    ]
    for name, figure in result["figures"].items():
        unit = figure["unit"]
        floor = "" if figure["floor"] is None else f"{figure['floor']:.1f} {unit}"
        ratio = "" if figure["ratio"] is None else f"{figure['ratio']:.2f}"
        met = {True: "yes", False: "NO", None: ""}[figure["met"]]
        value = f"{figure['value']:.1f} {unit}"
        lines.append(f"{name:<24}{value:>12}{floor:>12}{ratio:>8}  {figure['goal']:<40}{met}")
    extras = result["figures"]
    if "open_database_history" in extras:
        extra = extras["open_database_history"]["extra"]
        lines.append(
            f"  open_database: quick_check {extra['quick_check_ms']} ms of "
            f"{extra['without_quick_check_ms'] + extra['quick_check_ms']:.1f} ms; the open is "
            f"{extra['open_share_of_cold_start']:.0%} of the history cold start"
        )
    if "day_query" in extras:
        extra = extras["day_query"]["extra"]
        lines.append(
            f"  day query rows: history {extra['rows_history']}, window {extra['rows_window']}; "
            f"raw SQLite floor {extra['raw_sqlite_floor_ms']} ms"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="T-DM1 Chair Scheduler benchmarks")
    parser.add_argument("--size", choices=sorted(generate.SPECS), default="full")
    parser.add_argument("--repeat", type=int, default=5, help="repetitions of each figure")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated clinic")
    parser.add_argument("--json", type=Path, help="where to write the JSON (default: results/)")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    parser.add_argument(
        "--only",
        help="comma-separated figures to run (with the figures measured alongside them)",
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    only = frozenset(args.only.split(",")) if args.only else frozenset(FIGURES)
    if only - set(FIGURES):
        parser.error(f"--only: unknown figures {sorted(only - set(FIGURES))}; see FIGURES")

    def log(text: str) -> None:
        if not args.quiet:
            print(f"[bench] {text}", file=sys.stderr, flush=True)

    began = time.perf_counter()
    result = run(args.size, args.repeat, args.seed, log, only)
    result["seconds"] = round(time.perf_counter() - began, 1)
    target = args.json or RESULTS_DIR / f"{args.size}-{datetime.now():%Y%m%d-%H%M%S}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(result, indent=1, default=str))
    print(table(result))
    print(f"JSON: {target} ({result['seconds']} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
