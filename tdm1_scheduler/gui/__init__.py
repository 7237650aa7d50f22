"""PySide6 face of the scheduler: main window, Qt models over the services, dialogs."""

from . import start_gc

start_gc.pause()  # until the main window's first paint (``start_gc``: issue 19)
