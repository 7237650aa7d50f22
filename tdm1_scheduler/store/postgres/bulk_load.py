"""Filling empty tables fast, inside the caller's transaction (``copy_clinic``).

Checked row by row, a COPY into ``appointments`` runs two foreign-key triggers, two
exclusion checks over GiST and five index inserts per row: the 5-year clinic took
minutes. So while the tables fill, their foreign keys, exclusion constraints and
secondary (non-unique) indexes are set aside (dropped), and afterwards made again from
the server's own definitions (``pg_get_constraintdef``, ``pg_get_indexdef``), same names:
each is then built, and checked over every row, in one pass. Primary keys, unique
constraints and unique indexes stay, so a duplicate is still refused as it arrives.

All of it is DDL in the caller's transaction: other sessions never see a table without
its constraints (the copy holds its tables locked), and a rollback puts every one back.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    import psycopg


class SetAside(NamedTuple):
    table: str
    name: str
    definition: str  # pg_get_constraintdef (a constraint) or pg_get_indexdef (an index)
    is_index: bool


CONSTRAINTS = """
SELECT t.relname, c.conname, pg_get_constraintdef(c.oid), false
FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
WHERE t.relnamespace = 'public'::regnamespace AND t.relname = ANY(%s)
  AND c.contype IN ('f', 'x')
ORDER BY c.contype = 'x', t.relname, c.conname
"""
INDEXES = """
SELECT t.relname, i.relname, pg_get_indexdef(i.oid), true
FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
WHERE t.relnamespace = 'public'::regnamespace AND t.relname = ANY(%s)
  AND NOT x.indisunique AND NOT x.indisprimary
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
ORDER BY t.relname, i.relname
"""


def set_aside(conn: psycopg.Connection[Any], tables: Iterable[str]) -> list[SetAside]:
    """Drop the tables' foreign keys (first), exclusion constraints and secondary
    indexes; what was dropped, in the order to make it again (``restore``)."""
    from psycopg import sql

    names = list(tables)
    constraints = [SetAside(*row) for row in conn.execute(CONSTRAINTS, [names])]
    indexes = [SetAside(*row) for row in conn.execute(INDEXES, [names])]
    for item in constraints:  # foreign keys come first: nothing depends on them
        conn.execute(
            sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
                sql.Identifier(item.table), sql.Identifier(item.name)
            )
        )
    for item in indexes:
        conn.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(item.name)))
    # made again: indexes, then exclusion constraints, then the foreign keys
    exclusions = [item for item in constraints if item.definition.startswith("EXCLUDE")]
    foreign = [item for item in constraints if item not in exclusions]
    return [*indexes, *exclusions, *foreign]


def restore(conn: psycopg.Connection[Any], items: Iterable[SetAside]) -> None:
    """Make each set-aside index and constraint again, checking every row."""
    from psycopg import sql

    for item in items:
        if item.is_index:
            conn.execute(item.definition.encode())  # the server's own CREATE INDEX text
        else:
            conn.execute(
                sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} ").format(
                    sql.Identifier(item.table), sql.Identifier(item.name)
                )
                + sql.SQL(item.definition)  # the server's own definition
            )
