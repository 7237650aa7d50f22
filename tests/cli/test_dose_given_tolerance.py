"""``dose given`` and the tolerance rule: ``--stopped``, the 30-minute floor for a
completed infusion, and a grade 4 reaction that ends the course (see conftest's clinic:
A1 on EBC in Chair 1, cycle 1 given 2026-03-02 09:15, cycle 2 booked 2026-03-23 09:00)."""

from __future__ import annotations

import json

from .targets import dump as tables  # every table, row for row (the audit log included)

GIVE_2 = ("dose", "given", "--mrn", "A1", "--cycle", "2", "--at", "2026-03-23T09:15")


def course(cli) -> dict:
    result = cli("course", "show", "--mrn", "A1", "--json")
    assert result.code == 0, result.err
    return json.loads(result.out)


def booked_minutes(cli) -> list[int]:
    return [c["infusion_min"] for c in course(cli)["cycles"] if c["status"] == "booked"]


def test_stopped_books_the_rest_at_no_less_than_the_planned_minutes(cli, clinic):
    # Cycle 2 is planned 30 min after a tolerated first infusion; first slow it to 120.
    slowed = cli(*GIVE_2, "--infusion-min", "120", "--reaction")
    assert slowed.code == 0, slowed.err
    assert booked_minutes(cli) == [120] * 12
    stopped = cli("dose", "given", "--mrn", "A1", "--cycle", "3", "--at", "2026-04-13T09:15",
                  "--infusion-min", "10", "--stopped", "--reaction-grade", "2")  # fmt: skip
    assert stopped.code == 0, stopped.err
    assert booked_minutes(cli) == [120] * 11  # not 10


def test_stopped_without_minutes_is_accepted(cli, clinic):
    result = cli(*GIVE_2, "--stopped", "--reaction")
    assert result.code == 0, result.err
    assert booked_minutes(cli) == [30] * 12


def test_a_completed_infusion_under_30_minutes_is_refused_naming_infusion_min(cli, clinic):
    before = tables(clinic)
    result = cli(*GIVE_2, "--infusion-min", "12", "--reaction")
    assert result.code == 2
    assert result.out == ""
    lines = result.err.splitlines()
    assert len(lines) == 1 and "infusion-min" in lines[0] and "--stopped" in lines[0]
    assert tables(clinic) == before
    # the same minutes as a stopped infusion are accepted
    assert cli(*GIVE_2, "--infusion-min", "12", "--stopped", "--reaction").code == 0


def test_grade_4_records_the_dose_stops_the_course_and_prints_what_was_cancelled(cli, clinic):
    result = cli(*GIVE_2, "--infusion-min", "8", "--stopped", "--reaction-grade", "4")
    assert result.code == 0, result.err
    assert "12 future booking(s) cancelled" in result.out
    assert "cycle 3" in result.out and "2026-04-13" in result.out
    assert "cycle 14" in result.out
    view = course(cli)
    assert view["status"] == "stopped"
    assert [c["status"] for c in view["cycles"][:2]] == ["given", "given"]
    assert {c["status"] for c in view["cycles"][2:]} == {"cancelled"}
    before = tables(clinic)
    again = cli("dose", "given", "--mrn", "A1", "--cycle", "3", "--at", "2026-04-13T09:15")
    assert again.code == 2
    assert len(again.err.splitlines()) == 1 and "stopped" in again.err
    assert tables(clinic) == before
