"""Is a booked dose ready to give: the label's lab and heart-function gates (issue 17).

Pure: no Qt, no SQL, no clock reads. The service hands in every result of the patient
and the facts of the dose; ``assess`` returns the verdict with its reasons.

Tags: [label-2013] the MBC dose-modification table of the 2013 US label (verified, see
shared/domain/TDM1_RULES.md "Monitoring that gates a dose"); [policy] a site setting.
The EBC table is **not** verified: for an EBC course no hold, reduce or stop is ever
computed; values outside normal limits are flagged for review instead.

Every row of the MBC table reads "do not give until ..., then (same dose | reduce)":

* the latest result still out of range: ``hold`` (proposing the next lower rung when
  the row says reduce);
* a later result shows recovery after such a hold (since the last dose given):
  ``reduce`` (give at the proposed rung) or ``ready`` (the same dose);
* a reduction below 2.4 mg/kg, or a "permanently discontinue" row: ``stop``.

No rule ever raises a dose. Instants are compared in UTC: the freshness window is
elapsed hours, whatever daylight-saving change lies inside it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from .errors import DomainError
from .lean import dataclass, field
from .regimen import DOSE_LEVELS_MG_PER_KG, next_lower_dose_level
from .verdicts import Verdict as Verdict

if TYPE_CHECKING:  # decimal is imported where a result is compared (issue 19: the CLI start)
    from decimal import Decimal


@dataclass(frozen=True)
class Reason:
    rule: str
    text: str


@dataclass(frozen=True)
class ResultUsed:
    test: str  # ast | alt | bilirubin | platelets | lvef
    value: float
    uln: float | None
    at: datetime


@dataclass(frozen=True)
class Readiness:
    verdict: Verdict
    reasons: tuple[Reason, ...]
    results: tuple[ResultUsed, ...]
    lvef_due: date | None
    proposed_mg_per_kg: float | None
    labs_pending: bool  # a liver/platelet result needed for this dose is missing or stale
    lvef_overdue: bool  # an LVEF is due on or before the dose


# --- inputs --------------------------------------------------------------------------
LAB_TESTS = ("ast", "alt", "bilirubin", "platelets")
ULN_TESTS = ("ast", "alt", "bilirubin")
TEST_NAMES = {
    "ast": "AST",
    "alt": "ALT",
    "bilirubin": "total bilirubin",
    "platelets": "platelets",
    "lvef": "LVEF",
}
MODALITIES = ("echo", "muga")
LVEF_MIN_PERCENT, LVEF_MAX_PERCENT = 5.0, 95.0
PLATELETS_MIN_PER_MM3 = 1000.0  # below: almost surely 10^9/L typed as per mm³

DEFAULT_LAB_FRESHNESS_DAYS = 3  # [policy] a lab counts within 3 days (72 h) before the dose
DEFAULT_LVEF_INTERVAL_WEEKS = 12  # [label] "e.g. every 3 months"; [policy] 12 weeks
LVEF_DUE_WARNING_DAYS = 14  # [policy] "LVEF due" shows from 14 days before
LVEF_REPEAT_DAYS = 21  # [label-2013] repeat LVEF within 3 weeks
# [policy] normal limits for the EBC review flag (the label's EBC table is unverified).
PLATELETS_NORMAL = (150_000.0, 450_000.0)
LVEF_NORMAL_MIN = 50.0  # [label] caution at baseline below 50%

GATE_MODES = ("off", "warn", "enforce")
DEFAULT_GATE = "warn"


@dataclass(frozen=True)
class LabResult:
    test: str
    value: float
    uln: float | None
    at: datetime


@dataclass(frozen=True)
class LvefResult:
    percent: float
    at: datetime
    modality: str = "echo"


@dataclass(frozen=True)
class DoseFacts:
    """What the verdict needs to know about the dose besides the results."""

    setting: str  # "EBC" | "MBC"
    cycle: int
    infusion_start: datetime  # planned: chair start plus prep, in the clinic's zone
    dose_level: float  # the booked dose's mg/kg
    base_level: float  # the level of the last dose given (the booked level if none)
    last_given_at: datetime | None = None  # a hold lasts from the last dose given on
    course_started_at: datetime | None = None  # cycle 1 given: the LVEF baseline is before
    given_at: datetime | None = None  # this dose was given: later results are not its
    freshness_days: int = DEFAULT_LAB_FRESHNESS_DAYS
    lvef_interval_weeks: int = DEFAULT_LVEF_INTERVAL_WEEKS
    notes: tuple[Reason, ...] = ()  # e.g. the weight asks for the dose to be recalculated


def _number(field_name: str, value: object) -> float:
    if isinstance(value, bool):
        raise DomainError(field_name, f"must be a number, got {value!r}")
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise DomainError(field_name, f"must be a number, got {value!r}") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise DomainError(field_name, f"must be a finite number, got {value!r}")
    return number


def check_lab(test: str, value: object, uln: object | None) -> tuple[str, float, float | None]:
    """A lab result as stored: known test, a value above 0, a ULN for the liver tests."""
    name = str(test).strip().lower()
    if name not in LAB_TESTS:
        raise DomainError("test", f"must be one of {', '.join(LAB_TESTS)}, got {test!r}")
    number = _number("value", value)
    if number <= 0:
        raise DomainError("value", f"must be above 0, got {value!r}")
    if name == "platelets":
        if uln is not None:
            raise DomainError("uln", "platelets have no ULN (the value is per mm³)")
        if number < PLATELETS_MIN_PER_MM3:
            raise DomainError("value", f"platelets are per mm³ (e.g. 45000, not 45), got {value!r}")
        return name, number, None
    if uln is None:
        raise DomainError("uln", f"the upper limit of normal is required for {name}")
    limit = _number("uln", uln)
    if limit <= 0:
        raise DomainError("uln", f"must be above 0, got {uln!r}")
    return name, number, limit


def check_lvef(percent: object, modality: str) -> tuple[float, str]:
    number = _number("percent", percent)
    if not LVEF_MIN_PERCENT <= number <= LVEF_MAX_PERCENT:
        raise DomainError(
            "percent", f"must be from {LVEF_MIN_PERCENT:g} to {LVEF_MAX_PERCENT:g}, got {percent!r}"
        )
    kind = str(modality).strip().lower()
    if kind not in MODALITIES:
        raise DomainError("modality", f"must be echo or muga, got {modality!r}")
    return number, kind


def check_gate_mode(value: str) -> str:
    mode = str(value).strip().lower()
    if mode not in GATE_MODES:
        raise DomainError("readiness_gate", f"must be off, warn or enforce, got {value!r}")
    return mode


# --- the MBC table [label-2013] ------------------------------------------------------
SAME, HOLD_SAME, HOLD_REDUCE, STOP = "same", "hold, then same dose", "hold, then reduce", "stop"


@dataclass(frozen=True)
class TableRow:
    test: str
    grade: int
    action: str
    rule: str
    text: str
    recovered_grade: int = 1  # "do not give until <= this grade"


def _rows() -> dict[tuple[str, int], TableRow]:
    rows: list[TableRow] = []
    for test in ("ast", "alt"):
        name = TEST_NAMES[test]
        rows += [
            TableRow(test, 2, SAME, f"{test}-grade-2", f"{name} grade 2 (>2.5 to ≤5x ULN): "
                     "treat at the same dose"),
            TableRow(test, 3, HOLD_REDUCE, f"{test}-grade-3", f"{name} grade 3 (>5 to ≤20x "
                     "ULN): do not give until ≤5x ULN, then reduce one level", 2),
            TableRow(test, 4, STOP, f"{test}-grade-4", f"{name} grade 4 (>20x ULN): "
                     "permanently discontinue"),
        ]  # fmt: skip
    rows += [
        TableRow("bilirubin", 2, HOLD_SAME, "bilirubin-grade-2", "total bilirubin grade 2 "
                 "(>1.5 to ≤3x ULN): do not give until ≤1.5x ULN, then the same dose"),
        TableRow("bilirubin", 3, HOLD_REDUCE, "bilirubin-grade-3", "total bilirubin grade 3 "
                 "(>3 to ≤10x ULN): do not give until ≤1.5x ULN, then reduce one level"),
        TableRow("bilirubin", 4, STOP, "bilirubin-grade-4", "total bilirubin grade 4 "
                 "(>10x ULN): permanently discontinue"),
        TableRow("platelets", 3, HOLD_SAME, "platelets-grade-3", "platelets grade 3 (25,000 "
                 "to <50,000/mm³): do not give until ≥75,000/mm³, then the same dose"),
        TableRow("platelets", 4, HOLD_REDUCE, "platelets-grade-4", "platelets grade 4 "
                 "(<25,000/mm³): do not give until ≥75,000/mm³, then reduce one level"),
    ]  # fmt: skip
    return {(row.test, row.grade): row for row in rows}


MBC_TABLE = _rows()


def _dec(value: float) -> Decimal:
    from decimal import Decimal

    return Decimal(repr(float(value)))


def grade(test: str, value: float, uln: float | None) -> int:
    """The CTCAE grade the MBC table uses (0 or 1 = nothing to do)."""
    if test == "platelets":
        count = _dec(value)
        return 4 if count < 25_000 else 3 if count < 50_000 else 2 if count < 75_000 else 1
    assert uln is not None
    from decimal import Decimal

    v, limit = _dec(value), _dec(uln)
    bands = tuple(map(Decimal, ("20", "5", "2.5") if test in ULN_TESTS[:2] else ("10", "3", "1.5")))
    for level, times in zip((4, 3, 2), bands, strict=True):
        if v > times * limit:
            return level
    return 1 if v > limit else 0


def _ratio_text(result: LabResult) -> str:
    name = TEST_NAMES[result.test]
    if result.uln is None:
        return f"{name} {result.value:,.0f}/mm³"
    return f"{name} {result.value:g} ({result.value / result.uln:.2f}x ULN {result.uln:g})"


# --- assessment --------------------------------------------------------------------------
RANK = {
    Verdict.STOP: 5,
    Verdict.HOLD: 4,
    Verdict.REDUCE: 3,
    Verdict.REVIEW: 2,
    Verdict.MISSING: 1,
    Verdict.READY: 0,
}


@dataclass
class _Finding:
    verdict: Verdict
    reason: Reason
    reduce: bool = False


@dataclass
class _Work:
    facts: DoseFacts
    findings: list[_Finding] = field(default_factory=list)
    info: list[Reason] = field(default_factory=list)
    used: list[ResultUsed] = field(default_factory=list)

    def add(self, verdict: Verdict, rule: str, text: str, *, reduce: bool = False) -> None:
        self.findings.append(_Finding(verdict, Reason(rule, text), reduce))

    def note(self, rule: str, text: str) -> None:
        self.info.append(Reason(rule, text))


def _utc(instant: datetime) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise DomainError("at", "a time zone-aware datetime is required (got a naive one)")
    return instant.astimezone(UTC)


def window_start(facts: DoseFacts) -> datetime:
    """The earliest sample instant that counts: planned infusion start minus N x 24 h."""
    return _utc(facts.infusion_start) - timedelta(hours=24 * facts.freshness_days)


def assess(facts: DoseFacts, labs: Iterable[LabResult], lvefs: Iterable[LvefResult]) -> Readiness:
    """The readiness of one booked dose from every result of the patient."""
    zone = facts.infusion_start.tzinfo
    until = _utc(facts.given_at) if facts.given_at is not None else None
    lab_list = sorted(
        (r for r in labs if until is None or _utc(r.at) <= until), key=lambda r: _utc(r.at)
    )
    lvef_list = sorted(
        (r for r in lvefs if until is None or _utc(r.at) <= until), key=lambda r: _utc(r.at)
    )
    work = _Work(facts)
    ebc = facts.setting.upper() == "EBC"
    if ebc:
        work.note(
            "ebc-table-unverified",
            "EBC course: the label's EBC dose-modification table is not verified here, so no "
            "hold, reduce or stop is computed; values outside normal limits are flagged for "
            "the pharmacist's review",
        )
    dose_day = facts.infusion_start.date()
    if not lab_list and not lvef_list:
        reasons = (
            *work.info,
            Reason("no-results", "no lab or LVEF result is recorded for this patient"),
            *facts.notes,
        )
        return Readiness(Verdict.MISSING, reasons, (), dose_day, None, True, True)
    fresh = _fresh_labs(work, lab_list, zone)
    labs_pending = any(test not in fresh for test in LAB_TESTS)
    lvef_due, lvef_overdue = _lvef(work, lvef_list, zone, ebc)
    if ebc:
        _ebc_review(work, fresh, lvef_list)
    else:
        episode = [
            r for r in lab_list
            if facts.last_given_at is None or _utc(r.at) > _utc(facts.last_given_at)
        ]  # fmt: skip
        for test in LAB_TESTS:
            _mbc_lab(work, test, [r for r in episode if r.test == test], fresh.get(test))
        _hy_law(work, episode, fresh)
    verdict, proposed = _combine(work, ebc)
    reasons = tuple(f.reason for f in _ordered(work.findings)) + tuple(work.info) + facts.notes
    if ebc:  # the unverified-table reason always comes first
        reasons = (work.info[0], *(r for r in reasons if r is not work.info[0]))
    return Readiness(
        verdict, reasons, tuple(work.used), lvef_due, proposed, labs_pending, lvef_overdue
    )


def _ordered(findings: list[_Finding]) -> list[_Finding]:
    return sorted(findings, key=lambda f: -RANK[f.verdict])


def _local(instant: datetime, zone: object) -> datetime:
    return instant.astimezone(zone) if zone is not None else instant  # type: ignore[arg-type]


def _fresh_labs(work: _Work, labs: Sequence[LabResult], zone: object) -> dict[str, LabResult]:
    facts = work.facts
    start = window_start(facts)
    fresh: dict[str, LabResult] = {}
    for test in LAB_TESTS:
        of_test = [r for r in labs if r.test == test]
        counting = [r for r in of_test if _utc(r.at) >= start]
        if counting:
            latest = counting[-1]
            fresh[test] = latest
            work.used.append(ResultUsed(test, latest.value, latest.uln, latest.at))
            continue
        since = f"{_local(start, zone):%a %Y-%m-%d %H:%M}"
        due = f"{facts.infusion_start:%a %Y-%m-%d %H:%M}"
        name = TEST_NAMES[test]
        if of_test:
            last = f"{_local(of_test[-1].at, zone):%a %Y-%m-%d %H:%M}"
            text = (
                f"{name}: the last sample ({last}) is older than {facts.freshness_days} days "
                f"before the infusion; a sample taken from {since} is due by {due}"
            )
        else:
            text = f"{name}: no result; a sample taken from {since} is due by {due}"
        work.add(Verdict.MISSING, "lab-missing", text)
    return fresh


def _lvef_band(percent: float, fall: Decimal) -> str:
    value = _dec(percent)
    if value < 40:
        return "below-40"
    if value <= 45:
        return "fall" if fall >= 10 else "watch"
    return "ok"


def _lvef(work: _Work, lvefs: Sequence[LvefResult], zone: object, ebc: bool) -> tuple[date, bool]:
    """When the next LVEF is due, whether it is overdue; MBC: the LVEF bands."""
    facts = work.facts
    dose_day = facts.infusion_start.date()
    if not lvefs:
        if facts.course_started_at is None:
            rule, what = "lvef-baseline-missing", "a baseline LVEF (echo or MUGA) before cycle 1"
        else:
            rule, what = "lvef-missing", "an LVEF (echo or MUGA)"
        work.add(Verdict.MISSING, rule, f"no LVEF on record: {what} is due by {dose_day}")
        return dose_day, True
    latest = lvefs[-1]
    latest_day = _local(latest.at, zone).date()
    work.used.append(ResultUsed("lvef", latest.percent, None, latest.at))
    due = latest_day + timedelta(weeks=facts.lvef_interval_weeks)
    baseline = _baseline(facts, lvefs)
    fall = _dec(baseline.percent) - _dec(latest.percent)
    band = _lvef_band(latest.percent, fall)
    if band != "ok":
        due = min(due, latest_day + timedelta(days=LVEF_REPEAT_DAYS))
    if not ebc:
        _mbc_lvef(work, lvefs, baseline, band, fall)
    overdue = due <= dose_day
    if overdue:
        work.add(
            Verdict.MISSING,
            "lvef-overdue",
            f"LVEF was due by {due.isoformat()} (last {latest.percent:g}% on "
            f"{latest_day.isoformat()}), on or before this dose",
        )
    elif due - timedelta(days=LVEF_DUE_WARNING_DAYS) <= dose_day:
        work.note("lvef-due", f"LVEF due by {due.isoformat()} (last {latest_day.isoformat()})")
    return due, overdue


def _baseline(facts: DoseFacts, lvefs: Sequence[LvefResult]) -> LvefResult:
    if facts.course_started_at is None:
        return lvefs[-1]
    before = [r for r in lvefs if _utc(r.at) <= _utc(facts.course_started_at)]
    return before[-1] if before else lvefs[0]


def _mbc_lvef(
    work: _Work, lvefs: Sequence[LvefResult], baseline: LvefResult, band: str, fall: Decimal
) -> None:
    facts = work.facts
    latest = lvefs[-1]
    earlier = [
        r for r in lvefs[:-1]
        if facts.last_given_at is None or _utc(r.at) > _utc(facts.last_given_at)
    ]  # fmt: skip
    held = [
        _lvef_band(r.percent, _dec(baseline.percent) - _dec(r.percent))
        for r in earlier
        if _lvef_band(r.percent, _dec(baseline.percent) - _dec(r.percent)) in ("below-40", "fall")
    ]
    shown = f"LVEF {latest.percent:g}% (baseline {baseline.percent:g}%, fall {fall:g} points)"
    if band in ("below-40", "fall") and held:
        rule = "lvef-below-40-confirmed" if band == "below-40" else "lvef-not-recovered"
        work.add(Verdict.STOP, rule, f"{shown} on the repeat after a hold: discontinue")
    elif band == "below-40":
        work.add(
            Verdict.HOLD,
            "lvef-below-40",
            f"{shown}: do not give; repeat LVEF within 3 weeks; if <40% is confirmed, discontinue",
        )
    elif band == "fall":
        work.add(
            Verdict.HOLD,
            "lvef-40-45-fall-10",
            f"{shown}: 40-45% with a fall of ≥10 points: do not give; repeat within 3 weeks; "
            "discontinue if not recovered to within 10 points of baseline",
        )
    elif "fall" in held and fall >= 10:
        work.add(
            Verdict.STOP,
            "lvef-not-recovered",
            f"{shown}: not recovered to within 10 points of baseline after a hold: discontinue",
        )
    elif band == "watch":
        work.note(
            "lvef-40-45", f"{shown}: 40-45%, fall <10 points: continue; repeat within 3 weeks"
        )
    elif held:
        work.note("lvef-recovered", f"{shown}: recovered after a hold: the same dose")


def _mbc_lab(work: _Work, test: str, episode: Sequence[LabResult], fresh: LabResult | None) -> None:
    """One test's rows: the latest result since the last dose, and the holds before it."""
    if not episode:
        return
    latest = episode[-1]
    rows = [MBC_TABLE.get((test, grade(test, r.value, r.uln))) for r in episode]
    stops = [(r, row) for r, row in zip(episode, rows, strict=True) if row and row.action == STOP]
    if stops:
        result, row = stops[-1]
        work.add(Verdict.STOP, row.rule, f"{_ratio_text(result)}: {row.text}")
        return
    holds = [row for row in rows[:-1] if row and row.action in (HOLD_SAME, HOLD_REDUCE)]
    current = rows[-1]
    reduce = any(row and row.action == HOLD_REDUCE for row in rows)
    if current is not None and current.action in (HOLD_SAME, HOLD_REDUCE):
        work.add(
            Verdict.HOLD, current.rule, f"{_ratio_text(latest)}: {current.text}", reduce=reduce
        )
        return
    if holds:
        worst = max(holds, key=lambda row: row.grade)
        level = grade(test, latest.value, latest.uln)
        if level > worst.recovered_grade:  # e.g. platelets 60,000 after a grade 3 hold
            work.add(
                Verdict.HOLD,
                worst.rule,
                f"{_ratio_text(latest)}: not yet recovered; {worst.text}",
                reduce=reduce,
            )
        else:
            then = "reduce one level" if reduce else "the same dose"
            verdict = Verdict.REDUCE if reduce else Verdict.READY
            work.add(
                verdict,
                f"{test}-recovered",
                f"{_ratio_text(latest)}: recovered after a hold ({worst.rule}): {then}",
                reduce=reduce,
            )
        return
    if current is not None and current.action == SAME and fresh is latest:
        work.note(current.rule, f"{_ratio_text(latest)}: {current.text}")


def _hy_law(work: _Work, episode: Sequence[LabResult], fresh: dict[str, LabResult]) -> None:
    """Transaminases >3x ULN together with total bilirubin >2x ULN: discontinue."""
    groups: dict[datetime, dict[str, LabResult]] = {}
    for result in episode:
        groups.setdefault(_utc(result.at), {})[result.test] = result
    groups[datetime.max.replace(tzinfo=UTC)] = dict(fresh)
    for sample in groups.values():
        bili = sample.get("bilirubin")
        if bili is None or bili.uln is None or not _dec(bili.value) > 2 * _dec(bili.uln):
            continue
        for test in ("ast", "alt"):
            high = sample.get(test)
            if high and high.uln and _dec(high.value) > 3 * _dec(high.uln):
                work.add(
                    Verdict.STOP,
                    "transaminases-with-bilirubin",
                    f"{_ratio_text(high)} with {_ratio_text(bili)}: transaminases >3x "
                    "ULN together with total bilirubin >2x ULN: permanently discontinue",
                )
                return


def _ebc_review(work: _Work, fresh: dict[str, LabResult], lvefs: Sequence[LvefResult]) -> None:
    for test in LAB_TESTS:
        result = fresh.get(test)
        if result is None:
            continue
        if result.uln is not None:
            outside = _dec(result.value) > _dec(result.uln)
            limits = f"above ULN {result.uln:g}"
        else:
            low, high = PLATELETS_NORMAL
            outside = not low <= result.value <= high
            limits = f"outside {low:,.0f}-{high:,.0f}/mm³"
        if outside:
            work.add(
                Verdict.REVIEW,
                "ebc-out-of-range",
                f"{_ratio_text(result)} is {limits}: for the pharmacist's review",
            )
    if lvefs and lvefs[-1].percent < LVEF_NORMAL_MIN:
        work.add(
            Verdict.REVIEW,
            "ebc-out-of-range",
            f"LVEF {lvefs[-1].percent:g}% is below {LVEF_NORMAL_MIN:g}%: for the pharmacist's "
            "review",
        )


def _combine(work: _Work, ebc: bool) -> tuple[Verdict, float | None]:
    findings = work.findings
    if ebc:  # never hold, reduce or stop for EBC
        assert all(f.verdict in (Verdict.REVIEW, Verdict.MISSING) for f in findings)
    facts = work.facts
    proposed: float | None = None
    if any(f.reduce for f in findings) and not any(f.verdict is Verdict.STOP for f in findings):
        lower = next_lower_dose_level(facts.base_level)
        if lower is None:
            work.add(
                Verdict.STOP,
                "dose-ladder-end",
                f"a reduction below {DOSE_LEVELS_MG_PER_KG[-1]} mg/kg is needed: discontinue",
            )
        elif facts.dose_level <= lower + 1e-9:  # the reduction is already booked
            proposed = facts.dose_level
            for finding in findings:
                if finding.verdict is Verdict.REDUCE:
                    finding.verdict = Verdict.READY
                    work.note(
                        "reduction-booked",
                        f"the dose is already reduced to {facts.dose_level:g} mg/kg",
                    )
        else:
            proposed = lower
    verdict = max((f.verdict for f in findings), key=RANK.__getitem__, default=Verdict.READY)
    if verdict in (Verdict.READY, Verdict.MISSING, Verdict.STOP, Verdict.REVIEW):
        proposed = None
    return verdict, proposed
