"""Every setting of the app, declared once: its key, default, help text, kind and bounds.

A setting lives in one of two places:

* ``CLINIC_DB``: the clinic database (table ``clinic``, ``opening_hours``,
  ``closed_dates``). Everyone who opens the file sees the same value; changes go through
  ``services.clinic`` with an audit row. Edited in Tools > Preferences.
* ``WINDOW_STATE``: this computer's window layout, kept with ``QSettings`` by
  ``gui/window_state.py`` (nothing clinical lives there).

``docs/settings.md`` documents each one; ``tests/test_settings_docs.py`` fails when a
setting is declared here but missing there. This module imports neither Qt nor SQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from .domain.booking import DEFAULT_PREFERRED_WINDOW_MIN, DEFAULT_SNAP_MIN
from .domain.dosing import (
    DEFAULT_MAX_WEIGHT_KG,
    DEFAULT_MIN_WEIGHT_KG,
    DEFAULT_RECALC_THRESHOLD_PERCENT,
)
from .domain.readiness import (
    DEFAULT_GATE,
    DEFAULT_LAB_FRESHNESS_DAYS,
    DEFAULT_LVEF_INTERVAL_WEEKS,
    GATE_MODES,
)
from .domain.regimen import (
    CYCLE_LENGTH_DAYS,
    DEFAULT_EARLY_WINDOW_DAYS,
    DEFAULT_PREP_MIN,
    MBC_DEFAULT_HORIZON_CYCLES,
)

CLINIC_DB = "clinic db"
WINDOW_STATE = "window (QSettings)"

# Kinds of value; the number kinds are checked against ``low``/``high``.
INTEGER = "integer"
DECIMAL = "decimal"
TEXT = "text"
TIME_ZONE = "IANA time zone"
WEEKLY_HOURS = "opening hours per weekday"
DATES = "list of dates"
BINARY = "binary (Qt)"
CHOICE = "choice"


@dataclass(frozen=True)
class Setting:
    """One setting: what it is called, where it lives, what it starts as, what it means."""

    key: str
    label: str  # the label in the Preferences dialog
    default: object  # None means "no value" (e.g. no cap); see ``default_text``
    help: str
    kind: str
    where: str
    low: float | None = None
    high: float | None = None
    unit: str = ""
    editable: bool = False  # changed later through ``services.clinic.update_settings``
    optional: bool = False  # may be empty (None); ``none_text`` says what empty means
    none_text: str = ""
    default_text_override: str = ""  # for defaults that are not a plain value
    choices: tuple[str, ...] = ()  # the values a CHOICE setting takes

    @property
    def number_type(self) -> type[int] | type[float] | None:
        """``int`` or ``float`` for a number setting, else None."""
        return {INTEGER: int, DECIMAL: float}.get(self.kind)

    @property
    def default_text(self) -> str:
        """The default as people read it (the docs show exactly this text)."""
        if self.default_text_override:
            return self.default_text_override
        if self.default is None:
            return self.none_text or "none"
        if isinstance(self.default, float):
            return f"{self.default:g}"
        return str(self.default)

    def bounds_text(self) -> str:
        if self.low is None or self.high is None:
            return ""
        unit = f" {self.unit}" if self.unit else ""
        return f"{self.low:g}-{self.high:g}{unit}"


SETTINGS: tuple[Setting, ...] = (
    # --- the clinic itself (set by `tdm1-scheduler init`) ---------------------------
    Setting(
        "name",
        "Clinic name",
        "Infusion clinic",
        "The clinic's name, shown in the window title and on the day sheet.",
        TEXT,
        CLINIC_DB,
    ),
    Setting(
        "timezone",
        "Time zone",
        None,
        "The clinic's IANA time zone. Every wall time (opening hours, bookings, the day "
        "sheet) is in this zone; instants are stored in UTC. Chosen when the clinic is "
        "created.",
        TIME_ZONE,
        CLINIC_DB,
        default_text_override="this computer's zone (UTC if unknown)",
    ),
    Setting(
        "opening_hours",
        "Opening hours",
        None,
        "Opening and closing time for each open weekday; a weekday without hours is "
        "closed. No chair time is booked outside them.",
        WEEKLY_HOURS,
        CLINIC_DB,
        default_text_override="Mon-Fri 08:00-17:00",
    ),
    Setting(
        "closed_dates",
        "Closed dates",
        None,
        "Dates the clinic is closed (holidays). A dose planned on one moves to the next "
        "open day. A date with bookings cannot be closed until they are moved.",
        DATES,
        CLINIC_DB,
        default_text_override="none",
    ),
    # --- site policies (Tools > Preferences) ------------------------------------------
    Setting(
        "prep_min",
        "Chair preparation",
        DEFAULT_PREP_MIN,
        "Minutes of chair time booked before each infusion for preparation (site policy, "
        "not labelling).",
        INTEGER,
        CLINIC_DB,
        0,
        120,
        "min",
        editable=True,
    ),
    Setting(
        "early_window_days",
        "Early window",
        DEFAULT_EARLY_WINDOW_DAYS,
        f"How many days before the {CYCLE_LENGTH_DAYS}-day mark a dose may be planned or"
        f" moved. 0 keeps every dose at least {CYCLE_LENGTH_DAYS} days after the one before.",
        INTEGER,
        CLINIC_DB,
        0,
        CYCLE_LENGTH_DAYS - 1,  # PlanningRules: under one cycle
        "days",
        editable=True,
    ),
    Setting(
        "mbc_horizon_cycles",
        "MBC planning horizon",
        MBC_DEFAULT_HORIZON_CYCLES,
        "How many future cycles a metastatic (MBC) course keeps booked on its rolling horizon.",
        INTEGER,
        CLINIC_DB,
        1,
        26,
        "cycles",
        editable=True,
    ),
    Setting(
        "start_cap",
        "Start capacity",
        None,
        "The most infusion starts allowed in one 30-minute slot, so nurses are not asked "
        "to start too many infusions at once. Empty means no cap.",
        INTEGER,
        CLINIC_DB,
        1,
        100,
        "starts",
        editable=True,
        optional=True,
        none_text="no cap",
    ),
    Setting(
        "snap_min",
        "Time grid",
        DEFAULT_SNAP_MIN,
        "Booking start times are rounded to this many minutes.",
        INTEGER,
        CLINIC_DB,
        1,
        60,
        "min",
        editable=True,
    ),
    Setting(
        "preferred_window_min",
        "Preferred time window",
        DEFAULT_PREFERRED_WINDOW_MIN,
        "Start-load levelling: when a 30-minute slot is at the start capacity, the "
        "slot search may pass over it for a later slot at most this many minutes after "
        "the earliest free start of the day.",
        INTEGER,
        CLINIC_DB,
        0,
        600,
        "min",
        editable=True,
    ),
    Setting(
        "weight_min_kg",
        "Lowest weight",
        DEFAULT_MIN_WEIGHT_KG,
        "The lowest patient weight accepted, to catch typing errors (must be below the "
        "highest weight).",
        DECIMAL,
        CLINIC_DB,
        1,
        1000,
        "kg",
        editable=True,
    ),
    Setting(
        "weight_max_kg",
        "Highest weight",
        DEFAULT_MAX_WEIGHT_KG,
        "The highest patient weight accepted, to catch typing errors.",
        DECIMAL,
        CLINIC_DB,
        1,
        1000,
        "kg",
        editable=True,
    ),
    Setting(
        "weight_recalc_percent",
        "Weight change to re-dose",
        DEFAULT_RECALC_THRESHOLD_PERCENT,
        "A weight change of at least this percent from the weight the dose was "
        "calculated with asks pharmacy to recalculate the dose.",
        DECIMAL,
        CLINIC_DB,
        1,
        100,
        "%",
        editable=True,
    ),
    # --- ready for the dose (issue 17; `settings set`, services.readiness) --------------
    Setting(
        "readiness_gate",
        "Readiness gate",
        DEFAULT_GATE,
        "What a dose that is not ready (labs or LVEF missing, stale, or calling for a hold, "
        "reduction or stop) does to Start infusion, reconstitution and `dose given`: off "
        "checks nothing; warn shows the verdict and proceeds; enforce refuses unless a "
        "clinician's override is recorded with a reason (audited).",
        CHOICE,
        CLINIC_DB,
        choices=GATE_MODES,
    ),
    Setting(
        "lab_freshness_days",
        "Lab freshness",
        DEFAULT_LAB_FRESHNESS_DAYS,
        "Liver tests (AST, ALT, total bilirubin) and platelets count for a dose only when "
        "sampled at or after its planned infusion start (chair start plus prep) minus this "
        "many days, counted in elapsed hours (site policy).",
        INTEGER,
        CLINIC_DB,
        1,
        30,
        "days",
    ),
    Setting(
        "lvef_interval_weeks",
        "LVEF interval",
        DEFAULT_LVEF_INTERVAL_WEEKS,
        "An LVEF (echo or MUGA) is due this many weeks after the last one; a baseline is "
        'needed before cycle 1, and "LVEF due" shows from 14 days before.',
        INTEGER,
        CLINIC_DB,
        1,
        52,
        "weeks",
    ),
    # --- this computer's window layout --------------------------------------------------
    Setting(
        "window/geometry",
        "Window size and position",
        None,
        "The main window's size and position when it was last closed.",
        BINARY,
        WINDOW_STATE,
        default_text_override="1280x800, placed by the desktop",
    ),
    Setting(
        "window/state",
        "Toolbars and docks",
        None,
        "Which toolbars and docked panels were shown, and where, when the window was last closed.",
        BINARY,
        WINDOW_STATE,
        default_text_override="every toolbar shown",
    ),
    Setting(
        "window/page",
        "Last view",
        None,
        "The view (tab) shown when the window was last closed; it opens on that view.",
        TEXT,
        WINDOW_STATE,
        default_text_override="the first view (Planner)",
    ),
)


def by_key(key: str) -> Setting:
    for setting in SETTINGS:
        if setting.key == key:
            return setting
    raise KeyError(key)


def clinic_settings() -> Iterator[Setting]:
    return (s for s in SETTINGS if s.where == CLINIC_DB)


def editable_settings() -> Iterator[Setting]:
    """The clinic settings a person may change with ``update_settings``, in order."""
    return (s for s in SETTINGS if s.editable)


def window_settings() -> Iterator[Setting]:
    return (s for s in SETTINGS if s.where == WINDOW_STATE)


def editable_bounds() -> dict[str, tuple[type, int | float, int | float]]:
    """``{key: (int|float, low, high)}``: the shape of ``services.clinic.EDITABLE_SETTINGS``."""
    bounds: dict[str, tuple[type, int | float, int | float]] = {}
    for setting in editable_settings():
        kind = setting.number_type
        assert kind is not None and setting.low is not None and setting.high is not None
        bounds[setting.key] = (kind, kind(setting.low), kind(setting.high))
    return bounds


def settings_markdown() -> str:
    """The table of ``docs/settings.md`` (regenerate with ``python -m tdm1_scheduler.settings``)."""
    lines = [
        "| Setting | Where | Default | Allowed | Meaning |",
        "| --- | --- | --- | --- | --- |",
    ]
    for s in SETTINGS:
        allowed = s.bounds_text() or (", ".join(s.choices) if s.choices else s.kind)
        if s.optional:
            allowed = f"{allowed}, or empty ({s.none_text})"
        lines.append(f"| `{s.key}` | {s.where} | {s.default_text} | {allowed} | {s.help} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(settings_markdown(), end="")
