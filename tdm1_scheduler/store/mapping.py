"""Rows <-> records: the one place a stored row becomes a typed record and back.

A row is what ``repository`` returns (a dict of column -> value, instants as UTC text
``YYYY-MM-DDTHH:MM:SSZ``, wall times ``HH:MM``, flags 0/1). A record is a frozen
dataclass of ``domain/records.py`` (aware UTC datetimes, enums, bools). Extra columns in
a row (joined names, a column a newer migration added) are ignored.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from enum import Enum
from typing import Any

from ..domain.calendar import parse_hhmm
from ..domain.lean import field_names
from ..domain.records import (
    DEFAULT_REGIMEN_CODE,
    Appointment,
    AppointmentKind,
    AppointmentView,
    AuditEntry,
    BoardVisit,
    Chair,
    Clinic,
    ClosedDate,
    Course,
    CourseStatus,
    CycleStatus,
    Dose,
    GateAction,
    LabResult,
    LabTest,
    LvefModality,
    LvefResult,
    OpeningHoursRow,
    Patient,
    Preparation,
    ReactionAction,
    ReadinessGate,
    ReadinessOverride,
    Setting,
    SheetRow,
    Verdict,
    Visit,
    VisitReaction,
)
from .database import from_utc_text, to_utc_text

Row = Mapping[str, Any]

# Record field -> column, where the name differs (an instant's column says it is UTC).
COLUMN_OF_FIELD = {"start": "start_utc", "end": "end_utc", "at": "at_utc"}


# Each choice column's members by stored value: a dict lookup is several times cheaper
# than calling the enum, and the day's hundreds of appointments are read on every switch.
_KIND = {member.value: member for member in AppointmentKind}
_CYCLE_STATUS = {member.value: member for member in CycleStatus}
_COURSE_STATUS = {member.value: member for member in CourseStatus}
_SETTING = {member.value: member for member in Setting}


def _cycle_status(value: str) -> CycleStatus:
    return _CYCLE_STATUS.get(value) or CycleStatus(value)  # an unknown value: ValueError


_instants: dict[str, datetime] = {}


def _instant(text: str) -> datetime:
    """A stored instant, parsed once: a day's rows repeat the same few hundred (the snap
    grid). Bounded: the cache starts over past 20,000 instants."""
    found = _instants.get(text)
    if found is None:
        if len(_instants) > 20_000:
            _instants.clear()
        found = _instants[text] = from_utc_text(text)
    return found


def _at(text: str | None) -> datetime | None:
    return None if text is None else _instant(text)


def _flag(value: int | None) -> bool | None:
    return None if value is None else bool(value)


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _wall(field_name: str, text: str) -> time:
    """Stored ``HH:MM`` as a time; anything else as ``parse_hhmm`` reads (or refuses) it."""
    if len(text) == 5 and text[2] == ":":
        try:
            return time(int(text[:2]), int(text[3:]))  # the stored shape, read cheaply
        except ValueError:
            pass
    return parse_hhmm(field_name, text)


# --- rows -> records ---------------------------------------------------------------------
def row_to_clinic(row: Row) -> Clinic:
    return Clinic(
        name=row["name"],
        timezone=row["timezone"],
        prep_min=int(row["prep_min"]),
        early_window_days=int(row["early_window_days"]),
        mbc_horizon_cycles=int(row["mbc_horizon_cycles"]),
        start_cap=_int(row["start_cap"]),
        snap_min=int(row["snap_min"]),
        preferred_window_min=int(row["preferred_window_min"]),
        weight_min_kg=float(row["weight_min_kg"]),
        weight_max_kg=float(row["weight_max_kg"]),
        weight_recalc_percent=float(row["weight_recalc_percent"]),
        readiness_gate=ReadinessGate(row["readiness_gate"]),
        lab_freshness_days=int(row["lab_freshness_days"]),
        lvef_interval_weeks=int(row["lvef_interval_weeks"]),
        version=int(row["version"]),
        id=int(row["id"]),
    )


def row_to_opening_hours(row: Row) -> OpeningHoursRow:
    return OpeningHoursRow(
        int(row["weekday"]), _wall("opens", row["opens"]), _wall("closes", row["closes"])
    )


def row_to_closed_date(row: Row) -> ClosedDate:
    return ClosedDate(date.fromisoformat(row["day"]), row["reason"])


def row_to_chair(row: Row) -> Chair:
    return Chair(int(row["id"]), row["name"], int(row["position"]), bool(row["active"]))


def row_to_patient(row: Row) -> Patient:
    return Patient(
        id=int(row["id"]),
        mrn=row["mrn"],
        name=row["name"],
        weight_kg=float(row["weight_kg"]),
        weight_measured_at=from_utc_text(row["weight_measured_at"]),
        version=int(row["version"]),
    )


def row_to_course(row: Row) -> Course:
    setting, status = row["setting"], row["status"]
    return Course(
        id=int(row["id"]),
        patient_id=int(row["patient_id"]),
        setting=_SETTING.get(setting) or Setting(setting),
        status=_COURSE_STATUS.get(status) or CourseStatus(status),
        dose_level_mg_per_kg=float(row["dose_level_mg_per_kg"]),
        preferred_time=_wall("preferred_time", row["preferred_time"]),
        preferred_chair_id=_int(row["preferred_chair_id"]),
        stop_reason=row["stop_reason"],
        stopped_at=_at(row["stopped_at"]),
        created_at=from_utc_text(row["created_at"]),
        version=int(row["version"]),
        regimen_code=row.get("regimen_code", DEFAULT_REGIMEN_CODE),
    )


def row_to_dose(row: Row) -> Dose:
    return Dose(
        id=int(row["id"]),
        course_id=int(row["course_id"]),
        cycle=int(row["cycle"]),
        status=_cycle_status(row["status"]),
        dose_level_mg_per_kg=float(row["dose_level_mg_per_kg"]),
        weight_kg=float(row["weight_kg"]),
        weight_measured_at=_instant(row["weight_measured_at"]),
        given_at=_at(row["given_at"]),
        infusion_actual_min=_int(row["infusion_actual_min"]),
        tolerated=_flag(row["tolerated"]),
        reaction_grade=_int(row["reaction_grade"]),
        infusion_completed=_flag(row["infusion_completed"]),
        infusion_planned_min=_int(row["infusion_planned_min"]),
        version=int(row["version"]),
    )


def row_to_appointment(row: Row) -> Appointment:
    # The hottest mapper (a day's hundreds of bookings on every switch): NOT NULL integer
    # columns come from SQLite as int already, and each lookup is a dict's.
    kind, status = row["kind"], row["status"]
    dose_id = row["dose_id"]
    return Appointment(
        row["id"],
        row["chair_id"],
        None if dose_id is None else int(dose_id),
        _KIND.get(kind) or AppointmentKind(kind),
        row["label"],
        _CYCLE_STATUS.get(status) or CycleStatus(status),
        _instant(row["start_utc"]),
        _instant(row["end_utc"]),
        row["prep_min"],
        row["infusion_min"],
        row["observation_min"],
        row["version"],
    )


def row_to_appointment_view(row: Row) -> AppointmentView:
    """A ``repository.APPOINTMENT_VIEW`` row: the appointment with its names joined."""
    dose_status, setting, course_status = row["dose_status"], row["setting"], row["course_status"]
    return AppointmentView(
        appointment=row_to_appointment(row),
        chair_name=row["chair_name"],
        cycle=_int(row["cycle"]),
        course_id=_int(row["course_id"]),
        dose_status=None if dose_status is None else _cycle_status(dose_status),
        given_at=_at(row["given_at"]),
        tolerated=_flag(row["tolerated"]),
        infusion_actual_min=_int(row["infusion_actual_min"]),
        setting=None if setting is None else _SETTING.get(setting) or Setting(setting),
        course_status=(
            None
            if course_status is None
            else _COURSE_STATUS.get(course_status) or CourseStatus(course_status)
        ),
        patient_id=_int(row["patient_id"]),
        mrn=row["mrn"],
        patient_name=row["patient_name"],
    )


# The columns of a view tuple (``view_queries.VIEW_SELECT``), in order.
VIEW_COLUMNS = (
    "id", "chair_id", "dose_id", "kind", "label", "status", "start_utc", "end_utc",
    "prep_min", "infusion_min", "observation_min", "version", "chair_name", "cycle",
    "course_id", "dose_status", "given_at", "tolerated", "infusion_actual_min", "setting",
    "course_status", "patient_id", "mrn", "patient_name",
)  # fmt: skip


# The views already built, by their whole tuple: a record is frozen and is a function of
# its row, so an unchanged row (the planner reads the same days again after each commit,
# each switch back, each poll) reuses its record instead of building two dataclasses.
# Bounded like ``_instants``: it starts over past 10,000 rows (about 16 busy days).
_views: dict[tuple[Any, ...], AppointmentView] = {}


def tuples_to_appointment_views(rows: list[tuple[Any, ...]]) -> list[AppointmentView]:
    """View tuples (``VIEW_COLUMNS``) as records: the same records as
    ``row_to_appointment_view`` of the same rows as dicts, without a dict per row."""
    seen = _views
    if len(seen) + len(rows) > 10_000:
        seen.clear()
    views: list[AppointmentView] = []
    append = views.append
    for row in rows:
        view = seen.get(row)
        if view is None:
            view = seen[row] = _tuple_to_view(row)
        append(view)
    return views


def _slot_setters(cls: type, fields: tuple[str, ...]) -> tuple[Any, ...]:
    """The slot setters of a frozen, slotted record, in field order. Setting the slots of
    ``object.__new__(cls)`` makes the same record as ``cls(...)`` at half the cost (a
    frozen dataclass's ``__init__`` goes through ``object.__setattr__`` by name, field
    by field); a record whose fields change stops the import here, not later."""
    names = field_names(cls)
    if not names == fields == getattr(cls, "__slots__", ()) or hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__} is not the slotted record {fields} mapping.py builds")
    return tuple(cls.__dict__[name].__set__ for name in fields)


_new = object.__new__
(_a_id, _a_chair, _a_dose, _a_kind, _a_label, _a_status, _a_start, _a_end, _a_prep,
 _a_infusion, _a_observation, _a_version) = _slot_setters(Appointment, (
    "id", "chair_id", "dose_id", "kind", "label", "status", "start", "end", "prep_min",
    "infusion_min", "observation_min", "version",
))  # fmt: skip
(_v_appointment, _v_chair, _v_cycle, _v_course, _v_dose_status, _v_given, _v_tolerated,
 _v_actual, _v_setting, _v_course_status, _v_patient, _v_mrn, _v_name) = _slot_setters(
    AppointmentView, (
        "appointment", "chair_name", "cycle", "course_id", "dose_status", "given_at",
        "tolerated", "infusion_actual_min", "setting", "course_status", "patient_id", "mrn",
        "patient_name",
    ),
)  # fmt: skip


def _tuple_to_view(row: tuple[Any, ...]) -> AppointmentView:
    # The same values as row_to_appointment_view: NOT NULL integer columns come from
    # SQLite as int already, each choice is a dict lookup, each instant parsed once.
    (
        ident, chair_id, dose_id, kind, label, status, start, end, prep, infusion, observation,
        version, chair_name, cycle, course_id, dose_status, given_at, tolerated, actual,
        setting, course_status, patient_id, mrn, patient_name, *_after,
    ) = row  # fmt: skip  # columns after VIEW_COLUMNS (a sort key) are not the view's
    booking = _new(Appointment)
    _a_id(booking, ident)
    _a_chair(booking, chair_id)
    _a_dose(booking, None if dose_id is None else int(dose_id))
    _a_kind(booking, _KIND.get(kind) or AppointmentKind(kind))
    _a_label(booking, label)
    _a_status(booking, _CYCLE_STATUS.get(status) or CycleStatus(status))
    _a_start(booking, _instant(start))
    _a_end(booking, _instant(end))
    _a_prep(booking, prep)
    _a_infusion(booking, infusion)
    _a_observation(booking, observation)
    _a_version(booking, version)
    view = _new(AppointmentView)
    _v_appointment(view, booking)
    _v_chair(view, chair_name)
    _v_cycle(view, None if cycle is None else int(cycle))
    _v_course(view, None if course_id is None else int(course_id))
    _v_dose_status(view, None if dose_status is None else _cycle_status(dose_status))
    _v_given(view, None if given_at is None else _instant(given_at))
    _v_tolerated(view, None if tolerated is None else bool(tolerated))
    _v_actual(view, None if actual is None else int(actual))
    _v_setting(view, None if setting is None else _SETTING.get(setting) or Setting(setting))
    _v_course_status(
        view,
        None
        if course_status is None
        else _COURSE_STATUS.get(course_status) or CourseStatus(course_status),
    )
    _v_patient(view, None if patient_id is None else int(patient_id))
    _v_mrn(view, mrn)
    _v_name(view, patient_name)
    return view


def row_to_preparation(row: Row) -> Preparation:
    return Preparation(
        id=int(row["id"]),
        dose_id=int(row["dose_id"]),
        reconstituted_at=_at(row["reconstituted_at"]),
        vial_lots=row["vial_lots"],
        storage=row["storage"],
        diluted_at=_at(row["diluted_at"]),
        diluent=row["diluent"],
        dose_mg=_float(row["dose_mg"]),
        discarded_at=_at(row["discarded_at"]),
        discard_reason=row["discard_reason"],
        wasted_mg=_float(row["wasted_mg"]),
        used_at=_at(row["used_at"]),
        version=int(row["version"]),
    )


def row_to_visit(row: Row) -> Visit:
    return Visit(
        id=int(row["id"]),
        appointment_id=int(row["appointment_id"]),
        arrived_at=_at(row["arrived_at"]),
        infusion_started_at=_at(row["infusion_started_at"]),
        paused_at=_at(row["paused_at"]),
        paused_seconds=int(row["paused_seconds"]),
        pause_count=int(row["pause_count"]),
        infusion_ended_at=_at(row["infusion_ended_at"]),
        observation_ended_at=_at(row["observation_ended_at"]),
        discharged_at=_at(row["discharged_at"]),
        early_discharge_reason=row["early_discharge_reason"],
        reaction_grade=_int(row["reaction_grade"]),
        alerts_acknowledged=row["alerts_acknowledged"],
        version=int(row["version"]),
    )


def row_to_visit_reaction(row: Row) -> VisitReaction:
    action = row["action"]
    return VisitReaction(
        id=int(row["id"]),
        visit_id=int(row["visit_id"]),
        at=from_utc_text(row["at_utc"]),
        grade=int(row["grade"]),
        symptoms=row["symptoms"],
        action=None if action is None else ReactionAction(action),
        note=row["note"],
        recorded_at=from_utc_text(row["recorded_at"]),
        recorded_by=row["recorded_by"],
    )


def row_to_lab_result(row: Row) -> LabResult:
    return LabResult(
        id=int(row["id"]),
        patient_id=int(row["patient_id"]),
        test=LabTest(row["test"]),
        value=float(row["value"]),
        uln=_float(row["uln"]),
        sampled_at=from_utc_text(row["sampled_at"]),
        recorded_at=from_utc_text(row["recorded_at"]),
    )


def row_to_lvef_result(row: Row) -> LvefResult:
    return LvefResult(
        id=int(row["id"]),
        patient_id=int(row["patient_id"]),
        percent=float(row["percent"]),
        modality=LvefModality(row["modality"]),
        sampled_at=from_utc_text(row["sampled_at"]),
        recorded_at=from_utc_text(row["recorded_at"]),
    )


def row_to_readiness_override(row: Row) -> ReadinessOverride:
    return ReadinessOverride(
        id=int(row["id"]),
        dose_id=int(row["dose_id"]),
        action=GateAction(row["action"]),
        verdict=Verdict(row["verdict"]),
        reason=row["reason"],
        clinician=row["clinician"],
        at=from_utc_text(row["at_utc"]),
    )


def row_to_audit_entry(row: Row) -> AuditEntry:
    return AuditEntry(
        id=int(row["id"]),
        at=from_utc_text(row["at_utc"]),
        user=row["user"],
        action=row["action"],
        entity=row["entity"],
        entity_id=_int(row["entity_id"]),
        old_values=row["old_values"],
        new_values=row["new_values"],
    )


# --- records -> rows ---------------------------------------------------------------------
def column_value(value: Any) -> Any:
    """One record field as its column stores it."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, datetime):
        return to_utc_text(value)
    if isinstance(value, time):
        return f"{value:%H:%M}"
    if isinstance(value, date):
        return value.isoformat()
    return value


def record_to_row(record: Any, *, leave_out: tuple[str, ...] = ()) -> dict[str, Any]:
    """Every column of a record's row (not the ``leave_out`` fields), as stored."""
    import dataclasses  # a write's; off the CLI's start (issue 19)

    return {
        COLUMN_OF_FIELD.get(field.name, field.name): column_value(getattr(record, field.name))
        for field in dataclasses.fields(record)
        if field.name not in leave_out
    }


def appointment_values(appointment: Appointment) -> dict[str, Any]:
    """The columns an insert or update of ``appointment`` writes (not id, version)."""
    return record_to_row(appointment, leave_out=("id", "version"))


# --- the nurse board (a read model) ------------------------------------------------------
# The board read's columns (``sqlite_nurse``), in the order ``row_to_board_visit`` takes
# them: the booking, its names, its dose, its visit (NULLs before the first step).
BOARD_COLUMNS = (
    "a.id", "a.chair_id", "a.dose_id", "a.kind", "a.label", "a.status", "a.start_utc",
    "a.end_utc", "a.prep_min", "a.infusion_min", "a.observation_min", "a.version",
    "c.name", "p.mrn", "p.name", "co.setting", "co.status",
    "d.course_id", "d.cycle", "d.status", "d.given_at", "d.infusion_actual_min",
    "v.id", "v.arrived_at", "v.infusion_started_at", "v.paused_at", "v.paused_seconds",
    "v.pause_count", "v.infusion_ended_at", "v.observation_ended_at", "v.discharged_at",
    "v.early_discharge_reason", "v.reaction_grade", "v.alerts_acknowledged", "v.version",
)  # fmt: skip


def _instant_or_none(text: str | None) -> datetime | None:
    return None if text is None else _instant(text)


def row_to_board_visit(values: Sequence[Any]) -> BoardVisit:
    """One board row (``BOARD_COLUMNS``, as the cursor's tuple) as a ``BoardVisit``: the
    board reads a day's rows every few seconds, so no dict is made per row."""
    (
        appointment_id, chair_id, dose_id, kind, label, status, start, end, prep_min,
        infusion_min, observation_min, version,
        chair_name, mrn, patient_name, setting, course_status,
        course_id, cycle, dose_status, given_at, actual_min,
        visit_id, arrived, started, paused, paused_seconds, pause_count, ended, observed,
        discharged, early_reason, visit_grade, acknowledged, visit_version,
    ) = values  # fmt: skip
    appointment = Appointment(
        appointment_id, chair_id, dose_id, _KIND.get(kind) or AppointmentKind(kind), label,
        _cycle_status(status), _instant(start), _instant(end), prep_min, infusion_min,
        observation_min, version,
    )  # fmt: skip
    visit = None
    if visit_id is not None:
        visit = Visit(
            visit_id, appointment_id, _instant_or_none(arrived), _instant_or_none(started),
            _instant_or_none(paused), paused_seconds, pause_count, _instant_or_none(ended),
            _instant_or_none(observed), _instant_or_none(discharged), early_reason,
            _int(visit_grade), acknowledged, visit_version,
        )  # fmt: skip
    return BoardVisit(
        appointment,
        chair_name,
        mrn,
        patient_name,
        _SETTING.get(setting) or Setting(setting),
        _COURSE_STATUS.get(course_status) or CourseStatus(course_status),
        course_id,
        cycle,
        _cycle_status(dose_status),
        _instant_or_none(given_at),
        actual_min,
        visit,
    )


def values_to_sheet_row(v: Sequence[Any]) -> SheetRow:
    """One ``sheet_queries.DAY_SHEET_SQL`` row (its columns in ``SHEET_COLUMNS`` order,
    read by position: the day's hundreds of rows are mapped on every print)."""
    at, setting = _at_cached, v[20]
    return SheetRow(
        v[0], v[1], v[11], v[2], _KIND.get(v[3]) or AppointmentKind(v[3]),
        _cycle_status(v[4]), v[5], _instant(v[6]), _instant(v[7]), v[8], v[9], v[10],
        v[13], at(v[15]), v[16], _flag(v[17]), v[18], v[19],
        None if setting is None else _SETTING.get(setting) or Setting(setting),
        v[21], v[22], v[23], at(v[24]), at(v[25]), v[26], at(v[27]), at(v[28]), at(v[29]),
        v[30], at(v[31]), at(v[32]), at(v[33]), at(v[34]), at(v[35]),
    )  # fmt: skip


def _at_cached(text: str | None) -> datetime | None:
    return None if text is None else _instant(text)
