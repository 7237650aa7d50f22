"""``day-sheet --json``'s text straight from the sheet's records (issue 19).

``sheet_text(sheet)`` is ``json_text.indented(day_sheet.sheet_to_json(sheet))``, byte
for byte, without the 1,100 intermediate dicts of a busy day and the walk over them
(about 100 million instructions of its 510 million). Each appointment and each bag
note is joined from the literal pieces of its dict as ``indented`` lays it out where it
stands in the document (``_pieces``: keys, indentation, punctuation) and its leaves,
each encoded as ``indented`` encodes it: by exact type through ``json_text.LEAVES``
(an instant's text made once per object). A ``%`` template would scan its 700
characters for every row; a join only copies. A leaf of any other type (an enum, a
``str`` subclass) sends its row to the generic path (``appointment_json`` +
``indented_at``), so the bytes never depend on the fast path; so does a sheet whose
``appointment_json`` keys are not the ones laid out here. The rest of the document
goes through ``indented_at``. ``tests/reports/test_sheet_json_bytes.py`` compares the
two on every day it prints.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from ..reports import day_sheet
from ..reports.day_sheet import BagNote, DaySheet, SheetAppointment, SheetChair
from .json_text import LEAVES, STEP, encode_basestring, indented_at

_TOP = "\n" + STEP  # the top dict's keys
_CHAIR = _TOP + STEP  # a chair's dict (an item of "chairs")
_IN_CHAIR = _CHAIR + STEP  # a chair's keys
_ROW = _IN_CHAIR + STEP  # an appointment's dict (an item of "appointments"/"missed")
_IN_ROW = _ROW + STEP  # an appointment's keys, its "actual" dict and "marks" list
_MARK = _IN_ROW + STEP  # a mark's dict

# appointment_json's keys and its "actual" dict's, in order; bag notes' (sheet_to_json)
_ROW_KEYS = (
    "kind", "mrn", "name", "label", "cycle", "cycles_total", "cycle_text", "setting",
    "first_infusion", "start", "infusion_start", "infusion_end", "observation_end", "end",
    "status", "bag_status", "bag_expires_at", "given_at", "appointment_id", "actual",
    "infusion_min", "completed", "rebooked_to", "free_from", "free_until", "marks",
)  # fmt: skip
_ACTUAL_KEYS = ("arrived", "infusion_start", "infusion_end", "observation_end", "discharged")
_BAG_KEYS = ("what", "mrn", "name", "chair", "infusion_start", "bag_status", "expires_at")
_NULL = "null"
# LEAVES with C callables for None and bools (the same text, no Python frame a leaf)
_LEAF: dict[type, Callable[[Any], str]] = {
    **LEAVES,
    type(None): _NULL.format,
    bool: ("false", "true").__getitem__,
}
Quoted = Callable[[datetime | None], str]  # an instant's JSON text ("null" for None)
Known = Callable[[int], str | None]  # the memo's text by id(instant), None: not made yet


def _pieces(
    keys: tuple[str, ...], newline: str, nested: dict[str, tuple[str, ...]] | None = None
) -> tuple[str, ...]:
    """The literal text around the leaves of a dict with these keys laid out at
    ``newline`` (as ``json_text.template``): one piece more than leaves. A key of
    ``nested`` holds a dict of those keys, whose leaves are the dict's own."""
    inner = newline + STEP
    pieces: list[str] = []
    text = "{"
    for number, key in enumerate(keys):
        text += ("," if number else "") + inner + encode_basestring(key) + ": "
        if nested and key in nested:
            sub = _pieces(nested[key], inner)
            pieces.append(text + sub[0])
            pieces.extend(sub[1:-1])
            text = sub[-1]
        else:
            pieces.append(text)
            text = ""
    return (*pieces, text + newline + "}")


_ROW_PIECES = _pieces(_ROW_KEYS, _ROW, {"actual": _ACTUAL_KEYS})
_BAG_PIECES = _pieces(_BAG_KEYS, _CHAIR)  # an item of "bags", at a chair's depth
_CHAIR_PIECES = _pieces(("chair", "active", "appointments", "missed"), _CHAIR)
_MARK_PIECES = _pieces(("code", "text"), _MARK)


class _Stand:
    """Stands for a list in the top dict until its text is laid out here."""


_CHAIRS: Any = _Stand()
_BAGS: Any = _Stand()


def sheet_text(sheet: DaySheet) -> str:
    """``indented(sheet_to_json(sheet))`` (see the module's docstring)."""
    quoted, known = _quoted_once()
    fields = day_sheet.sheet_json_fields(sheet, _iso_of(quoted), _CHAIRS, _BAGS)
    fast = _fast_rows(sheet)
    out: list[str] = ["{"]
    for number, (key, value) in enumerate(fields.items()):
        out.append(("," if number else "") + _TOP + encode_basestring(key) + ": ")
        if value is _CHAIRS:
            _chairs(out, sheet.chairs, quoted, known if fast else None)
        elif value is _BAGS:
            _bags(out, sheet.bags, quoted)
        else:
            out.append(indented_at(value, _TOP))
    out.append("\n}")
    return "".join(out)


def _fast_rows(sheet: DaySheet) -> bool:
    """Whether ``appointment_json`` writes the keys laid out here (checked on a row)."""
    for chair in sheet.chairs:
        for item in (*chair.appointments, *chair.missed):
            made = day_sheet.appointment_json(item)
            return tuple(made) == _ROW_KEYS and tuple(made["actual"]) == _ACTUAL_KEYS
    return True


def _quoted_once() -> tuple[Quoted, Known]:
    """An instant's JSON text (its ``isoformat()`` as json quotes it; None: ``null``),
    each object's made once: a day's rows share a few dozen instant objects. Keyed by
    the object's id; ``keep`` holds the objects, so no id is reused while the memo lives
    (as ``iso_once``). ``known`` finds a made text without a Python call (``_row``)."""
    done: dict[int, str] = {id(None): _NULL}
    keep: list[datetime] = []
    known = done.get

    def quoted(value: datetime | None) -> str:
        found = known(id(value))
        if found is None:
            assert value is not None  # its text is in ``done`` from the start
            keep.append(value)
            found = done[id(value)] = encode_basestring(value.isoformat())
        return found

    return quoted, known


def _iso_of(quoted: Quoted) -> Callable[[datetime | None], str | None]:
    """``iso_once`` for the fields outside the chairs, sharing the quoted memo."""

    def iso(value: datetime | None) -> str | None:
        return None if value is None else quoted(value)[1:-1]

    return iso


def _bags(out: list[str], notes: tuple[BagNote, ...], quoted: Quoted) -> None:
    if not notes:
        out.append("[]")
        return
    p = _BAG_PIECES
    out.append("[")
    for number, note in enumerate(notes):
        item = note.appointment
        values = (note.what, item.mrn, item.name, item.chair, item.bag_status)
        what, mrn, name, chair, status = _leaves(values)
        start, expires = quoted(item.infusion_start), quoted(note.expires_at)
        out.append(("," if number else "") + _CHAIR)
        out.append("".join((p[0], what, p[1], mrn, p[2], name, p[3], chair, p[4], start,
                            p[5], status, p[6], expires, p[7])))  # fmt: skip
    out.append(_TOP + "]")


def _leaves(values: tuple[object, ...]) -> list[str]:
    """Each value's JSON text inside a chair's object."""
    try:
        return [_LEAF[type(v)](v) for v in values]
    except KeyError:  # another type: json_text's generic path, as before
        return [indented_at(v, _IN_CHAIR) for v in values]


def _chairs(
    out: list[str], chairs: tuple[SheetChair, ...], quoted: Quoted, known: Known | None
) -> None:
    """The chairs' list; ``known`` None: every row by the generic path."""
    if not chairs:
        out.append("[]")
        return
    p = _CHAIR_PIECES
    out.append("[")
    for number, chair in enumerate(chairs):
        name, active = chair.name, chair.active
        name_text, active_text = _leaves((name, active))
        out.append(("," if number else "") + _CHAIR + p[0] + name_text + p[1] + active_text + p[2])
        _rows(out, chair.appointments, quoted, known)
        out.append(p[3])
        _rows(out, chair.missed, quoted, known)
        out.append(p[4])
    out.append(_TOP + "]")


def _rows(
    out: list[str], items: tuple[SheetAppointment, ...], q: Quoted, known: Known | None
) -> None:
    if not items:
        out.append("[]")
        return
    out.append("[")
    for number, item in enumerate(items):
        out.append(("," if number else "") + _ROW)
        out.append(_generic_row(item, q) if known is None else _row(item, q, known))
    out.append(_IN_CHAIR + "]")


def _generic_row(item: SheetAppointment, q: Quoted) -> str:
    return indented_at(day_sheet.appointment_json(item, _iso_of(q)), _ROW)


def _row(item: SheetAppointment, q: Quoted, g: Known) -> str:
    """One appointment's text; the generic path for a leaf of a type not in LEAVES."""
    leaf, p = _LEAF, _ROW_PIECES
    try:
        marks = "[]"
        if item.marks:
            m = _MARK_PIECES
            marks = "[" + _MARK + ("," + _MARK).join(
                m[0] + leaf[type(mark.code)](mark.code) + m[1] + leaf[type(mark.text)](mark.text)
                + m[2] for mark in item.marks
            ) + _IN_ROW + "]"  # fmt: skip
        label, cycle_text, free = item.label or None, item.cycle_text or None, item.free_from
        first = item.kind == "dose" and item.cycle == 1  # item.first_infusion
        return "".join((
            p[0], leaf[type(item.kind)](item.kind),
            p[1], leaf[type(item.mrn)](item.mrn),
            p[2], leaf[type(item.name)](item.name),
            p[3], leaf[type(label)](label),
            p[4], leaf[type(item.cycle)](item.cycle),
            p[5], leaf[type(item.cycles_total)](item.cycles_total),
            p[6], leaf[type(cycle_text)](cycle_text),
            p[7], leaf[type(item.setting)](item.setting),
            p[8], leaf[type(first)](first),
            p[9], (g(id(item.start)) or q(item.start)),
            p[10], (g(id(item.infusion_start)) or q(item.infusion_start)),
            p[11], (g(id(item.infusion_end)) or q(item.infusion_end)),
            p[12], (g(id(item.observation_end)) or q(item.observation_end)),
            p[13], (g(id(item.end)) or q(item.end)),
            p[14], leaf[type(item.status)](item.status),
            p[15], leaf[type(item.bag_status)](item.bag_status),
            p[16], (g(id(item.bag_expires_at)) or q(item.bag_expires_at)),
            p[17], (g(id(item.given_at)) or q(item.given_at)),
            p[18], leaf[type(item.appointment_id)](item.appointment_id),
            p[19], (g(id(item.arrived_at)) or q(item.arrived_at)),  # "actual": {"arrived": ...
            p[20], (g(id(item.actual_infusion_start)) or q(item.actual_infusion_start)),
            p[21], (g(id(item.actual_infusion_end)) or q(item.actual_infusion_end)),
            p[22], (g(id(item.actual_observation_end)) or q(item.actual_observation_end)),
            p[23], (g(id(item.discharged_at)) or q(item.discharged_at)),
            p[24], leaf[type(item.infusion_min)](item.infusion_min),
            p[25], leaf[type(item.completed)](item.completed),
            p[26], (g(id(item.rebooked_to)) or q(item.rebooked_to)),
            p[27], (g(id(free)) or q(free)),
            p[28], (g(id(item.free_until)) or q(item.free_until)),
            p[29], marks,
            p[30],
        ))  # fmt: skip
    except KeyError:  # a leaf json_text lays out by another path: that path, as before
        return _generic_row(item, q)
