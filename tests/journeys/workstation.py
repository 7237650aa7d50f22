"""One workstation of the three-workstation journey (test_three_workstations.py).

``python -m tests.journeys.workstation --db URL --now NOW --user NAME`` starts the app as
a person starts it, ``tdm1-scheduler --db URL --now NOW --user NAME``: ``__main__.main``
runs ``app.run_gui``, which opens the clinic's store (``open_clinic_store``), makes the
clock and the ``Context`` and shows the real ``MainWindow`` (offscreen here). Only its
``app.exec()`` is taken over: the window is then driven from stdin, inside Qt's own event
loop, so the live link refreshes the window between commands as it would for a person.

One JSON command per line on stdin, one JSON answer per line on stdout, in order:

- ``{"do": "page", "name": "planner" | "nurse_board"}``: click that page's tab;
- ``{"do": "drag", "mrn", "cycle", "chair", "at": "HH:MM"}``: on the planner's day grid,
  press on the booking's block, move in steps and release where it starts at ``at`` in
  ``chair`` (QTest mouse events, ``gui_steps.drag``); answers what the window then says
  (the status bar) and shows (the block);
- ``{"do": "step", "chair", "step"}``: on the nurse board, click a step's button
  (``arrive``, ``start``, ...) on that chair's tile; answers what the tile then shows;
- ``{"do": "show", "view": ..., ...}``: what a view shows now (below);
- ``{"do": "watch", "view": ..., ..., "expect": {...}, "deadline_s": 30}``: answered at
  once; later an event line ``{"event": "seen", "ok", "seen_at", "shown"}`` says when the
  view first showed ``expect`` (``seen_at``: ``time.time()`` at that check, every 5 ms
  and after each change the window is told of), or ``ok`` false at the deadline;
- ``{"do": "quit"}``.

Views: ``block`` (mrn, cycle): the planner's block of that booking, its chair and start
as drawn (read back from its place in the scene) and its tooltip; ``tile`` (chair): the
nurse board's tile of that chair, its texts; ``status``: the status bar's message. An
``expect`` key ending in ``~`` matches a part of the text.

Every answer carries ``commits``: ``time.time()`` after each COMMIT this process made
while the command ran (``PgStore.transaction`` is wrapped to note it; nothing else of
the app is touched).
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import time as wall_time
from typing import Any, TextIO

Json = dict[str, Any]
COMMITS: list[float] = []  # time.time() after each outermost COMMIT of this process
PAGES = {"planner": "plannerPage", "nurse_board": "nurseBoardPage"}
WATCH_MS = 5
WATCH_S = 30.0  # a watch's deadline: from the watch, not the commit (a CLI may start slowly)


def note_commits() -> None:
    """Wrap ``PgStore.transaction`` to note when each outermost transaction committed."""
    from tdm1_scheduler.store.postgres.pg_store import PgStore

    original = PgStore.transaction

    @contextmanager
    def timed(self: PgStore) -> Iterator[PgStore]:
        outer = not self.in_transaction()
        with original(self) as tx:
            yield tx
        if outer:
            COMMITS.append(time.time())

    PgStore.transaction = timed  # type: ignore[method-assign]


# --- what the window shows -----------------------------------------------------------
def block_shown(window: Any, mrn: str, cycle: int) -> Json:
    """The booking's block on the planner's day grid: chair and start from its place."""
    from tdm1_scheduler.gui.planner.day_scene import BLOCK_MARGIN

    planner = window.features["planner"]
    geometry = planner.scene.geometry
    for block in planner.scene.blocks.values():
        row = block.row
        if row.mrn == mrn and row.cycle == cycle and row.appointment.holds_chair:
            place = block.pos()
            chair = geometry.chairs[geometry.lane_at(place.y() - BLOCK_MARGIN)].name
            start = geometry.snapped_start(place.x())
            return {"chair": chair, "start": f"{start:%H:%M}", "tooltip": block.toolTip()}
    return {"absent": f"no block for cycle {cycle} of {mrn} on {geometry.day}"}


def tile_shown(window: Any, chair: str) -> Json:
    """The nurse board's tile of ``chair``: its texts as shown."""
    feature = window.features["nurse_board"]
    if not feature.built:
        return {"absent": "the nurse board was never opened"}
    for tile in feature.board.chair_tiles.values():
        if tile.chair_name == chair:
            labels = {
                "chair": tile.chair_label, "patient": tile.patient_label,
                "cycle": tile.cycle_label, "phase": tile.phase_label,
                "countdown": tile.countdown_label, "until": tile.until_label,
                "bag": tile.bag_label, "message": tile.message_label,
            }  # fmt: skip
            return {
                name: label.text() if label.isVisibleTo(tile) else ""
                for name, label in labels.items()
            }
    return {"absent": f"no tile for {chair}"}


def shown(window: Any, command: Json) -> Json:
    view = command["view"]
    if view == "block":
        return block_shown(window, command["mrn"], int(command["cycle"]))
    if view == "tile":
        return tile_shown(window, command["chair"])
    if view == "status":
        return {"text": window.statusBar().currentMessage()}
    raise ValueError(f"no view {view!r}")


def matches(found: Json, expect: Json) -> bool:
    for key, value in expect.items():
        if key.endswith("~"):
            if str(value) not in str(found.get(key[:-1], "")):
                return False
        elif found.get(key) != value:
            return False
    return True


# --- the desk: commands from stdin, answers to stdout ------------------------------
class Desk:
    """Reads commands as they come (a socket notifier on stdin), runs them one at a time
    from the event loop, and writes the answers and events to ``out``."""

    def __init__(self, window: Any, out: TextIO) -> None:
        from PySide6.QtCore import QSocketNotifier, QTimer

        self.window = window
        self.out = out
        self.buffer = b""
        self.commands: deque[Json] = deque()
        self.running = False
        self.asked: list[str] = []
        self.watches: list[tuple[Json, float, QTimer]] = []
        self.announced = 0  # changes the window was told of (for a watch's event)
        window.features["planner"].confirm = self._confirm
        window.sig_data_changed.connect(self._look)
        self.notifier = QSocketNotifier(sys.stdin.fileno(), QSocketNotifier.Type.Read)
        self.notifier.activated.connect(self._read)

    def _confirm(self, title: str, text: str) -> bool:
        """The planner's yes/no question (later cycles move, a time in the past): noted
        in the answer, and answered Yes, as the scheduler who dragged would."""
        self.asked.append(f"{title}: {text}")
        return True

    def write(self, reply: Json) -> None:
        self.out.write(json.dumps(reply) + "\n")
        self.out.flush()

    def _read(self) -> None:
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication

        data = os.read(sys.stdin.fileno(), 65536)
        if not data:  # the test went away: close as a person would
            self.notifier.setEnabled(False)
            self.window.close()
            QApplication.quit()
            return
        self.buffer += data
        *lines, self.buffer = self.buffer.split(b"\n")
        self.commands.extend(json.loads(line) for line in lines if line.strip())
        QTimer.singleShot(0, self._next)

    def _next(self) -> None:
        from PySide6.QtCore import QTimer

        if self.running or not self.commands:
            return
        command = self.commands.popleft()
        self.running = True
        first = len(COMMITS)
        self.asked = []
        try:
            reply = {"ok": True, **self.run(command)}
        except Exception as error:
            reply = {"ok": False, "error": repr(error), "trace": traceback.format_exc()}
        reply["commits"] = COMMITS[first:]
        self.write(reply)
        self.running = False
        if command.get("do") == "quit":
            self._quit()
        QTimer.singleShot(0, self._next)

    def run(self, command: Json) -> Json:
        do = command["do"]
        if do == "page":
            return self.page(command["name"])
        if do == "drag":
            return self.drag(command)
        if do == "step":
            return self.step(command["chair"], command["step"])
        if do == "show":
            return {"shown": shown(self.window, command)}
        if do == "watch":
            return self.watch(command)
        if do == "quit":
            return {}
        raise ValueError(f"no command {do!r}")

    # --- commands ----------------------------------------------------------------------
    def page(self, name: str) -> Json:
        """Click the page's tab, as a person does."""
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        pages = self.window.pages
        index = next(i for i in range(pages.count()) if pages.widget(i).objectName() == PAGES[name])
        bar = pages.tabBar()
        QTest.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
        current = pages.currentWidget().objectName()
        assert current == PAGES[name], current
        return {"page": current}

    def drag(self, command: Json) -> Json:
        from tests.journeys.gui_steps import block_of, drag

        planner = self.window.features["planner"]
        if self.window.pages.currentWidget() is not planner:
            self.page("planner")
        mrn, cycle = command["mrn"], int(command["cycle"])
        block = block_of(planner, mrn, cycle)
        lane = [chair.name for chair in planner.chairs].index(command["chair"])
        hours, minutes = (int(part) for part in command["at"].split(":"))
        day = planner.scene.geometry.day
        start = planner.session.settings.calendar.at(day, wall_time(hours, minutes))
        drag(planner, block, lane, start)
        return {
            "status": self.window.statusBar().currentMessage(),
            "refusal": planner.moves.last_refusal,
            "asked": list(self.asked),
            "block": block_shown(self.window, mrn, cycle),
        }

    def step(self, chair: str, step: str) -> Json:
        """On the nurse board, click the step's button (``arrive``, ...) on ``chair``'s
        tile; answers what the tile then shows."""
        from tests.journeys.conftest import click

        feature = self.window.features["nurse_board"]
        if self.window.pages.currentWidget() is not (feature.board if feature.built else None):
            self.page("nurse_board")
        tile = next(t for t in feature.board.chair_tiles.values() if t.chair_name == chair)
        click(tile.buttons[step])
        return {"tile": tile_shown(self.window, chair)}

    def watch(self, command: Json) -> Json:
        from PySide6.QtCore import Qt, QTimer

        timer = QTimer()
        timer.setTimerType(Qt.TimerType.PreciseTimer)
        timer.setInterval(WATCH_MS)
        deadline = time.monotonic() + float(command.get("deadline_s", WATCH_S))
        entry = ({**command, "announced": self.announced}, deadline, timer)
        timer.timeout.connect(lambda: self._check(entry))
        self.watches.append(entry)
        timer.start()
        found = shown(self.window, command)
        return {"watching": True, "shown": found}

    def _look(self, _changes: object = None) -> None:
        """A change the window was told of: check the watches as soon as every view has
        taken it (a page built later is connected after this), not at the next tick."""
        from PySide6.QtCore import QTimer

        self.announced += 1
        for entry in list(self.watches):
            QTimer.singleShot(0, lambda entry=entry: self._check(entry))

    def _check(self, entry: tuple[Json, float, Any]) -> None:
        command, deadline, timer = entry
        if entry not in self.watches:
            return
        found = shown(self.window, command)
        seen = matches(found, command["expect"])
        if seen or time.monotonic() > deadline:
            timer.stop()
            self.watches.remove(entry)
            told = self.announced - command["announced"]  # changes told of meanwhile
            event = {"event": "seen", "ok": seen, "seen_at": time.time(), "shown": found,
                     "told": told}  # fmt: skip
            if not seen:
                event["listener"] = self._listener_now()
            self.write(event)

    def _listener_now(self) -> Json:
        """When a watch failed: what the live link's listener holds now (diagnosis)."""
        live = self.window.session.live
        if live is None:
            return {"live": None}
        listener = live.link.listener
        late = listener.poll(0.5)
        return {
            "connected": listener.connected, "fileno": listener.fileno(),
            "reconnects": listener.reconnects, "check_active": live.check_timer.isActive(),
            "notifier": live._notifier is not None and live._notifier.isEnabled(),
            "late": [[n.sender, {k: list(v) for k, v in n.changes.items()}] for n in late],
            "own_pid": listener.own_pid(),
        }  # fmt: skip

    def _quit(self) -> None:
        from PySide6.QtWidgets import QApplication

        self.notifier.setEnabled(False)
        self.window.close()
        QApplication.quit()


def ready(window: Any) -> Json:
    """What the test checks before the first command: who is logged in, on what clock."""
    store = window.ctx.store
    who = store.session()
    return {
        "ready": True,
        "login": who.login,
        "groups": sorted(who.groups),
        "clock": type(window.ctx.clock).__name__,
        "now": window.ctx.clock.now().isoformat(),
        "live": window.session.live is not None,
        "page": window.pages.currentWidget().objectName(),
    }


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    out = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1)
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # anything else printed: stderr
    note_commits()
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from tdm1_scheduler.__main__ import main as app_main
    from tdm1_scheduler.gui.main_window import MainWindow

    run_loop: Callable[[], int] = QApplication.exec  # a static method: the event loop
    desks: list[Desk] = []

    def exec_driven(*_called_on: object) -> int:  # app.exec() or QApplication.exec()
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        windows = [w for w in app.topLevelWidgets() if isinstance(w, MainWindow)]
        assert len(windows) == 1, windows
        window = windows[0]
        window.resize(1500, 1000)
        assert QTest.qWaitForWindowExposed(window)
        app.processEvents()
        desks.append(Desk(window, out))
        desks[0].write(ready(window))
        return run_loop()

    QApplication.exec = exec_driven  # type: ignore[method-assign]
    sys.argv = ["tdm1-scheduler", *sys.argv[1:]]
    return app_main()


if __name__ == "__main__":
    sys.exit(main())
