"""A visit's phase moves only by a recorded action; the clock only adds flags."""

from __future__ import annotations

from datetime import datetime, timedelta

from dateutil import tz
from hypothesis import given, strategies as st

from tdm1_scheduler.domain.timers import (
    AlertKind,
    Phase,
    Visit,
    VisitFlag,
    alerts_due,
    countdown_at,
    flags_at,
    phase_of,
)

NY = tz.gettz("America/New_York")
START = datetime(2026, 12, 1, 9, 0, tzinfo=NY)  # chair booking; infusion at 09:15


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def visit_after(steps: int, offset_min: int = 0) -> Visit:
    """A first infusion with its first ``steps`` actions recorded (0-5), each at its
    planned time shifted by ``offset_min``: arrived, started, ended, observation ended,
    discharged."""
    at = [START, START + minutes(15), START + minutes(105), START + minutes(195)]
    at = [instant + minutes(offset_min) for instant in at]
    names = ["arrived_at", "infusion_started_at", "infusion_ended_at", "observation_ended_at"]
    recorded: dict[str, datetime] = dict(zip(names[:steps], at[:steps], strict=False))
    if steps >= 5:
        recorded["discharged_at"] = at[3]
    return Visit(START, 15, 90, 90, **recorded)  # type: ignore[arg-type]


def test_an_infusion_past_its_planned_end_stays_infusing_with_a_flag() -> None:
    visit = visit_after(2)
    end = START + minutes(105)
    assert phase_of(visit) is Phase.INFUSING
    assert flags_at(visit, end - timedelta(seconds=1)) == ()
    assert flags_at(visit, end) == (VisitFlag.INFUSION_DUE,)
    later = countdown_at(visit, end + minutes(300))
    assert later.phase is Phase.INFUSING and later.overrun == minutes(300)


def test_observation_past_the_minimum_stays_observing_ready_to_leave() -> None:
    visit = visit_after(3)
    due = START + minutes(195)
    assert phase_of(visit) is Phase.OBSERVING
    assert flags_at(visit, due - timedelta(seconds=1)) == ()
    assert flags_at(visit, due) == (VisitFlag.READY_TO_LEAVE,)
    past = countdown_at(visit, due + minutes(600))
    assert past.phase is Phase.OBSERVING and not past.is_overrun
    kinds = [a.kind for a in alerts_due(visit, due, frozenset())]
    assert kinds == [AlertKind.OBSERVATION_COMPLETE]


def test_not_arrived_after_the_booked_start_is_late() -> None:
    visit = visit_after(0)
    assert flags_at(visit, START) == ()
    assert flags_at(visit, START + timedelta(seconds=1)) == (VisitFlag.LATE,)
    assert phase_of(visit) is Phase.EXPECTED
    assert flags_at(visit_after(1), START + minutes(60)) == ()  # arrived: not late


def test_ending_the_observation_is_a_recorded_action() -> None:
    assert phase_of(visit_after(4)) is Phase.READY
    assert Phase.READY.value == "observation ended"  # a flag says "ready to leave"
    assert phase_of(visit_after(5)) is Phase.DONE


@given(
    steps=st.integers(min_value=0, max_value=5),
    offset_min=st.integers(min_value=-600, max_value=600),
    first_min=st.integers(min_value=-24 * 60, max_value=24 * 60),
    later_min=st.integers(min_value=0, max_value=3 * 24 * 60),
)
def test_the_phase_never_changes_as_time_passes_without_an_action(
    steps: int, offset_min: int, first_min: int, later_min: int
) -> None:
    visit = visit_after(steps, offset_min)
    first = START + minutes(first_min)
    second = first + minutes(later_min)
    assert countdown_at(visit, first).phase is countdown_at(visit, second).phase
    assert countdown_at(visit, second).phase is phase_of(visit)
    # A flag is only ever one of the phase's own: it never stands for another phase.
    allowed = {
        Phase.EXPECTED: {VisitFlag.LATE},
        Phase.INFUSING: {VisitFlag.INFUSION_DUE},
        Phase.OBSERVING: {VisitFlag.READY_TO_LEAVE},
        Phase.READY: {VisitFlag.READY_TO_LEAVE},
    }.get(phase_of(visit), set())
    assert set(flags_at(visit, second)) <= allowed
