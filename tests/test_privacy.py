"""Patient data is private whatever the umask: files 0600, the app's data folder 0700."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Runs in a child with the given umask: init in the default data folder, then reports the
# modes of everything it made while a connection still holds the -wal and -shm open.
CHILD = """
import json, os, sqlite3, sys
os.umask(int(sys.argv[1], 8))
from tdm1_scheduler.cli.main import main
from tdm1_scheduler.paths import default_db_path
out = sys.argv[2]
assert main(["init", "--timezone", "UTC", "--chairs", "1"]) == 0
db = default_db_path()
conn = sqlite3.connect(db)
conn.execute("SELECT COUNT(*) FROM chairs").fetchone()
assert main(["chair", "add", "Extra"]) == 0
assert main(["backup", os.path.join(out, "backup.db")]) == 0
assert main(["day-sheet", "2026-03-02", "--pdf", os.path.join(out, "day.pdf")]) == 0
modes = {}
for path in (db.parent, db, f"{db}-wal", f"{db}-shm", os.path.join(out, "backup.db"),
             os.path.join(out, "day.pdf")):
    modes[os.path.basename(path)] = oct(os.stat(path).st_mode & 0o777)
conn.close()
print(json.dumps(modes))
"""


@pytest.mark.slow
@pytest.mark.parametrize("umask", ["022", "000"])
def test_files_are_0600_and_the_data_folder_0700(tmp_path, umask):
    home, out = tmp_path / "home", tmp_path / "out"
    out.mkdir()
    env = dict(os.environ)
    env.pop("TDM1_SCHEDULER_DB", None)
    env.update(
        PYTHONPATH=str(ROOT), XDG_DATA_HOME=str(home / "data"), HOME=str(home),
        QT_QPA_PLATFORM="offscreen",
    )  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-c", CHILD, umask, str(out)],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    modes = json.loads(done.stdout.splitlines()[-1])
    assert modes.pop("tdm1-scheduler") == "0o700"
    assert modes == {name: "0o600" for name in modes}, modes
    assert set(modes) == {"clinic.db", "clinic.db-wal", "clinic.db-shm", "backup.db", "day.pdf"}
