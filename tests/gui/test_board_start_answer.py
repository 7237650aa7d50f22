"""The board's Start infusion gives the domain's answer (``domain.infusion_start``) for
the same facts: a course or bag refusal is shown on the tile with nothing asked; the
gate's refusal opens the clinician's override; under ``warn`` a dose not ready asks for
an acknowledgement; otherwise the infusion starts. Real clicks on the demo clinic
(Rosa Ueda's cycle 9, Chair 6, expected at 12:30 New York)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox

from tdm1_scheduler.clock import FixedClock
from tdm1_scheduler.domain.course import CourseStatus
from tdm1_scheduler.domain.infusion_start import StartFacts, start_refusal
from tdm1_scheduler.domain.readiness_gate import GateAnswer, GateCheck
from tdm1_scheduler.gui.nurse.board import NurseBoard
from tdm1_scheduler.gui.readiness.dialogs import OverrideDialog
from tdm1_scheduler.gui.readiness.view import gate_check
from tdm1_scheduler.services import courses, pharmacy, readiness
from tdm1_scheduler.services.context import Context
from tdm1_scheduler.store import repository as repo
from tdm1_scheduler.store.mapping import row_to_preparation
from tdm1_scheduler.text import wall_message
from tests.store.backends import sqlite_of

from .conftest import DEMO_NOW, OFFSCREEN_NOISE

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE, "This plugin does not support raise")

MRN, CYCLE = "MRN100340", 9


def bag(ctx: Context) -> None:
    pharmacy.record_reconstitution(ctx, mrn=MRN, cycle=CYCLE, at=DEMO_NOW - timedelta(hours=2))
    pharmacy.record_dilution(ctx, mrn=MRN, cycle=CYCLE, at=DEMO_NOW - timedelta(hours=1))


def reduced_bag(ctx: Context) -> None:
    bag(ctx)
    level = courses.load_course(ctx.store, MRN).course.dose_level_mg_per_kg
    courses.reduce_dose_level(ctx, mrn=MRN, mg_per_kg=3.0 if level > 3.0 else 2.4)


def nothing(ctx: Context) -> None:
    pass


SCENARIOS: dict[str, tuple[Callable[[Context], None], str]] = {
    "no-bag-enforce": (nothing, "enforce"),
    "reduced-bag-off": (reduced_bag, "off"),
    "bag-enforce": (bag, "enforce"),
    "bag-warn": (bag, "warn"),
    "bag-off": (bag, "off"),
}


def arrange(qtbot, ctx: Context, name: str) -> tuple[NurseBoard, int]:  # type: ignore[no-untyped-def]
    prepare, mode = SCENARIOS[name]
    prepare(ctx)  # under the demo's gate (warn), before the site's mode is set
    readiness.add_lab(
        ctx, mrn=MRN, test="platelets", value=40_000, uln=None, at=DEMO_NOW - timedelta(hours=4)
    )  # grade 3: hold
    readiness.set_readiness_settings(ctx, {"readiness_gate": mode})
    board = NurseBoard(ctx)
    qtbot.addWidget(board)
    board.show()
    tile = next(t for t in board.tiles.values() if t.data and t.data.mrn == MRN)
    assert isinstance(ctx.clock, FixedClock)
    ctx.clock.current = tile.data.visit.planned_start
    board.reload()
    return board, tile.data.appointment_id


def facts_of(ctx: Context) -> StartFacts:
    """The facts read straight from the store, not through the code under test."""
    record = courses.load_course(ctx.store, MRN)
    dose = record.dose(CYCLE)
    prep = repo.preparation_for_dose(sqlite_of(ctx.store), dose.id)
    mode = readiness.readiness_gate(ctx.store)
    verdict = None if mode == "off" else readiness.dose_readiness(ctx.store, mrn=MRN, cycle=CYCLE)
    overridden = readiness.has_override(ctx.store, mrn=MRN, cycle=CYCLE, action="start infusion")
    return StartFacts(
        MRN,
        CourseStatus(record.course.status),
        dose,
        None if prep is None else row_to_preparation(prep),
        GateCheck(mode, verdict, overridden),
    )


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_the_board_gives_the_domain_answer(qtbot, ctx: Context, name: str) -> None:  # type: ignore[no-untyped-def]
    board, appointment = arrange(qtbot, ctx, name)
    facts = facts_of(ctx)
    expected = start_refusal(facts, ctx.clock.now())
    gui_gate = gate_check(ctx.store, mrn=MRN, cycle=CYCLE, action="start infusion")
    assert gui_gate.answer is facts.gate.answer  # the board's gate reads the same facts

    tile = board.tile_for(appointment)
    assert tile.buttons["start"].isVisible() and tile.buttons["start"].isEnabled()
    QTest.mouseClick(tile.buttons["start"], Qt.MouseButton.LeftButton)
    tile = board.tile_for(appointment)
    given = courses.load_course(ctx.store, MRN).dose(CYCLE).status == "given"

    if expected is not None and not expected.overridable:  # the course or the bag
        calendar = board.settings.calendar
        assert tile.message_label.text() == f"Refused: {wall_message(expected.rule, calendar)}"
        assert board.dialog is None and not given
    elif expected is not None:  # the gate: a clinician's override is asked for
        assert facts.gate.answer is GateAnswer.OVERRIDE
        assert isinstance(board.dialog, OverrideDialog) and not given
        assert "needs a clinician's override to start infusion" in tile.message_label.text()
    elif facts.gate.answer is GateAnswer.ACKNOWLEDGE:
        assert isinstance(board.dialog, QMessageBox) and not given
        assert board.dialog.objectName() == "readinessAcknowledge"
    else:
        assert facts.gate.answer is GateAnswer.GO
        assert board.dialog is None and given
    expected_kind = {
        "no-bag-enforce": "bag",
        "reduced-bag-off": "bag",
        "bag-enforce": "override",
        "bag-warn": "acknowledge",
        "bag-off": "go",
    }[name]
    kind = (
        "go"
        if expected is None and facts.gate.answer is GateAnswer.GO
        else "acknowledge"
        if expected is None
        else "override"
        if expected.overridable
        else "bag"
    )
    assert kind == expected_kind
    if name == "no-bag-enforce":
        assert expected is not None and expected.rule.startswith("never prepared")
    if name == "reduced-bag-off":
        assert expected is not None and expected.rule.startswith("the bag holds")
