"""``build_parser(only=...)`` (issue 19): with the command the line names, the other
commands are left unbuilt. Every parse, help text and error is the same as the whole
parser's, for every command path, the README's examples and the usual mistakes."""

from __future__ import annotations

import argparse
import io
import shlex
from contextlib import redirect_stderr, redirect_stdout
from typing import Any

import pytest

from tdm1_scheduler.cli.main import build_parser, named_group
from tests.test_docs import command_paths, readme_commands

# The whole parser, built once for the module: a parse reads a parser, never changes it
# (no action here keeps state; argparse copies list defaults), so every case may use it.
WHOLE = build_parser()
PATHS = command_paths(WHOLE)


def _outcome(argv: list[str], only: str | None) -> tuple[Any, ...]:
    """What parsing ``argv`` gives: exit code, stdout, stderr and the arguments."""
    out, err = io.StringIO(), io.StringIO()
    values: dict[str, Any] | None = None
    code: Any = None
    with redirect_stdout(out), redirect_stderr(err):
        try:
            args = (WHOLE if only is None else build_parser(only=only)).parse_args(argv)
        except SystemExit as stop:
            code = stop.code
        else:
            values = {
                key: getattr(value, "__qualname__", value) for key, value in vars(args).items()
            }
    return code, out.getvalue(), err.getvalue(), values


def _cases() -> list[list[str]]:
    cases = [shlex.split(line)[1:] for line in readme_commands()]
    for path in PATHS:
        words = path.split()
        cases += [
            [*words, "-h"],
            words,
            [*words, "--bogus"],
            ["--db", "x.db", *words, "--now"],
            [words[0], "nosuch"],
            [words[0]],
            [words[0], "-h"],
        ]
    cases += [["nosuch"], ["--db", "x.db", "nosuch"], ["--db=x.db", "check", "extra"], []]
    return cases


@pytest.mark.parametrize("argv", _cases(), ids=" ".join)
def test_same_as_the_whole_parser(argv: list[str]) -> None:
    only = named_group(argv)
    assert _outcome(argv, only) == _outcome(argv, None)


def test_the_commands_not_named_are_left_unbuilt() -> None:
    parser = build_parser(only="course")
    table = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    built = [
        name for name, sub in table.choices.items() if isinstance(sub, argparse.ArgumentParser)
    ]
    assert built == ["course"]
    assert list(table.choices) == [path.split()[0] for path in dict.fromkeys(
        p.split()[0] for p in PATHS
    )]  # fmt: skip
    assert len(PATHS) > 30 and "course show" in PATHS
