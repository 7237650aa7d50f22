"""Work that can wait until a widget has been painted once (issue 19: the window shows
first, then the load strip and the patients search fill in).

``after_first_paint(widget, action)`` runs ``action`` once, from
``QTimer.singleShot(0)`` after ``widget``'s first paint event, so the paint pass that
shows the window is not held up by it. A widget that is never painted (hidden, or a
window that is never shown) never runs it: call ``Deferred.run_now`` where the result
is needed at once; it runs ``action`` if it has not run, and never twice (``cancel``:
never).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

__all__ = ["Deferred", "after_first_paint"]


class Deferred(QObject):
    """``action`` once: after ``widget``'s first paint, or at ``run_now``."""

    def __init__(self, widget: QWidget, action: Callable[[], object]) -> None:
        super().__init__(widget)
        self._action: Callable[[], object] | None = action
        self._widget = widget
        widget.installEventFilter(self)

    @property
    def pending(self) -> bool:
        return self._action is not None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._widget and event.type() == QEvent.Type.Paint:
            self._widget.removeEventFilter(self)
            QTimer.singleShot(0, self, self.run_now)  # after this paint pass
        return False

    def cancel(self) -> None:
        """Never run the action (what it would do was done another way)."""
        if self._action is not None:
            self._action = None
            self._widget.removeEventFilter(self)

    def run_now(self) -> None:
        """Run the action now unless it has run already."""
        action, self._action = self._action, None
        if action is not None:
            self._widget.removeEventFilter(self)
            action()


def after_first_paint(widget: QWidget, action: Callable[[], object]) -> Deferred:
    """Run ``action`` once, just after ``widget`` is first painted (see ``Deferred``)."""
    return Deferred(widget, action)
