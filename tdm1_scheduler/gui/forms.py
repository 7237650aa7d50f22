"""Static dialogs from Qt Designer forms, loaded at run time with QUiLoader."""

from __future__ import annotations

from PySide6.QtCore import QFile, QIODevice
from PySide6.QtUiTools import QUiLoader
from PySide6.QtWidgets import QDialog, QLabel, QWidget

from .. import __version__
from ..domain.regimen import DRUG_NAME, DRUG_NAME_REMINDER
from ..domain.regimens import TDM1
from .resources import form_path

FORM_NAMES = ("about",)

DISCLAIMER = (
    "This application supports scheduling only. It does not replace the prescribing "
    "information or clinical judgement."
)

_WEEKS = TDM1.cycle_length_days // 7
_TOP, *_REDUCED = (f"{level:.1f}" for level in TDM1.dose_levels_mg_per_kg)
LABEL_FACTS = (
    f"One dose every {_WEEKS} weeks ({TDM1.cycle_length_days}-day cycle).",
    f"First infusion over {TDM1.first_infusion_min} minutes, with observation for at least"
    f" {TDM1.first_observation_min} minutes after it.",
    f"Later infusions over {TDM1.later_infusion_min} minutes if earlier ones were well"
    f" tolerated, with observation for at least {TDM1.later_observation_min} minutes after;"
    " after a reaction the tolerated rate is kept.",
    f"Early breast cancer: {TDM1.fixed_cycles('EBC')} cycles in total; metastatic: until"
    " progression or unmanageable toxicity.",
    "A missed dose is given as soon as possible and the schedule re-anchored to keep "
    f"doses {_WEEKS} weeks apart.",
    f"Dose {_TOP} mg/kg, never more; reductions {' then '.join(_REDUCED)} mg/kg, no re-escalation.",
)


class FormError(RuntimeError):
    """A Designer form could not be loaded (missing or broken file)."""


def load_form(name: str, parent: QWidget | None = None) -> QWidget:
    path = form_path(name)
    file = QFile(str(path))
    if not file.open(QIODevice.OpenModeFlag.ReadOnly):
        raise FormError(f"cannot open form {path}")
    try:
        widget = QUiLoader().load(file, parent)
    finally:
        file.close()
    if widget is None:
        raise FormError(f"cannot load form {path}")
    return widget


def about_text() -> str:
    facts = "".join(f"<li>{fact}</li>" for fact in LABEL_FACTS)
    return (
        f"<p>Schedules infusion chairs for <b>{DRUG_NAME}</b>, also called T-DM1: "
        f"{DRUG_NAME_REMINDER}. Do not substitute one for another.</p>"
        "<p>The scheduling rules come from these facts of the US prescribing information "
        f"(labelling) for {DRUG_NAME}:</p>"
        f"<ul>{facts}</ul>"
        "<p>Site policies (15 minutes of chair preparation, closed days) are settings, "
        "not labelling.</p>"
        f"<p><b>{DISCLAIMER}</b></p>"
    )


def build_about_dialog(parent: QWidget | None = None) -> QDialog:
    dialog = load_form("about", parent)
    if not isinstance(dialog, QDialog):
        raise FormError("about.ui must hold a QDialog")
    title = dialog.findChild(QLabel, "titleLabel")
    body = dialog.findChild(QLabel, "bodyLabel")
    if title is None or body is None:
        raise FormError("about.ui lacks titleLabel or bodyLabel")
    title.setText(f"<h2>T-DM1 Chair Scheduler {__version__}</h2>")
    body.setText(about_text())
    return dialog
