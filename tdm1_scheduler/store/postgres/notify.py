"""Live updates across workstations (issue 16): each committed write tells the others.

``PgStore.transaction()`` marks the audit log's head when it takes the write lock
(``mark``) and, just before COMMIT, sends one ``pg_notify`` on ``CHANNEL`` naming what
its audit rows name (``announce``). Sent inside the transaction, the notification is
delivered only if it commits: a rolled-back write tells nobody.

The payload is small JSON: ``{"audit": [first, last], "changes": {"appointment": [3, 4],
...}}``, or ``{"audit": [first, last], "all": true}`` when the ids would not fit in
``MAX_PAYLOAD`` bytes (the server's limit is 8000). The ids are a hint (module doc of
``services.live``): a reader re-reads what they name, or everything on ``all``.

``ChangeListener`` (``listener``) is the receiving end.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .pg_connection import PgDatabase

__all__ = ["CHANNEL", "MAX_PAYLOAD", "announce", "mark", "payload"]

CHANNEL = "tdm1_changes"
MAX_PAYLOAD = 4000  # bytes; the server refuses a payload of 8000 or more


def mark(pg: PgDatabase) -> int:
    """The audit log's head, read under the write lock (no other writer moves it)."""
    row = pg.pg.execute(b"SELECT COALESCE(MAX(id), 0) FROM audit_log").fetchone()
    return int(row[0]) if row else 0


def payload(rows: list[tuple[int, str, int | None]]) -> str:
    """The JSON text naming ``rows`` (audit id, entity, entity id), capped in size."""
    changes: dict[str, list[int]] = {}
    for _, entity, entity_id in rows:
        ids = changes.setdefault(entity, [])
        if entity_id is not None and entity_id not in ids:
            ids.append(entity_id)
    audit = [rows[0][0], rows[-1][0]]
    text = json.dumps({"audit": audit, "changes": changes}, separators=(",", ":"))
    if len(text.encode()) > MAX_PAYLOAD:
        text = json.dumps({"audit": audit, "all": True}, separators=(",", ":"))
    return text


def announce(pg: PgDatabase, since: int) -> int:
    """Send the notification for the audit rows after ``since`` (this transaction's);
    how many rows it names (0: nothing written, nothing sent)."""
    rows = pg.pg.execute(
        b"SELECT id, entity, entity_id FROM audit_log WHERE id > %s ORDER BY id", [since]
    ).fetchall()
    if not rows:
        return 0
    found = [(int(a), str(e), None if i is None else int(i)) for a, e, i in rows]
    pg.pg.execute(b"SELECT pg_notify(%s, %s)", [CHANNEL, payload(found)])
    return len(found)
