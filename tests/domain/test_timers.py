"""Phases and countdowns of a chair visit, computed from stored instants at chosen times."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from dateutil import tz
from hypothesis import given, strategies as st

from tdm1_scheduler.domain.errors import DomainError
from tdm1_scheduler.domain.timers import (
    AlertKind,
    Phase,
    Visit,
    alerts_due,
    countdown_at,
    format_acknowledged,
    format_countdown,
    format_duration,
    infusion_due_at,
    infusion_minutes,
    parse_acknowledged,
    phase_of,
    tolerated,
)

NY = tz.gettz("America/New_York")
START = datetime(2026, 6, 15, 9, 0, tzinfo=NY)  # chair booking; infusion at 09:15


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def first_visit(**recorded: object) -> Visit:
    """A first infusion: 15 prep + 90 infusion + 90 observation."""
    return Visit(START, 15, 90, 90, **recorded)  # type: ignore[arg-type]


def test_expected_counts_down_to_the_booked_infusion_start_then_up_when_late() -> None:
    visit = first_visit()
    assert phase_of(visit) is Phase.EXPECTED
    early = countdown_at(visit, START)
    assert early.remaining == minutes(15) and not early.is_overrun
    assert format_countdown(early) == "15:00"
    late = countdown_at(visit, START + minutes(20))
    assert late.overrun == minutes(5) and late.remaining == timedelta(0)
    assert format_countdown(late) == "+05:00"


def test_a_whole_visit_phase_by_phase() -> None:
    """Each phase comes from the actions recorded so far (issue 12: the clock never moves
    a visit on; this test used to read later phases off one record at later times)."""
    started = START + minutes(17)
    ended = started + minutes(93)
    arrived = first_visit(arrived_at=START + minutes(2))
    assert phase_of(first_visit()) is Phase.EXPECTED
    assert phase_of(arrived) is Phase.PREP
    infusing_visit = replace(arrived, infusion_started_at=started)
    assert phase_of(infusing_visit) is Phase.INFUSING
    infusing = countdown_at(infusing_visit, started + minutes(60))
    assert infusing.ends_at == started + minutes(90)
    assert infusing.remaining == minutes(30)
    observing_visit = replace(infusing_visit, infusion_ended_at=ended)
    assert phase_of(observing_visit) is Phase.OBSERVING
    # The minimum observation counts from the real end, not the planned one.
    observing = countdown_at(observing_visit, ended + minutes(60))
    assert observing.remaining == minutes(30)
    assert countdown_at(observing_visit, ended + minutes(90)).phase is Phase.OBSERVING
    over = replace(observing_visit, observation_ended_at=ended + minutes(90))
    assert phase_of(over) is Phase.READY
    assert phase_of(replace(over, discharged_at=ended + minutes(100))) is Phase.DONE


def test_infusion_overrun_counts_up_past_the_planned_end() -> None:
    started = START + minutes(15)
    visit = first_visit(arrived_at=START, infusion_started_at=started)
    for extra in (1, 7, 61):
        countdown = countdown_at(visit, started + minutes(90 + extra))
        assert countdown.phase is Phase.INFUSING
        assert countdown.overrun == minutes(extra)
    assert format_countdown(countdown_at(visit, started + minutes(151))) == "+1:01:00"


def test_a_pause_extends_the_infusion_by_its_length() -> None:
    started = START + minutes(15)
    paused_at = started + minutes(20)
    paused = first_visit(infusion_started_at=started, paused_at=paused_at, pause_count=1)
    # While paused, the remaining time is frozen at what was left when it paused.
    for later in (0, 5, 40):
        countdown = countdown_at(paused, paused_at + minutes(later))
        assert countdown.phase is Phase.PAUSED
        assert countdown.remaining == minutes(70)
        assert not countdown.is_overrun
    assert infusion_due_at(paused, paused_at + minutes(12)) == started + minutes(102)
    # Resumed after 12 min: the end moved 12 min later.
    resumed = replace(paused, paused_at=None, paused_seconds=12 * 60)
    at = paused_at + minutes(12)
    countdown = countdown_at(resumed, at)
    assert countdown.phase is Phase.INFUSING
    assert countdown.remaining == minutes(70)
    assert countdown.ends_at == started + minutes(102)


def test_an_alert_fires_at_the_infusion_end_and_not_before_nor_after_acknowledgement() -> None:
    started = START + minutes(15)
    visit = first_visit(infusion_started_at=started)
    due = started + minutes(90)
    assert alerts_due(visit, due - timedelta(seconds=1), frozenset()) == []
    fired = alerts_due(visit, due, frozenset())
    assert [(a.kind, a.due_at) for a in fired] == [(AlertKind.INFUSION_END, due)]
    assert alerts_due(visit, due + minutes(5), frozenset({AlertKind.INFUSION_END})) == []
    # Once the infusion ended, the infusion alert is moot.
    ended = replace(visit, infusion_ended_at=due + minutes(2))
    assert alerts_due(ended, due + minutes(3), frozenset()) == []


def test_observation_complete_alert_at_the_minimum_after_the_real_end() -> None:
    started = START + minutes(15)
    ended = started + minutes(100)
    visit = first_visit(infusion_started_at=started, infusion_ended_at=ended)
    complete = ended + minutes(90)
    assert alerts_due(visit, complete - timedelta(seconds=1), frozenset()) == []
    assert [a.kind for a in alerts_due(visit, complete, frozenset())] == [
        AlertKind.OBSERVATION_COMPLETE
    ]
    acked = frozenset({AlertKind.OBSERVATION_COMPLETE})
    assert alerts_due(visit, complete + minutes(30), acked) == []
    discharged = replace(visit, observation_ended_at=complete, discharged_at=complete)
    assert alerts_due(discharged, complete + minutes(1), frozenset()) == []


def test_real_length_and_tolerance() -> None:
    started = START + minutes(15)
    later = Visit(START, 15, 30, 30, infusion_started_at=started)
    on_time = replace(later, infusion_ended_at=started + minutes(30))
    assert infusion_minutes(on_time) == 30 and tolerated(on_time)
    slowed = replace(
        later,
        infusion_ended_at=started
        + minutes(
            45,
        )
        + timedelta(seconds=10),
    )
    assert infusion_minutes(slowed) == 46 and not tolerated(slowed)
    interrupted = replace(on_time, pause_count=1)
    assert not tolerated(interrupted)
    reaction = replace(on_time, reaction_grade=1)
    assert not tolerated(reaction)
    assert infusion_minutes(later) is None


def test_countdowns_use_elapsed_time_across_a_dst_change() -> None:
    # 2026-11-01 01:30 EDT -> 01:00 EST: one wall-clock hour happens twice.
    start = datetime(2026, 11, 1, 5, 0, tzinfo=UTC)  # 01:00 EDT
    visit = Visit(start, 0, 90, 30, infusion_started_at=start)
    assert countdown_at(visit, datetime(2026, 11, 1, 6, 0, tzinfo=UTC)).remaining == minutes(30)


def test_impossible_records_are_refused() -> None:
    with pytest.raises(DomainError, match="paused_at"):
        first_visit(paused_at=START)
    with pytest.raises(DomainError, match="reaction_grade"):
        first_visit(reaction_grade=5)
    with pytest.raises(DomainError, match="infusion_ended_at"):
        first_visit(infusion_ended_at=START)
    with pytest.raises(DomainError, match="now"):
        countdown_at(first_visit(), datetime(2026, 6, 15, 9, 0))


def test_acknowledged_round_trip_ignores_unknown_names() -> None:
    kinds = frozenset(AlertKind)
    assert parse_acknowledged(format_acknowledged(kinds)) == kinds
    assert parse_acknowledged("bogus,infusion_end") == {AlertKind.INFUSION_END}
    assert parse_acknowledged(None) == frozenset()


@given(st.integers(min_value=0, max_value=3 * 3600), st.integers(min_value=0, max_value=7200))
def test_remaining_plus_elapsed_is_the_planned_length_plus_pauses(
    elapsed_s: int, pause_s: int
) -> None:
    started = START + minutes(15)
    visit = Visit(START, 15, 90, 90, infusion_started_at=started, paused_seconds=pause_s)
    countdown = countdown_at(visit, started + timedelta(seconds=elapsed_s))
    total = timedelta(seconds=elapsed_s) + countdown.remaining - countdown.overrun
    assert total == minutes(90) + timedelta(seconds=pause_s)


def test_format_duration() -> None:
    assert format_duration(timedelta(seconds=59.9)) == "00:59"
    assert format_duration(timedelta(hours=2, seconds=5)) == "2:00:05"
    assert format_duration(timedelta(seconds=-3)) == "00:00"
