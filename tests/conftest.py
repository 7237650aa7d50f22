"""Shared test set-up. Qt runs headless: the platform is chosen before any Qt import.

The ``store`` fixture runs on each backend named by ``--backend`` (repeatable). Without
it, the store and services suites run on SQLite and on the PostgreSQL test server, and
the rest on SQLite: ``pytest --backend sqlite`` runs everything on SQLite alone.

So do the CLI contract tests (``BOTH_BACKENDS_CLI``): the ``backend`` fixture, which
their clinic (tests/cli/conftest.py ``db_target``) is on, a file or a server database.
"""

import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tdm1_scheduler.store.protocol import Store
from tests import file_costs
from tests.store import backends
from tests.store.backends import BACKENDS, DEFAULT_BACKEND, close_store, open_store

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--backend",
        action="append",
        dest="backends",
        choices=BACKENDS,
        help=f"store backend for the store fixture (repeatable; default {DEFAULT_BACKEND})",
    )


def backends_of(config: pytest.Config) -> list[str]:
    chosen = config.getoption("backends") or [DEFAULT_BACKEND]
    return list(dict.fromkeys(chosen))  # each once, in the order given


def pytest_configure(config: pytest.Config) -> None:
    backends.run_backend = backends_of(config)[0]
    config.addinivalue_line(
        "markers",
        "sqlite_only(reason): tests SQLite itself (WAL, iterdump, PRAGMA, file locks); "
        "skipped, with the reason, on the postgres backend",
    )


# The longest files start first (tests/file_costs.py: seconds measured per file), so the
# other workers' short files fill the time around them and no worker idles at the end;
# dev.py passes ``--no-loadscope-reorder`` so xdist hands the files out in this order.
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    costs = file_costs.measured()
    count = Counter(item.nodeid.split("::", 1)[0] for item in items)

    def cost(item: pytest.Item) -> float:
        path = item.nodeid.split("::", 1)[0]
        return costs.get(path, file_costs.PER_TEST * count[path])

    items.sort(key=lambda item: -cost(item))  # stable: a file's tests stay as collected
    for item in items:
        skip_sqlite_only_on_postgres(item)


def skip_sqlite_only_on_postgres(item: pytest.Item) -> None:
    """A ``sqlite_only`` test skips (saying why) where its store would be the server's:
    its ``store`` parameter, else the run's first backend."""
    marker = item.get_closest_marker("sqlite_only")
    if marker is None:
        return
    callspec = getattr(item, "callspec", None)
    params = callspec.params if callspec is not None else {}
    backend = params.get("store") or params.get("backend")
    if (backend or backends.run_backend) == "postgres":
        reason = marker.args[0] if marker.args else "tests SQLite itself"
        item.add_marker(pytest.mark.skip(reason=f"SQLite only: {reason}"))


# The store and services suites run on both backends unless ``--backend`` names some:
# the services must behave the same on a file and on the server (issue 16).
BOTH_BACKENDS = ("sqlite", "postgres")
BOTH_BACKENDS_UNDER = ("tests/services/", "tests/store/")


def store_backends(metafunc: pytest.Metafunc) -> list[str]:
    if metafunc.config.getoption("backends"):
        return backends_of(metafunc.config)
    if relative_path(metafunc).startswith(BOTH_BACKENDS_UNDER):
        return list(BOTH_BACKENDS)
    return [DEFAULT_BACKEND]


# The CLI contract tests run every command on a clinic file and on a server database
# (issue 16: "every CLI command works unchanged through the same services"). The
# server-mode tests (tests/cli/test_server_*.py, test_migrate_cli.py) and the file's own
# (test_restore.py) name their databases themselves: their ``backend`` stays SQLite.
BOTH_BACKENDS_CLI = tuple(
    [f"tests/cli/{name}.py" for name in (
        "test_commands", "test_refusals", "test_bad_values", "test_schedule_cli",
        "test_readiness_cli", "test_dose_given_tolerance", "test_audit_findings",
        "test_interop_cli", "test_output_files", "test_course_show_fixture",
    )]
    + ["tests/reports/test_cli.py", "tests/pharmacy/test_cli.py",
       "tests/pharmacy/test_prep_fixtures.py"]
)  # fmt: skip
CLI_BACKENDS = ("sqlite", "postgres")  # a CLI opens a file or a URL (``protocol``: the file)


def relative_path(metafunc: pytest.Metafunc) -> str:
    where = Path(str(metafunc.definition.path)).resolve()
    return where.relative_to(Path(str(metafunc.config.rootpath)).resolve()).as_posix()


def cli_backends(metafunc: pytest.Metafunc) -> list[str]:
    if metafunc.config.getoption("backends"):
        chosen = ["sqlite" if b == "protocol" else b for b in backends_of(metafunc.config)]
        return list(dict.fromkeys(chosen))
    return list(CLI_BACKENDS)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    # Every test that uses ``store``, itself or through another fixture, runs per backend.
    if "store" in metafunc.fixturenames:
        metafunc.parametrize("store", store_backends(metafunc), indirect=True)
    # So does every CLI contract test whose clinic (``backend``) is on one.
    if "backend" in metafunc.fixturenames and relative_path(metafunc) in BOTH_BACKENDS_CLI:
        metafunc.parametrize("backend", cli_backends(metafunc), indirect=True, scope="module")


@pytest.fixture(scope="module")
def backend(request: pytest.FixtureRequest) -> str:
    """``sqlite`` (the clinic is a file) or ``postgres`` (a database on the test server)."""
    return str(getattr(request, "param", DEFAULT_BACKEND))


@pytest.fixture
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    """A fresh, empty, migrated store (in memory) on the backend of this run."""
    opened = open_store(getattr(request, "param", None))
    yield opened
    close_store(opened)


@pytest.fixture(autouse=True)
def own_window_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test keeps its window layout in its own file, never the user's."""
    monkeypatch.setenv("TDM1_SCHEDULER_WINDOW_STATE", str(tmp_path / "window.ini"))


# --- the PostgreSQL server mode (issue 16) ------------------------------------------------
from tests.pg.server import PgServer  # noqa: E402  (standard library only: cheap)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """A throwaway PostgreSQL for this test process (under xdist: one per worker, each on
    its own free port and in its own folder), stopped and removed at the session's end.
    Started only when a test asks for it; the same server the ``postgres`` store backend
    uses (tests/pg/databases.py), so a process runs one."""
    from tests.pg import databases

    yield databases.server()
    databases.stop_server()


@pytest.fixture
def server_dbs() -> Iterator[object]:
    """The server databases a test makes (tests/cli/targets.py), dropped at its end."""
    from tests.cli.targets import ServerDatabases

    made = ServerDatabases()
    yield made
    made.drop_all()


@pytest.fixture(scope="module")
def module_server_dbs() -> Iterator[object]:
    """The server databases a module's fixtures make, dropped at its end."""
    from tests.cli.targets import ServerDatabases

    made = ServerDatabases()
    yield made
    made.drop_all()
