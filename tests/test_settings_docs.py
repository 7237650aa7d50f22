"""Every setting is declared once (tdm1_scheduler/settings.py) and documented in docs/settings.md.

The declaration must also match what the code really does: the database defaults of a
new clinic and the bounds that ``services.clinic.update_settings`` enforces.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from pathlib import Path

import pytest

from tdm1_scheduler import settings
from tdm1_scheduler.clock import FixedClock
from tdm1_scheduler.domain.errors import DomainError
from tdm1_scheduler.services import clinic
from tdm1_scheduler.services.context import Context
from tdm1_scheduler.store import repository as repo
from tdm1_scheduler.store.database import open_database
from tdm1_scheduler.store.sqlite_store import SqliteStore
from tests.store.backends import sqlite_of

DOCS = Path(__file__).resolve().parents[1] / "docs" / "settings.md"


def doc_rows() -> dict[str, list[str]]:
    """The settings table of docs/settings.md: key -> its cells."""
    rows: dict[str, list[str]] = {}
    for line in DOCS.read_text(encoding="utf-8").splitlines():
        if line.startswith("| `"):
            cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
            rows[cells[0].strip("`")] = cells
    return rows


def test_keys_are_unique_and_places_known() -> None:
    keys = [s.key for s in settings.SETTINGS]
    assert len(keys) == len(set(keys))
    assert {s.where for s in settings.SETTINGS} == {settings.CLINIC_DB, settings.WINDOW_STATE}
    for s in settings.SETTINGS:
        assert s.help.strip() and s.label.strip(), s.key
        if s.editable:
            assert s.where == settings.CLINIC_DB and s.number_type is not None, s.key


@pytest.mark.parametrize("setting", settings.SETTINGS, ids=lambda s: s.key)
def test_every_setting_is_documented_with_default_and_help(setting: settings.Setting) -> None:
    rows = doc_rows()
    assert setting.key in rows, f"docs/settings.md lacks `{setting.key}`"
    _, where, default, allowed, meaning = rows[setting.key]
    assert where == setting.where
    assert default == setting.default_text
    assert meaning == setting.help
    if setting.bounds_text():
        assert setting.bounds_text() in allowed


def test_docs_list_no_setting_that_is_not_declared() -> None:
    assert set(doc_rows()) == {s.key for s in settings.SETTINGS}


def test_docs_table_is_the_generated_one() -> None:
    assert settings.settings_markdown() in DOCS.read_text(encoding="utf-8")


def test_declared_bounds_are_the_ones_the_service_enforces() -> None:
    # Until clinic.EDITABLE_SETTINGS is derived from settings.editable_bounds(), they
    # must at least agree; afterwards this stays true by construction.
    assert settings.editable_bounds() == clinic.EDITABLE_SETTINGS


@pytest.fixture
def new_clinic(tmp_path: Path) -> Context:
    db = open_database(tmp_path / "clinic.db", create=True)
    ctx = Context(SqliteStore(db), FixedClock(datetime(2026, 3, 2, 12, tzinfo=UTC)), "tester")
    clinic.init_clinic(ctx, timezone="Europe/Berlin")
    return ctx


def test_declared_defaults_are_those_of_a_new_clinic(new_clinic: Context) -> None:
    row = repo.clinic(sqlite_of(new_clinic.store))
    assert row is not None
    for s in settings.clinic_settings():
        if s.key in row and s.key != "timezone":
            assert row[s.key] == s.default, s.key
    assert row["name"] == settings.by_key("name").default == clinic.DEFAULT_CLINIC_NAME
    hours = repo.opening_hours(sqlite_of(new_clinic.store))
    assert [h["weekday"] for h in hours] == [0, 1, 2, 3, 4]  # Mon-Fri, as documented
    assert {(h["opens"], h["closes"]) for h in hours} == {("08:00", "17:00")}
    assert settings.by_key("opening_hours").default_text == "Mon-Fri 08:00-17:00"
    assert repo.closed_dates(sqlite_of(new_clinic.store)) == []
    assert clinic.init_clinic.__kwdefaults__["opens"] == time(8, 0)


@pytest.mark.parametrize("setting", list(settings.editable_settings()), ids=lambda s: s.key)
def test_each_editable_bound_is_enforced(new_clinic: Context, setting: settings.Setting) -> None:
    assert setting.low is not None and setting.high is not None
    with pytest.raises(DomainError) as refused:
        clinic.update_settings(new_clinic, {setting.key: setting.high + 1})
    assert refused.value.field == setting.key
    with pytest.raises(DomainError):
        clinic.update_settings(new_clinic, {setting.key: setting.low - 1})
    # The lower bound itself is accepted (the weight pair keeps min below max).
    value = setting.low if setting.key != "weight_max_kg" else 250
    clinic.update_settings(new_clinic, {setting.key: value})
    row = repo.clinic(sqlite_of(new_clinic.store))
    assert row is not None and row[setting.key] == value


def test_unknown_key_is_refused(new_clinic: Context) -> None:
    with pytest.raises(DomainError):
        clinic.update_settings(new_clinic, {"timezone": "UTC"})


def test_every_clinic_column_is_a_declared_setting(new_clinic: Context) -> None:
    row = repo.clinic(sqlite_of(new_clinic.store))
    assert row is not None
    columns = set(row) - {"id", "version"}
    declared = {s.key for s in settings.clinic_settings()}
    assert columns <= declared, f"declare {sorted(columns - declared)} in settings.py"
