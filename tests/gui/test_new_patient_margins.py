"""The New patient dialog (its Designer form, resources/ui/new_patient.ui) keeps the
standard layout margins: no field or button touches the dialog's edge."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QStyle, QWidget

from tdm1_scheduler.gui.main_window import MainWindow

from .conftest import OFFSCREEN_NOISE
from .test_patients_panel import open_new_patient

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)


def _in_dialog(dialog: QWidget, widget: QWidget) -> QRect:
    return QRect(widget.mapTo(dialog, QPoint(0, 0)), widget.size())


def test_new_patient_dialog_has_the_standard_margins(qtbot: Any, window: MainWindow) -> None:
    dialog = open_new_patient(qtbot, window)
    style = dialog.style()
    left = style.pixelMetric(QStyle.PixelMetric.PM_LayoutLeftMargin, None, dialog)
    top = style.pixelMetric(QStyle.PixelMetric.PM_LayoutTopMargin, None, dialog)
    right = style.pixelMetric(QStyle.PixelMetric.PM_LayoutRightMargin, None, dialog)
    bottom = style.pixelMetric(QStyle.PixelMetric.PM_LayoutBottomMargin, None, dialog)
    assert min(left, top, right, bottom) > 0
    label = dialog.form.findChild(QWidget, "mrnLabel")
    first = _in_dialog(dialog, label)
    assert first.left() >= left and first.top() >= top
    field = _in_dialog(dialog, dialog.mrn_edit)
    assert field.right() <= dialog.width() - 1 - right
    buttons = _in_dialog(dialog, dialog.button_box)
    assert buttons.right() <= dialog.width() - 1 - right
    assert buttons.bottom() <= dialog.height() - 1 - bottom
    dialog.reject()
