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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-08T02:30", "2026-03-08T02:30:00-04:00"),  # skipped: dateutil's offset after
        ("2026-11-01T01:30", "2026-11-01T01:30:00-04:00"),  # repeated: the first
        ("2026-03-09T10:00", "2026-03-09T10:00:00-04:00"),
    ],
)
def test_a_wall_time_is_read_as_dateutil_read_it(text: str, expected: str) -> None:
    from datetime import UTC, datetime

    from dateutil import tz

    from tdm1_scheduler.cli.common import parse_instant
    from tdm1_scheduler.domain.calendar import zone_from_name

    read = parse_instant("now", text, zone_from_name("America/New_York"))
    assert read.isoformat() == expected
    old = datetime.fromisoformat(text).replace(tzinfo=tz.gettz("America/New_York"))
    assert read.astimezone(UTC) == old.astimezone(UTC)
