"""Make the user guide's screenshots (docs/guide/images/) from a fresh demo clinic.

    python scripts/guide_screenshots.py [--out DIR] [--now ISO]

Rendering is offscreen (``QWidget.grab()``), so no display is needed and the pictures
only change when the app does: the demo clinic and the clock are fixed. A view that is
not built yet is skipped with a note; run the script again when it exists.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from tdm1_scheduler.store.sqlite_store import SqliteStore

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# Wednesday 18 November 2026, 10:00 in New York: the demo's busy morning.
DEFAULT_NOW = datetime(2026, 11, 18, 15, 0, tzinfo=UTC)
WINDOW_SIZE = (1360, 860)

# (image file, page object name, what it shows, select the first row of its first table)
PAGE_SHOTS = (
    ("day-list.png", "dayListPage", "the day's appointments as a list", False),
    ("planner.png", "plannerPage", "the planner grid", False),
    ("nurse-board.png", "nurseBoardPage", "the nurse board", False),
    ("pharmacy.png", "pharmacyPage", "the pharmacy queue", True),
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "guide" / "images"))
    parser.add_argument("--now", help="the clinic's 'now', ISO 8601 with offset")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    scratch = Path(tempfile.mkdtemp(prefix="tdm1-guide-"))
    # Never pick up (or overwrite) this computer's saved window layout.
    os.environ["TDM1_SCHEDULER_WINDOW_STATE"] = str(scratch / "window.ini")

    from PySide6.QtWidgets import QApplication, QTableView, QWidget

    from tdm1_scheduler.clock import FixedClock
    from tdm1_scheduler.demo import build_demo_clinic
    from tdm1_scheduler.gui.main_window import MainWindow, apply_application_style
    from tdm1_scheduler.reports.day_sheet import build_day_sheet
    from tdm1_scheduler.reports.paint import write_png
    from tdm1_scheduler.services.context import Context
    from tdm1_scheduler.store.database import open_database

    now = datetime.fromisoformat(args.now) if args.now else DEFAULT_NOW
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("T-DM1 Chair Scheduler")
    apply_application_style(app)
    path = scratch / "demo.db"
    build_demo_clinic(path, now)
    db = open_database(path)
    window = MainWindow(Context(SqliteStore(db), FixedClock(now), "guide"), demo=True)
    window.stop_polling()
    window.resize(*WINDOW_SIZE)
    window.show()
    written: list[str] = []
    skipped: list[str] = []

    def settle() -> None:
        for _ in range(5):
            app.processEvents()

    def save(widget: QWidget, name: str) -> None:
        settle()
        pixmap = widget.grab()
        if pixmap.isNull() or not pixmap.save(str(out / name), "PNG"):
            raise SystemExit(f"could not write {out / name}")
        written.append(name)

    def page_index(name: str) -> int | None:
        for index in range(window.pages.count()):
            page = window.pages.widget(index)
            if page is not None and page.objectName() == name:
                return index
        return None

    for image, page_name, what, select_first in PAGE_SHOTS:
        index = page_index(page_name)
        if index is None:
            skipped.append(f"{image}: no {page_name} ({what}) in this build")
            continue
        window.pages.setCurrentIndex(index)
        page = window.pages.widget(index)
        tables = [page] if isinstance(page, QTableView) else page.findChildren(QTableView)
        model = tables[0].model() if tables else None
        if select_first and model is not None and model.rowCount() > 0:
            tables[0].selectRow(0)  # fills a detail panel, where the page has one
        save(window, image)

    def shoot_dialog(image: str, opener: Callable[[], QWidget | None]) -> None:
        dialog = opener()
        if dialog is None:
            skipped.append(f"{image}: not available in this build")
            return
        dialog.adjustSize()
        save(dialog, image)
        dialog.close()

    preferences = window.features.get("preferences")
    shoot_dialog("preferences.png", preferences.open_dialog if preferences else lambda: None)

    # The day sheet as printed: page 1 through the same paint path as the printer.
    sheet = build_day_sheet(window.ctx.store, window.shown_day, FixedClock(now))
    write_png(sheet, out / "day-sheet.png", 0, dpi=110)
    written.append("day-sheet.png")

    window.close()
    db.conn.close()
    for name in written:
        print(f"wrote {out / name}")
    for note in skipped:
        print(f"skipped {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
