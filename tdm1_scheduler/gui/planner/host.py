"""The planner page as its parts see it: the visit menu (``context_menu``) and the week
(``week_view``).

``page.Planner`` is a ``PlannerHost`` and builds those parts; they name this class,
never ``page``, so the page and its parts import no circle.
"""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QWidget

from ...services.context import Context
from ..session import Session
from ..shell import Shell
from .controller import MoveController
from .day_scene import Chair


class PlannerHost(QWidget):
    """The page: its session and window, the one move controller, the chairs shown, its
    message line and the view actions; ``page.Planner`` does what the methods say."""

    session: Session
    main_window: Shell  # not ``window``: QWidget.window() exists
    ctx: Context
    moves: MoveController
    chairs: list[Chair]
    info: QLabel
    mode_actions: dict[str, QAction]
    guide_action: QAction | None

    def say(self, text: str) -> None:
        """Tell the scheduler (the status bar and the page's own line)."""
        raise NotImplementedError

    def set_mode(self, mode: str) -> None:
        """Show the day grid ("day") or the week ("week")."""
        raise NotImplementedError

    def open_day(self, day: object) -> None:
        """Show ``day`` (a ``datetime.date``) in the day grid."""
        raise NotImplementedError
