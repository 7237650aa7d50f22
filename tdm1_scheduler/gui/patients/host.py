"""The patients feature as the parts it attaches see it: the readiness strip
(``course_readiness``) and the exports (``exports``).

``panel.PatientsFeature`` is a ``PatientsHost`` and builds those parts; they name this
class, never ``panel``, so the feature and its parts import no circle.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QObject, SignalInstance
from PySide6.QtWidgets import QTableView, QVBoxLayout

from ...services.context import Context
from ..session import Session
from ..shell import Shell
from .models import CourseCyclesModel


class CoursePanel(Protocol):
    """What the parts use of the dock's ``panel.PatientsPanel``."""

    @property
    def current_mrn(self) -> str | None: ...
    @property
    def sig_patient_selected(self) -> SignalInstance: ...
    @property
    def course_view(self) -> QTableView: ...
    @property
    def course_layout(self) -> QVBoxLayout: ...
    @property
    def cycles_model(self) -> CourseCyclesModel: ...
    def cycle_to_mark_missed(self) -> int | None: ...


class PatientsHost(QObject):
    """The feature's parts' parent: its session, window, context and panel."""

    session: Session
    window: Shell
    ctx: Context
    panel: CoursePanel
