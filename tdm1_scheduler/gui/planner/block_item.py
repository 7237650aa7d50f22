"""One appointment on the planner's grid (``BlockItem``), and its words.

A busy day draws about 600 blocks, and a day switch or a commit must stay well under
30 ms (issue 19), so a block does as little as it can until it is seen or asked:
- its sentence (``description``, the tooltip and what a screen reader hears) is made
  when first asked; the scene's ``helpEvent`` shows it as the tooltip;
- its lines of text are elided once, at its first paint, and again only when its size
  or the font changes;
- ``show_row`` lets the scene reuse a block for another day's row instead of making a
  new item (flags, cursor and all) for each row of each day shown;
- it draws and describes a ``DayBlock`` (the day's lean read); its whole record
  (``row``) is read when first asked: a drag, a key move, its menu.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QIcon,
    QPainter,
    QPen,
    QStaticText,
    QTransform,
)
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsRectItem,
    QStyleOptionGraphicsItem,
    QWidget,
)

from ...domain.calendar import ClinicCalendar
from ...domain.day_blocks import DayBlock, as_shown, block_of
from ...domain.records import AppointmentView, CycleStatus
from ...text import clock_time
from ..brushes import brush  # QBrush(colour) without building QImage (issue 19)
from .day_model import (
    Fetch,
    block_cycle_text,
    block_is_blocked,
    block_is_first,
    block_label,
    is_blocked as is_blocked,
    is_first_infusion as is_first_infusion,
)

TEXT = QColor("#102030")
MUTED_TEXT = QColor("#4a5a6a")
BORDER = QColor("#1f5f8b")
SELECTED_BORDER = QColor("#e65100")

# Segment colours: (prep, infusion, observation) for a later cycle and a first infusion.
LATER_COLOURS = (QColor("#dde5ec"), QColor("#86b8dc"), QColor("#c9e0f1"))
FIRST_COLOURS = (QColor("#e6dde3"), QColor("#e994b4"), QColor("#f7d3e0"))
BLOCKED_COLOUR = QColor("#b8c2cc")
BLOCKED_HATCH = QColor("#8995a1")
GIVEN_ALPHA = 110  # given (done) visits are drawn faded: they cannot move


def _faded(colours: tuple[QColor, ...]) -> tuple[QColor, ...]:
    faded = tuple(QColor(colour) for colour in colours)
    for colour in faded:
        colour.setAlpha(GIVEN_ALPHA)
    return faded


# The fills, brushes and pens made once, not at each paint.
FILLS = {  # (first infusion, booked): the three segments' brushes
    key: tuple(brush(colour) for colour in colours)
    for key, colours in (
        ((False, True), LATER_COLOURS),
        ((True, True), FIRST_COLOURS),
        ((False, False), _faded(LATER_COLOURS)),
        ((True, False), _faded(FIRST_COLOURS)),
    )
}
BLOCKED_BRUSHES = (brush(BLOCKED_COLOUR), brush(BLOCKED_HATCH, Qt.BrushStyle.BDiagPattern))
BORDER_PEN = QPen(BORDER, 1.0)
SELECTED_PEN = QPen(SELECTED_BORDER, 3.0)
NO_BRUSH = QBrush()  # Qt.BrushStyle.NoBrush, without converting the enum at each paint
NO_PEN = QPen(Qt.PenStyle.NoPen)

FLAGS = (
    QGraphicsItem.GraphicsItemFlag.ItemIsSelectable | QGraphicsItem.GraphicsItemFlag.ItemIsFocusable
)

Describe = Callable[[DayBlock], str]
"""Makes a block's sentence from its row (called once, when first asked)."""


class WallClock:
    """``text.clock_time`` of one calendar, each instant converted once: a day's blocks
    share a few hundred starts and ends (the snap grid), and each conversion is a zone
    lookup. Bounded: it starts over past 5,000 instants."""

    def __init__(self, calendar: ClinicCalendar) -> None:
        self.calendar = calendar
        self._texts: dict[datetime, str] = {}

    def __call__(self, instant: datetime) -> str:
        text = self._texts.get(instant)
        if text is None:
            if len(self._texts) > 5_000:
                self._texts.clear()
            text = self._texts[instant] = clock_time(self.calendar, instant)
        return text


def describe_block(
    row: AppointmentView | DayBlock, calendar: ClinicCalendar, wall: WallClock | None = None
) -> str:
    """One sentence for tooltips and screen readers (``wall``: the calendar's clock
    times, converted once each, when many blocks are described)."""
    block = row if isinstance(row, DayBlock) else block_of(row)
    clock = wall or WallClock(calendar)
    start, end = clock(block.start), clock(block.end)
    when = f"{block.chair_name} {start}-{end}"
    if block_is_blocked(block):
        minutes = block.infusion_min
        return f"Blocked time: {block_label(block)}, {when} ({minutes} min)"
    first = ", first infusion" if block_is_first(block) else ""
    setting = "" if block.setting is None else block.setting.value
    parts = (
        f"prep {block.prep_min} min, infusion {block.infusion_min} min, "
        f"observation {block.observation_min} min"
    )
    return (
        f"{block.patient_name}, {block.mrn}, {setting} {block_cycle_text(block, word='cycle ')}"
        f"{first}; {when} ({parts}); {block.status.value}"
    )


def block_lines(row: AppointmentView | DayBlock) -> list[str]:
    """What a block says, one line each: who, the MRN, the cycle (blocked time: what
    for and how long)."""
    block = row if isinstance(row, DayBlock) else block_of(row)
    if block_is_blocked(block):
        return [block_label(block), f"{block.infusion_min} min"]
    first = " · 1st infusion" if block_is_first(block) else ""
    cycle = block_cycle_text(block, word="cycle ")
    return [str(block.patient_name), str(block.mrn), f"{cycle}{first}"]


# An ASCII line whose characters' advances, each plus this much, add up to no more than
# the width fits it as laid out (kerning between two characters moves them apart by
# well under this: at most 0.61 px for the blocks' font over every printable pair), so
# ``elidedText`` would return it unchanged: it is not laid out twice (issue 19).
FIT_SLACK_PX = 1.0


class _Fonts:
    """The blocks' two fonts (bold for the first line) and their metrics, made once per
    font of the view they paint in; and the lines elided for a width, kept (a day's
    blocks share a few widths, and many lines, such as the cycles)."""

    def __init__(self, base: QFont) -> None:
        self.bold = QFont(base)
        self.bold.setPointSizeF(8)
        self.bold.setBold(True)
        self.plain = QFont(self.bold)
        self.plain.setBold(False)
        self.bold_metrics = QFontMetricsF(self.bold)
        self.plain_metrics = QFontMetricsF(self.plain)
        self._advances: tuple[dict[str, float], dict[str, float]] = ({}, {})
        self._elided: dict[tuple[bool, float, str], str] = {}

    def elided(self, text: str, bold: bool, width: float) -> str:
        """``text`` as ``QFontMetricsF.elidedText`` elides it (right) to ``width``."""
        key = (bold, width, text)
        found = self._elided.get(key)
        if found is None:
            if text.isascii() and text.isprintable() and self._spread(text, bold) <= width:
                found = text  # it fits: elidedText returns it as is
            else:
                metrics = self.bold_metrics if bold else self.plain_metrics
                found = metrics.elidedText(text, Qt.TextElideMode.ElideRight, width)
            if len(self._elided) > 20_000:
                self._elided.clear()
            self._elided[key] = found
        return found

    def _spread(self, text: str, bold: bool) -> float:
        """The characters' advances, each with ``FIT_SLACK_PX``: at least the width of
        ``text`` laid out."""
        advances = self._advances[bold]
        metrics = self.bold_metrics if bold else self.plain_metrics
        total = 0.0
        for char in text:
            advance = advances.get(char)
            if advance is None:
                advance = advances[char] = metrics.horizontalAdvance(char)
            total += advance
        return total + FIT_SLACK_PX * len(text)


_fonts: dict[str, _Fonts] = {}
_last_font: tuple[QFont, _Fonts] | None = None


def block_fonts(base: QFont) -> _Fonts:
    """The blocks' fonts for ``base`` (the last one asked is compared first: the key
    of a font is dear next to a block's paint)."""
    global _last_font
    last = _last_font
    if last is not None and last[0] == base:
        return last[1]
    key = base.key()
    found = _fonts.get(key)
    if found is None:
        found = _fonts[key] = _Fonts(base)
    _last_font = (QFont(base), found)
    return found


TextLine = tuple[QFont, QPointF, QStaticText | str]
"""A line as drawn: its font, its top-left corner and its text laid out once (a
``QStaticText`` keeps its glyphs: a repaint does not shape the text again); a line with
a character that is not printable stays a string, drawn by ``drawText`` at its baseline."""
Box = tuple[float, float, float, float]
"""A block's place: x, y, width, height (scene coordinates)."""
Fill = tuple[QRectF, QColor | QBrush]

# What a block draws, worked out at its first paint (``BlockItem._look``): the fonts it
# was worked out for, the fills, the border's rectangle, the icon's place, the text's
# colour and the lines.
Look = tuple[_Fonts, tuple[Fill, ...], QRectF, QRect | None, QColor, list[TextLine]]

# Shared by the blocks of every day, by what decides them (a day's blocks have a few
# sizes and segment lengths, and many lines alike): the segments' rectangles and the
# lines laid out. Bounded: each starts over past 5,000 entries.
_parts: dict[tuple[float, float, int, int, int], tuple[QRectF, ...]] = {}
_lines: dict[tuple[_Fonts, float, float, tuple[str, ...]], list[TextLine]] = {}


def _kept(table: dict[Any, Any], key: Any, value: Any) -> Any:
    if len(table) > 5_000:
        table.clear()
    table[key] = value
    return value


class BlockItem(QGraphicsRectItem):
    """One appointment: prep, infusion and observation drawn as three parts.

    ``description`` is the sentence itself or a ``Describe`` that makes it when first
    asked.

    A rectangle item only for its bounds: the rectangle (the block and 2 px around it
    for the border, no pen, no brush) is its ``boundingRect`` and ``shape``, kept and
    answered by Qt. The view asks every item's bounds at each paint (~600 on a busy
    day, the scene has no index); asked of Python that was about 1 ms a paint. It
    draws only what ``paint`` draws."""

    def __init__(
        self,
        row: AppointmentView | DayBlock,
        rect: QRectF,
        description: str | Describe,
        first_icon: QIcon | None,
        fetch: Fetch | None = None,
    ) -> None:
        super().__init__()
        self.setPen(NO_PEN)  # bounds without a pen's width; nothing drawn by Qt
        self._first_icon = first_icon
        self._width = self._height = -1.0  # the block's size (its QRectF: made at paint)
        self._home_x = self._home_y = 0.0
        self._movable: bool | None = None
        self.setFlags(FLAGS)
        self.setZValue(1)
        box = (rect.x(), rect.y(), rect.width(), rect.height())
        self.show_row(row, box, description, fetch)

    def show_row(
        self,
        row: AppointmentView | DayBlock,
        box: Box,
        description: str | Describe,
        fetch: Fetch | None = None,
    ) -> None:
        """Show ``row`` at ``box`` (x, y, width, height: a new block, or one reused for
        another row); the caller repaints (the scene does after a rebuild). A day switch
        calls this for each of its ~570 blocks: ``place_box`` is written out here.
        ``row`` is a whole record, or a ``DayBlock`` whose record ``fetch`` reads when
        ``row`` is first asked."""
        if isinstance(row, DayBlock):
            self.block = row
            self._row: AppointmentView | None = None
        else:
            self.block = block_of(row)
            self._row = row
        self._fetch = fetch
        self._said: str | Describe = description  # the sentence, or what makes it
        self._look: Look | None = None
        x, y, width, height = box
        if width != self._width or height != self._height:
            self._width, self._height = width, height
            self.setRect(-2, -2, width + 4, height + 4)  # the bounds (a geometry change)
        self.setPos(x, y)
        # Floats, not a tuple or a QRectF: a switch makes no object per block that the
        # cyclic collector tracks (~870 a switch did, a young collection every other one).
        self._home_x, self._home_y = x, y
        movable = self.block.status is CycleStatus.BOOKED  # is_booked
        if movable != self._movable:
            self._movable = movable
            shape = Qt.CursorShape.OpenHandCursor if movable else Qt.CursorShape.ArrowCursor
            self.setCursor(shape)

    def place(self, rect: QRectF) -> None:
        """Move and resize the block to ``rect`` (a new time scale): nothing rebuilt."""
        self.place_box(rect.x(), rect.y(), rect.width(), rect.height())

    def place_box(self, x: float, y: float, width: float, height: float) -> None:
        """``place`` from the rectangle's numbers."""
        if width != self._width or height != self._height:
            self._width, self._height = width, height
            self.setRect(-2, -2, width + 4, height + 4)  # the bounds (a geometry change)
            self._look = None
        self.setPos(x, y)
        self._home_x, self._home_y = x, y

    @property
    def size(self) -> QRectF:
        """The block's rectangle in its own coordinates (made when asked)."""
        return QRectF(0, 0, self._width, self._height)

    @property
    def home(self) -> QPointF:
        """Where the block belongs (a drag puts it back here)."""
        return QPointF(self._home_x, self._home_y)

    @property
    def row(self) -> AppointmentView:
        """The block's whole record, read when first asked (a drag, a key move, its
        menu); the block as read (``as_shown``) when its appointment changed since."""
        row = self._row
        if row is None:
            fetch = self._fetch
            found = None if fetch is None else fetch(self.block.id)
            row = self._row = as_shown(self.block, found)
        return row

    @property
    def description(self) -> str:
        """One sentence for the tooltip and screen readers (made when first asked)."""
        said = self._said
        if not isinstance(said, str):
            said = self._said = said(self.block)
        return said

    def toolTip(self) -> str:
        """The description (``PlannerScene.helpEvent`` shows it)."""
        return self.description

    @property
    def appointment_id(self) -> int:
        return self.block.id

    @property
    def movable(self) -> bool:
        """Only booked visits move; given ones are history."""
        return self.block.status is CycleStatus.BOOKED

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionGraphicsItem,
        widget: QWidget | None = None,
    ) -> None:
        fonts = block_fonts(painter.font())
        look = self._look
        if look is None or look[0] is not fonts:
            look = self._look = self._make_look(fonts)
        _fonts, fills, border, icon, pen, lines = look
        # The fills on whole pixels (antialiased fills cost more than the rest of the
        # block), the rounded border antialiased. eraseRect is fillRect with the
        # background brush, without fillRect's overload check (``gui/brushes.py``).
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        for rect, fill in fills:
            painter.setBackground(fill)
            painter.eraseRect(rect)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(SELECTED_PEN if self.isSelected() else BORDER_PEN)
        painter.setBrush(NO_BRUSH)
        painter.drawRoundedRect(border, 3, 3)
        if icon is not None:
            assert self._first_icon is not None
            self._first_icon.paint(painter, icon)
        painter.setPen(pen)
        draw_lines(painter, lines)

    def _make_look(self, fonts: _Fonts) -> Look:
        """What the block draws at its size with ``fonts``: the segments (blocked time:
        its fill and hatch), the border, the first infusion's icon and the lines, left
        and centred each in its share of the height, where ``drawText`` with ``AlignLeft
        | AlignVCenter`` puts it."""
        row = self.block
        rect = QRectF(0, 0, self._width, self._height)  # self.size, without a call
        booked = row.status is CycleStatus.BOOKED
        first = block_is_first(row)
        fills: tuple[Fill, ...]
        if block_is_blocked(row):
            fills = tuple((rect, brush) for brush in BLOCKED_BRUSHES)
        else:
            minutes = (row.prep_min, row.infusion_min, row.observation_min)
            key = (rect.width(), rect.height(), *minutes)
            parts = _parts.get(key)
            if parts is None:
                parts = _kept(_parts, key, _segments(rect, minutes))
            fills = tuple(zip(parts, FILLS[(first, booked)], strict=True))
        border = rect.adjusted(0.5, 0.5, -0.5, -0.5)
        inner = rect.adjusted(4, 2, -4, -2)
        icon_size = 14.0
        icon: QRect | None = None
        if self._first_icon is not None and first:
            icon_rect = QRectF(inner.right() - icon_size, inner.top() + 1, icon_size, icon_size)
            icon = icon_rect.toRect()
            inner.setRight(icon_rect.left() - 2)
        texts = tuple(block_lines(row))
        text_key = (fonts, inner.width(), inner.height(), texts)
        lines = _lines.get(text_key)
        if lines is None:
            lines = _kept(_lines, text_key, _laid_out(fonts, inner, texts))
        return fonts, fills, border, icon, TEXT if booked else MUTED_TEXT, lines


def draw_lines(painter: QPainter, lines: list[TextLine]) -> None:
    """Draw a block's lines (``_laid_out``) in the painter's pen."""
    last: QFont | None = None
    for font, corner, text in lines:
        if font is not last:  # the second and third lines share the plain font
            painter.setFont(font)
            last = font
        if isinstance(text, str):
            painter.drawText(corner, text)  # its baseline
        else:
            painter.drawStaticText(corner, text)


def _segments(rect: QRectF, minutes: tuple[int, int, int]) -> tuple[QRectF, ...]:
    """Prep, infusion and observation side by side, as long as their minutes."""
    total = sum(minutes) or 1
    left, top, full, height = rect.left(), rect.top(), rect.width(), rect.height()
    parts: list[QRectF] = []
    for part in minutes:
        width = full * part / total
        parts.append(QRectF(left, top, width, height))
        left += width
    return tuple(parts)


def _laid_out(fonts: _Fonts, inner: QRectF, texts: tuple[str, ...]) -> list[TextLine]:
    """The lines as elided for ``inner``, each with its font and its top-left corner
    (``drawText`` at the baseline ``top + ascent`` and ``drawStaticText`` at ``top``
    draw the same pixels: 73 grabs of the 5-year clinic compared, none differ)."""
    line_height = min(fonts.bold_metrics.height(), inner.height() / len(texts))
    lines: list[TextLine] = []
    for number, text in enumerate(texts):
        bold = number == 0
        metrics = fonts.bold_metrics if bold else fonts.plain_metrics
        elided = fonts.elided(text, bold, inner.width())
        top = inner.top() + number * line_height + (line_height - metrics.height()) / 2
        font = fonts.bold if bold else fonts.plain
        if not elided.isprintable():  # a control or format character: as drawText draws it
            lines.append((font, QPointF(inner.left(), top + metrics.ascent()), elided))
            continue
        static = QStaticText(elided)
        static.setTextFormat(Qt.TextFormat.PlainText)
        static.prepare(QTransform(), font)
        lines.append((font, QPointF(inner.left(), top), static))
    return lines
