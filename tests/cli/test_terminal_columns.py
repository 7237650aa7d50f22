"""``cli.common.terminal_columns`` is ``shutil.get_terminal_size().columns`` (argparse's
default help width), found without importing ``shutil`` (issue 19)."""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys

import pytest

from tdm1_scheduler.cli.common import ArgumentParser, HelpFormatter, terminal_columns


@pytest.mark.parametrize("columns", [None, "", "abc", "0", "-5", "1", "37", "120", " 90"])
@pytest.mark.parametrize("lines", [None, "0", "40"])
def test_the_same_columns_as_shutil(
    monkeypatch: pytest.MonkeyPatch, columns: str | None, lines: str | None
) -> None:
    for name, value in (("COLUMNS", columns), ("LINES", lines)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    assert terminal_columns() == shutil.get_terminal_size().columns


def test_no_stdout_falls_back_as_shutil(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.setattr(sys, "__stdout__", None)
    assert terminal_columns() == shutil.get_terminal_size().columns == 80


@pytest.mark.parametrize("columns", ["30", "80", "200"])
def test_help_is_argparse_own(monkeypatch: pytest.MonkeyPatch, columns: str) -> None:
    monkeypatch.setenv("COLUMNS", columns)

    def built(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
        parser.add_argument("--db", help="database file (env TDM1_SCHEDULER_DB) " * 3)
        parser.add_argument("date", help="clinic day YYYY-MM-DD")
        table = parser.add_subparsers(dest="command")
        table.add_parser("show", help="show a course " * 4).add_argument("--mrn", required=True)
        return parser

    ours = built(ArgumentParser(prog="tdm1-scheduler", description="Infusion chairs " * 9))
    plain = argparse.ArgumentParser(prog="tdm1-scheduler", description="Infusion chairs " * 9)
    theirs = built(plain)
    assert ours.formatter_class is HelpFormatter
    assert ours.format_help() == theirs.format_help()
    assert ours.format_usage() == theirs.format_usage()


def test_a_command_imports_no_shutil(tmp_path: object) -> None:
    code = (
        "import sys\n"
        "from tdm1_scheduler.cli.main import build_parser\n"
        "build_parser(only='course').parse_args(['course', 'show', '--mrn', 'A1', '--json'])\n"
        "print('shutil' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
