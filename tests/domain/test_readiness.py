"""Ready for the dose (issue 17): the MBC table at and around every threshold, the dose
ladder, freshness in elapsed hours across DST, LVEF bands, and EBC never deciding."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings, strategies as st

from tdm1_scheduler.domain.errors import DomainError
from tdm1_scheduler.domain.readiness import (
    DoseFacts,
    LabResult,
    LvefResult,
    Verdict,
    assess,
    check_lab,
    check_lvef,
)

ZONE = ZoneInfo("Europe/Berlin")
START = datetime(2026, 6, 10, 9, 15, tzinfo=ZONE)  # planned infusion start (chair + prep)
SAMPLED = START - timedelta(hours=25)
LAST_GIVEN = START - timedelta(days=21)
ULN = {"ast": 40.0, "alt": 40.0, "bilirubin": 1.2}
NORMAL = {"ast": 30.0, "alt": 30.0, "bilirubin": 0.6, "platelets": 220_000.0}


def facts(**changes: object) -> DoseFacts:
    base = DoseFacts(
        setting="MBC",
        cycle=2,
        infusion_start=START,
        dose_level=3.6,
        base_level=3.6,
        last_given_at=LAST_GIVEN,
        course_started_at=LAST_GIVEN,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def labs(at: datetime = SAMPLED, **values: float) -> list[LabResult]:
    merged = {**NORMAL, **values}
    return [LabResult(test, value, ULN.get(test), at) for test, value in merged.items()]


BASELINE_LVEF = [LvefResult(65.0, LAST_GIVEN - timedelta(days=10))]


def verdict_of(results: list[LabResult], lvefs: list[LvefResult] | None = None, **kw: object):
    return assess(facts(**kw), results, BASELINE_LVEF if lvefs is None else lvefs)


def test_all_normal_and_fresh_is_ready() -> None:
    readiness = verdict_of(labs())
    assert readiness.verdict is Verdict.READY
    assert readiness.proposed_mg_per_kg is None
    assert not readiness.labs_pending and not readiness.lvef_overdue
    assert [r.test for r in readiness.results] == ["ast", "alt", "bilirubin", "platelets", "lvef"]


# (test, multiple of ULN or count, verdict, proposed mg/kg, rule) at and around each edge
LIVER_ROWS = [
    ("ast", 2.5, Verdict.READY, None, None),
    ("ast", 2.51, Verdict.READY, None, "ast-grade-2"),
    ("ast", 5.0, Verdict.READY, None, "ast-grade-2"),
    ("ast", 5.01, Verdict.HOLD, 3.0, "ast-grade-3"),
    ("ast", 20.0, Verdict.HOLD, 3.0, "ast-grade-3"),
    ("ast", 20.01, Verdict.STOP, None, "ast-grade-4"),
    ("alt", 2.5, Verdict.READY, None, None),
    ("alt", 2.51, Verdict.READY, None, "alt-grade-2"),
    ("alt", 5.0, Verdict.READY, None, "alt-grade-2"),
    ("alt", 5.01, Verdict.HOLD, 3.0, "alt-grade-3"),
    ("alt", 20.0, Verdict.HOLD, 3.0, "alt-grade-3"),
    ("alt", 20.01, Verdict.STOP, None, "alt-grade-4"),
    ("bilirubin", 1.5, Verdict.READY, None, None),
    ("bilirubin", 1.51, Verdict.HOLD, None, "bilirubin-grade-2"),  # then the same dose
    ("bilirubin", 3.0, Verdict.HOLD, None, "bilirubin-grade-2"),
    ("bilirubin", 3.01, Verdict.HOLD, 3.0, "bilirubin-grade-3"),
    ("bilirubin", 10.0, Verdict.HOLD, 3.0, "bilirubin-grade-3"),
    ("bilirubin", 10.01, Verdict.STOP, None, "bilirubin-grade-4"),
]


@pytest.mark.parametrize(("test", "times", "verdict", "proposed", "rule"), LIVER_ROWS)
def test_liver_rows(test: str, times: float, verdict: Verdict, proposed, rule) -> None:
    value = round(times * ULN[test], 4)
    readiness = verdict_of(labs(**{test: value}))
    assert readiness.verdict is verdict, readiness.reasons
    assert readiness.proposed_mg_per_kg == proposed
    rules = [r.rule for r in readiness.reasons]
    if rule is None:
        assert not any(r.startswith(test) for r in rules)
    else:
        assert rule in rules


PLATELET_ROWS = [
    (24_999, Verdict.HOLD, 3.0, "platelets-grade-4"),
    (25_000, Verdict.HOLD, None, "platelets-grade-3"),
    (49_999, Verdict.HOLD, None, "platelets-grade-3"),
    (50_000, Verdict.READY, None, None),  # grade 2: the table has no row
    (74_999, Verdict.READY, None, None),
    (75_000, Verdict.READY, None, None),
]


@pytest.mark.parametrize(("count", "verdict", "proposed", "rule"), PLATELET_ROWS)
def test_platelet_rows(count: float, verdict: Verdict, proposed, rule) -> None:
    readiness = verdict_of(labs(platelets=count))
    assert readiness.verdict is verdict
    assert readiness.proposed_mg_per_kg == proposed
    if rule:
        assert rule in [r.rule for r in readiness.reasons]


@pytest.mark.parametrize(
    ("earlier", "later", "verdict", "proposed"),
    [
        (45_000, 74_999, Verdict.HOLD, None),  # not yet >= 75,000
        (45_000, 75_000, Verdict.READY, None),  # grade 3: then the same dose
        (20_000, 60_000, Verdict.HOLD, 3.0),
        (20_000, 75_000, Verdict.REDUCE, 3.0),  # grade 4: then reduce
    ],
)
def test_platelets_recover_at_75000(earlier, later, verdict, proposed) -> None:
    history = labs(at=SAMPLED - timedelta(days=7), platelets=earlier) + labs(platelets=later)
    readiness = verdict_of(history)
    assert (readiness.verdict, readiness.proposed_mg_per_kg) == (verdict, proposed)


def test_worked_example_ast_6x_hold_then_2x_reduce() -> None:
    first = labs(at=SAMPLED - timedelta(days=7), ast=6 * 40)
    held = assess(facts(infusion_start=START - timedelta(days=7)), first, BASELINE_LVEF)
    assert (held.verdict, held.proposed_mg_per_kg) == (Verdict.HOLD, 3.0)
    recovered = verdict_of(first + labs(ast=2 * 40))
    assert (recovered.verdict, recovered.proposed_mg_per_kg) == (Verdict.REDUCE, 3.0)
    assert "ast-recovered" in [r.rule for r in recovered.reasons]


@pytest.mark.parametrize(
    ("earlier", "later", "verdict", "proposed"),
    [
        (2.0, 1.5, Verdict.READY, None),  # grade 2, recovered to <= 1.5x: the same dose
        (2.0, 1.6, Verdict.HOLD, None),
        (4.0, 1.5, Verdict.REDUCE, 3.0),  # grade 3, recovered: reduce
        (4.0, 2.0, Verdict.HOLD, 3.0),  # grade 3 then grade 2: still held, then reduce
    ],
)
def test_bilirubin_recovery(earlier, later, verdict, proposed) -> None:
    history = labs(at=SAMPLED - timedelta(days=7), bilirubin=earlier * 1.2)
    readiness = verdict_of(history + labs(bilirubin=round(later * 1.2, 4)))
    assert (readiness.verdict, readiness.proposed_mg_per_kg) == (verdict, proposed)


def test_a_hold_before_the_last_dose_given_is_over() -> None:
    old = labs(at=LAST_GIVEN - timedelta(days=1), ast=6 * 40)
    assert verdict_of(old + labs()).verdict is Verdict.READY


def test_a_discontinue_row_stays_stop_after_recovery() -> None:
    history = labs(at=SAMPLED - timedelta(days=7), ast=25 * 40) + labs()
    assert verdict_of(history).verdict is Verdict.STOP


@pytest.mark.parametrize(
    ("ast", "bilirubin", "verdict"),
    [
        (3.01, 2.01, Verdict.STOP),  # transaminases > 3x with bilirubin > 2x
        (3.0, 2.01, Verdict.HOLD),  # bilirubin grade 2 alone
        (3.01, 2.0, Verdict.HOLD),
    ],
)
def test_transaminases_with_bilirubin(ast, bilirubin, verdict) -> None:
    readiness = verdict_of(labs(ast=round(ast * 40, 4), bilirubin=round(bilirubin * 1.2, 4)))
    assert readiness.verdict is verdict
    assert ("transaminases-with-bilirubin" in [r.rule for r in readiness.reasons]) == (
        verdict is Verdict.STOP
    )


@pytest.mark.parametrize(
    ("level", "verdict", "proposed"),
    [(3.6, Verdict.HOLD, 3.0), (3.0, Verdict.HOLD, 2.4), (2.4, Verdict.STOP, None)],
)
def test_ladder_never_raises_and_ends_in_stop(level, verdict, proposed) -> None:
    readiness = verdict_of(labs(ast=6 * 40), dose_level=level, base_level=level)
    assert (readiness.verdict, readiness.proposed_mg_per_kg) == (verdict, proposed)
    if proposed is not None:
        assert proposed < level


def test_a_reduction_already_booked_is_ready_at_that_rung() -> None:
    history = labs(at=SAMPLED - timedelta(days=7), ast=6 * 40) + labs(ast=2 * 40)
    readiness = verdict_of(history, dose_level=3.0, base_level=3.6)
    assert readiness.verdict is Verdict.READY
    assert "reduction-booked" in [r.rule for r in readiness.reasons]


# --- LVEF ------------------------------------------------------------------------------
def lvef(percent: float, days_before: int = 5) -> LvefResult:
    return LvefResult(percent, START - timedelta(days=days_before))


@pytest.mark.parametrize(
    ("percent", "verdict", "rule"),
    [
        (39.9, Verdict.HOLD, "lvef-below-40"),
        (40.0, Verdict.HOLD, "lvef-40-45-fall-10"),  # baseline 50: a fall of 10 points
        (45.0, Verdict.READY, "lvef-40-45"),  # a fall of 5: continue, repeat
        (45.1, Verdict.READY, None),
    ],
)
def test_lvef_bands_against_a_baseline_of_50(percent, verdict, rule) -> None:
    baseline = LvefResult(50.0, LAST_GIVEN - timedelta(days=3))
    readiness = verdict_of(labs(), [baseline, lvef(percent)])
    assert readiness.verdict is verdict
    rules = [r.rule for r in readiness.reasons]
    if rule:
        assert rule in rules
    if verdict is Verdict.HOLD or rule == "lvef-40-45":  # repeat within 3 weeks
        assert readiness.lvef_due == (START - timedelta(days=5)).date() + timedelta(days=21)


@pytest.mark.parametrize(
    ("baseline", "percent", "verdict"),
    [(55.0, 45.0, Verdict.HOLD), (54.9, 45.0, Verdict.READY), (55.0, 45.1, Verdict.READY)],
)
def test_lvef_fall_of_10_points(baseline, percent, verdict) -> None:
    first = LvefResult(baseline, LAST_GIVEN - timedelta(days=3))
    assert verdict_of(labs(), [first, lvef(percent)]).verdict is verdict


@pytest.mark.parametrize(
    ("first", "held", "repeat", "verdict"),
    [
        (55.0, 38.0, 39.0, Verdict.STOP),  # < 40% confirmed
        (55.0, 38.0, 58.0, Verdict.READY),
        (55.0, 43.0, 45.0, Verdict.STOP),  # 10 points below 55: not recovered
        (55.0, 43.0, 45.1, Verdict.READY),  # within 10 points again
        (60.0, 45.0, 49.0, Verdict.STOP),  # above 45% but still 11 points below 60
        (60.0, 45.0, 50.1, Verdict.READY),
    ],
)
def test_lvef_repeat_after_a_hold(first, held, repeat, verdict) -> None:
    baseline = LvefResult(first, LAST_GIVEN - timedelta(days=3))
    history = [baseline, lvef(held, days_before=15), lvef(repeat, days_before=2)]
    assert verdict_of(labs(), history).verdict is verdict


def test_lvef_baseline_needed_before_cycle_1() -> None:
    first = facts(cycle=1, last_given_at=None, course_started_at=None)
    readiness = assess(first, labs(), [])
    assert readiness.verdict is Verdict.MISSING and readiness.lvef_overdue
    assert "lvef-baseline-missing" in [r.rule for r in readiness.reasons]
    assert assess(first, labs(), [lvef(62)]).verdict is Verdict.READY


@pytest.mark.parametrize(
    ("weeks_ago_days", "overdue", "warned"),
    [(84, True, False), (83, False, True), (70, False, True), (69, False, False)],
)
def test_lvef_due_every_12_weeks_warned_14_days_before(weeks_ago_days, overdue, warned) -> None:
    scan = LvefResult(65.0, START - timedelta(days=weeks_ago_days))
    readiness = verdict_of(labs(), [scan], course_started_at=scan.at + timedelta(days=1))
    assert readiness.lvef_overdue is overdue
    assert (readiness.verdict is Verdict.MISSING) is overdue
    assert ("lvef-due" in [r.rule for r in readiness.reasons]) is warned
    assert readiness.lvef_due == scan.at.date() + timedelta(weeks=12)


# --- freshness --------------------------------------------------------------------------
@pytest.mark.parametrize(("hours", "counts"), [(72, True), (72.01, False), (0, True)])
def test_freshness_in_elapsed_hours(hours: float, counts: bool) -> None:
    readiness = verdict_of(labs(at=START - timedelta(hours=hours)))
    assert (readiness.verdict is Verdict.READY) is counts
    assert readiness.labs_pending is not counts


@pytest.mark.parametrize(
    ("start", "wall_sample", "counts"),
    [
        # Spring forward (Berlin, 29 Mar 2026): 72 h before Tue 31 Mar 09:15 CEST is
        # Sat 28 Mar 08:15 CET; the same wall time (09:15) is only 71 h before.
        (datetime(2026, 3, 31, 9, 15), datetime(2026, 3, 28, 8, 15), True),
        (datetime(2026, 3, 31, 9, 15), datetime(2026, 3, 28, 8, 14), False),
        # Fall back (25 Oct 2026): 72 h before Tue 27 Oct 09:15 CET is Sat 24 Oct 10:15.
        (datetime(2026, 10, 27, 9, 15), datetime(2026, 10, 24, 10, 15), True),
        (datetime(2026, 10, 27, 9, 15), datetime(2026, 10, 24, 9, 15), False),
    ],
)
def test_freshness_across_a_dst_change(start, wall_sample, counts) -> None:
    planned = start.replace(tzinfo=ZONE)
    sample = wall_sample.replace(tzinfo=ZONE)
    readiness = assess(
        facts(infusion_start=planned, last_given_at=planned - timedelta(days=21)),
        labs(at=sample),
        [LvefResult(65.0, planned - timedelta(days=30))],
    )
    assert readiness.labs_pending is not counts


def test_no_results_at_all_is_missing() -> None:
    readiness = assess(facts(), [], [])
    assert readiness.verdict is Verdict.MISSING
    assert readiness.labs_pending and readiness.results == ()


def test_a_given_dose_ignores_later_results() -> None:
    given = facts(given_at=START)
    later = labs(at=START + timedelta(hours=2), ast=6 * 40)
    assert assess(given, labs() + later, BASELINE_LVEF).verdict is Verdict.READY


# --- EBC ----------------------------------------------------------------------------------
def test_ebc_flags_for_review_and_says_the_table_is_unverified() -> None:
    readiness = verdict_of(labs(ast=6 * 40), setting="EBC")
    assert readiness.verdict is Verdict.REVIEW
    assert readiness.reasons[0].rule == "ebc-table-unverified"
    assert readiness.proposed_mg_per_kg is None
    normal = verdict_of(labs(), setting="EBC")
    assert normal.verdict is Verdict.READY and normal.reasons[0].rule == "ebc-table-unverified"


lab_value = st.floats(min_value=0.01, max_value=2_000_000, allow_nan=False)


@settings(max_examples=150, deadline=None)
@given(
    values=st.lists(
        st.tuples(st.sampled_from(["ast", "alt", "bilirubin", "platelets"]), lab_value,
                  st.integers(min_value=0, max_value=400)),
        max_size=12,
    ),
    lvefs=st.lists(
        st.tuples(st.floats(min_value=5, max_value=95), st.integers(min_value=0, max_value=400)),
        max_size=4,
    ),
    cycle=st.integers(min_value=1, max_value=14),
    level=st.sampled_from([3.6, 3.0, 2.4]),
)  # fmt: skip
def test_ebc_never_holds_reduces_or_stops(values, lvefs, cycle, level) -> None:
    results = [
        LabResult(test, value, None if test == "platelets" else 1.0,
                  START - timedelta(hours=hours))
        for test, value, hours in values
    ]  # fmt: skip
    scans = [LvefResult(p, START - timedelta(days=d)) for p, d in lvefs]
    readiness = assess(facts(setting="EBC", cycle=cycle, dose_level=level, base_level=level),
                       results, scans)  # fmt: skip
    assert readiness.verdict in (Verdict.READY, Verdict.MISSING, Verdict.REVIEW)
    assert readiness.proposed_mg_per_kg is None
    assert readiness.reasons[0].rule == "ebc-table-unverified"


# --- input checks -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("test", "value", "uln", "field"),
    [
        ("ggt", 1, 1, "test"),
        ("ast", -1, 40, "value"),
        ("ast", 0, 40, "value"),
        ("ast", "abc", 40, "value"),
        ("ast", "nan", 40, "value"),
        ("ast", 30, None, "uln"),
        ("ast", 30, 0, "uln"),
        ("platelets", 45, None, "value"),
        ("platelets", 45000, 10, "uln"),
    ],
)
def test_bad_lab_values_name_their_field(test, value, uln, field) -> None:
    with pytest.raises(DomainError) as refused:
        check_lab(test, value, uln)
    assert refused.value.field == field


@pytest.mark.parametrize(("percent", "ok"), [(4.9, False), (5, True), (95, True), (95.1, False)])
def test_lvef_percent_bounds(percent, ok) -> None:
    if ok:
        assert check_lvef(percent, "MUGA") == (float(percent), "muga")
    else:
        with pytest.raises(DomainError, match="percent"):
            check_lvef(percent, "echo")
