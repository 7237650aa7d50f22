"""The planner room: the day grid, the week view, moves with preview and undo."""
