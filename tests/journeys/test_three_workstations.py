"""Three workstations on one server (issue 16, "Done when"): two GUI processes and the
command line behave as the front desk, the chairs and the clean room. Each sees the
others' changes within a second, none can double-book, each role does only its own work.

One throwaway server (``pg_server``) and a clinic made as docs/server.md says: the owner
runs ``init`` on a new database, then one login role per person, each in one group role
(docs/roles.md). The people: ``sam.sched`` (scheduler) at the front desk's GUI,
``nurse.kim`` (nurse) at the chairs' GUI and at the command line, ``pat.pharm``
(pharmacist) and ``sue.sched`` (a second scheduler) at the command line.

Each GUI is a real process, the app started as a person starts it
(``workstation.py``: ``--db URL --now NOW --user NAME``, the real ``MainWindow``,
offscreen), driven with QTest mouse events; the command line is ``run_process`` (a real
``python -m tdm1_scheduler``). After each step the server's tables are read with plain
SQL (``desks.py``). "Seen within" is measured from the commit (``desks.CommitClock``) to
the first moment the other window showed the change, and must be under a second.

The clinic (America/New_York, 08:00-17:00, four chairs), Tuesday 17 November 2026 at
07:00 on every workstation's clock, each patient's first EBC infusion (15 + 90 + 90 min)
booked that day: Ann Lee (A1) Chair 1 09:00, Bea Cruz (B2) Chair 2 09:00, Cy Dunn (C3)
Chair 3 09:00, Dee Fox (D4) Chair 3 13:00; Eve Gray (E5) and Fay Hill (F6) have no course.

1. The scheduler drags Ann to 10:00: the nurse's board shows it, and so does the CLI.
2. At the CLI, at once, the pharmacist reconstitutes Bea's vial (the nurse's board shows
   the bag) and the second scheduler books Eve at 13:30 in Chair 1 (the scheduler's
   planner shows her block).
3. The nurse drags Bea on her planner: refused, naming her role and the action; the
   scheduler clicks Arrived on the nurse board: refused the same way. The nurse records
   Ann's arrival on her board, and the scheduler's board shows it.
4. At the CLI the nurse's ``appointment move``, the pharmacist's ``course start`` and
   the scheduler's ``prep dilute`` are refused (exit 2), naming role and action.
5. Twice, the scheduler's GUI drags one booking and the second scheduler's CLI moves
   another into one chair and time, both held at the server's write lock until both
   wait there (so both are past every check made before writing): the first in the
   queue wins, the other is told the chair is taken. First the GUI's drop waits first
   (Cy and Dee into Chair 4 at 10:00), then the CLI's (Dee and Eve into Chair 2 at
   13:30: the drop its preview allowed is refused). No chair is ever double-booked.

Run with ``-s`` to see the "seen within" figures.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from tdm1_scheduler.cli.main import main as cli_main
from tests.cli.conftest import run_process
from tests.pg.checks import chair_overlaps as overlaps
from tests.pg.server import PgServer
from tests.store.postgres.conftest import OWNER, ensure_role

from .desks import (
    Booking,
    CommitClock,
    Json,
    Workstation,
    WriteGate,
    audit_head,
    audit_people,
    day_bookings,
    everything,
)

pytestmark = pytest.mark.slow

NOW = "2026-11-17T07:00"
DAY = "2026-11-17"
SEEN_WITHIN_S = 1.0
PEOPLE = {
    "sam.sched": "scheduler",
    "sue.sched": "scheduler",
    "nurse.kim": "nurse",
    "pat.pharm": "pharmacist",
}
PATIENTS = {  # mrn: (name, chair and start of the first infusion, or None: no course)
    "A1": ("Ann Lee", ("Chair 1", "09:00")),
    "B2": ("Bea Cruz", ("Chair 2", "09:00")),
    "C3": ("Cy Dunn", ("Chair 3", "09:00")),
    "D4": ("Dee Fox", ("Chair 3", "13:00")),
    "E5": ("Eve Gray", None),
    "F6": ("Fay Hill", None),
}
BOOKED: list[Booking] = [
    ("A1", 1, "Chair 1", "09:00", "12:15", "booked"),
    ("B2", 1, "Chair 2", "09:00", "12:15", "booked"),
    ("C3", 1, "Chair 3", "09:00", "12:15", "booked"),
    ("D4", 1, "Chair 3", "13:00", "16:15", "booked"),
]
# Every workstation waits for the write lock as long as a race holds it (default: 5 s).
WAIT_FOR_LOCK = {"TDM1_SCHEDULER_BUSY_TIMEOUT_MS": "60000"}


@pytest.fixture
def server_clinic(pg_server: PgServer, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The clinic on a new database; each person's URL, and the owner's (``owner``)."""
    monkeypatch.delenv("TDM1_SCHEDULER_DB", raising=False)
    name = pg_server.new_database(OWNER)
    urls = {"owner": pg_server.url(name, OWNER)}
    init = ["init", "--timezone", "America/New_York", "--chairs", "4"]
    assert cli_main(["--db", urls["owner"], "--now", NOW, *init]) == 0
    with psycopg.connect(pg_server.url(), autocommit=True) as admin:  # groups made by init
        for person, group in PEOPLE.items():
            ensure_role(admin, person, f'LOGIN IN ROLE "{group}"')
            urls[person] = pg_server.url(name, person)
    front_desk = ["--db", urls["sam.sched"], "--now", NOW]
    for mrn, (patient, first) in PATIENTS.items():
        add = ["patient", "add", "--mrn", mrn, "--name", patient, "--weight-kg", "70"]
        assert cli_main([*front_desk, *add]) == 0
        if first is not None:
            chair, start = first
            book = ["course", "start", "--mrn", mrn, "--setting", "EBC",
                    "--first-dose", f"{DAY}T{start}", "--chair", chair]  # fmt: skip
            assert cli_main([*front_desk, *book]) == 0
    return urls


@pytest.fixture
def desks(server_clinic: dict[str, str], tmp_path: Path) -> Iterator[dict[str, Workstation]]:
    """The two GUI workstations, started side by side, ready."""
    started = {
        "scheduler": Workstation(
            "scheduler", server_clinic["sam.sched"], NOW, "sam.sched", tmp_path, **WAIT_FOR_LOCK
        ),
        "nurse": Workstation(
            "nurse", server_clinic["nurse.kim"], NOW, "nurse.kim", tmp_path, **WAIT_FOR_LOCK
        ),
    }
    try:
        yield started
    finally:
        for desk in started.values():
            desk.quit()
        codes = {name: desk.wait() for name, desk in started.items()}
        assert codes == {"scheduler": 0, "nurse": 0}, codes


def cli(url: str, *argv: str, **env: str) -> subprocess.CompletedProcess[str]:
    """One command in a process of its own, at this clinic's time."""
    return run_process("--db", url, "--now", NOW, *argv, **env)


def seen_within(
    label: str, event: Json, committed: float, writer_commits: list[float] | None = None
) -> float:
    """How long after the commit the watching window showed it; under a second. The
    commit's instant is the earliest note of it: the commit clock's, or the writer's own
    (a GUI writer notes when its COMMIT returned)."""
    assert event["ok"], f"{label}: never shown ({event['told']} changes told); it shows {event}"
    commit = min([committed, *(writer_commits or [])])
    taken = float(event["seen_at"]) - commit
    print(f"seen within: {label}: {taken * 1000:.0f} ms after the commit ({event['told']} told)")
    assert taken < SEEN_WITHIN_S, (label, taken)
    return taken


@dataclass(frozen=True)
class Race:
    """The GUI drags ``gui_mrn``'s first infusion and the CLI moves ``cli_mrn``'s, both
    to ``chair`` at ``at``; ``cli_first``: the CLI reaches the write lock first."""

    gui_mrn: str
    cli_mrn: str
    chair: str
    at: str
    cli_first: bool


@dataclass(frozen=True)
class Outcome:
    winner: str  # the MRN moved
    committed: float  # the winner's commit, by the commit clock
    commits: list[float]  # the GUI's own note of its commit, when it won
    told: str  # what the loser was told


def race(front: Workstation, url: str, owner: str, clock: CommitClock, race: Race) -> Outcome:
    """Run ``race`` with both writers held at the write lock until both wait there:
    exactly one wins; the loser is told the chair is taken (the GUI in its status bar,
    the CLI with exit 2, one line); one move audited; no chair double-booked."""
    head = audit_head(owner)
    gate = WriteGate(owner)
    drag = {"mrn": race.gui_mrn, "cycle": 1, "chair": race.chair, "at": race.at}
    move = ("appointment", "move", "--mrn", race.cli_mrn, "--cycle", "1",
            "--to", f"{DAY}T{race.at}", "--chair", race.chair)  # fmt: skip
    with ThreadPoolExecutor(1) as pool:
        try:
            if not race.cli_first:
                front.send("drag", **drag)
                gate.wait_for(1)
            line_run = pool.submit(cli, url, *move, **WAIT_FOR_LOCK)
            gate.wait_for(1 if race.cli_first else 2)
            if race.cli_first:
                front.send("drag", **drag)
                gate.wait_for(2)  # so the drop passed its preview: it is at its write
            mark = clock.mark()
        finally:
            gate.open()
        gui = front.answer(timeout=60)
        line = line_run.result(timeout=60)
    committed = clock.first_after(mark, "appointment")
    status, gui_won = gui["status"], gui["status"].startswith("Moved ")
    assert gui_won != (line.returncode == 0), (status, line.returncode, line.stderr)
    patient = PATIENTS[race.gui_mrn][0]
    where = f"{race.chair} Tue 17 Nov {race.at}"
    if gui_won:
        assert status == f"Moved cycle 1 of {patient} ({race.gui_mrn}) to {where}"
        assert line.returncode == 2 and line.stderr.startswith("refused: "), line.stderr
        assert "chair taken" in line.stderr and line.stderr.count("\n") == 1, line.stderr
        told = line.stderr.strip()
    else:
        assert line.returncode == 0, line.stderr
        assert status.startswith(f"Not moved: cycle 1 of {patient} ({race.gui_mrn}) to {where}: ")
        assert "chair taken" in status, status
        assert gui["commits"] == []
        told = status
    winner = race.gui_mrn if gui_won else race.cli_mrn
    print(f"the race into {where}: {'the GUI' if gui_won else 'the CLI'} won; the other: {told}")
    assert overlaps(owner) == 0
    who = "sam.sched" if gui_won else "sue.sched"
    assert audit_people(owner, head) == [("move appointment", who)]
    shown = front.ask("show", view="block", mrn=winner, cycle=1)["shown"]
    assert (shown["chair"], shown["start"]) == (race.chair, race.at)  # the GUI shows the truth
    return Outcome(winner, committed, gui["commits"] if gui_won else [], told)


def with_booking(bookings: list[Booking], booking: Booking) -> list[Booking]:
    """``bookings`` with the patient's first infusion replaced by ``booking``."""
    kept = [b for b in bookings if b[:2] != booking[:2]]
    return sorted([*kept, booking])


def test_two_guis_and_a_cli_on_one_server_are_three_workstations(
    server_clinic: dict[str, str], desks: dict[str, Workstation]
) -> None:
    urls, owner = server_clinic, server_clinic["owner"]
    front, chairs = desks["scheduler"], desks["nurse"]
    assert front.ready() | {"now": None} == {
        "ready": True, "login": "sam.sched", "groups": ["scheduler"], "clock": "FixedClock",
        "now": None, "live": True, "page": "plannerPage",
    }  # fmt: skip
    assert chairs.ready()["groups"] == ["nurse"]
    assert day_bookings(owner, DAY) == BOOKED
    clock = CommitClock(owner)
    timings: dict[str, float] = {}
    try:
        assert chairs.ask("page", name="nurse_board")["page"] == "nurseBoardPage"
        tile = chairs.ask("show", view="tile", chair="Chair 1")["shown"]
        assert (tile["patient"], tile["until"]) == ("Ann Lee", "at 09:15")  # after 15 min prep

        # 1. The scheduler drags Ann's block to 10:00; the nurse's board follows.
        chairs.ask("watch", view="tile", chair="Chair 1", expect={"until": "at 10:15"})
        mark = clock.mark()
        dragged = front.ask("drag", mrn="A1", cycle=1, chair="Chair 1", at="10:00")
        assert dragged["status"] == "Moved cycle 1 of Ann Lee (A1) to Chair 1 Tue 17 Nov 10:00"
        assert dragged["block"] | {"tooltip": ""} == {
            "chair": "Chair 1", "start": "10:00", "tooltip": ""
        }  # fmt: skip
        assert dragged["asked"] == [] and len(dragged["commits"]) == 1
        committed = clock.first_after(mark)
        timings["1 nurse GUI sees the scheduler GUI's drag"] = seen_within(
            "nurse GUI sees the scheduler GUI's drag", chairs.event(), committed,
            dragged["commits"],
        )  # fmt: skip
        moved = [("A1", 1, "Chair 1", "10:00", "13:15", "booked"), *BOOKED[1:]]
        assert day_bookings(owner, DAY) == moved
        shown = cli(urls["pat.pharm"], "course", "show", "--mrn", "A1", "--json")
        assert shown.returncode == 0, shown.stderr
        first = json.loads(shown.stdout)["cycles"][0]
        assert (first["chair"], first["start"]) == ("Chair 1", "2026-11-17T10:00:00-05:00")
        print(f"the CLI shows it: {time.time() - committed:.2f} s after the commit (a process)")

        # 2. The CLI's changes, at once: the pharmacist reconstitutes Bea's vial, and the
        # nurse's board shows the bag; the second scheduler books Eve, and the planner
        # shows her block.
        chairs.ask("watch", view="tile", chair="Chair 2", expect={"bag~": "not yet diluted"})
        front.ask("watch", view="block", mrn="E5", cycle=1,
                  expect={"chair": "Chair 1", "start": "13:30"})  # fmt: skip
        mark = clock.mark()
        with ThreadPoolExecutor(2) as pool:
            prep = pool.submit(cli, urls["pat.pharm"], "prep", "reconstitute", "--mrn", "B2",
                               "--cycle", "1", "--at", NOW, "--lot", "L1")  # fmt: skip
            book = pool.submit(cli, urls["sue.sched"], "course", "start", "--mrn", "E5",
                               "--setting", "EBC", "--first-dose", f"{DAY}T13:30",
                               "--chair", "Chair 1")  # fmt: skip
            made, booked = prep.result(), book.result()
        assert made.returncode == 0, made.stderr
        assert booked.returncode == 0, booked.stderr
        timings["2 nurse GUI sees the pharmacist CLI's prep"] = seen_within(
            "nurse GUI sees the pharmacist CLI's prep", chairs.event(),
            clock.first_after(mark, "preparation"),
        )  # fmt: skip
        timings["2 scheduler GUI sees the scheduler CLI's booking"] = seen_within(
            "scheduler GUI sees the scheduler CLI's booking", front.event(),
            clock.first_after(mark, "course"),
        )  # fmt: skip
        with psycopg.connect(owner) as conn:
            preps = conn.execute(
                "SELECT reconstituted_at IS NOT NULL, diluted_at IS NULL, vial_lots"
                " FROM preparations"
            ).fetchall()
        assert preps == [(True, True, "L1")]
        assert sorted(audit_people(owner)[-2:]) == [
            ("book course", "sue.sched"), ("record reconstitution", "pat.pharm")
        ]  # fmt: skip
        moved = sorted([*moved, ("E5", 1, "Chair 1", "13:30", "16:45", "booked")])
        assert day_bookings(owner, DAY) == moved

        # 3. The nurse drags Bea on her planner: refused by name; nothing written ...
        before = everything(owner)
        refused = chairs.ask("drag", mrn="B2", cycle=1, chair="Chair 2", at="11:00")
        assert refused["status"] == (
            "Not moved: cycle 1 of Bea Cruz (B2) to Chair 2 Tue 17 Nov 11:00:"
            " nurse.kim (nurse) may not run appointment move"
        )
        assert refused["block"]["start"] == "09:00" and refused["commits"] == []
        assert everything(owner) == before
        # ... the scheduler clicks Arrived on Bea's tile (on the nurse board of her own
        # window): refused the same way; the nurse does it for Ann, and the scheduler's
        # board shows it.
        assert front.ask("page", name="nurse_board")["page"] == "nurseBoardPage"
        clicked = front.ask("step", chair="Chair 2", step="arrive")
        assert clicked["tile"]["message"] == (
            "Refused: sam.sched (scheduler) may not run patient arrived"
        )
        assert clicked["tile"]["phase"] == "Expected" and clicked["commits"] == []
        assert everything(owner) == before
        front.ask("watch", view="tile", chair="Chair 1", expect={"phase": "Arrived/prep"})
        mark = clock.mark()
        arrived = chairs.ask("step", chair="Chair 1", step="arrive")
        assert arrived["tile"]["phase"] == "Arrived/prep" and len(arrived["commits"]) == 1
        timings["3 scheduler GUI sees the nurse GUI's arrival"] = seen_within(
            "scheduler GUI sees the nurse GUI's arrival", front.event(),
            clock.first_after(mark), arrived["commits"],
        )  # fmt: skip
        with psycopg.connect(owner) as conn:
            visits = conn.execute(
                "SELECT p.mrn, to_char(v.arrived_at AT TIME ZONE %s, 'HH24:MI') FROM visits v"
                " JOIN appointments a ON a.id = v.appointment_id JOIN doses d ON d.id = a.dose_id"
                " JOIN courses c ON c.id = d.course_id JOIN patients p ON p.id = c.patient_id",
                ["America/New_York"],
            ).fetchall()
        assert visits == [("A1", "07:00")]
        assert audit_people(owner)[-1] == ("patient arrived", "nurse.kim")
        assert day_bookings(owner, DAY) == moved

        # 4. At the CLI, each role's command that is another's work is refused.
        before = everything(owner)
        others = {
            "nurse.kim": ("appointment", "move", "--mrn", "B2", "--cycle", "1",
                          "--to", f"{DAY}T11:00"),
            "pat.pharm": ("course", "start", "--mrn", "F6", "--setting", "EBC",
                          "--first-dose", "2026-11-18T09:00"),
            "sam.sched": ("prep", "dilute", "--mrn", "B2", "--cycle", "1", "--at", NOW),
        }  # fmt: skip
        with ThreadPoolExecutor(len(others)) as pool:
            ran = {who: pool.submit(cli, urls[who], *argv) for who, argv in others.items()}
            results = {who: future.result() for who, future in ran.items()}
        assert {who: (r.returncode, r.stderr) for who, r in results.items()} == {
            "nurse.kim": (2, "refused: nurse.kim (nurse) may not run appointment move\n"),
            "pat.pharm": (2, "refused: pat.pharm (pharmacist) may not run course book\n"),
            "sam.sched": (2, "refused: sam.sched (scheduler) may not run prep dilute\n"),
        }
        assert everything(owner) == before

        # 5. Two bookings into one chair and time at once, twice: the scheduler's GUI
        # drags one, the second scheduler's CLI moves the other; both are held at the
        # server's write lock until both wait there. The first in the queue wins.
        assert chairs.ask("page", name="nurse_board")["page"] == "nurseBoardPage"
        assert chairs.ask("show", view="tile", chair="Chair 4")["shown"]["patient"] == "No patient"
        chairs.ask("watch", view="tile", chair="Chair 4", expect={"until": "at 10:15"})
        first = Race(gui_mrn="C3", cli_mrn="D4", chair="Chair 4", at="10:00", cli_first=False)
        won = race(front, urls["sue.sched"], owner, clock, first)
        assert won.winner == "C3", won  # the GUI's drop was the first to wait
        seen = chairs.event()
        assert seen["shown"]["patient"] == "Cy Dunn"
        timings["5a nurse GUI sees the race's winner (GUI)"] = seen_within(
            "nurse GUI sees the race's winner (GUI)", seen, won.committed, won.commits
        )
        moved = with_booking(moved, ("C3", 1, "Chair 4", "10:00", "13:15", "booked"))
        assert day_bookings(owner, DAY) == moved

        # ... and the CLI first: the GUI's drop, which its preview allowed, is refused.
        assert chairs.ask("page", name="planner")["page"] == "plannerPage"
        chairs.ask("watch", view="block", mrn="E5", cycle=1,
                   expect={"chair": "Chair 2", "start": "13:30"})  # fmt: skip
        second = Race(gui_mrn="D4", cli_mrn="E5", chair="Chair 2", at="13:30", cli_first=True)
        won = race(front, urls["sue.sched"], owner, clock, second)
        assert won.winner == "E5", won
        timings["5b nurse GUI sees the race's winner (CLI)"] = seen_within(
            "nurse GUI sees the race's winner (CLI)", chairs.event(), won.committed
        )
        after = front.ask("show", view="block", mrn="E5", cycle=1)["shown"]  # read again
        assert (after["chair"], after["start"]) == ("Chair 2", "13:30")
        moved = with_booking(moved, ("E5", 1, "Chair 2", "13:30", "16:45", "booked"))
        assert day_bookings(owner, DAY) == moved
    finally:
        clock.close()
    print("seen within (ms): " + ", ".join(f"{k}: {v * 1000:.0f}" for k, v in timings.items()))
