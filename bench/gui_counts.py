"""What a day switch and a drag commit cost, in counts that a busy machine does not move
(issue 19): SQL statements, blocks made and painted, the load strip's cells painted,
Python calls; and CPU time (``time.process_time``) next to wall time. The same
operations as ``bench/run.py``'s ``day_switch`` and ``move_commit`` figures, on the full
clinic (bench/.cache).

    python bench/gui_counts.py TREE [switch|commit|both] [N]

TREE is the tree measured: its code, its ``bench/`` (run.py, compat.py) and its cached
clinic, so ``python bench/gui_counts.py /tmp/before`` and ``python bench/gui_counts.py
.`` compare two trees. The commit's counts are those after the service call
(``apply_changes`` and the repaint); its CPU time is given both ways.
"""

from __future__ import annotations

import collections
import cProfile
import os
import pstats
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The window's size and layout from the bench's own file (the default window), never
# the user's last one: no figure depends on how a window was left.
os.environ.setdefault(
    "TDM1_SCHEDULER_WINDOW_STATE",
    os.path.join(tempfile.mkdtemp(prefix="tdm1-bench-"), "window.ini"),
)
BENCH = Path(__file__).resolve().parent
TREE = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else BENCH.parent
sys.path[:0] = [str(TREE), str(TREE / "bench")]  # its code, its bench and clinic

import compat  # noqa: E402
import generate  # noqa: E402
import moves  # noqa: E402
import run  # noqa: E402
from figures import median, percentile  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from tdm1_scheduler.clock import FixedClock  # noqa: E402
from tdm1_scheduler.domain.errors import DomainError  # noqa: E402
from tdm1_scheduler.gui.planner import day_scene, load_strip  # noqa: E402
from tdm1_scheduler.store.database import ConflictError, open_database  # noqa: E402

counts: collections.Counter[str] = collections.Counter()
_paint = day_scene.BlockItem.paint
_init = day_scene.BlockItem.__init__


def counted_paint(self: Any, *args: Any) -> None:
    counts["painted"] += 1
    _paint(self, *args)


def counted_init(self: Any, *args: Any, **kwargs: Any) -> None:
    counts["made"] += 1
    _init(self, *args, **kwargs)


_cell = load_strip.LoadDelegate.paint


def counted_cell(self: Any, *args: Any) -> None:
    counts["cells"] += 1
    _cell(self, *args)


day_scene.BlockItem.paint = counted_paint  # type: ignore[method-assign]
load_strip.LoadDelegate.paint = counted_cell  # type: ignore[method-assign]
day_scene.BlockItem.__init__ = counted_init  # type: ignore[method-assign]


def statement(_sql: str) -> None:
    counts["sql"] += 1


def report(name: str, wall: list[float], cpu: list[float], calls: float, extra: str = "") -> None:
    n = len(wall)
    print(
        f"{name}: wall median {median(wall):.1f} p95 {percentile(wall, 0.95):.1f} ms, "
        f"CPU median {median(cpu):.1f} p95 {percentile(cpu, 0.95):.1f} ms; per operation: "
        f"{counts['sql'] / n:.1f} SQL statements, {counts['made'] / n:.1f} blocks made, "
        f"{counts['painted'] / n:.1f} blocks painted, {counts['cells'] / n:.1f} strip cells "
        f"painted, {calls:.0f} Python calls{extra}"
    )


def switches(history: Path, n: int) -> None:
    db = open_database(history)
    ctx = compat.context(db, FixedClock(generate.NOW), "bench")
    window = run.build_window(ctx)
    days = run.open_days_around(ctx, 12)
    wall: list[float] = []
    cpu: list[float] = []
    profile = cProfile.Profile()
    counts.clear()
    db.conn.set_trace_callback(statement)
    for number in range(n):
        day = days[number % len(days)]
        if day == window.shown_day:
            day = days[(number + 1) % len(days)]
        began, used = time.perf_counter(), time.process_time()
        profile.enable()
        window.show_day(day)
        QApplication.processEvents()
        profile.disable()
        cpu.append((time.process_time() - used) * 1000)
        wall.append((time.perf_counter() - began) * 1000)
    db.conn.set_trace_callback(None)
    report("day switch", wall, cpu, pstats.Stats(profile).total_calls / n)  # type: ignore[attr-defined]
    window.close()
    db.conn.close()


def commits(history: Path, n: int) -> None:
    from tdm1_scheduler.services.courses import move_appointment

    folder = Path(tempfile.mkdtemp(prefix="tdm1-counts-"))
    copy = open_database(run.working_copy(history, folder))
    ctx = compat.context(copy, FixedClock(generate.NOW))
    day_bookings = compat.day_read()
    window = run.build_window(ctx)
    calendar = window.settings.calendar
    day = calendar.next_open_day(calendar.local_date(ctx.clock.now()) + timedelta(days=1))
    window.show_day(day)
    QApplication.processEvents()
    opening = calendar.opening_window(day)
    rng = random.Random(1)
    wall: list[float] = []
    cpu: list[float] = []
    after: list[float] = []
    profile = cProfile.Profile()
    counts.clear()
    while len(wall) < n:
        rows = compat.booking_facts(day_bookings(compat.source(ctx), window.settings, day))
        row = rng.choice([r for r in rows if r.kind == "dose" and r.status == "booked" and r.mrn])
        gaps = [g for g in moves.free_gaps(rows, opening) if g[3] - g[2] >= row.end - row.start]
        _chair, chair_name, gap_start, _end = rng.choice(gaps)
        began, used = time.perf_counter(), time.process_time()
        try:
            changes = move_appointment(
                ctx, mrn=str(row.mrn), cycle=int(row.cycle), to=gap_start, chair=chair_name
            )
        except (DomainError, ConflictError):
            continue
        served = time.process_time()
        copy.conn.set_trace_callback(statement)
        profile.enable()
        window.apply_changes(changes)
        QApplication.processEvents()
        profile.disable()
        copy.conn.set_trace_callback(None)
        done = time.process_time()
        wall.append((time.perf_counter() - began) * 1000)
        cpu.append((done - used) * 1000)
        after.append((done - served) * 1000)
    calls = pstats.Stats(profile).total_calls / n  # type: ignore[attr-defined]
    extra = f"; CPU after the service median {median(after):.1f} p95 {percentile(after, 0.95):.1f}"
    report("drag commit", wall, cpu, calls, extra + " (counts after the service)")
    window.close()
    copy.conn.close()


def main() -> int:
    what = sys.argv[2] if len(sys.argv) > 2 else "both"
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 30
    run.application()
    history = generate.generated_database(generate.SPECS["full"], 1)
    print(f"tree {TREE}, load {Path('/proc/loadavg').read_text().split()[0]}")
    if what in ("switch", "both"):
        switches(history, n)
    if what in ("commit", "both"):
        commits(history, n)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
