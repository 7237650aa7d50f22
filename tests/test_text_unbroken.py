"""A value and its unit never break across lines on a tile (at 1366x768 the countdown
read "Infusion starts in 2 h / 00 min" and platelets "40,000/ / mm³")."""

from __future__ import annotations

from hypothesis import given, strategies as st

from tdm1_scheduler.text import plain, unbroken

NBSP, JOINER = "\u00a0", "\u2060"


def test_numbers_keep_their_units_and_hours_their_minutes() -> None:
    wanted = f"Infusion starts in 2{NBSP}h{NBSP}00{NBSP}min"
    assert unbroken("Infusion starts in 2 h 00 min") == wanted
    assert unbroken("Observation ends in 30 min") == f"Observation ends in 30{NBSP}min"
    assert unbroken("HOLD: platelets 40,000/mm³") == f"HOLD: platelets 40,000/{JOINER}mm³"
    assert unbroken("ends in 8 minutes at 10:45") == "ends in 8 minutes at 10:45"  # words stay


@given(st.text(alphabet="0123456789 hmins/mm³:,abc", max_size=40))
def test_plain_undoes_unbroken(text: str) -> None:
    assert plain(unbroken(text)) == text
