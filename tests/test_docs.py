"""The README documents every CLI command, and its worked examples really run."""

from __future__ import annotations

import argparse
import re
import shlex
from pathlib import Path

import pytest

from tdm1_scheduler.cli.main import build_parser, main

README = Path(__file__).resolve().parents[1] / "README.md"
# The README's example server; its `migrate --to` runs against a new database on the
# throwaway server instead (started only then).
EXAMPLE_SERVER = "postgresql://tdm1_owner@db.example:5432/clinic"


def command_paths(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> list[str]:
    paths: list[str] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                nested = command_paths(sub, (*prefix, name))
                paths.extend(nested or [" ".join((*prefix, name))])
    return paths


def readme_commands() -> list[str]:
    """Every `tdm1-scheduler ...` line inside the README's ```sh blocks, in order."""
    text = README.read_text()
    lines: list[str] = []
    for block in re.findall(r"```sh\n(.*?)```", text, flags=re.S):
        for line in block.splitlines():
            line = line.split("  #")[0].strip()
            if line.startswith("tdm1-scheduler "):
                lines.append(line)
    return lines


def test_every_command_has_a_worked_example() -> None:
    documented = readme_commands()
    commands = command_paths(build_parser())
    assert "course show" in commands and "dose missed" in commands  # the walk itself works
    missing = [
        cmd
        for cmd in commands
        if not any(re.match(rf"tdm1-scheduler (--\S+ \S+ )*{cmd}\b", line) for line in documented)
    ]
    assert missing == []


def server_database(request: pytest.FixtureRequest) -> str:
    """The URL of a new, empty database on the throwaway server."""
    import uuid

    import psycopg

    server = request.getfixturevalue("pg_server")
    name = f"readme_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server.url(), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    return str(server.url(name))


def test_readme_examples_run_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    monkeypatch.setenv("TDM1_SCHEDULER_DB", str(tmp_path / "clinic.db"))
    ran = 0
    for line in readme_commands():
        if EXAMPLE_SERVER in line:
            line = line.replace(EXAMPLE_SERVER, server_database(request))
        argv = shlex.split(line.replace("/tmp/", f"{tmp_path}/"))[1:]
        assert main(argv) == 0, line
        ran += 1
    assert ran >= 15
    assert (tmp_path / "clinic-backup.db").exists()
