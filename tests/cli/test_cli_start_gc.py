"""``cli.start.imported_main``: the CLI's first import with the cyclic collector paused,
then the start's objects frozen and the collector as it was (issue 19)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

_PROBE = """
import gc, json, sys
seen = []
gc.callbacks.append(lambda phase, info: seen.append(phase) if phase == "start" else None)
from tdm1_scheduler.cli.start import imported_main
seen.clear()
main = imported_main()
report = {
    "collections_during_import": len(seen),
    "enabled": gc.isenabled(),
    "frozen": gc.get_freeze_count(),
    "main_is_cli_main": main is sys.modules["tdm1_scheduler.cli.main"].main,
}
again = imported_main()  # imported already: no second pause, no second freeze
report["same_again"] = again is main
report["frozen_again"] = gc.get_freeze_count()
print(json.dumps(report))
"""


def _probe(*setup: str) -> dict[str, object]:
    code = "\n".join(setup) + _PROBE
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    return dict(json.loads(done.stdout))


def test_first_import_is_paused_then_frozen_and_the_collector_is_back_on() -> None:
    report = _probe()
    assert report["collections_during_import"] == 0
    assert report["enabled"] is True
    assert isinstance(report["frozen"], int) and report["frozen"] > 10_000
    assert report["main_is_cli_main"] is True
    assert report["same_again"] is True
    assert report["frozen_again"] == report["frozen"]


def test_a_disabled_collector_stays_disabled_and_nothing_is_frozen() -> None:
    report = _probe("import gc", "gc.disable()")
    assert report["enabled"] is False
    assert report["frozen"] == 0


def test_the_entry_point_runs_a_command_with_the_collector_on(tmp_path: Path) -> None:
    db = tmp_path / "clinic.db"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    base = [sys.executable, "-m", "tdm1_scheduler", "--db", str(db)]
    subprocess.run(
        [*base, "init", "--timezone", "Europe/Berlin", "--chairs", "2"],
        check=True, capture_output=True, env=env, timeout=120,
    )  # fmt: skip
    code = (
        "import gc, sys\n"
        "from tdm1_scheduler import __main__ as entry\n"
        "import tdm1_scheduler.cli.commands as commands\n"  # imported paused (it is cli's)
        "real = commands.run_chair_list\n"
        "def probe(args, store):\n"
        "    print('gc', gc.isenabled(), gc.get_freeze_count() > 0, file=sys.stderr)\n"
        "    return real(args, store)\n"
        "commands.run_chair_list = probe\n"
        f"sys.argv = ['tdm1-scheduler', '--db', {str(db)!r}, 'chair', 'list']\n"
        "sys.exit(entry.main())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "Chair 1" in done.stdout
    assert "gc True" in done.stderr
