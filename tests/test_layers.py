"""The layers hold: import-linter's contracts (pyproject.toml, ``[tool.importlinter]``) are
kept by the package, and each of them really fails on a tree that breaks it.

The second half builds a throwaway ``tdm1_scheduler`` in ``tmp_path`` (empty modules in
the same rooms), checks it with the project's own contracts, and breaks one contract at
a time: a check that cannot fail would prove nothing.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
LINT_IMPORTS = BIN / ("lint-imports.exe" if os.name == "nt" else "lint-imports")
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
CONTRACTS = {contract["name"] for contract in CONFIG["contracts"]}

RULE_ROOMS = "The rooms stand on the services; the services on the store and the domain"
RULE_THROUGH_SERVICES = (
    "The GUI, the CLI, the reports and interop reach the data only through the services"
)
RULE_PURE_DOMAIN = "The domain is pure: none of the app, no Qt, no SQL, no clock"
RULE_SQL = "Only the store speaks SQL"
RULE_QT = "Only the GUI and the painted reports use Qt"
RULE_NO_CYCLES = "No import cycles between sibling modules"

# The rooms of the throwaway package: each an empty module or package.
FAKE_MODULES = [
    "__init__.py",
    "__main__.py",
    "app.py",
    "clock.py",
    "settings.py",
    "text.py",
    "paths.py",
    "safe_files.py",
    "demo.py",
    "gui/__init__.py",
    "gui/page.py",
    "gui/part.py",
    "cli/__init__.py",
    "cli/main.py",
    "reports/__init__.py",
    "reports/sheet.py",
    "interop/__init__.py",
    "services/__init__.py",
    "services/courses.py",
    "store/__init__.py",
    "store/repository.py",
    "domain/__init__.py",
    "domain/course.py",
]


def lint_imports(cwd: Path, pythonpath: Path | None = None) -> tuple[int, str]:
    """Run lint-imports in ``cwd``; its exit code and its output, whitespace collapsed
    (the report wraps long contract names)."""
    env = {**os.environ, "COLUMNS": "200"}
    if pythonpath is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(pythonpath), env.get("PYTHONPATH", "")])
    done = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.returncode, " ".join((done.stdout + done.stderr).split())


def test_the_test_command_runs_the_contracts() -> None:
    """``dev.py test`` runs lint-imports' script (``python -m importlinter.cli`` would
    run nothing and pass)."""
    spec = importlib.util.spec_from_file_location("dev_script", ROOT / "dev.py")
    assert spec is not None and spec.loader is not None
    dev = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(dev)
    assert Path(dev.LINT_IMPORTS).name == LINT_IMPORTS.name
    assert '[str(LINT_IMPORTS)]' in (ROOT / "dev.py").read_text()
    assert LINT_IMPORTS.exists(), "import-linter is in the test extras: pip install -e .[test]"


def test_the_rules_named_here_are_the_projects() -> None:
    assert {
        RULE_ROOMS,
        RULE_THROUGH_SERVICES,
        RULE_PURE_DOMAIN,
        RULE_SQL,
        RULE_QT,
        RULE_NO_CYCLES,
    } == CONTRACTS


def test_the_package_keeps_every_contract() -> None:
    code, report = lint_imports(ROOT)
    assert code == 0, report
    assert f"Contracts: {len(CONTRACTS)} kept, 0 broken." in report, report


# --- the contracts can fail -------------------------------------------------------------
def fake_package(tmp_path: Path, breaking: dict[str, str] | None = None) -> Path:
    """A ``tdm1_scheduler`` of empty rooms under ``tmp_path/src``, the project's contracts
    in ``tmp_path/pyproject.toml``; ``breaking`` gives some modules a body."""
    source = tmp_path / "src"
    for name in FAKE_MODULES:
        path = source / "tdm1_scheduler" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text((breaking or {}).get(name, '"""An empty room."""\n'))
    (tmp_path / "pyproject.toml").write_text(importlinter_section())
    return source


def importlinter_section() -> str:
    """pyproject.toml's ``[tool.importlinter]`` tables, word for word."""
    kept: list[str] = []
    inside = False
    for line in (ROOT / "pyproject.toml").read_text().splitlines():
        if line.startswith("["):
            inside = line.lstrip("[").startswith("tool.importlinter")
        if inside:
            kept.append(line)
    section = "\n".join(kept) + "\n"
    assert tomllib.loads(section)["tool"]["importlinter"] == CONFIG
    return section


def test_a_tree_of_empty_rooms_keeps_every_contract(tmp_path: Path) -> None:
    """The control: the throwaway tree as it is breaks nothing, so each failure below
    is its one import's doing."""
    source = fake_package(tmp_path)
    code, report = lint_imports(tmp_path, source)
    assert code == 0, report
    assert f"Contracts: {len(CONTRACTS)} kept, 0 broken." in report, report


BREAKS = {
    "a page reads the store": (
        {"gui/page.py": "from tdm1_scheduler.store import repository\n"},
        RULE_THROUGH_SERVICES,
    ),
    "a report reads the store": (
        {"reports/sheet.py": "import tdm1_scheduler.store.repository\n"},
        RULE_THROUGH_SERVICES,
    ),
    "the store calls up into the services": (
        {"store/repository.py": "from tdm1_scheduler.services import courses\n"},
        RULE_ROOMS,
    ),
    "the domain reads the clock": (
        {"domain/course.py": "from tdm1_scheduler import clock\n"},
        RULE_PURE_DOMAIN,
    ),
    "a service writes SQL": (
        {"services/courses.py": "import sqlite3\n"},
        RULE_SQL,
    ),
    "the CLI imports Qt": (
        {"cli/main.py": "def pdf() -> None:\n    import PySide6.QtCore\n"},
        RULE_QT,
    ),
    "two parts of a room import each other, one only for typing": (
        {
            "gui/page.py": "from tdm1_scheduler.gui import part\n",
            "gui/part.py": (
                "from typing import TYPE_CHECKING\n\n"
                "if TYPE_CHECKING:\n    from tdm1_scheduler.gui import page\n"
            ),
        },
        RULE_NO_CYCLES,
    ),
}


@pytest.mark.parametrize("case", list(BREAKS))
def test_each_contract_fails_on_a_tree_that_breaks_it(tmp_path: Path, case: str) -> None:
    breaking, rule = BREAKS[case]
    source = fake_package(tmp_path, breaking)
    code, report = lint_imports(tmp_path, source)
    assert code != 0, report
    assert f"{rule} BROKEN" in report, report
    assert f"Contracts: {len(CONTRACTS) - 1} kept, 1 broken." in report, report
