"""The patients room: search, the course panel, patient dialogs, exports."""
