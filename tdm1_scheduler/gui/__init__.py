"""PySide6 face of the scheduler: main window, Qt models over the services, dialogs."""
