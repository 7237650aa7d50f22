"""The planner's view parts that the start needs: Tab through a view's blocks, and
the Day / Week and User guide actions. The week view itself (``week_view``) is
imported and built when the Week is first shown (issue 19)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QActionGroup, QKeyEvent, QKeySequence

if TYPE_CHECKING:
    from ..shell import Shell
    from .day_view import PlannerView
    from .host import PlannerHost

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "guide" / "README.md"


class BlockTabber(QObject):
    """Tab and Shift+Tab step through a view's blocks in time order (then chair): the
    block reached is selected, focused and scrolled into view, so the arrow keys and the
    Menu key act on it. Past the last block, Tab leaves the view as usual."""

    def __init__(self, view: PlannerView) -> None:
        super().__init__(view)
        self.view = view
        view.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        key = event.key()
        back = key == Qt.Key.Key_Backtab or (
            key == Qt.Key.Key_Tab and event.modifiers() & Qt.KeyboardModifier.ShiftModifier
        )
        if key not in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
            return False
        scene = self.view.planner_scene
        geometry = scene.geometry
        rows = sorted(  # the rows, not the blocks: a block is made when reached
            scene.block_rows(),
            key=lambda b: (
                (b.start, geometry.chair_index(b.chair_id) or 0) if geometry else (b.start, 0)
            ),
        )
        if not rows:
            return False
        ids = [row.id for row in rows]
        current = scene.selected_block()
        at = -1 if current is None else current.appointment_id
        index = ids.index(at) if at in scene.blocks else (len(ids) if back else -1)
        index += -1 if back else 1
        if not 0 <= index < len(ids):
            return False  # past the ends: the focus moves on to the next widget
        block = scene.blocks[ids[index]]
        scene.clearSelection()
        block.setSelected(True)
        block.setFocus(Qt.FocusReason.TabFocusReason)
        self.view.ensureVisible(block)
        return True


def select_on_focus(view: PlannerView) -> BlockTabber:
    """Tab reaches the blocks of ``view`` (see ``BlockTabber``)."""
    return BlockTabber(view)


def add_view_actions(window: Shell, planner: PlannerHost) -> None:
    """Day / Week on the toolbar and the View menu (Ctrl+1, Ctrl+2); Help > User guide."""
    group = QActionGroup(window)
    group.setExclusive(True)
    window.toolbar.addSeparator()
    window.menu("view").addSeparator()
    for mode, text, key, tip in (
        ("day", "&Day", "Ctrl+1", "The day grid: one lane per chair (Ctrl+1)"),
        ("week", "&Week", "Ctrl+2", "The week: chairs by the seven days (Ctrl+2)"),
    ):
        action = QAction(text, window)
        action.setObjectName(f"{mode}ModeAction")
        action.setCheckable(True)
        action.setShortcut(QKeySequence(key))
        action.setToolTip(tip)
        action.triggered.connect(lambda _checked=False, m=mode: planner.set_mode(m))
        group.addAction(action)
        window.toolbar.addAction(action)
        button = window.toolbar.widgetForAction(action)
        button.setObjectName(f"{mode}ModeButton")
        button.setAccessibleName(f"Show the {mode} in the planner")
        window.menu("view").addAction(action)
        planner.mode_actions[mode] = action
    planner.mode_actions["day"].setChecked(True)
    guide = QAction("User &guide", window)
    guide.setObjectName("userGuideAction")
    guide.setShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents))
    guide.setToolTip("Open the user guide (a page per role)")
    guide.triggered.connect(open_guide)
    help_menu = window.menu("help")
    first = help_menu.actions()
    if first:
        help_menu.insertAction(first[0], guide)
    else:
        help_menu.addAction(guide)
    planner.guide_action = guide


def open_guide() -> None:
    """Help > User guide: the page in the desktop's browser."""
    from PySide6.QtCore import QUrl  # built when asked (issue 19)
    from PySide6.QtGui import QDesktopServices

    QDesktopServices.openUrl(QUrl.fromLocalFile(str(GUIDE)))
