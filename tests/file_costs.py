"""How long each test file takes, to start the long ones first (tests/conftest.py).

Under ``pytest -n auto --dist loadfile`` (``python3 dev.py test``) a file runs whole on
one worker, so a long file that starts last keeps one worker busy while the others idle.
The files are handed out longest first (``--no-loadscope-reorder`` keeps this order:
xdist's own orders by the number of tests, which puts the long one-test files last).

The costs are seconds measured in one full run (``--junitxml``; setup, call and
teardown summed per file) and live in file_costs.txt, one ``SECONDS PATH`` a line.
Refresh it after a full run with:

    python -m tests.file_costs JUNIT_XML > tests/file_costs.txt

A file not listed there (a new one) is costed at ``PER_TEST`` seconds a test. Only the
order depends on these numbers, never what runs or its outcome.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from functools import cache
from pathlib import Path

COSTS = Path(__file__).with_name("file_costs.txt")
PER_TEST = 0.3  # seconds: about the median test's


@cache
def measured() -> dict[str, float]:
    """``tests/...py`` -> seconds, from file_costs.txt (empty when it is missing)."""
    found: dict[str, float] = {}
    if not COSTS.exists():
        return found
    for line in COSTS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            seconds, path = line.split(None, 1)
            found[path.strip()] = float(seconds)
    return found


def file_of(testcase: ET.Element) -> str:
    """A junit testcase's file: its classname up to the ``test_*`` module."""
    parts = (testcase.get("classname") or "").split(".")
    for index, part in enumerate(parts):
        if part.startswith("test_"):
            return "/".join(parts[: index + 1]) + ".py"
    return "/".join(parts) + ".py"


def costs_from_junit(junit: Path) -> dict[str, float]:
    costs: dict[str, float] = {}
    for testcase in ET.parse(junit).getroot().iter("testcase"):
        path = file_of(testcase)
        costs[path] = costs.get(path, 0.0) + float(testcase.get("time") or 0)
    return costs


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m tests.file_costs JUNIT_XML > tests/file_costs.txt")
        return 2
    print("# seconds per test file, one full run (python -m tests.file_costs JUNIT_XML)")
    for path, seconds in sorted(costs_from_junit(Path(argv[0])).items(), key=lambda kv: -kv[1]):
        print(f"{seconds:.1f} {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
