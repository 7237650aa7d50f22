"""Regenerate ``docs/day-sheet.png``: the demo clinic's day sheet (one landscape page).

    python -m tdm1_scheduler.reports.docs_image [docs/day-sheet.png]

Built through the same ``paint`` path as the PDF and the printer, on a throw-away demo
database, at a fixed "now" so the picture only changes when the code does.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from ..clock import FixedClock
from ..services.storage import open_store
from .day_sheet import build_day_sheet

DEMO_NOW = datetime(2027, 1, 12, 7, 30, tzinfo=ZoneInfo("America/New_York"))


def write_docs_image(path: Path | str, dpi: int = 120) -> None:
    from ..demo import build_demo_clinic
    from .paint import write_png

    with tempfile.TemporaryDirectory() as folder:
        clinic_file = Path(folder) / "demo.db"
        build_demo_clinic(clinic_file, DEMO_NOW)
        store = open_store(clinic_file, read_only=True)
        try:
            sheet = build_day_sheet(store, DEMO_NOW.date(), FixedClock(DEMO_NOW))
        finally:
            store.close()
    write_png(sheet, path, 0, dpi=dpi)


if __name__ == "__main__":
    write_docs_image(sys.argv[1] if len(sys.argv) > 1 else "docs/day-sheet.png")
