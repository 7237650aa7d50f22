"""A dose with no result recorded at all (a clinic keeping its labs elsewhere, under the
default warn gate) shows its verdict on the tile without the warning's red; a real hold
is red. Under the demo every tile read a red "MISSING" before."""

from __future__ import annotations

import pytest

from tdm1_scheduler.domain.readiness import Readiness, Reason, Verdict
from tdm1_scheduler.gui.nurse.tile import VisitTile

from .conftest import OFFSCREEN_NOISE

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)


def readiness(verdict: Verdict, rule: str) -> Readiness:
    return Readiness(verdict, (Reason(rule, "why"),), (), None, None, True, False)


def test_nothing_recorded_is_shown_plainly_and_a_hold_in_red(qtbot) -> None:
    tile = VisitTile(1, "Chair 1")
    qtbot.addWidget(tile)
    tile.set_readiness(readiness(Verdict.MISSING, "no-results"))
    assert tile.verdict_label.text().startswith("Readiness: MISSING")
    assert "color" not in tile.verdict_label.styleSheet()
    tile.set_readiness(readiness(Verdict.HOLD, "platelets-grade-3"))
    assert "color" in tile.verdict_label.styleSheet()
