"""Feature views attach themselves to the main window here, one call each.

Each feature module offers ``attach(window) -> object``: it adds its page with
``window.add_page``, its actions to ``window.menu(name)``, and listens to
``window.sig_data_changed`` / ``window.sig_day_changed``. The main window never imports
a feature directly, so features are built and tested on their own.
"""

from __future__ import annotations

import importlib
from typing import Any

# Modules that provide ``attach(window)``; a missing one is skipped (feature not built yet).
FEATURE_MODULES = (
    ("planner", "tdm1_scheduler.gui.planner.page"),
    ("patients_panel", "tdm1_scheduler.gui.patients.panel"),
    ("nurse_board", "tdm1_scheduler.gui.nurse.board"),
    ("pharmacy_view", "tdm1_scheduler.gui.pharmacy.page"),
    ("preferences", "tdm1_scheduler.gui.preferences.dialog"),
)


def attach_features(window: Any) -> dict[str, Any]:
    attached: dict[str, Any] = {}
    for key, name in FEATURE_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name == name:
                continue
            raise
        attached[key] = module.attach(window)
    return attached
