"""The second workstation of the commit -> refresh figure (``server.py``), in a process
of its own.

    python bench/server_refresh.py --url postgresql://... --day 2026-11-19
    python bench/server_refresh.py --sqlite clinic.db --day 2026-11-19

It opens the clinic as the GUI does, follows its change feed (``services.live``'s
``ChangeWatch``) and, each time another process commits, does what the GUI's session
does then: the feed's news (``ChangeWatch.poll``), the settings again
(``Session.apply_changes``) and the shown day's bookings (``queries.day_bookings``, what
the planner and the Day list draw). Then it prints one JSON line: ``{"done": epoch
seconds (time.time(), system-wide on one machine), "woke": ..., "rows": ...,
"appointments": [...]}``. It prints ``ready`` once it listens.

How it hears of a commit is the app's own way for each store:

- a server: the store's ``ChangeListener`` (``store/postgres/listener.py``), a blocking
  wait on its socket, as the GUI's ``QSocketNotifier`` wakes on it;
- SQLite: a poll every ``gui.session.POLL_INTERVAL_MS`` (the GUI's poll timer).

It ends when its parent does (or on SIGTERM).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tdm1_scheduler.clock import SystemClock  # noqa: E402
from tdm1_scheduler.services import queries  # noqa: E402
from tdm1_scheduler.services.context import Context, load_settings  # noqa: E402
from tdm1_scheduler.services.live import ChangeWatch, ReadAgain  # noqa: E402


def refresh(ctx: Context, watch: ChangeWatch, day: date, woke: float) -> dict[str, Any] | None:
    """The session's refresh on news; None when the feed shows nothing new."""
    changes: ReadAgain | None = watch.poll()
    if changes is None:
        return None
    settings = load_settings(ctx.store)
    rows = queries.day_bookings(ctx.store, settings, day)
    return {
        "done": time.time(),
        "woke": woke,
        "rows": len(rows),
        "appointments": sorted(changes.appointments),
    }


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--url", help="a server database (as the scheduler's login)")
    where.add_argument("--sqlite", type=Path, help="a clinic file")
    parser.add_argument("--day", type=date.fromisoformat, required=True)
    args = parser.parse_args(argv)
    parent = os.getppid()

    if args.url:
        from tdm1_scheduler.store.postgres.pg_store import open_pg_store

        store: Any = open_pg_store(args.url, migrate=False)
    else:
        from tdm1_scheduler.store.database import open_database
        from tdm1_scheduler.store.sqlite_store import SqliteStore

        store = SqliteStore(open_database(args.sqlite))
    ctx = Context(store, SystemClock(), "bench-refresh")
    watch = ChangeWatch(ctx)
    queries.day_bookings(store, load_settings(store), args.day)  # the first paint's read
    if args.url:
        listener = store.listen()
        say("ready")
        while os.getppid() == parent:
            if listener.poll(timeout=1.0):
                found = refresh(ctx, watch, args.day, time.time())
                if found is not None:
                    say(json.dumps(found))
    else:
        from tdm1_scheduler.gui.session import POLL_INTERVAL_MS

        interval = POLL_INTERVAL_MS / 1000
        say("ready")
        tick = time.monotonic()
        while os.getppid() == parent:
            tick += interval
            time.sleep(max(0.0, tick - time.monotonic()))
            found = refresh(ctx, watch, args.day, time.time())
            if found is not None:
                say(json.dumps(found))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
