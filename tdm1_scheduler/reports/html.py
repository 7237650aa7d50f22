"""The day sheet as text: the short strings the painted pages print, and the whole sheet
as HTML (Qt's rich-text subset) for a browser or a mail. No Qt import.

``summary_lines``, ``bag_cell`` and the header strings are shared with ``paint`` (the
printed page). ``flow_html`` (summary, bags, appointment table) and ``document_html``
(the same with the header) are the standalone HTML form of the sheet.
"""

from __future__ import annotations

from datetime import datetime
from html import escape

from ..domain.regimen import DRUG_NAME
from ..domain.regimens import TDM1
from .day_sheet import DaySheet, SheetAppointment

# The bag column of the printed table is narrow: one or two words per preparation state.
BAG_SHORT = {
    "not prepared": "prepare",
    "vial reconstituted": "vial",
    "bag ready": "ready",
    "vial expired": "VIAL EXP",
    "bag expired": "BAG EXP",
    "discarded": "discarded",
    "used": "used",
}
BAG_LEGEND = (
    "Bag: prepare = no bag yet \u00b7 vial = vial reconstituted \u00b7 ready = bag diluted "
    "\u00b7 EXP = expired \u00b7 \u2192hh:mm = expires then \u00b7 bold = bag to prepare"
)

FONT = "DejaVu Sans, Arial, Helvetica, sans-serif"
TABLE = (
    'border="1" cellspacing="0" cellpadding="2" width="100%" '
    'style="border-collapse: collapse; border-color: black; border-style: solid;"'
)


def hhmm(value: datetime | None) -> str:
    # the wall time's fields, as %H:%M prints them: strftime on an aware instant asks
    # its zone for the offset every time, and the sheet prints thousands
    return "" if value is None else f"{value.hour:02d}:{value.minute:02d}"


def title_text(sheet: DaySheet) -> str:
    return f"{sheet.clinic} \u2014 day sheet {sheet.day:%a %d %b %Y}"


def subtitle_text(sheet: DaySheet) -> str:
    if sheet.opening is None:
        hours = "clinic closed"
    else:
        hours = f"open {hhmm(sheet.opening[0])}\u2013{hhmm(sheet.opening[1])}"
    return f"{DRUG_NAME} \u00b7 {hours} \u00b7 {sheet.timezone}"


def printed_text(sheet: DaySheet) -> str:
    return f"Printed {sheet.printed_at:%Y-%m-%d %H:%M} (bag status as of then)"


def percent(fraction: float) -> str:
    return f"{fraction * 100:.1f}%"


def summary_lines(sheet: DaySheet) -> list[str]:
    """The day's figures as short plain-text lines (the timeline page prints these)."""
    cap = "no cap" if sheet.start_cap is None else f"cap {sheet.start_cap} per 30 min"
    over = sheet.slots_over_cap
    peak = (
        f"Peak {sheet.peak_concurrent} patients in chairs at {hhmm(sheet.peak_at)}"
        if sheet.peak_at is not None
        else "Peak 0 patients in chairs"
    )
    return [
        f"Chairs in use {sheet.chairs_in_use} of {sheet.active_chairs}",
        f"Utilization {percent(sheet.utilization)} ({sheet.booked_minutes} of "
        f"{sheet.open_chair_minutes} chair-min)",
        peak,
        f"Infusion starts {sheet.infusion_starts} ({cap}"
        + (f"; OVER CAP at {', '.join(over)}" if over else "")
        + ")",
        f"First infusions {len(sheet.first_infusions)}",
        f"Bags to prepare {sum(1 for b in sheet.bags if b.what == 'prepare')}, "
        f"expiring today {sum(1 for b in sheet.bags if b.what == 'expires')}",
    ]


def bag_cell(sheet: DaySheet, item: SheetAppointment) -> tuple[str, bool]:
    """The bag column's short text and whether a bag must be prepared for this dose.

    ``"given"`` for a dose already given; an expiry time on the sheet's day is added as
    ``\u2192hh:mm`` (a vial or bag that runs out that day, or before the infusion).
    """
    if not item.is_dose:
        return "", False
    if item.status == "given":
        return "given", False
    note = next((n for n in sheet.bags if n.appointment is item), None)
    text = BAG_SHORT.get(item.bag_status or "", item.bag_status or "")
    expires = item.bag_expires_at
    if note is not None and expires is not None and expires.date() == sheet.day:
        text += f" \u2192{hhmm(expires)}"
    return text, note is not None and note.what == "prepare"


def _patient(item: SheetAppointment) -> str:
    if not item.is_dose:
        return f"<i>blocked: {escape(item.label)}</i>"
    return escape(item.name or "")


def summary_html(sheet: DaySheet) -> str:
    lines = "".join(f"<li>{escape(line)}</li>" for line in summary_lines(sheet))
    parts = [f"<h3>Summary</h3><ul>{lines}</ul>"]
    if sheet.starts_by_slot:
        cap = sheet.start_cap
        heads = "".join(f"<th>{slot}</th>" for slot in sheet.starts_by_slot)
        cells = "".join(
            f"<td align=center><b>{n}!</b></td>"
            if cap is not None and n > cap
            else f"<td align=center>{n}</td>"
            for n in sheet.starts_by_slot.values()
        )
        cap_text = "no cap" if cap is None else f"cap {cap}"
        parts.append(
            f"<p><b>Infusion starts per 30-minute slot</b> ({cap_text}; ! = over cap)</p>"
            f"<table {TABLE}><tr>{heads}</tr><tr>{cells}</tr></table>"
        )
    if sheet.first_infusions:
        names = ", ".join(
            f"{escape(a.name or '')} ({escape(a.mrn or '')}, {escape(a.chair)} "
            f"{hhmm(a.infusion_start)})"
            for a in sheet.first_infusions
        )
        parts.append(
            f"<p><b>First infusions</b> ({TDM1.first_infusion_min} min infusion"
            f" + {TDM1.first_observation_min} min observation): {names}</p>"
        )
    return "".join(parts)


def bags_html(sheet: DaySheet) -> str:
    if not sheet.bags:
        return "<h3>Bags</h3><p>No bag to prepare, none expiring today.</p>"
    rows = "".join(
        "<tr>"
        f"<td>{'PREPARE' if note.what == 'prepare' else 'expires'}</td>"
        f"<td>{hhmm(note.appointment.infusion_start)}</td>"
        f"<td>{escape(note.appointment.chair)}</td>"
        f"<td>{escape(note.appointment.name or '')}</td>"
        f"<td>{escape(note.appointment.mrn or '')}</td>"
        f"<td>{escape(note.appointment.bag_status or '')}</td>"
        f"<td>{'' if note.expires_at is None else f'{note.expires_at:%a %H:%M}'}</td>"
        "</tr>"
        for note in sheet.bags
    )
    return (
        "<h3>Bags to prepare or expiring today</h3>"
        f"<table {TABLE}><thead><tr><th>What</th><th>Infusion</th><th>Chair</th>"
        "<th>Patient</th><th>MRN</th><th>Bag now</th><th>Expires</th></tr></thead>"
        f"{rows}</table>"
    )


def table_html(sheet: DaySheet) -> str:
    rows: list[str] = []
    for chair in sheet.chairs:
        for item in chair.appointments:
            chair_name = escape(chair.name) + ("" if chair.active else " (out of service)")
            infusion = (
                f"{hhmm(item.infusion_start)}\u2013{hhmm(item.infusion_end)}"
                if item.is_dose
                else ""
            )
            rows.append(
                "<tr>"
                f"<td>{chair_name}</td>"
                f"<td>{hhmm(item.start)}</td>"
                f"<td>{infusion}</td>"
                f"<td>{hhmm(item.observation_end) if item.is_dose else ''}</td>"
                f"<td>{hhmm(item.end)}</td>"
                f"<td>{_patient(item)}</td>"
                f"<td>{escape(item.mrn or '')}</td>"
                f"<td align=center>{item.cycle_text}</td>"
                f"<td align=center>{'<b>FIRST</b>' if item.first_infusion else ''}</td>"
                f"<td>{escape(item.bag_status or '')}</td>"
                f"<td>{escape(item.status) if item.is_dose else ''}</td>"
                "</tr>"
            )
    if not rows:
        return "<h3>Appointments</h3><p>No chair is booked on this day.</p>"
    return (
        "<h3>Appointments</h3>"
        f"<table {TABLE}><thead><tr><th>Chair</th><th>Chair start</th><th>Infusion</th>"
        "<th>Observe until</th><th>Chair free</th><th>Patient</th><th>MRN</th>"
        "<th>Cycle</th><th>1st</th><th>Bag</th><th>Status</th></tr></thead>"
        + "".join(rows)
        + "</table>"
    )


def flow_html(sheet: DaySheet, font_pt: float = 8.0) -> str:
    """Summary, bags and table: the part of the sheet that flows over pages."""
    return (
        f'<html><body style="font-family: {FONT}; font-size: {font_pt}pt; color: black;">'
        + summary_html(sheet)
        + bags_html(sheet)
        + table_html(sheet)
        + "</body></html>"
    )


def document_html(sheet: DaySheet) -> str:
    """The whole sheet as one HTML page, header included (no timeline drawing)."""
    head = (
        f"<h2>{escape(title_text(sheet))}</h2>"
        f"<p>{escape(subtitle_text(sheet))}<br>{escape(printed_text(sheet))}</p>"
    )
    return _with_head(flow_html(sheet), head)


def _with_head(body: str, head: str) -> str:
    marker = body.index(">", body.index("<body")) + 1
    return body[:marker] + head + body[marker:]
