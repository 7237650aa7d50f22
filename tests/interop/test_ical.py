"""The patient's calendar: parses with icalendar, times and UIDs as the course has them."""

from __future__ import annotations

from datetime import datetime, timedelta

from icalendar import Calendar

from tdm1_scheduler.cli.course_json import course_json
from tdm1_scheduler.interop.ical import build_calendar
from tdm1_scheduler.services import courses, queries
from tdm1_scheduler.services.context import Context
from tdm1_scheduler.services.exchange import patient_calendar

from .conftest import local


def ics(ctx: Context, mrn: str = "A1", include_past: bool = False) -> Calendar:
    data = build_calendar(
        patient_calendar(ctx.store, mrn), ctx.clock.now(), include_past=include_past
    )
    assert data.startswith(b"BEGIN:VCALENDAR\r\n")
    return Calendar.from_ical(data)


def events(calendar: Calendar) -> list:
    return list(calendar.walk("VEVENT"))


def by_summary_cycle(calendar: Calendar) -> dict[int, object]:
    found = {}
    for event in events(calendar):
        summary = str(event["SUMMARY"])
        cycle = int(summary.split("cycle ")[1].split()[0])
        found[cycle] = event
    return found


def test_each_booked_visit_starts_when_the_course_says(ctx):
    view = course_json(queries.course_view(ctx.store, "A1"))
    booked = {c["cycle"]: c for c in view["cycles"] if c["status"] == "booked"}
    found = by_summary_cycle(ics(ctx))
    assert set(found) == set(booked) and len(booked) == 13  # cycle 1 was given: left out
    for cycle, event in found.items():
        assert event.decoded("DTSTART") == datetime.fromisoformat(booked[cycle]["start"])
        assert event.decoded("DTEND") == datetime.fromisoformat(booked[cycle]["end"])
        assert "ado-trastuzumab emtansine (KADCYLA)" in str(event["SUMMARY"])
        assert f"cycle {cycle} of 14" in str(event["SUMMARY"])
        assert str(event["LOCATION"]) == "Riverside Infusion"
        assert str(event["STATUS"]) == "CONFIRMED"


def test_description_gives_arrival_and_how_long(ctx):
    cycle2 = by_summary_cycle(ics(ctx))[2]
    text = str(cycle2["DESCRIPTION"])
    assert "Arrive at 09:00, 15 min before the infusion starts at 09:15" in text
    assert "Plan for 1 h after that: a 30-min infusion and 30 min of observation" in text


def test_include_past_adds_the_given_visit(ctx):
    found = by_summary_cycle(ics(ctx, include_past=True))
    assert 1 in found and len(found) == 14


def test_uid_stays_and_sequence_rises_across_a_move(ctx):
    before = by_summary_cycle(ics(ctx))
    courses.move_appointment(ctx, mrn="A1", cycle=2, to=local("2026-03-24T13:00"), chair="Chair 2")
    after = by_summary_cycle(ics(ctx))
    assert after[2]["UID"] == before[2]["UID"]
    assert int(after[2]["SEQUENCE"]) > int(before[2]["SEQUENCE"])
    assert after[2].decoded("DTSTART") == local("2026-03-24T13:00")
    # the later cycles moved with it: their SEQUENCE rose too, their UID did not change
    assert after[3]["UID"] == before[3]["UID"]
    assert int(after[3]["SEQUENCE"]) > int(before[3]["SEQUENCE"])
    uids = [str(e["UID"]) for e in after.values()]
    assert len(set(uids)) == len(uids)


def test_a_missed_and_rebooked_visit_keeps_its_uid(ctx):
    before = by_summary_cycle(ics(ctx))
    ctx.clock.current = local("2026-03-23T12:00")  # cycle 2 was 09:00 that morning
    courses.mark_dose_missed(ctx, mrn="A1", cycle=2)
    after = by_summary_cycle(ics(ctx))
    assert after[2]["UID"] == before[2]["UID"]
    assert int(after[2]["SEQUENCE"]) > int(before[2]["SEQUENCE"])
    assert after[2].decoded("DTSTART") >= local("2026-03-23T12:00")
    assert after[2].decoded("DTSTART") != before[2].decoded("DTSTART")


def test_dst_uses_the_clinic_tzid_and_a_vtimezone(ctx):
    calendar = ics(ctx)
    zones = list(calendar.walk("VTIMEZONE"))
    assert [str(z["TZID"]) for z in zones] == ["America/New_York"]
    found = by_summary_cycle(calendar)
    # cycle 2 (2026-03-23) is after DST began on 03-08: still 09:00 wall time, UTC-4
    start = found[2]["DTSTART"]
    assert start.params["TZID"] == "America/New_York"
    assert start.to_ical() == b"20260323T090000"
    assert found[2].decoded("DTSTART").utcoffset() == timedelta(hours=-4)
    # the standard/daylight rules of the VTIMEZONE are both present
    assert {c.name for c in zones[0].subcomponents} == {"STANDARD", "DAYLIGHT"}
    # a visit in November, after DST ends, is 09:00 at UTC-5
    november = [e for e in found.values() if e.decoded("DTSTART").month == 11]
    assert november
    assert all(e.decoded("DTSTART").utcoffset() == timedelta(hours=-5) for e in november)
    assert all(e["DTSTART"].to_ical().endswith(b"T090000") for e in found.values())


def test_a_stopped_course_gives_cancelled_events(ctx):
    before = by_summary_cycle(ics(ctx))
    courses.stop_course(ctx, mrn="A1", reason="progression")
    after = by_summary_cycle(ics(ctx))
    assert set(after) == set(before)
    for cycle, event in after.items():
        assert str(event["STATUS"]) == "CANCELLED"
        assert event["UID"] == before[cycle]["UID"]
        assert int(event["SEQUENCE"]) > int(before[cycle]["SEQUENCE"])


def test_dtstamp_is_the_clock_and_output_is_stable(ctx):
    data = patient_calendar(ctx.store, "A1")
    first = build_calendar(data, ctx.clock.now())
    assert first == build_calendar(patient_calendar(ctx.store, "A1"), ctx.clock.now())
    stamp = events(Calendar.from_ical(first))[0].decoded("DTSTAMP")
    assert stamp == ctx.clock.now()
