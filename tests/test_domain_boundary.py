"""The domain stays pure: no GUI, no database, no clock.

Every module under tdm1_scheduler/domain is parsed with ``ast``: imports of PySide6,
sqlite3 or sqlite_utils (``import x``, ``from x import y``, relative imports resolved) and
clock reads (datetime.now/utcnow/today, date.today, time.time/monotonic/perf_counter/
localtime and friends, also through aliases) fail the test. A subprocess imports each
module alone and checks that none of those packages got loaded transitively. Self-tests
feed the checker bad snippets to prove it can fail.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "tdm1_scheduler"
DOMAIN_DIR = ROOT / PACKAGE / "domain"
FORBIDDEN_IMPORTS = ("PySide6", "sqlite3", "sqlite_utils")
CLOCK_READS = frozenset(
    {
        "datetime.datetime.now",
        "datetime.datetime.utcnow",
        "datetime.datetime.today",
        "datetime.date.today",
        "time.time",
        "time.time_ns",
        "time.monotonic",
        "time.monotonic_ns",
        "time.perf_counter",
        "time.perf_counter_ns",
        "time.localtime",
        "time.gmtime",
        "time.ctime",
        "time.asctime",
        # ``import datetime`` then ``datetime.now()`` is a bug already, but flag it anyway.
        "datetime.now",
        "datetime.utcnow",
        "datetime.today",
        "date.today",
    }
)


def domain_modules() -> list[tuple[str, Path]]:
    """(dotted module name, path) for every .py file under the domain package."""
    modules = []
    for path in sorted(DOMAIN_DIR.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        modules.append((".".join(parts), path))
    return modules


def resolve_from(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    """The absolute module a ``from ... import`` reads from, relative levels resolved."""
    if node.level == 0:
        return node.module or ""
    package = module.split(".") if is_package else module.split(".")[:-1]
    if node.level - 1 > len(package) - 1:
        raise ValueError(f"relative import beyond top-level package in {module}")
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def is_forbidden_module(name: str) -> bool:
    return any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN_IMPORTS)


def dotted(node: ast.expr) -> list[str] | None:
    """``a.b.c`` as ['a', 'b', 'c'], or None for anything else (calls, subscripts)."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return parts[::-1]
    return None


def check_source(source: str, module: str, is_package: bool = False) -> list[str]:
    """Every boundary violation in ``source`` as 'line N: ...' strings."""
    tree = ast.parse(source)
    problems: list[str] = []
    aliases: dict[str, str] = {}  # local name -> absolute dotted name

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if is_forbidden_module(alias.name):
                    problems.append(f"line {node.lineno}: import {alias.name}")
                if alias.asname:
                    aliases[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    aliases[top] = top
        elif isinstance(node, ast.ImportFrom):
            source_module = resolve_from(module, is_package, node)
            for alias in node.names:
                full = f"{source_module}.{alias.name}" if source_module else alias.name
                if is_forbidden_module(source_module) or is_forbidden_module(full):
                    problems.append(f"line {node.lineno}: from {source_module} import {alias.name}")
                aliases[alias.asname or alias.name] = full

    for node in ast.walk(tree):
        # Any reference to a clock function (a call, or a reference kept for later).
        if isinstance(node, ast.Attribute | ast.Name) and isinstance(node.ctx, ast.Load):
            parts = dotted(node)
            if parts is None:
                continue
            head = aliases.get(parts[0], parts[0])
            name = ".".join([head, *parts[1:]])
            if name in CLOCK_READS:
                problems.append(f"line {node.lineno}: reads the clock ({name})")
        # __import__("sqlite3") / importlib.import_module("PySide6.QtCore")
        if isinstance(node, ast.Call) and node.args:
            parts = dotted(node.func)
            target = node.args[0]
            if (
                parts is not None
                and ".".join([aliases.get(parts[0], parts[0]), *parts[1:]])
                in {"__import__", "importlib.import_module"}
                and isinstance(target, ast.Constant)
                and isinstance(target.value, str)
                and is_forbidden_module(target.value)
            ):
                problems.append(f"line {node.lineno}: dynamic import of {target.value}")
    return sorted(set(problems))


# --- the checks ----------------------------------------------------------------------------


def test_domain_modules_found() -> None:
    """The scan covers the domain package (an empty scan would pass vacuously)."""
    names = {name for name, _ in domain_modules()}
    expected = {
        "tdm1_scheduler.domain",
        *(
            f"tdm1_scheduler.domain.{m}"
            for m in ("errors", "regimen", "calendar", "course", "booking")
        ),
    }
    assert expected <= names


@pytest.mark.parametrize(
    ("module", "path"), domain_modules(), ids=[name for name, _ in domain_modules()]
)
def test_domain_module_is_pure(module: str, path: Path) -> None:
    """No PySide6, sqlite3, sqlite_utils imports and no clock reads in the domain."""
    problems = check_source(
        path.read_text(encoding="utf-8"), module, is_package=path.name == "__init__.py"
    )
    assert problems == [], f"{path.relative_to(ROOT)}: {problems}"


@pytest.mark.slow
@pytest.mark.parametrize("module", [name for name, _ in domain_modules()])
def test_domain_module_import_loads_no_gui_or_db(module: str) -> None:
    """Importing a domain module alone loads no PySide6, sqlite3 or sqlite_utils."""
    code = (
        f"import {module}; import sys; "
        "assert not any(m.startswith(('PySide6','sqlite3','sqlite_utils')) for m in sys.modules), "
        "sorted(m for m in sys.modules if m.startswith(('PySide6','sqlite3','sqlite_utils')))"
    )
    paths = [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr


# --- self-tests: the checker can fail -------------------------------------------------------------

BAD_SNIPPETS = [
    ("import PySide6", "import PySide6"),
    ("import PySide6.QtCore as qc", "import PySide6.QtCore"),
    ("from PySide6.QtWidgets import QWidget", "from PySide6.QtWidgets import QWidget"),
    ("from PySide6 import QtCore", "from PySide6 import QtCore"),
    ("import sqlite3", "import sqlite3"),
    ("import os, sqlite3 as db", "import sqlite3"),
    ("from sqlite_utils import Database", "from sqlite_utils import Database"),
    ("from sqlite_utils.db import Table", "from sqlite_utils.db import Table"),
    ("def f():\n    import sqlite3\n", "import sqlite3"),
    ("__import__('sqlite3')", "dynamic import of sqlite3"),
    ("import importlib\nimportlib.import_module('PySide6.QtGui')", "dynamic import of PySide6"),
    ("from datetime import datetime\nx = datetime.now()", "datetime.datetime.now"),
    ("from datetime import datetime as dt\nx = dt.utcnow()", "datetime.datetime.utcnow"),
    ("import datetime\nx = datetime.datetime.today()", "datetime.datetime.today"),
    ("import datetime as d\nx = d.date.today()", "datetime.date.today"),
    ("from datetime import date\nx = date.today()", "datetime.date.today"),
    ("import time\nx = time.time()", "time.time"),
    ("import time as t\nx = t.monotonic()", "time.monotonic"),
    ("from time import perf_counter\nx = perf_counter()", "time.perf_counter"),
    ("from time import localtime as lt\nx = lt()", "time.localtime"),
    (
        "from datetime import datetime\ndef f(clock=datetime.now):\n    return clock()",
        "datetime.datetime.now",
    ),
    ("x = datetime.now()", "datetime.now"),
    ("x = date.today()", "date.today"),
]


@pytest.mark.parametrize(("snippet", "fragment"), BAD_SNIPPETS)
def test_checker_flags_bad_snippets(snippet: str, fragment: str) -> None:
    """Self-test: each bad snippet is flagged, so the boundary check can fail."""
    problems = check_source(snippet, "tdm1_scheduler.domain.sample")
    assert problems, snippet
    assert any(fragment in problem for problem in problems), problems


GOOD_SNIPPETS = [
    "from datetime import date, datetime, time, timedelta\n"
    "x = time(9, 0)\ny = datetime(2026, 1, 1, tzinfo=None)\nz = date(2026, 1, 1)",
    "from .errors import DomainError\nfrom . import regimen\n",
    "from ..clock import FixedClock\n",
    "import dateutil.tz\nfrom dateutil import rrule\n",
    "def now(clock):\n    return clock.now()\n",
    "import sqlite3x_lookalike\nimport PySide6_lookalike\n",
]


@pytest.mark.parametrize("snippet", GOOD_SNIPPETS)
def test_checker_passes_clean_snippets(snippet: str) -> None:
    """Self-test: pure code (datetime.time(), injected clocks, relative imports) passes."""
    assert check_source(snippet, "tdm1_scheduler.domain.sample") == []


@pytest.mark.parametrize(
    ("module", "is_package", "source", "expected"),
    [
        (
            "tdm1_scheduler.domain.course",
            False,
            "from .calendar import X",
            "tdm1_scheduler.domain.calendar",
        ),
        ("tdm1_scheduler.domain.course", False, "from . import regimen", "tdm1_scheduler.domain"),
        (
            "tdm1_scheduler.domain.course",
            False,
            "from ..store.database import X",
            "tdm1_scheduler.store.database",
        ),
        ("tdm1_scheduler.domain", True, "from .booking import X", "tdm1_scheduler.domain.booking"),
        ("tdm1_scheduler.domain", True, "from .. import clock", "tdm1_scheduler"),
        ("tdm1_scheduler.domain.course", False, "from sqlite3 import connect", "sqlite3"),
    ],
)
def test_relative_imports_resolved(
    module: str, is_package: bool, source: str, expected: str
) -> None:
    """Self-test: relative imports resolve against the module's package."""
    node = ast.parse(source).body[0]
    assert isinstance(node, ast.ImportFrom)
    assert resolve_from(module, is_package, node) == expected


def test_relative_import_beyond_top_refused() -> None:
    """Self-test: a relative import above the top-level package is an error."""
    node = ast.parse("from .... import x").body[0]
    assert isinstance(node, ast.ImportFrom)
    with pytest.raises(ValueError, match="beyond top-level"):
        resolve_from("tdm1_scheduler.domain.course", False, node)


def test_checker_flags_a_bad_file_on_disk(tmp_path: Path) -> None:
    """Self-test end to end: a module written to disk with a GUI import and a clock read
    is reported with both problems and their lines."""
    bad = tmp_path / "bad.py"
    bad.write_text(
        "from __future__ import annotations\n"
        "from datetime import datetime\n"
        "from PySide6.QtCore import QDate\n"
        "def today():\n"
        "    return datetime.now()\n",
        encoding="utf-8",
    )
    problems = check_source(bad.read_text(encoding="utf-8"), "tdm1_scheduler.domain.bad")
    assert problems == [
        "line 3: from PySide6.QtCore import QDate",
        "line 5: reads the clock (datetime.datetime.now)",
    ]


def test_subprocess_check_can_fail() -> None:
    """Self-test: the subprocess assertion fails when a forbidden module gets imported."""
    code = (
        "import sqlite3; import sys; "
        "assert not any(m.startswith(('PySide6','sqlite3','sqlite_utils')) for m in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode != 0
    assert "AssertionError" in result.stderr
