"""m008: patients by name, so the patient search stops early (issue 15, item 8).

``repository.search_patients`` reads ``... WHERE mrn LIKE '%text%' OR name LIKE
'%text%' ORDER BY name LIMIT n``. A LIKE with a leading wildcard can use no index, so it
scanned every patient and then sorted all that matched. Walking this index instead reads
the patients already in name order and stops at the ``n``-th match: no sort, and a
search that matches often reads only a few pages, however many patients the file holds.
"""

from __future__ import annotations

from .connection import Database

NAME = "m008_patients_by_name"


def m008_patients_by_name(db: Database) -> None:
    """``patients_by_name`` on ``patients(name)`` (the ORDER BY of the search)."""
    db.executescript("CREATE INDEX IF NOT EXISTS patients_by_name ON patients(name);")
