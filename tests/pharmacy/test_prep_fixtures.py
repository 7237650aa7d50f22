"""``prep queue`` and ``prep show`` (``--json`` and text) are byte for byte what they
were before the pharmacy reads became read models (``PrepQueueItem``, ``PreparationView``)
and the JSON was made in ``cli.pharmacy_json``: the fixtures were written by the
dict-returning version (the demo clinic, and a clinic with every preparation state)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tdm1_scheduler.cli.main import main
from tests.cli.targets import ServerDatabases, Target, on_backend
from tests.demo_files import demo_copy

from .prep_clinic import DEMO_NOW, DEMO_NOW_TEXT, DEMO_SHOWN, NOW, SHOWN, build_prep_clinic

FIXTURES = Path(__file__).parent / "fixtures"
WRITE = False  # True once, with the old code, to write the fixtures


# On the server each clinic is a copy of the file built here (``migrate --to``).
@pytest.fixture(scope="module")
def prep_clinic(
    tmp_path_factory: pytest.TempPathFactory, backend: str, module_server_dbs: ServerDatabases
) -> Target:
    path = tmp_path_factory.mktemp("prep") / "prep.db"
    build_prep_clinic(path)
    return on_backend(path, backend, module_server_dbs)


@pytest.fixture(scope="module")
def demo_clinic(
    tmp_path_factory: pytest.TempPathFactory, backend: str, module_server_dbs: ServerDatabases
) -> Target:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    demo_copy(path, DEMO_NOW, tmp_path_factory)  # the run's build (tests/demo_files.py)
    return on_backend(path, backend, module_server_dbs)


def _check(name: str, out: str) -> None:
    fixture = FIXTURES / name
    if WRITE:
        fixture.write_text(out)
    assert out == fixture.read_text()


def _run(db: Target, now: str, args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    assert main(["--db", str(db), "--now", now, *args]) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("as_json", [True, False], ids=["json", "text"])
def test_prep_queue_is_unchanged(
    prep_clinic: Target, demo_clinic: Target, as_json: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    flag = ["--json"] if as_json else []
    ext = "json" if as_json else "txt"
    _check(f"queue_states.{ext}", _run(prep_clinic, NOW, ["prep", "queue", *flag], capsys))
    _check(f"queue_demo.{ext}", _run(demo_clinic, DEMO_NOW_TEXT, ["prep", "queue", *flag], capsys))


@pytest.mark.parametrize("as_json", [True, False], ids=["json", "text"])
def test_prep_show_is_unchanged(
    prep_clinic: Target, demo_clinic: Target, as_json: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    flag = ["--json"] if as_json else []
    ext = "json" if as_json else "txt"
    out = []
    for mrn, cycle in SHOWN:
        args = ["prep", "show", "--mrn", mrn, "--cycle", str(cycle), *flag]
        out.append(_run(prep_clinic, NOW, args, capsys))
    _check(f"show_states.{ext}", "".join(out))
    queue = json.loads(_run(demo_clinic, DEMO_NOW_TEXT, ["prep", "queue", "--json"], capsys))
    out = []
    for item in queue[:DEMO_SHOWN]:
        args = ["prep", "show", "--mrn", item["mrn"], "--cycle", str(item["cycle"]), *flag]
        out.append(_run(demo_clinic, DEMO_NOW_TEXT, args, capsys))
    _check(f"show_demo.{ext}", "".join(out))
