"""Grab the main window, planner page shown, on a fresh demo clinic into docs/planner.png.

Run under a real X server, e.g.::

    xvfb-run -s "-screen 0 1400x900x24" python scripts/screenshot.py [--now ISO] [--out PATH]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from tdm1_scheduler.store.sqlite_store import SqliteStore

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--now", help="clinic 'now' as ISO 8601 with offset (default: a Wed)")
    parser.add_argument("--out", default=str(ROOT / "docs" / "planner.png"))
    args = parser.parse_args()

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from tdm1_scheduler.clock import FixedClock
    from tdm1_scheduler.demo import build_demo_clinic
    from tdm1_scheduler.gui.main_window import MainWindow, apply_application_style
    from tdm1_scheduler.services.context import Context
    from tdm1_scheduler.store.database import open_database

    now = (
        datetime.fromisoformat(args.now)
        if args.now
        else datetime(2026, 11, 18, 16, 0, tzinfo=UTC)  # Wed 11:00 in New York
    )
    app = QApplication(sys.argv[:1])
    app.setApplicationName("T-DM1 Chair Scheduler")
    apply_application_style(app)
    path = Path(tempfile.mkdtemp(prefix="tdm1-shot-")) / "demo.db"
    build_demo_clinic(path, now)
    db = open_database(path)
    window = MainWindow(Context(SqliteStore(db), FixedClock(now), "screenshot"), demo=True)
    window.resize(1360, 860)
    planner = window.features.get("planner")
    if planner is not None:  # the picture in the README is the planner grid
        window.pages.setCurrentWidget(planner)
    window.show()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    result: list[bool] = []

    def grab() -> None:
        screen = window.screen()
        pixmap = screen.grabWindow(window.winId()) if screen is not None else window.grab()
        if pixmap.isNull() or pixmap.width() < 10:
            pixmap = window.grab()
        result.append(pixmap.save(str(out), "PNG"))
        window.close()
        app.quit()

    QTimer.singleShot(1500, grab)
    app.exec()
    db.conn.close()
    if result and result[0]:
        print(f"wrote {out}")
        return 0
    print("could not write the screenshot", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
