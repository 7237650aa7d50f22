"""The nurse's journey on the nurse board: arrived, infusion started, a grade 2 reaction,
the infusion ended (completed at a slowed rate, or stopped before it was complete),
observation, a restart of the app mid-observation, discharge.

The day: Tuesday 17 November 2026. Ada Lovelace (J100) and Grace Hopper (J200) each have
their first infusion (15 min prep, 90 min infusion, 90 min observation) at 09:00, in
Chair 1 and Chair 2. Booking and the pharmacy's bags are set up through the services
(the scheduler's journey books through the window; the pharmacy is not this journey).
Every nurse step is a real click on the tile; after each one the visit, the dose and
the later bookings are read back from the database.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tdm1_scheduler.text import plain

from .conftest import (
    ADA,
    GRACE,
    OFFSCREEN_NOISE,
    TUESDAY,
    Appointment,
    Clinic,
    appointment_id,
    appointments,
    button_with_text,
    chair_time,
    click,
    course_dates,
    course_state,
    dose_outcome,
    dump,
    local,
    set_up_day,
    visit_state,
)
from .gui_steps import (
    Answerer,
    board_of,
    choose_patient,
    feature,
    phase_shown,
    record_reaction,
    step,
)

pytestmark = pytest.mark.qt_log_ignore(*OFFSCREEN_NOISE)

DAYS = course_dates(TUESDAY, 14)


def day_at(n: int, hhmm: str) -> str:
    return f"{DAYS[n - 1]:%a %Y-%m-%d} {hhmm}"


def t(hhmm: str) -> str:
    """A wall time on the journey's Tuesday, as the readers show it."""
    return f"{TUESDAY:%a %Y-%m-%d} {hhmm}"


def later_cycles(chair: str, end: str) -> list[Appointment]:
    """Cycles 2-14 booked at 09:00 in ``chair``, ending at ``end``."""
    return [(n, chair, day_at(n, "09:00"), end, "booked") for n in range(2, 15)]


# --- Ada: the reaction slowed the infusion; it was completed over 120 minutes -----------
EXPECTED = ("expected", None, None, None, None, None, None, 0, None)
ARRIVED = ("arrived", t("08:55"), None, None, None, None, None, 0, None)
INFUSING = ("infusing", t("08:55"), t("09:15"), None, None, None, None, 0, None)
REACTED = ("infusing", t("08:55"), t("09:15"), None, None, None, None, 0, 2)
OBSERVING = ("observing", t("08:55"), t("09:15"), None, t("11:15"), None, None, 0, 2)
DISCHARGED = ("discharged", t("08:55"), t("09:15"), None, t("11:15"), t("12:50"), t("12:50"), 0, 2)
ADA_BOOKED = [(1, "Chair 1", t("09:00"), "12:15", "booked"), *later_cycles("Chair 1", "10:15")]
# After 120 minutes completed: every later cycle keeps 120 min (15 + 120 + 30 = 165 min).
ADA_AFTER = [(1, "Chair 1", t("09:00"), "12:15", "given"), *later_cycles("Chair 1", "11:45")]


def ada_to_mid_observation(clinic: Clinic, qtbot: Any) -> tuple[Any, int]:
    """Arrive, start, a grade 2 reaction, completed slowly; the clock at 11:45."""
    set_up_day(clinic)
    db = clinic.db
    window = clinic.open_window()
    board = board_of(window)
    ada = appointment_id(db, ADA, 1)
    assert phase_shown(board, ada) == "Expected"
    assert visit_state(db, ada) == EXPECTED
    assert appointments(db, ADA) == ADA_BOOKED

    step(clinic, board, ada, "arrive", 8, 55)
    assert visit_state(db, ada) == ARRIVED
    assert phase_shown(board, ada) == "Arrived/prep"

    step(clinic, board, ada, "start", 9, 15)
    assert visit_state(db, ada) == INFUSING
    assert dose_outcome(db, ADA, 1)[:2] == ("given", t("09:15"))
    assert phase_shown(board, ada) == "Infusing"

    # 09:35 a grade 2 reaction; the nurse slows the rate (the infusion runs longer).
    record_reaction(clinic, board, ada, 2, 9, 35)
    assert visit_state(db, ada) == REACTED
    assert dose_outcome(db, ADA, 1)[4] == 2

    # 11:15 the bag is in: End infusion. Asked whether it was completed: completed.
    clinic.at(local(TUESDAY, 11, 15))
    answers = Answerer(("completed", "complete"), avoid=("stop", "interrupt", "partial"))
    click(board.tiles[ada].buttons["end_infusion"])
    answers.finish(qtbot)
    assert visit_state(db, ada) == OBSERVING
    assert dose_outcome(db, ADA, 1) == ("given", t("09:15"), 120, 0, 2)
    assert chair_time(db, ADA, 2) == (15, 120, 30)
    assert appointments(db, ADA) == ADA_AFTER
    assert phase_shown(board, ada) == "Observing"

    # 11:45, mid-observation: 60 of the 90 minutes left.
    clinic.at(local(TUESDAY, 11, 45))
    board.tick()
    assert plain(board.tiles[ada].countdown_label.text()) == "Observation ends in 1 h 00 min"
    return window, ada


def test_nurse_completed_slowly_restart_mid_observation_then_discharge(
    clinic: Clinic, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _window, ada = ada_to_mid_observation(clinic, qtbot)
    stored = dump(clinic.db)

    # Quit, and start the app again from its command at the same wall time (a new
    # connection, a new window, the command's clock): the countdown and the phase come
    # back from the stored instants.
    window = clinic.start_app("2026-11-17T11:45", monkeypatch)
    assert clinic.clock.now() == local(TUESDAY, 11, 45)
    db = clinic.db
    board = board_of(window)
    assert dump(db) == stored
    assert visit_state(db, ada) == OBSERVING
    assert phase_shown(board, ada) == "Observing"
    assert plain(board.tiles[ada].countdown_label.text()) == "Observation ends in 1 h 00 min"
    clinic.at(local(TUESDAY, 12, 15))
    board.tick()
    assert plain(board.tiles[ada].countdown_label.text()) == "Observation ends in 30 min"

    # 12:50: the minimum observation is over. The clock alone wrote nothing.
    clinic.at(local(TUESDAY, 12, 50))
    board.tick()
    assert dump(db) == stored
    assert visit_state(db, ada) == OBSERVING

    # Discharge: no reason needed after the minimum observation; the chair is free.
    click(board.tiles[ada].buttons["discharge"])
    assert visit_state(db, ada) == DISCHARGED
    assert ada not in board.tiles
    assert appointments(db, ADA) == ADA_AFTER


def test_the_clock_alone_never_changes_a_phase(clinic: Clinic, qtbot: Any) -> None:
    """Issue 12, defect 14: past the minimum observation the tile still says Observing
    (with a "ready to leave" flag); only a recorded action changes the phase."""
    window, ada = ada_to_mid_observation(clinic, qtbot)
    board = board_of(window)
    grace = appointment_id(clinic.db, GRACE, 1)
    stored = dump(clinic.db)
    for hh, mm in ((12, 44), (12, 46), (14, 0), (16, 59)):
        clinic.at(local(TUESDAY, hh, mm))
        board.tick()
        assert phase_shown(board, ada).startswith("Observing"), (hh, mm)
        assert phase_shown(board, grace).startswith("Expected"), (hh, mm)  # late, not moved on
    assert dump(clinic.db) == stored
    assert visit_state(clinic.db, ada) == OBSERVING


# --- Grace: the reaction stopped the infusion after 12 minutes ----------------------------
GRACE_BOOKED = [(1, "Chair 2", t("09:00"), "12:15", "booked"), *later_cycles("Chair 2", "10:15")]
# Stopped before complete: the next keeps at least the planned 90 min (15 + 90 + 30).
GRACE_AFTER = [(1, "Chair 2", t("09:00"), "12:15", "given"), *later_cycles("Chair 2", "11:15")]


def test_nurse_stopped_before_complete_keeps_the_planned_minutes(
    clinic: Clinic, qtbot: Any
) -> None:
    set_up_day(clinic)
    db = clinic.db
    window = clinic.open_window()
    board = board_of(window)
    grace = appointment_id(db, GRACE, 1)
    assert appointments(db, GRACE) == GRACE_BOOKED

    step(clinic, board, grace, "arrive", 8, 55)
    step(clinic, board, grace, "start", 9, 15)
    assert visit_state(db, grace) == (
        "infusing",
        t("08:55"),
        t("09:15"),
        None,
        None,
        None,
        None,
        0,
        None,
    )
    record_reaction(clinic, board, grace, 2, 9, 25)
    step(clinic, board, grace, "pause", 9, 25)
    assert visit_state(db, grace) == (
        "paused",
        t("08:55"),
        t("09:15"),
        t("09:25"),
        None,
        None,
        None,
        1,
        2,
    )
    assert phase_shown(board, grace) == "Paused"

    # 09:27, long before the planned end: End infusion asks completed or stopped.
    clinic.at(local(TUESDAY, 9, 27))
    answers = Answerer(("stopped", "stop"), avoid=("cancel",))
    click(board.tiles[grace].buttons["end_infusion"])
    asked = answers.finish(qtbot)
    assert len(asked) == 1, asked
    state = visit_state(db, grace)
    assert state[0] == "observing" and state[4] == t("09:27"), state
    status, given_at, minutes, was_tolerated, grade = dose_outcome(db, GRACE, 1)
    assert (status, given_at, was_tolerated, grade) == ("given", t("09:15"), 0, 2)
    assert minutes == 12  # what was given; never the next one's length
    assert chair_time(db, GRACE, 2) == (15, 90, 30)
    assert appointments(db, GRACE) == GRACE_AFTER

    # Observation counts from the real end (09:27): 90 min, then discharge.
    clinic.at(local(TUESDAY, 10, 57))
    board.tick()
    click(board.tiles[grace].buttons["discharge"])
    state = visit_state(db, grace)
    assert state[0] == "discharged" and state[6] == t("10:57"), state
    assert appointments(db, GRACE) == GRACE_AFTER


ISO_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def test_tile_texts_are_clinic_wall_time(clinic: Clinic) -> None:
    """Issue 12, defect 12: Grace's vial is reconstituted at 07:00 but not diluted; the
    tile and the refusal name clinic wall times, never a UTC ISO instant."""
    set_up_day(clinic, grace_diluted=False)
    window = clinic.open_window()
    board = board_of(window)
    grace = appointment_id(clinic.db, GRACE, 1)
    before = dump(clinic.db)
    step(clinic, board, grace, "start", 9, 15)
    tile = board.tiles[grace]
    assert dump(clinic.db) == before  # refused: nothing written
    shown = [tile.bag_label.text(), tile.message_label.text(), tile.until_label.text()]
    assert "not yet diluted" in " ".join(shown), shown
    for text in shown:
        assert not ISO_INSTANT.search(text), text
        assert "+00:00" not in text, text
    assert "07:00" in " ".join(shown), shown  # the vial's 24 h end: Wed 07:00


# --- Grace: a life-threatening reaction ends the course ---------------------------------
def test_nurse_grade_4_reaction_stops_the_course_after_confirmation(
    clinic: Clinic, qtbot: Any
) -> None:
    set_up_day(clinic)
    db = clinic.db
    window = clinic.open_window()
    board = board_of(window)
    grace = appointment_id(db, GRACE, 1)
    step(clinic, board, grace, "arrive", 8, 55)
    step(clinic, board, grace, "start", 9, 15)

    # 09:20 a grade 4 reaction: the board asks before it stops the course.
    record_reaction(clinic, board, grace, 4, 9, 20)
    box = board.dialog
    assert box is not None and box.isVisible()
    assert "stops Grace Hopper's course" in box.text()
    assert course_state(db, GRACE) == ("EBC", "active", None)
    assert appointments(db, GRACE) == [
        (1, "Chair 2", t("09:00"), "12:15", "given"),
        *later_cycles("Chair 2", "10:15"),
    ]
    click(button_with_text(box, "stop course"))

    assert course_state(db, GRACE) == ("EBC", "stopped", "life-threatening reaction")
    assert appointments(db, GRACE) == [
        (1, "Chair 2", t("09:00"), "12:15", "given"),
        *[(n, "Chair 2", day_at(n, "09:00"), "10:15", "cancelled") for n in range(2, 15)],
    ]
    assert dose_outcome(db, GRACE, 1) == ("given", t("09:15"), 5, 0, 4)
    assert visit_state(db, grace) == (
        "observing",
        t("08:55"),
        t("09:15"),
        None,
        t("09:20"),
        None,
        None,
        0,
        4,
    )
    assert phase_shown(board, grace) == "Observing"  # she stays to be observed

    # No new course can be booked for her: the dialog says why before anything is saved.
    before = dump(db)
    choose_patient(window, GRACE)
    patients_feature = feature(window, "patients_panel")
    click(patients_feature.book_button)
    dialog = patients_feature.dialog
    qtbot.waitExposed(dialog)
    assert not dialog.ok_button.isEnabled()
    assert "life-threatening" in dialog.error_label.text()
    dialog.reject()
    assert dump(db) == before
