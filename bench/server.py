"""Issue 16's benchmarks: the server over localhost beside SQLite, in the same run.

    python bench/server.py --size full --repeat 3 --samples 20   # docs/benchmarks.md
    python bench/server.py --size tiny --repeat 1 --samples 3    # a quick check

The server holds the generated clinic loaded through the real ``migrate --to URL``
(``pg_clinic``: cached after the first load; the output says whether it copied the
cache or migrated). The SQLite figures run on a copy of the same clinic file, with the
same choices (``moves.pick_move``, one seeded ``random.Random`` per store, so both see
the same sequence of moves), and the two stores alternate round by round (``--repeat``
rounds) so that the machine's noise falls on both alike.

1. ``move_commit``: the planner's move through the services (``move_appointment``:
   validation, the write, the audit row and, on the server, the NOTIFY), ``--samples``
   moves a round; the 95th percentile. Only the service: the planner's repaint is
   ``run.py``'s ``move_commit``.
2. ``book_course``: ``run.book_samples`` (a 14-cycle EBC course for a new patient),
   the median, and the same booking on an empty clinic of the same settings (floor).
3. ``commit_refresh``: a second process (``server_refresh.py``) holds the store as the
   GUI does and, when this one commits a move, reads what the GUI's session reads then
   (the change feed, the settings, the day's bookings). From the instant the move's
   service call returned (its COMMIT done) to the instant the other process's read is
   done, both ``time.time()`` on this machine; the 95th percentile over ``--samples``
   moves a round. The server wakes it by NOTIFY; SQLite is polled every second (the
   GUI's poll timer), so its figure is mostly that wait. The notice can reach the other
   process before this one is scheduled again to read the clock after the COMMIT, so
   the extras hold an upper bound too: from the start of the move's service call.

Goals (judged at ``--size full``, on the server figures): drag commit p95 <= 30 ms,
booking <= 150 ms, commit -> refresh p95 <= 250 ms. JSON goes to
``bench/results/server-SIZE-DATE.json`` (or ``--json PATH``); ``--profile PATH`` writes a
cProfile of the server's drag commits.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import select
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
for folder in (ROOT, BENCH_DIR):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

import generate  # noqa: E402
import pg_clinic  # noqa: E402
import run as sqlite_bench  # noqa: E402
from figures import Figure, median, percentile  # noqa: E402
from moves import move_day, pick_move  # noqa: E402

from tdm1_scheduler.clock import FixedClock  # noqa: E402
from tdm1_scheduler.domain.errors import DomainError  # noqa: E402
from tdm1_scheduler.services.context import Context, load_settings  # noqa: E402
from tdm1_scheduler.store.database import ConflictError, open_database  # noqa: E402
from tdm1_scheduler.store.protocol import Store  # noqa: E402
from tdm1_scheduler.store.sqlite_store import SqliteStore  # noqa: E402

STORES = ("server", "sqlite")
GOALS = {"move_commit": 30.0, "book_course": 150.0, "commit_refresh": 250.0}
REFRESH_TIMEOUT = 5.0  # seconds to wait for the other process's refresh of one commit


STATEMENTS = [0]  # round trips to the server so far (``count_statements``)


def count_statements() -> None:
    """Count the round trips psycopg makes: each ``Cursor.execute`` (which
    ``Connection.execute`` calls) outside a pipeline, and each pipeline once. What a
    move costs in them is a figure the machine's noise does not move."""
    import psycopg

    execute_one, pipeline = psycopg.Cursor.execute, psycopg.Connection.pipeline

    def execute(self: Any, *args: Any, **kwargs: Any) -> Any:
        if getattr(self.connection, "_pipeline", None) is None:
            STATEMENTS[0] += 1
        return execute_one(self, *args, **kwargs)

    def in_pipeline(self: Any) -> Any:
        STATEMENTS[0] += 1
        return pipeline(self)

    psycopg.Cursor.execute = execute  # type: ignore[method-assign]
    psycopg.Connection.pipeline = in_pipeline  # type: ignore[method-assign]


class Side:
    """One store's half of the run: its contexts, its seeded choices, its samples."""

    def __init__(self, name: str, ctx: Context, empty: Context, seed: int) -> None:
        self.name = name
        self.ctx = ctx
        self.empty = empty
        self.rng = random.Random(seed)  # the moves' choices: the same on both stores
        self.pause = random.Random(seed + 1)  # the pauses between commit -> refresh moves
        self.settings = load_settings(ctx.store)
        self.day = move_day(ctx, self.settings)
        self.samples: dict[str, list[float]] = {
            "move_commit": [],
            "book_course": [],
            "book_course_empty": [],
            "commit_refresh": [],
            "refresh_from_start": [],
            "refresh_woke": [],
            "refresh_read": [],
            "move_statements": [],
            "round_trip": [],
            "book_statements": [],
        }
        self.refused: list[str] = []
        self.chosen: list[Any] = []  # every move picked, to compare the two stores'
        self.child: subprocess.Popen[str] | None = None

    def move(self, profile: Any = None) -> tuple[float, float, Any] | None:
        """One chosen move through the service: (began, returned) perf-counter instants
        and its ChangeSet; None when refused (noted). ``profile`` (a ``cProfile.Profile``)
        runs over the service call only."""
        from tdm1_scheduler.services.courses import move_appointment

        chosen = pick_move(self.ctx, self.settings, self.day, self.rng)
        self.chosen.append(chosen)
        if isinstance(chosen, str):
            self.refused.append(chosen)
            return None
        if profile is not None:
            profile.enable()
        sent = STATEMENTS[0]
        began = time.perf_counter()
        try:
            changes = move_appointment(
                self.ctx, mrn=chosen.mrn, cycle=chosen.cycle, to=chosen.to, chair=chosen.chair
            )
        except (DomainError, ConflictError) as error:
            self.refused.append(str(error))
            return None
        finally:
            if profile is not None:
                profile.disable()
        returned = time.perf_counter()
        self.samples["move_statements"].append(STATEMENTS[0] - sent)
        return began, returned, changes


def drag_round(side: Side, count: int, profile: Any = None) -> None:
    done, attempts = 0, 0
    while done < count and attempts < count * 4:
        attempts += 1
        made = side.move(profile)
        if made is not None:
            side.samples["move_commit"].append((made[1] - made[0]) * 1000)
            done += 1
            if side.name == "server":  # the floor of one statement: a bare round trip
                conn = side.ctx.store.pg.pg  # type: ignore[attr-defined]
                began = time.perf_counter()
                conn.execute(b"SELECT 1").fetchone()
                side.samples["round_trip"].append((time.perf_counter() - began) * 1000)


def book_round(side: Side, number: int) -> None:
    """``SAMPLES["book_course"]`` bookings on the empty clinic, then as many on history."""
    side.samples["book_course_empty"] += sqlite_bench.book_samples(side.empty, 1, f"e{number}")
    sent = STATEMENTS[0]
    booked = sqlite_bench.book_samples(side.ctx, 1, f"h{number}")
    side.samples["book_course"] += booked
    # per booking, its patient's add_patient included (untimed)
    side.samples["book_statements"].append((STATEMENTS[0] - sent) / len(booked))


# --- commit -> refresh ----------------------------------------------------------------------
def start_listener(side: Side, where: list[str]) -> None:
    command = [sys.executable, str(BENCH_DIR / "server_refresh.py"), *where]
    side.child = subprocess.Popen(
        [*command, "--day", side.day.isoformat()],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    line = read_line(side.child, 120.0)
    if line != "ready":
        raise RuntimeError(f"the {side.name} listener did not start: {line!r}")


def read_line(child: subprocess.Popen[str], timeout: float) -> str | None:
    assert child.stdout is not None
    ready, _, _ = select.select([child.stdout], [], [], timeout)
    if not ready:
        return None
    return child.stdout.readline().strip()


def refresh_round(side: Side, count: int) -> None:
    assert side.child is not None
    done, attempts = 0, 0
    while done < count and attempts < count * 4:
        attempts += 1
        # A pause of up to one poll interval: commits fall at any phase of SQLite's poll.
        time.sleep(side.pause.uniform(0.05, 1.05))
        made = side.move()
        if made is None:
            continue
        committed = time.time()  # the service returned: its COMMIT is done
        started = committed - (made[1] - made[0])  # the service began: before its COMMIT
        line = read_line(side.child, REFRESH_TIMEOUT)
        if line is None:
            side.refused.append(f"no refresh within {REFRESH_TIMEOUT} s")
            continue
        seen = json.loads(line)
        if not set(seen["appointments"]) & set(made[2].appointments):
            side.refused.append(f"the refresh named other appointments: {seen}")
            continue
        side.samples["commit_refresh"].append((seen["done"] - committed) * 1000)
        side.samples["refresh_from_start"].append((seen["done"] - started) * 1000)
        side.samples["refresh_woke"].append((seen["woke"] - committed) * 1000)
        side.samples["refresh_read"].append((seen["done"] - seen["woke"]) * 1000)
        done += 1


def stop_listener(side: Side) -> None:
    if side.child is not None:
        side.child.terminate()
        side.child.wait(10)
        side.child = None


# --- figures --------------------------------------------------------------------------------
def figures_of(side: Side, judged: bool) -> list[Figure]:
    s = side.samples
    server = side.name == "server"
    made: list[Figure] = []
    if s["move_commit"]:
        value = percentile(s["move_commit"], 0.95)
        made.append(
            Figure(
                f"{side.name}_move_commit",
                "drag commit through the services (move_appointment), 95th percentile",
                "ms",
                value,
                s["move_commit"],
                goal="p95 <= 30 ms" if side.name == "server" else "(beside the server)",
                met=(value <= GOALS["move_commit"]) if side.name == "server" and judged else None,
                extra={
                    "median_ms": round(median(s["move_commit"]), 2),
                    "statements_median": median(s["move_statements"]) if server else None,
                    "round_trip_median_ms": round(median(s["round_trip"]), 3) if server else None,
                },
            )
        )
    if s["book_course"]:
        value, floor = median(s["book_course"]), median(s["book_course_empty"])
        made.append(
            Figure(
                f"{side.name}_book_course",
                "book a 14-cycle EBC course (book_course), history clinic",
                "ms",
                value,
                s["book_course"],
                floor,
                "the same booking on an empty clinic",
                value / floor,
                "<= 150 ms" if side.name == "server" else "(beside the server)",
                (value <= GOALS["book_course"]) if side.name == "server" and judged else None,
                {
                    "empty_samples": s["book_course_empty"],
                    "statements_with_add_patient": median(s["book_statements"]) if server else None,
                },
            )
        )
    if s["commit_refresh"]:
        value = percentile(s["commit_refresh"], 0.95)
        how = "NOTIFY to its listener" if side.name == "server" else "its poll, every 1 s"
        made.append(
            Figure(
                f"{side.name}_commit_refresh",
                f"one process's commit -> another's refresh done ({how}), 95th percentile",
                "ms",
                value,
                s["commit_refresh"],
                goal="p95 <= 250 ms" if side.name == "server" else "(beside the server)",
                met=(value <= GOALS["commit_refresh"]) if server and judged else None,
                extra={
                    "median_ms": round(median(s["commit_refresh"]), 2),
                    # an upper bound: from the start of the move's service call
                    "from_service_start_p95_ms": round(
                        percentile(s["refresh_from_start"], 0.95), 2
                    ),
                    "woke_median_ms": round(median(s["refresh_woke"]), 2),
                    "read_median_ms": round(median(s["refresh_read"]), 2),
                },
            )
        )
    return made


def load_average() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]


def run(
    size: str, repeat: int, samples: int, seed: int, log: Callable[[str], None], profile: Any
) -> dict[str, Any]:
    from tdm1_scheduler.store.postgres.pg_store import open_pg_store

    before = load_average()
    spec = generate.SPECS[size]
    log(f"databases for size {size} (cached under {generate.CACHE_DIR})")
    history = generate.generated_database(spec, seed)
    server, how = pg_clinic.loaded_server(history, log)
    log(f"server: {how['loaded']} in {how['seconds']} s")
    opened: list[Any] = []
    sides: dict[str, Side] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="tdm1-bench-server-") as scratch:
            folder = Path(scratch)
            clock = FixedClock(generate.NOW)
            # the server: the loaded clinic and an empty one, as the scheduler
            empty_name = pg_clinic.new_empty_database(server)
            owner = open_pg_store(server.url(empty_name, pg_clinic.OWNER))  # migrates it
            sqlite_bench.init_empty(Context(owner, clock, "bench"), spec.chairs)
            owner.close()
            url = server.url(pg_clinic.CLINIC_DB, pg_clinic.SCHEDULER)
            stores: list[Store] = [open_pg_store(url, migrate=False)]
            stores.append(open_pg_store(server.url(empty_name, pg_clinic.SCHEDULER), migrate=False))
            # SQLite: a copy of the same clinic file, and an empty clinic
            copy = sqlite_bench.working_copy(history, folder)
            stores.append(SqliteStore(open_database(copy)))
            empty = sqlite_bench.empty_clinic(folder, spec.chairs)
            stores.append(SqliteStore(open_database(empty)))
            opened += stores
            for number, name in enumerate(STORES):
                history_ctx, empty_ctx = (Context(s, clock) for s in stores[2 * number :][:2])
                sides[name] = Side(name, history_ctx, empty_ctx, seed)
            count_statements()
            for number in range(repeat):
                log(f"round {number + 1}/{repeat}: drag commits, bookings")
                for name in STORES:
                    drag_round(sides[name], samples, profile if name == "server" else None)
                for name in STORES:
                    book_round(sides[name], number)
            log("commit -> refresh: starting the second processes")
            start_listener(sides["server"], ["--url", url])
            start_listener(sides["sqlite"], ["--sqlite", str(copy)])
            for number in range(repeat):
                log(f"round {number + 1}/{repeat}: commit -> refresh")
                for name in STORES:
                    refresh_round(sides[name], samples)
    finally:
        for side in sides.values():
            stop_listener(side)
        for store in opened:
            store.close()
        server.stop()
    judged = size == "full"
    figures = [figure for name in STORES for figure in figures_of(sides[name], judged)]
    return {
        "size": size,
        "repeat": repeat,
        "samples": samples,
        "seed": seed,
        "judged": judged,
        "ran_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": f"python bench/server.py --size {size} --repeat {repeat} "
        f"--samples {samples} --seed {seed}",
        "machine": sqlite_bench.machine(),
        "load_average": {"before": before, "after": load_average()},
        "server": how,
        "databases": {"history": generate.generated_counts(history)},
        "refused": {name: side.refused for name, side in sides.items()},
        # the same seeded choices on both stores: the same moves, in the same order
        "same_moves": sides["server"].chosen == sides["sqlite"].chosen,
        "figures": {figure.name: figure.as_json() for figure in figures},
    }


def table(result: dict[str, Any]) -> str:
    figures = result["figures"]
    lines = [
        f"size {result['size']}, repeat {result['repeat']}, samples {result['samples']}; "
        f"server {result['server']['loaded']}"
        + ("" if result["judged"] else " (goals are judged at --size full only)"),
        f"{'figure':<16}{'server':>12}{'sqlite':>12}  {'goal':<16}met",
    ]
    for name in ("move_commit", "book_course", "commit_refresh"):
        pair = [figures.get(f"{store}_{name}") for store in STORES]
        if pair[0] is None and pair[1] is None:
            continue
        shown = ["" if f is None else f"{f['value']:.1f} {f['unit']}" for f in pair]
        met = "" if pair[0] is None else {True: "yes", False: "NO", None: ""}[pair[0]["met"]]
        goal = "" if pair[0] is None else pair[0]["goal"]
        lines.append(f"{name:<16}{shown[0]:>12}{shown[1]:>12}  {goal:<16}{met}")
    move = figures.get("server_move_commit")
    if move:
        extra = move["extra"]
        lines.append(
            f"  server drag commit: median {extra['median_ms']} ms, "
            f"{extra['statements_median']:.0f} round trips; a bare one (SELECT 1) "
            f"{extra['round_trip_median_ms']} ms"
        )
    for store in STORES:
        book = figures.get(f"{store}_book_course")
        if book:
            sent = book["extra"]["statements_with_add_patient"]
            lines.append(
                f"  {store} booking: empty clinic {book['floor']:.1f} ms, ratio {book['ratio']:.2f}"
                + ("" if sent is None else f"; {sent:.0f} round trips with its add_patient")
            )
        refresh = figures.get(f"{store}_commit_refresh")
        if refresh:
            extra = refresh["extra"]
            lines.append(
                f"  {store} commit -> refresh: median {extra['median_ms']} ms "
                f"(woken {extra['woke_median_ms']} ms, read {extra['read_median_ms']} ms); "
                f"p95 from the move's start {extra['from_service_start_p95_ms']} ms"
            )
    lines.append(f"  the same moves on both stores: {result['same_moves']}")
    load = result["load_average"]
    lines.append(f"  load average before {load['before']}, after {load['after']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="T-DM1 Chair Scheduler: server benchmarks")
    parser.add_argument("--size", choices=sorted(generate.SPECS), default="full")
    parser.add_argument("--repeat", type=int, default=3, help="rounds (stores alternate)")
    parser.add_argument("--samples", type=int, default=20, help="moves per round and figure")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated clinic")
    parser.add_argument("--json", type=Path, help="where to write the JSON (default: results/)")
    parser.add_argument("--profile", type=Path, help="cProfile the server's drag commits")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.samples < 1:
        parser.error("--repeat and --samples must be at least 1")

    def log(text: str) -> None:
        if not args.quiet:
            print(f"[bench] {text}", file=sys.stderr, flush=True)

    # Killed, still stop the server and the listeners (``run``'s finally).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    profile = None
    if args.profile:
        import cProfile

        profile = cProfile.Profile()
    began = time.perf_counter()
    result = run(args.size, args.repeat, args.samples, args.seed, log, profile)
    result["seconds"] = round(time.perf_counter() - began, 1)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = args.json or sqlite_bench.RESULTS_DIR / f"server-{args.size}-{stamp}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(result, indent=1, default=str))
    print(table(result))
    print(f"JSON: {target} ({result['seconds']} s)")
    if profile is not None:
        import pstats

        profile.dump_stats(str(args.profile))
        pstats.Stats(str(args.profile)).sort_stats("cumulative").print_stats(30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
