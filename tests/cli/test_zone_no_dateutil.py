"""The clinic's zone is the standard library's ``zoneinfo`` (issue 19): a day sheet in a
zone with daylight saving, its ``--now`` in clinic wall time, loads neither dateutil's
``tz`` nor ``six`` (about 4 ms of each start); a skipped wall time asks dateutil for its
offset, as it was read before (``calendar.wall_in_zone``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

CODE = (
    "import sys\n"
    "from tdm1_scheduler.cli.main import main\n"
    "code = main(['--db', {db!r}, 'day-sheet', '2026-03-09', '--json', '--now', {now!r}])\n"
    "print(code, *(name in sys.modules for name in ('dateutil.tz', 'six')), file=sys.stderr)\n"
)


@pytest.mark.parametrize(
    ("now", "loaded"), [("2026-03-09T10:00", "False"), ("2026-03-08T02:30", "True")]
)
def test_a_day_sheet_loads_no_dateutil_zone(tmp_path: Path, now: str, loaded: str) -> None:
    db = str(tmp_path / "clinic.db")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    init = ["init", "--timezone", "America/New_York"]
    made = subprocess.run(
        [sys.executable, "-m", "tdm1_scheduler", "--db", db, *init],
        capture_output=True, env=env, timeout=120,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    done = subprocess.run(
        [sys.executable, "-c", CODE.format(db=db, now=now)],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert done.stderr.split()[-3:] == ["0", loaded, loaded], done.stderr
    assert '"date": "2026-03-09"' in done.stdout
