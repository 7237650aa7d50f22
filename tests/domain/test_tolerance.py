"""The tolerance rule (tdm1_scheduler.domain.tolerance): how long the next infusion runs.

[label] "administer the infusion at the dose and rate the patient tolerated in the most
recent infusion"; later infusions run over 30 min only "if prior infusions were well
tolerated". A rate is not the minutes infused:
- completed (slowed or not) over N min: the next keeps N;
- stopped before complete (a partial dose): the next keeps at least its planned minutes;
- never shorter than 30 min; never shorter than 90 while none was yet tolerated;
- interrupted, resumed and completed: completed over its total minutes;
  interrupted and never resumed: stopped.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from dateutil import tz
from hypothesis import given, settings, strategies as st

from tdm1_scheduler.domain.errors import DomainError
from tdm1_scheduler.domain.regimen import ChairTime, chair_time_for_next
from tdm1_scheduler.domain.regimens import TDM1
from tdm1_scheduler.domain.timers import Visit
from tdm1_scheduler.domain.tolerance import (
    InfusionOutcome,
    ended_outcome,
    next_infusion_min,
    recorded_outcome,
    usual_infusion_min,
    visit_outcome,
)

NY = tz.gettz("America/New_York")
START = datetime(2026, 6, 15, 9, 0, tzinfo=NY)  # chair booking; infusion at 09:15
INFUSION_START = START + timedelta(minutes=15)


def tolerated(minutes: int) -> InfusionOutcome:
    return InfusionOutcome(minutes, True, planned_min=minutes)


def completed(minutes: int, planned: int) -> InfusionOutcome:
    """Completed with a reaction (or slowed): not well tolerated."""
    return InfusionOutcome(minutes, False, planned_min=planned)


def stopped(minutes: int, planned: int) -> InfusionOutcome:
    return InfusionOutcome(minutes, False, planned_min=planned, completed=False)


# --- the rule, as a table ------------------------------------------------------------
STOPPED_CASES = [
    # (history before, stopped after, planned) -> next
    *[([], m, 90, 90) for m in (2, 10, 40)],  # a stopped first infusion: 90 again
    *[([tolerated(90)], m, 30, 30) for m in (2, 10)],  # after a tolerated first: 30
    ([tolerated(90)], 40, 30, 40),  # slowed, then stopped at 40: at least 40
    *[([completed(120, 30)], m, 120, 120) for m in (2, 10, 40)],  # planned 120 kept
]


@pytest.mark.parametrize(("before", "minutes", "planned", "expected"), STOPPED_CASES)
def test_a_stopped_infusion_books_the_next_at_no_less_than_its_planned_minutes(
    before: list[InfusionOutcome], minutes: int, planned: int, expected: int
) -> None:
    history = [*before, stopped(minutes, planned)]
    assert next_infusion_min(history) == expected
    assert next_infusion_min(history) >= planned


@pytest.mark.parametrize("minutes", [45, 60, 120])
def test_a_completed_slowed_infusion_books_the_next_at_its_minutes(minutes: int) -> None:
    assert next_infusion_min([tolerated(90), completed(minutes, 30)]) == minutes
    # and every one after keeps it while nothing shortens it
    history = [tolerated(90), completed(minutes, 30), tolerated(minutes)]
    assert next_infusion_min(history) == minutes


@pytest.mark.parametrize(
    ("history", "expected"),
    [
        ([tolerated(90), completed(20, 30)], 30),  # a completed 20-min infusion: 30
        ([tolerated(90), InfusionOutcome(2, False)], 30),  # an old row's 2 min: 30
        ([tolerated(90), tolerated(30), stopped(1, 30)], 30),
    ],
)
def test_never_shorter_than_30_minutes(history: list[InfusionOutcome], expected: int) -> None:
    assert next_infusion_min(history) == expected


@pytest.mark.parametrize(
    ("history", "expected"),
    [
        ([], 90),
        ([completed(45, 90)], 90),  # a reaction, completed in 45 min: none tolerated yet
        ([InfusionOutcome(2, False)], 90),  # an old row's 2 min: none tolerated yet
        ([stopped(10, 90), stopped(5, 90)], 90),
        ([completed(120, 90)], 120),  # slowed beyond 90: kept
        ([completed(45, 90), tolerated(90)], 90),  # tolerated at 90 after the reaction
    ],
)
def test_never_shorter_than_90_minutes_before_any_tolerated(
    history: list[InfusionOutcome], expected: int
) -> None:
    assert next_infusion_min(history) == expected


def test_tolerated_infusions_go_to_30_minutes() -> None:
    assert next_infusion_min([tolerated(90)]) == 30
    assert next_infusion_min([tolerated(90), tolerated(30), tolerated(30)]) == 30


def test_the_chair_time_uses_the_rule() -> None:
    assert chair_time_for_next([stopped(10, 90)]) == ChairTime(15, 90, 30)
    assert chair_time_for_next([tolerated(90), stopped(2, 30)], 20) == ChairTime(20, 30, 30)


def test_a_stopped_outcome_names_its_planned_minutes_and_was_not_tolerated() -> None:
    with pytest.raises(DomainError) as refused:
        InfusionOutcome(10, False, completed=False)
    assert refused.value.field == "planned_min"
    with pytest.raises(DomainError) as refused:
        InfusionOutcome(10, True, planned_min=30, completed=False)
    assert refused.value.field == "tolerated"


# --- the CLI face: an outcome from what was entered ----------------------------------
def test_recorded_completed_under_30_minutes_is_refused() -> None:
    for minutes in (1, 12, 29):
        with pytest.raises(DomainError) as refused:
            recorded_outcome(planned_min=30, infusion_min=minutes, completed=True, reaction=False)
        assert refused.value.field == "infusion_min"
    ok = recorded_outcome(planned_min=30, infusion_min=30, completed=True, reaction=False)
    assert ok == InfusionOutcome(30, True, planned_min=30)


def test_recorded_stopped_keeps_its_minutes_and_planned_minutes() -> None:
    outcome = recorded_outcome(planned_min=90, infusion_min=12, completed=False, reaction=True)
    assert outcome == InfusionOutcome(12, False, planned_min=90, completed=False)
    # without minutes a stopped infusion is taken to have run its planned length
    unknown = recorded_outcome(planned_min=90, infusion_min=None, completed=False, reaction=True)
    assert unknown.infusion_min == 90 and not unknown.completed


@pytest.mark.parametrize(
    ("minutes", "reaction", "tolerated_expected"),
    [(30, False, True), (30, True, False), (120, False, False), (None, False, True)],
)
def test_recorded_completed_tolerance(
    minutes: int | None, reaction: bool, tolerated_expected: bool
) -> None:
    outcome = recorded_outcome(
        planned_min=30, infusion_min=minutes, completed=True, reaction=reaction
    )
    assert outcome.tolerated is tolerated_expected and outcome.completed


def test_recorded_minutes_out_of_range_are_refused() -> None:
    for minutes in (0, -3, 601):
        with pytest.raises(DomainError, match="infusion_min"):
            recorded_outcome(planned_min=30, infusion_min=minutes, completed=False, reaction=True)


# --- the nurse face: an outcome from the timed visit ---------------------------------
def running(planned: int = 90, **recorded: object) -> Visit:
    return Visit(START, 15, planned, 90, infusion_started_at=INFUSION_START, **recorded)  # type: ignore[arg-type]


def test_interrupted_resumed_and_completed_counts_as_completed_over_its_total_minutes() -> None:
    visit = running(paused_seconds=20 * 60, pause_count=1)  # a 20-min pause, resumed
    end = INFUSION_START + timedelta(minutes=110)
    ended, outcome = ended_outcome(visit, end, stopped=False)
    assert ended.infusion_ended_at == end
    assert outcome == InfusionOutcome(110, False, planned_min=90, completed=True)
    assert next_infusion_min([outcome]) == 110


def test_interrupted_and_never_resumed_counts_as_stopped() -> None:
    paused_at = INFUSION_START + timedelta(minutes=10)
    visit = running(paused_at=paused_at, pause_count=1)
    end = paused_at + timedelta(minutes=15)
    ended, outcome = ended_outcome(visit, end, stopped=False)  # the nurse did not say
    assert ended.paused_at is None and ended.paused_seconds == 15 * 60
    assert outcome == InfusionOutcome(25, False, planned_min=90, completed=False)
    assert next_infusion_min([outcome]) == 90


@pytest.mark.parametrize(("minutes", "stop", "expected_next"), [(10, True, 90), (40, True, 90)])
def test_ended_early_as_stopped_keeps_the_planned_minutes(
    minutes: int, stop: bool, expected_next: int
) -> None:
    _ended, outcome = ended_outcome(
        running(), INFUSION_START + timedelta(minutes=minutes), stopped=stop
    )
    assert (outcome.infusion_min, outcome.completed, outcome.tolerated) == (minutes, False, False)
    assert next_infusion_min([outcome]) == expected_next


def test_ended_early_as_completed_is_completed() -> None:
    _ended, outcome = ended_outcome(
        running(planned=30), INFUSION_START + timedelta(minutes=28), stopped=False
    )
    assert outcome == InfusionOutcome(28, True, planned_min=30, completed=True)
    assert next_infusion_min([tolerated(90), outcome]) == 30


def test_a_reaction_after_the_end_keeps_how_the_infusion_ended() -> None:
    ended = running(infusion_ended_at=INFUSION_START + timedelta(minutes=90), reaction_grade=2)
    outcome = visit_outcome(ended, completed=True)
    assert outcome == InfusionOutcome(90, False, planned_min=90, completed=True)
    assert not visit_outcome(ended, completed=False).completed
    with pytest.raises(DomainError):
        visit_outcome(running(), completed=True)  # not ended yet
    with pytest.raises(DomainError):
        ended_outcome(replace(ended, reaction_grade=None), ended.infusion_ended_at, stopped=False)  # type: ignore[arg-type]


# --- properties ------------------------------------------------------------------------
@st.composite
def planned_histories(draw: st.DrawFn) -> list[InfusionOutcome]:
    """A course as the planner books it: each infusion is planned by the rule from the
    ones before, then tolerated, completed at another length (a reaction or slowed), or
    stopped at any minute."""
    history: list[InfusionOutcome] = []
    for _ in range(draw(st.integers(0, 10))):
        planned = next_infusion_min(history)
        kind = draw(st.sampled_from(["tolerated", "completed", "stopped"]))
        if kind == "tolerated":
            history.append(InfusionOutcome(planned, True, planned_min=planned))
        elif kind == "completed":
            history.append(completed(draw(st.integers(1, 400)), planned))
        else:
            history.append(stopped(draw(st.integers(1, 400)), planned))
    return history


@settings(max_examples=300, deadline=None)
@given(planned_histories())
def test_next_is_never_shorter_than_the_last_tolerated_rate_nor_30(
    history: list[InfusionOutcome],
) -> None:
    nxt = next_infusion_min(history)
    assert nxt >= 30
    if not any(outcome.tolerated for outcome in history):
        assert nxt >= 90
    if all(outcome.tolerated for outcome in history):
        assert nxt == (30 if history else 90)
        return
    # From the first reaction on, the rate the patient last took a full dose at: the next
    # is never faster (before it, every infusion was well tolerated at the label's pace).
    first_reaction = next(i for i, o in enumerate(history) if not o.tolerated)
    full_doses = [o for o in history[first_reaction:] if o.completed]
    if full_doses:
        assert nxt >= full_doses[-1].infusion_min
    last = history[-1]
    if not last.completed:
        assert last.planned_min is not None and nxt >= last.planned_min
    else:
        assert nxt == max(last.infusion_min, 30 if any(o.tolerated for o in history) else 90)
    assert chair_time_for_next(history).infusion_min == nxt


def test_the_usual_minutes_of_a_cycle_follow_the_tolerance_rule() -> None:
    """[label] the first infusion over 90 min, later ones over 30 when earlier ones were
    well tolerated: what the nurse board compares a booking with (prolonged_min)."""
    assert usual_infusion_min(1) == TDM1.first_infusion_min == 90
    assert usual_infusion_min(2) == usual_infusion_min(14) == TDM1.later_infusion_min == 30
