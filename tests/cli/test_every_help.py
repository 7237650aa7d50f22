"""Every command's ``-h`` prints its help and exits 0 (``prep dilute -h`` once raised
ValueError, and so did ``lvef -h``: argparse %-formats help texts, and they hold "%")."""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout

import pytest

from tdm1_scheduler.cli.main import build_parser
from tests.test_docs import command_paths

PATHS = command_paths(build_parser())
GROUPS = sorted({path.split()[0] for path in PATHS if " " in path})


@pytest.mark.parametrize("path", PATHS + GROUPS)
def test_help_prints_and_exits_0(path: str) -> None:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err), pytest.raises(SystemExit) as stop:
        build_parser().parse_args([*path.split(), "-h"])
    assert stop.value.code == 0
    assert out.getvalue().startswith(f"usage: tdm1-scheduler {path}")
    assert err.getvalue() == ""


@pytest.mark.parametrize(
    ("argv", "text"),
    [
        (["prep", "dilute", "-h"], "default: 250 mL 0.9% Sodium Chloride"),
        (["lvef", "-h"], "record an LVEF in %\n"),
    ],
)
def test_a_percent_sign_in_a_help_text_is_printed_as_written(argv: list[str], text: str) -> None:
    out = io.StringIO()
    with redirect_stdout(out), pytest.raises(SystemExit):
        build_parser().parse_args(argv)
    assert text in out.getvalue()
