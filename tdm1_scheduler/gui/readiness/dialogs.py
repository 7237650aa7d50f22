"""The dialogs of issue 17: a clinician's override of the readiness gate, the nurse's
acknowledgement under ``warn``, and Record lab result... / Record LVEF...

Each write is one service call; a refusal (a ``DomainError`` naming its field) is shown
in the dialog, which stays open, and nothing is written.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import QDateTime, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QWidget,
)

from ...domain.calendar import ClinicCalendar
from ...domain.readiness import Readiness
from ...services import readiness as readiness_service
from ...services.context import ChangeSet, Context
from ..refusals import SERVICE_ERRORS, refusal_text
from ..widgets import info_label
from .view import gate_check, reasons_list, verdict_word

OnChanges = Callable[[ChangeSet], None]

LAB_TESTS = (
    ("ast", "AST (aspartate aminotransferase)", True),
    ("alt", "ALT (alanine aminotransferase)", True),
    ("bilirubin", "Total bilirubin", True),
    ("platelets", "Platelets, per mm3", False),
)
LVEF_MODALITIES = (("echo", "Echocardiogram"), ("muga", "MUGA scan"))


def result_service(*names: str) -> Callable[..., ChangeSet]:
    """The first of ``names`` (``add_lab_result`` or ``add_lab``; ``add_lvef``) found in
    ``services.readiness`` (issue 17's services) or ``services.labs``."""
    for module_name in ("readiness", "labs"):
        try:
            module = importlib.import_module(f"tdm1_scheduler.services.{module_name}")
        except ModuleNotFoundError:
            continue
        for name in names:
            found = getattr(module, name, None)
            if found is not None:
                return found  # type: ignore[no-any-return]
    raise LookupError(f"the service {names[0]} is not available in this build")


def _buttons(dialog: QDialog, name: str, ok_text: str) -> tuple[QDialogButtonBox, QPushButton]:
    box = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, dialog
    )
    box.setObjectName(name)
    ok = box.button(QDialogButtonBox.StandardButton.Ok)
    ok.setText(ok_text)
    ok.setAccessibleName(ok_text)
    box.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName("Cancel")
    box.accepted.connect(dialog.accept)
    box.rejected.connect(dialog.reject)
    return box, ok


def verdict_summary(readiness: Readiness) -> str:
    return f"Readiness: {verdict_word(readiness)}\n{reasons_list(readiness)}"


# --- the gate ----------------------------------------------------------------------------
class OverrideDialog(QDialog):
    """Under ``enforce``: a dose not ``ready`` goes on only with a clinician's override,
    a reason and a name, recorded (and audited) by ``record_override``."""

    def __init__(
        self,
        ctx: Context,
        *,
        mrn: str,
        cycle: int,
        what: str,
        action: str,
        readiness: Readiness,
        clinician: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.mrn, self.cycle, self.action = mrn, cycle, action
        self.changes: ChangeSet | None = None
        self.setObjectName("readinessOverrideDialog")
        title = f"Override: {action} for a dose not ready"
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        layout = QFormLayout(self)
        self.verdict_label = info_label(self, "overrideVerdictLabel", "Why the dose is not ready")
        self.verdict_label.setText(
            f"{what} is not ready: the site's gate refuses to {action} without a"
            f" clinician's override.\n{verdict_summary(readiness)}"
        )
        layout.addRow(self.verdict_label)
        self.reason_edit = QLineEdit(self)
        self.reason_edit.setObjectName("overrideReasonEdit")
        self.reason_edit.setAccessibleName("Reason for the override")
        layout.addRow("Reason:", self.reason_edit)
        self.clinician_edit = QLineEdit(clinician, self)
        self.clinician_edit.setObjectName("overrideClinicianEdit")
        self.clinician_edit.setAccessibleName("Clinician authorising the override")
        layout.addRow("Clinician:", self.clinician_edit)
        self.error_label = info_label(self, "overrideErrorLabel", "Why not", error=True)
        layout.addRow(self.error_label)
        self.buttons, self.ok_button = _buttons(self, "overrideButtons", f"Override and {action}")
        layout.addRow(self.buttons)
        for edit in (self.reason_edit, self.clinician_edit):
            edit.textChanged.connect(self._validate)
        self._validate()

    @Slot()
    def _validate(self) -> None:
        filled = bool(self.reason_edit.text().strip() and self.clinician_edit.text().strip())
        self.ok_button.setEnabled(filled)

    def accept(self) -> None:
        reason, clinician = self.reason_edit.text().strip(), self.clinician_edit.text().strip()
        if not reason or not clinician:
            self.error_label.setText("A reason and the clinician's name are both needed.")
            return
        try:
            self.changes = readiness_service.record_override(
                self.ctx,
                mrn=self.mrn,
                cycle=self.cycle,
                reason=reason,
                clinician=clinician,
                action=self.action,
            )
        except SERVICE_ERRORS as error:
            self.error_label.setText(f"Not recorded: {refusal_text(error)}")
            return
        super().accept()


def acknowledge_question(
    parent: QWidget, *, what: str, action: str, readiness: Readiness
) -> QMessageBox:
    """Under ``warn``: the verdict and its reasons, then go on (Yes) or not (the default)."""
    box = QMessageBox(
        QMessageBox.Icon.Warning,
        "Dose not ready",
        f"{what} is {verdict_word(readiness)}, not ready. {action.capitalize()} anyway?",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
        parent,
    )
    box.setInformativeText(reasons_list(readiness))
    box.setObjectName("readinessAcknowledge")
    box.setAccessibleName(f"Acknowledge that {what} is not ready")
    yes = box.button(QMessageBox.StandardButton.Yes)
    yes.setText(f"Acknowledge and {action}")
    yes.setObjectName("acknowledgeReadinessButton")
    yes.setAccessibleName(f"I have seen the verdict: {action}")
    cancel = box.button(QMessageBox.StandardButton.Cancel)
    cancel.setAccessibleName("Cancel")
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.setEscapeButton(cancel)
    return box


# --- results --------------------------------------------------------------------------
def _sample_edit(parent: QWidget, calendar: ClinicCalendar, now: datetime) -> QDateTimeEdit:
    local = calendar.local(now)
    wall = QDateTime(local.year, local.month, local.day, local.hour, local.minute, 0)
    edit = QDateTimeEdit(wall, parent)
    edit.setObjectName("sampleAtEdit")
    edit.setAccessibleName("Sampled at (clinic time)")
    edit.setDisplayFormat("yyyy-MM-dd HH:mm")
    edit.setCalendarPopup(True)
    return edit


def _number(text: str, field: str) -> float:
    try:
        return float(text.strip().replace(",", ""))
    except ValueError:
        raise ValueError(f"{field}: a number is needed, got {text.strip()!r}") from None


class ResultDialog(QDialog):
    """Common ground: a form, a sample instant in clinic time, an error line, Save."""

    def __init__(
        self, ctx: Context, calendar: ClinicCalendar, mrn: str, title: str, name: str,
        on_changes: OnChanges, parent: QWidget | None,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.ctx, self.calendar, self.mrn = ctx, calendar, mrn
        self.on_changes = on_changes
        self.changes: ChangeSet | None = None
        self.setObjectName(name)
        self.setWindowTitle(f"{title} for {mrn}")
        self.setAccessibleName(f"{title} for {mrn}")
        self.form = QFormLayout(self)
        self.sample_edit = _sample_edit(self, calendar, ctx.clock.now())

    def finish_form(self) -> None:
        self.form.addRow("Sampled at:", self.sample_edit)
        self.error_label = info_label(self, "resultErrorLabel", "Why it is refused", error=True)
        self.form.addRow(self.error_label)
        self.buttons, self.ok_button = _buttons(self, "resultButtons", "Save result")
        self.form.addRow(self.buttons)

    def sampled_at(self) -> datetime:
        wall = self.sample_edit.dateTime().toPython()
        assert isinstance(wall, datetime)
        return self.calendar.at(wall.date(), wall.time())

    def call(self) -> ChangeSet:
        raise NotImplementedError

    def accept(self) -> None:
        try:
            self.changes = self.call()
        except ValueError as error:
            self.error_label.setText(str(error))
            return
        except LookupError as error:
            self.error_label.setText(str(error))
            return
        except SERVICE_ERRORS as error:
            field = getattr(error, "field", None)
            prefix = f"{field}: " if field else ""
            self.error_label.setText(f"Not saved: {prefix}{refusal_text(error)}")
            return
        super().accept()  # closed first: what follows may open the slot finder
        self.on_changes(self.changes)


class LabResultDialog(ResultDialog):
    """Record lab result...: AST, ALT or total bilirubin with its ULN, or platelets."""

    def __init__(
        self, ctx: Context, calendar: ClinicCalendar, mrn: str, on_changes: OnChanges,
        parent: QWidget | None = None,
    ) -> None:  # fmt: skip
        super().__init__(
            ctx, calendar, mrn, "Record lab result", "labResultDialog", on_changes, parent
        )
        self.test_combo = QComboBox(self)
        self.test_combo.setObjectName("labTestCombo")
        self.test_combo.setAccessibleName("Test")
        for code, label, _needs_uln in LAB_TESTS:
            self.test_combo.addItem(label, code)
        self.value_edit = QLineEdit(self)
        self.value_edit.setObjectName("labValueEdit")
        self.value_edit.setAccessibleName("Value")
        self.uln_edit = QLineEdit(self)
        self.uln_edit.setObjectName("labUlnEdit")
        self.uln_edit.setAccessibleName("Upper limit of normal (ULN)")
        self.uln_label = QLabel("ULN:", self)
        self.form.addRow("Test:", self.test_combo)
        self.form.addRow("Value:", self.value_edit)
        self.form.addRow(self.uln_label, self.uln_edit)
        self.finish_form()
        self.test_combo.currentIndexChanged.connect(self._test_changed)
        self._test_changed()

    @property
    def test(self) -> str:
        return str(self.test_combo.currentData())

    def needs_uln(self) -> bool:
        return next(needs for code, _label, needs in LAB_TESTS if code == self.test)

    @Slot()
    def _test_changed(self) -> None:
        needs = self.needs_uln()
        self.uln_edit.setEnabled(needs)
        self.uln_label.setEnabled(needs)
        self.value_edit.setPlaceholderText("per mm3, e.g. 45000" if not needs else "")

    def call(self) -> ChangeSet:
        value = _number(self.value_edit.text(), "value")
        uln = _number(self.uln_edit.text(), "ULN") if self.needs_uln() else None
        add = result_service("add_lab_result", "add_lab")
        return add(
            self.ctx, mrn=self.mrn, test=self.test, value=value, uln=uln, at=self.sampled_at()
        )


class LvefDialog(ResultDialog):
    """Record LVEF...: the ejection fraction in % (5-95) and its modality."""

    def __init__(
        self, ctx: Context, calendar: ClinicCalendar, mrn: str, on_changes: OnChanges,
        parent: QWidget | None = None,
    ) -> None:  # fmt: skip
        super().__init__(ctx, calendar, mrn, "Record LVEF", "lvefDialog", on_changes, parent)
        self.percent_edit = QLineEdit(self)
        self.percent_edit.setObjectName("lvefPercentEdit")
        self.percent_edit.setAccessibleName("LVEF percent")
        self.percent_edit.setPlaceholderText("5-95")
        self.modality_combo = QComboBox(self)
        self.modality_combo.setObjectName("lvefModalityCombo")
        self.modality_combo.setAccessibleName("Modality")
        for code, label in LVEF_MODALITIES:
            self.modality_combo.addItem(label, code)
        self.form.addRow("LVEF %:", self.percent_edit)
        self.form.addRow("Modality:", self.modality_combo)
        self.finish_form()

    def call(self) -> ChangeSet:
        percent = _number(self.percent_edit.text(), "percent")
        add: Callable[..., Any] = result_service("add_lvef")
        modality = str(self.modality_combo.currentData())
        result: ChangeSet = add(
            self.ctx, mrn=self.mrn, percent=percent, at=self.sampled_at(), modality=modality
        )
        return result


# --- the one gated path ------------------------------------------------------------------
def run_gated(
    parent: QWidget,
    ctx: Context,
    *,
    mrn: str,
    cycle: int,
    what: str,
    action: str,
    proceed: Callable[[], object],
    on_changes: OnChanges,
    refused: Callable[[str], None] | None = None,
    clinician: str = "",
) -> QDialog | QMessageBox | None:
    """Do ``proceed`` for a dose as the site's gate allows: at once when the dose is
    ``ready`` (or the gate is off, or an override is on record); under ``warn`` after
    the person acknowledges the verdict; under ``enforce`` only after a clinician's
    override is recorded (``on_changes`` gets its ChangeSet first). Returns the dialog
    opened (the caller keeps it and sets WA_DeleteOnClose), or None when it went ahead."""
    check = gate_check(ctx.store, mrn=mrn, cycle=cycle, action=action)
    readiness = check.readiness
    if readiness is None or not (check.needs_override or check.needs_acknowledgement):
        proceed()
        return None
    if check.needs_override:
        if refused is not None:
            refused(
                f"Refused: {what} is {verdict_word(readiness)}, not ready; the site's gate"
                f" needs a clinician's override to {action}"
            )
        dialog = OverrideDialog(
            ctx, mrn=mrn, cycle=cycle, what=what, action=action, readiness=readiness,
            clinician=clinician, parent=parent,
        )  # fmt: skip

        def overridden() -> None:
            if dialog.changes is not None:
                on_changes(dialog.changes)
            proceed()

        dialog.accepted.connect(overridden)
        return dialog
    box = acknowledge_question(parent, what=what, action=action, readiness=readiness)
    box.accepted.connect(lambda: proceed() and None)
    return box
