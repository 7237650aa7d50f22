"""The scheduler's journey: a new patient, a course booked in the patients panel, a block
dragged on the planner, undo and redo with the keys, a dose marked missed, a drop into
the past declined, a move again.

Every step is a real mouse or key event on the main window; after each one the
patient's appointments are read from the database and compared with the whole expected
table: (cycle, chair, start, end, status), missed appointments included.

Moves within a day are drags on the day grid; moves to another day are drags on the
planner's week (Ctrl+2).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt

from .conftest import (
    OFFSCREEN_NOISE,
    TUESDAY,
    Appointment,
    Clinic,
    appointments,
    click,
    course_dates,
    course_state,
    dump,
    local,
    patient,
    press,
)
from .gui_steps import (
    CTRL,
    CTRL_SHIFT,
    add_patient,
    answer_next_box,
    block_of,
    book_course,
    drag,
    mark_missed,
    planner_of,
    show_day,
    week_block,
    week_drag,
    week_of,
)

pytestmark = pytest.mark.qt_log_ignore(*OFFSCREEN_NOISE)

MRN = "J100"
NAME = "Ada Lovelace"
CYCLE_DAYS = course_dates(TUESDAY, 14)  # Tuesdays, 21 days apart, 17 Nov 2026 on


def at(day: date, hhmm: str) -> str:
    return f"{day:%a %Y-%m-%d} {hhmm}"


# The course as booked: cycle 1 is 15 + 90 + 90 min, later cycles 15 + 30 + 30 min.
BOOKED: list[Appointment] = [
    (1, "Chair 1", at(CYCLE_DAYS[0], "09:00"), "12:15", "booked"),
    *[
        (n, "Chair 1", at(day, "09:00"), "10:15", "booked")
        for n, day in enumerate(CYCLE_DAYS[1:], start=2)
    ],
]


def with_cycles(
    base: list[Appointment], **changed: Appointment | list[Appointment]
) -> list[Appointment]:
    """``base`` with the rows of the cycles named ``c<N>`` replaced (a list for a cycle
    that has a missed appointment and a new booking)."""
    out: list[Appointment] = []
    for row in base:
        key = f"c{row[0]}"
        if key in changed:
            new = changed.pop(key)
            out.extend(new if isinstance(new, list) else [new])
        elif not any(row[0] == int(k[1:]) for k in changed):
            out.append(row)
    assert not changed, changed
    return out


def shifted(base: list[Appointment], first_cycle: int, days: int) -> list[Appointment]:
    """Every cycle from ``first_cycle`` on, ``days`` later (same wall time and chair)."""
    out = []
    for cycle, chair, start, end, status in base:
        if cycle >= first_cycle:
            moved = datetime.strptime(start, "%a %Y-%m-%d %H:%M") + timedelta(days=days)
            start = f"{moved:%a %Y-%m-%d %H:%M}"
        out.append((cycle, chair, start, end, status))
    return out


class Questions:
    """Stands in for the planner's yes/no box: records each question and answers No, so
    an unexpected question fails its step instead of hanging the test."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def __call__(self, title: str, text: str) -> bool:
        self.asked.append(text)
        return False


def open_planner(window: Any) -> tuple[Any, Questions]:
    planner = planner_of(window)
    questions = Questions()
    planner.confirm = questions
    return planner, questions


# --- the journey ------------------------------------------------------------------------
MOVED = with_cycles(BOOKED, c1=(1, "Chair 2", at(TUESDAY, "10:00"), "13:15", "booked"))
MISSED = with_cycles(
    MOVED,
    c1=[
        (1, "Chair 2", at(TUESDAY, "10:00"), "13:15", "missed"),
        (1, "Chair 2", at(TUESDAY, "10:40"), "13:55", "booked"),
    ],
)
MOVED_AGAIN = with_cycles(
    MOVED,
    c1=[
        (1, "Chair 2", at(TUESDAY, "10:00"), "13:15", "missed"),
        (1, "Chair 3", at(TUESDAY, "13:00"), "16:15", "booked"),
    ],
)


def schedule_ada(clinic: Clinic, qtbot: Any) -> Any:
    """Steps 1-8 of the scheduler's day; returns the window."""
    window = clinic.open_window()
    db = clinic.db

    # 1. Patients panel > New patient.
    add_patient(qtbot, window, MRN, NAME, "64.5")
    assert patient(db, MRN) == (MRN, NAME, 64.5)
    assert appointments(db, MRN) == []

    # 2. Book course: EBC, first dose Tue 17 Nov 09:00 in Chair 1; the whole plan is saved.
    book_course(qtbot, window, MRN, local(TUESDAY, 9), "Chair 1")
    assert course_state(db, MRN) == ("EBC", "active", None)
    assert appointments(db, MRN) == BOOKED

    # 3. Show Tuesday and drag cycle 1 from Chair 1 09:00 to Chair 2 10:00 (same day:
    #    nothing later moves, nothing is asked).
    planner, questions = open_planner(window)
    click(window.next_button)
    assert window.shown_day == TUESDAY
    drag(planner, block_of(planner, MRN, 1), lane=1, start=local(TUESDAY, 10))
    assert questions.asked == []
    assert appointments(db, MRN) == MOVED
    assert window.undo_stack.count() == 1

    # 4. Ctrl+Z puts it back; Ctrl+Shift+Z moves it again.
    press(window, Qt.Key.Key_Z, CTRL)
    assert appointments(db, MRN) == BOOKED
    press(window, Qt.Key.Key_Z, CTRL_SHIFT)
    assert appointments(db, MRN) == MOVED

    # 5. 10:40 on Tuesday: she did not come. Mark missed: re-booked at the earliest free
    #    time at or after now; the later cycles keep their days (21 days after Tuesday).
    clinic.at(local(TUESDAY, 10, 40))
    mark_missed(qtbot, window, MRN)
    assert appointments(db, MRN) == MISSED

    # 6. A drop at 09:30, already past at 10:40, is asked about by name; answered No,
    #    nothing is written.
    planner, questions = open_planner(window)
    assert window.shown_day == TUESDAY
    before = dump(db)
    drag(planner, block_of(planner, MRN, 1), lane=2, start=local(TUESDAY, 9, 30))
    assert len(questions.asked) == 1, questions.asked
    assert "in the past" in questions.asked[0] and "09:30" in questions.asked[0]
    assert dump(db) == before

    # 7. Move again: the new booking dragged to Chair 3 at 13:00.
    questions.asked.clear()
    drag(planner, block_of(planner, MRN, 1), lane=2, start=local(TUESDAY, 13))
    assert questions.asked == []
    assert appointments(db, MRN) == MOVED_AGAIN

    # 8. Ctrl+Z undoes that move only: the missed appointment stays missed.
    press(window, Qt.Key.Key_Z, CTRL)
    assert appointments(db, MRN) == MISSED
    return window


def test_scheduler_books_drags_undoes_redoes_marks_missed_and_moves_again(
    clinic: Clinic, qtbot: Any
) -> None:
    window = schedule_ada(clinic, qtbot)
    # Redo brings the move back, exactly.
    press(window, Qt.Key.Key_Z, CTRL_SHIFT)
    assert appointments(clinic.db, MRN) == MOVED_AGAIN


def test_undo_of_a_move_from_before_the_dose_was_missed_is_refused(
    clinic: Clinic, qtbot: Any
) -> None:
    """The undo stack still holds the drag of step 3, made before cycle 1 was missed.
    Undoing it now must not move the new booking back to 09:00 (already past, and the
    patient did not come then): the booking changed since, so the undo is refused with a
    reason, and nothing is written."""
    window = schedule_ada(clinic, qtbot)
    before = dump(clinic.db)
    press(window, Qt.Key.Key_Z, CTRL)
    assert appointments(clinic.db, MRN) == MISSED
    assert dump(clinic.db) == before
    assert "undo" in window.statusBar().currentMessage().lower()


# --- the reproduction -------------------------------------------------------------
FIFTH_LATER = shifted(BOOKED, 5, 2)  # cycle 5 two days later: 5-14 on Thursdays
THIRD_LATER = shifted(BOOKED, 3, 1)  # cycle 3 one day later: 3-14 on Wednesdays


def test_undo_restores_exactly_what_the_change_moved(clinic: Clinic, qtbot: Any) -> None:
    """Issue 12, defect 1: move cycle 5 two days later, drag cycle 3 one day later, undo:
    cycles 5-14 are exactly where they were after the first move, not two days early.
    Both moves are drags in the planner's week (Ctrl+2), answered Yes when it asks
    about the later cycles."""
    window = clinic.open_window()
    db = clinic.db
    add_patient(qtbot, window, MRN, NAME, "64.5")
    book_course(qtbot, window, MRN, local(TUESDAY, 9), "Chair 1")
    assert appointments(db, MRN) == BOOKED
    asked: list[str] = []

    # Cycle 5 (Tue 9 Feb 2027) two days later; the box says 9 later cycles move.
    fifth = CYCLE_DAYS[4]
    show_day(window, fifth)
    planner = week_of(window)
    answer_next_box(("yes",), asked)
    week_drag(planner, week_block(planner, MRN, 5), 0, local(fifth + timedelta(days=2), 9))
    assert len(asked) == 1 and "9 later cycle(s) move by +2 days" in asked[-1], asked
    assert appointments(db, MRN) == FIFTH_LATER

    # Cycle 3 (Tue 29 Dec) one day later: 4-14 re-anchor 21 days after it.
    third = CYCLE_DAYS[2]
    show_day(window, third)
    planner.week.reload(force=True)
    answer_next_box(("yes",), asked)
    week_drag(planner, week_block(planner, MRN, 3), 0, local(third + timedelta(days=1), 9))
    assert len(asked) == 2 and "11 later cycle(s) move" in asked[-1], asked
    assert appointments(db, MRN) == THIRD_LATER

    # Ctrl+Z: exactly the placements after the first move (5-14 on Thursdays).
    press(window, Qt.Key.Key_Z, CTRL)
    assert appointments(db, MRN) == FIFTH_LATER
    # Ctrl+Shift+Z: the second move again, exactly.
    press(window, Qt.Key.Key_Z, CTRL_SHIFT)
    assert appointments(db, MRN) == THIRD_LATER
    # Undo both: the course as booked.
    press(window, Qt.Key.Key_Z, CTRL)
    press(window, Qt.Key.Key_Z, CTRL)
    assert appointments(db, MRN) == BOOKED
