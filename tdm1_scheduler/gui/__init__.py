"""PySide6 face of the scheduler: main window, Qt models over the services, dialogs."""

import PySide6.QtCore  # noqa: F401  # PySide6's import hook exists from here on

from . import pyside_feature, start_gc

pyside_feature.quicken()  # before the app's modules are imported (issue 19)
start_gc.pause()  # until the main window's first paint (``start_gc``: issue 19)
