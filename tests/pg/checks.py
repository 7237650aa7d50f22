"""SQL checks of a server clinic that several tests assert (issue 16's races)."""

from __future__ import annotations


def chair_overlaps(url: str) -> int:
    """Pairs of chair-holding appointments that overlap on one chair (any day)."""
    import psycopg

    with psycopg.connect(url) as conn:
        row = conn.execute(
            """SELECT count(*) FROM appointments a JOIN appointments b
                 ON a.chair_id = b.chair_id AND a.id < b.id
                AND a.status IN ('booked', 'given') AND b.status IN ('booked', 'given')
                AND a.start_utc < b.end_utc AND b.start_utc < a.end_utc"""
        ).fetchone()
    assert row is not None
    return int(row[0])
