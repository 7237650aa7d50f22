"""How a chair tile looks and reads: phase colours, labels and icons, badge colours, and
the countdown said in words ("observation ends in 12 min") with its wall time.

A phase is never told by colour alone: each has a text label and a painted icon (drawn
here, so no font needs to carry a symbol). Every time is clinic wall time (``text``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

from ...domain.calendar import ClinicCalendar
from ...domain.timers import Phase, Visit, countdown_at
from ...text import clock_time

FREE = "free"  # a chair with no visit today: not a phase of a visit, a state of the chair


@dataclass(frozen=True)
class PhaseLook:
    label: str  # the text a person reads (tests read it too)
    ink: str  # the chip's colour (white text and icon on it)
    fill: str  # the tile's background


PHASE_LOOK: dict[str, PhaseLook] = {
    Phase.EXPECTED.value: PhaseLook("Expected", "#475569", "#eef2f7"),
    Phase.PREP.value: PhaseLook("Arrived/prep", "#8a6100", "#fdf6e3"),
    Phase.INFUSING.value: PhaseLook("Infusing", "#1d4ed8", "#e8f0ff"),
    Phase.PAUSED.value: PhaseLook("Paused", "#c2410c", "#fff0e0"),
    Phase.OBSERVING.value: PhaseLook("Observing", "#6d28d9", "#f3edff"),
    Phase.READY.value: PhaseLook("Observation ended", "#0f766e", "#e6f7f5"),
    Phase.DONE.value: PhaseLook("Discharged", "#15803d", "#ecf8ec"),
    FREE: PhaseLook("Free", "#64748b", "#ffffff"),
}

ALARM_COLOR = "#b91c1c"  # late, infusion due to end: a look is needed now
READY_COLOR = "#15803d"  # ready to leave

# Badges: (ink, fill), dark text on a light chip.
BADGE_COLORS = {
    "first": ("#1e3a8a", "#dbeafe"),
    "reaction": ("#7f1d1d", "#fee2e2"),
    "prolonged": ("#713f12", "#fef3c7"),
    "bag": ("#7c2d12", "#ffedd5"),
}
BAG_WARNING = timedelta(hours=2)


def minutes_text(delta: timedelta, up: bool = True) -> str:
    """``12 min``, ``1 h 05 min``: whole minutes, rounded up for time left (``1 min``
    until zero) and down for time past (at least ``1 min``)."""
    seconds = delta.total_seconds()
    minutes = max(0, math.ceil(seconds / 60)) if up else max(1, math.floor(seconds / 60))
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest:02d} min" if hours else f"{minutes} min"


def countdown_words(visit: Visit, now: datetime, calendar: ClinicCalendar) -> tuple[str, str]:
    """What the countdown counts, in words, and the wall time it counts to (or since)."""
    countdown = countdown_at(visit, now)
    phase, ends = countdown.phase, countdown.ends_at
    left, over = minutes_text(countdown.remaining), minutes_text(countdown.overrun, up=False)
    at = "" if ends is None else clock_time(calendar, ends)
    late = countdown.is_overrun
    if phase in (Phase.EXPECTED, Phase.PREP) and ends is not None:
        if not late and countdown.remaining.total_seconds() < 1:
            return "infusion starts now", f"at {at}"
        return (
            (f"infusion start {over} late", f"due {at}")
            if late
            else (f"infusion starts in {left}", f"at {at}")
        )
    if phase is Phase.INFUSING and ends is not None:
        return (
            (f"infusion {over} past its end", f"due {at}")
            if late
            else (f"infusion ends in {left}", f"at {at}")
        )
    if phase is Phase.PAUSED:
        return f"paused: {left} of infusion left", "end moves by the pause"
    if phase is Phase.OBSERVING:
        if ends is not None:
            return f"observation ends in {left}", f"at {at}"
        return "minimum observation over", _since(calendar, visit)
    if phase is Phase.READY and visit.observation_ended_at is not None:
        return "observation ended", f"at {clock_time(calendar, visit.observation_ended_at)}"
    if phase is Phase.DONE and visit.discharged_at is not None:
        return "discharged", f"at {clock_time(calendar, visit.discharged_at)}"
    return "", ""


def _since(calendar: ClinicCalendar, visit: Visit) -> str:
    if visit.infusion_ended_at is None:
        return ""
    due = visit.infusion_ended_at + timedelta(minutes=visit.observation_min)
    return f"since {clock_time(calendar, due)}"


class PhaseIcon(QWidget):
    """A small white symbol for a phase, painted (a clock, a person, a drop, two bars,
    an eye, a tick, an arrow out, an empty square)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.phase = FREE
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)

    def set_phase(self, phase: str) -> None:
        if phase != self.phase:
            self.phase = phase
            self.update()

    def sizeHint(self) -> QSize:
        side = self.fontMetrics().height()
        return QSize(side, side)

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def paintEvent(self, event: QPaintEvent) -> None:
        side = min(self.width(), self.height())
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.translate((self.width() - side) / 2, (self.height() - side) / 2)
        painter.scale(side / 16, side / 16)
        white = QColor("white")
        pen = QPen(white, 1.6)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        draw = _ICONS.get(self.phase)
        if draw is not None:
            draw(painter, white)
        painter.end()


def _clock(p: QPainter, _c: QColor) -> None:
    p.drawEllipse(QRectF(2, 2, 12, 12))
    p.drawLine(QPointF(8, 8), QPointF(8, 4.5))
    p.drawLine(QPointF(8, 8), QPointF(11, 9.5))


def _person(p: QPainter, c: QColor) -> None:
    p.setBrush(c)
    p.drawEllipse(QRectF(5.5, 1.5, 5, 5))
    p.drawRoundedRect(QRectF(3, 8, 10, 6.5), 3, 3)


def _drop(p: QPainter, c: QColor) -> None:
    path = QPainterPath(QPointF(8, 1.5))
    path.cubicTo(QPointF(10, 5), QPointF(13, 8), QPointF(13, 10))
    path.arcTo(QRectF(3, 5, 10, 10), 0, -180)
    path.cubicTo(QPointF(3, 8), QPointF(6, 5), QPointF(8, 1.5))
    p.setBrush(c)
    p.drawPath(path)


def _pause(p: QPainter, c: QColor) -> None:
    p.setBrush(c)
    p.drawRect(QRectF(3.5, 2.5, 3, 11))
    p.drawRect(QRectF(9.5, 2.5, 3, 11))


def _eye(p: QPainter, c: QColor) -> None:
    path = QPainterPath(QPointF(1, 8))
    path.quadTo(QPointF(8, 0), QPointF(15, 8))
    path.quadTo(QPointF(8, 16), QPointF(1, 8))
    p.drawPath(path)
    p.setBrush(c)
    p.drawEllipse(QRectF(5.5, 5.5, 5, 5))


def _tick(p: QPainter, _c: QColor) -> None:
    p.drawEllipse(QRectF(1.5, 1.5, 13, 13))
    p.drawPolyline([QPointF(4.5, 8.5), QPointF(7, 11), QPointF(11.5, 5.5)])


def _out(p: QPainter, _c: QColor) -> None:
    p.drawPolyline([QPointF(7, 2), QPointF(2, 2), QPointF(2, 14), QPointF(7, 14)])
    p.drawLine(QPointF(6, 8), QPointF(14, 8))
    p.drawPolyline([QPointF(11, 5), QPointF(14, 8), QPointF(11, 11)])


def _empty(p: QPainter, _c: QColor) -> None:
    p.drawRoundedRect(QRectF(2.5, 2.5, 11, 11), 2, 2)


_ICONS = {
    Phase.EXPECTED.value: _clock,
    Phase.PREP.value: _person,
    Phase.INFUSING.value: _drop,
    Phase.PAUSED.value: _pause,
    Phase.OBSERVING.value: _eye,
    Phase.READY.value: _tick,
    Phase.DONE.value: _out,
    FREE: _empty,
}
