"""text.cycle_label: the one formatter of a cycle's number and its course's length, in
each of the forms the app wrote by hand before (nurse tile, day sheet, card, calendar);
text.hours_text for the stability windows."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tdm1_scheduler.domain.regimen import Setting, total_cycles
from tdm1_scheduler.domain.regimens import TDM1
from tdm1_scheduler.text import cycle_label, hours_text


@pytest.mark.parametrize(
    ("cycle", "total", "options", "expected"),
    [
        (3, 14, {}, "cycle 3/14"),  # nurse tile, EBC
        (3, None, {}, "cycle 3"),  # nurse tile, MBC
        (7, 14, {"word": ""}, "7/14"),  # day sheet and planner cell
        (7, None, {"word": ""}, "7"),
        (3, 14, {"of": " of "}, "cycle 3 of 14"),  # calendar and FHIR entries
        (3, None, {"of": " of "}, "cycle 3"),
        (3, 14, {"word": "", "of": " of "}, "3 of 14"),  # appointment card
        (3, None, {"word": "", "of": " of "}, "3"),
        (14, 14, {}, "cycle 14/14"),
        (3, 0, {}, "cycle 3"),  # no fixed length however it is said
    ],
)
def test_cycle_label_forms(
    cycle: int, total: int | None, options: dict[str, str], expected: str
) -> None:
    assert cycle_label(cycle, total, **options) == expected


def test_cycle_label_reads_the_course_length_from_the_regimen() -> None:
    assert cycle_label(2, total_cycles(Setting.EBC)) == "cycle 2/14"
    assert cycle_label(2, total_cycles(Setting.MBC)) == "cycle 2"


def test_hours_text() -> None:
    assert hours_text(TDM1.vial_hold) == "24 h"  # [label] reconstituted vial, 2-8 °C
    assert hours_text(TDM1.bag_hold) == "24 h"  # [label] diluted bag
    assert hours_text(timedelta(hours=4)) == "4 h"  # the 2013 label's window
    assert hours_text(timedelta(minutes=90)) == "1.5 h"
