"""The JSON of ``day-sheet --json`` and ``course show --json`` is written without the
``json`` package (issue 19: ``json_text``), which loads only for a write's audit row or
``print_json``; the strings are encoded by json's own C function."""

from __future__ import annotations

import json.encoder
import os
import subprocess
import sys
from pathlib import Path

from tdm1_scheduler.cli import json_text, sheet_text


def test_the_encoder_is_json_own() -> None:
    assert json_text.encode_basestring is json.encoder.encode_basestring
    assert sheet_text.encode_basestring is json.encoder.encode_basestring


def test_a_day_sheet_loads_no_json(tmp_path: Path) -> None:
    db = str(tmp_path / "clinic.db")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    made = subprocess.run(
        [sys.executable, "-m", "tdm1_scheduler", "--db", db, "init", "--timezone", "UTC"],
        capture_output=True, env=env, timeout=120,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    code = (
        "import sys\n"
        "from tdm1_scheduler.cli.main import main\n"
        f"code = main(['--db', {db!r}, 'day-sheet', '2026-11-19', '--json'])\n"
        "print(code, 'json' in sys.modules, 'json.decoder' in sys.modules, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.stderr.split()[-3:] == ["0", "False", "False"], done.stderr
    assert '"date": "2026-11-19"' in done.stdout
