"""Cold start in a fresh process: start, build a window, stop at its first paint.

``python bench/harness_start.py bare`` shows a bare 1280x800 QMainWindow (the floor);
``python bench/harness_start.py app --db PATH --now ISO`` builds the app's MainWindow
over ``open_database(PATH)`` with a FixedClock at ``--now``, as ``app.run_gui`` does.

When the first paint pass of the window is over, it prints one JSON line: wall-clock
instants (``time.time()``) of each stage, so the parent, which noted the time just
before starting this process, gets the cold start as ``painted - started``; and the
resident memory then (VmRSS) and its peak (VmHWM), in MB.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

marks: dict[str, float] = {"interpreter_ready": time.time()}

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def memory_mb() -> dict[str, float]:
    values: dict[str, float] = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return values


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=("bare", "app"))
    parser.add_argument("--db")
    parser.add_argument("--now")
    args = parser.parse_args()

    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    marks["qt_imported"] = time.time()
    app = QApplication(sys.argv[:1])
    if args.mode == "bare":
        window = QMainWindow()
        window.resize(1280, 800)
    else:
        from datetime import datetime

        from tdm1_scheduler.clock import FixedClock
        from tdm1_scheduler.gui.main_window import MainWindow, apply_application_style
        from tdm1_scheduler.store.database import open_database

        marks["app_imported"] = time.time()
        app.setApplicationName("T-DM1 Chair Scheduler")
        apply_application_style(app)
        db = open_database(args.db)
        marks["database_open"] = time.time()
        import compat

        window = MainWindow(compat.context(db, FixedClock(datetime.fromisoformat(args.now))))
        marks["window_built"] = time.time()

    def finish() -> None:
        marks["painted"] = time.time()  # the whole first paint pass is done
        print(json.dumps({"marks": marks, "memory_mb": memory_mb()}), flush=True)
        app.quit()

    class FirstPaint(QObject):
        """Notes the window's first paint event: the first of its first paint pass,
        which paints the window, then the widgets in it."""

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if "first_paint" not in marks and event.type() == QEvent.Type.Paint:
                marks["first_paint"] = time.time()
                QTimer.singleShot(0, finish)
            return False

    # On the window only. A filter on the whole application meets every object that gets
    # an event (the style, Qt's private windows and timers, ...) and makes Python wrap
    # each one: 8 M instructions of the bare window's start, 88 M of the demo clinic's,
    # which the app itself, having no such filter, never pays (docs/benchmarks.md).
    watcher = FirstPaint()
    window.installEventFilter(watcher)
    window.show()
    marks["shown"] = time.time()
    QTimer.singleShot(20_000, app.quit)  # never hang the runner
    app.exec()
    return 0 if "painted" in marks else 1


if __name__ == "__main__":
    raise SystemExit(main())
