"""``course show`` (``--json`` and text) of three rich courses is byte for byte what it
was before ``queries.course_view`` became a read model (``CourseView``) and the JSON was
made in ``cli.course_json``: the fixtures were written by the dict-returning version."""

from __future__ import annotations

from pathlib import Path

import pytest

from tdm1_scheduler.cli.main import main

from .rich_course import MRNS, build_rich_clinic
from .targets import ServerDatabases, Target, on_backend

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def rich_clinic(
    tmp_path_factory: pytest.TempPathFactory, backend: str, module_server_dbs: ServerDatabases
) -> Target:
    """The rich clinic's file, or on the server a copy of it (``migrate --to``)."""
    path = tmp_path_factory.mktemp("rich") / "rich.db"
    build_rich_clinic(str(path))
    return on_backend(path, backend, module_server_dbs)


@pytest.mark.parametrize("mrn", MRNS)
@pytest.mark.parametrize("as_json", [True, False], ids=["json", "text"])
def test_course_show_is_unchanged(
    rich_clinic: Target, mrn: str, as_json: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--db", str(rich_clinic), "course", "show", "--mrn", mrn]
    assert main([*argv, "--json"] if as_json else argv) == 0
    expected = (FIXTURES / f"course_show_{mrn}.{'json' if as_json else 'txt'}").read_text()
    assert capsys.readouterr().out == expected
