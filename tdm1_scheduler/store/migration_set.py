"""The app's migration set, recorded exactly as sqlite-utils' ``Migrations`` records it.

Which migrations are applied or pending is read here with plain SQL from the
``_sqlite_migrations`` table, so opening an up-to-date file never imports sqlite-utils
(about 100 ms). Only ``apply`` (a new file, or a file from an older version) hands the
same functions, in the same order, to ``sqlite_utils.migrations.Migrations``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from ..domain.lean import dataclass
from .connection import full_database
from .schema_names import MIGRATIONS_TABLE

Function = TypeVar("Function", bound=Callable[..., None])


@dataclass(frozen=True)
class Migration:
    name: str
    fn: Callable[..., None]
    transactional: bool = True


@dataclass(frozen=True)
class AppliedMigration:
    name: str
    applied_at: str


class MigrationSet:
    """``@migrations()`` registers a migration; ``pending``/``applied``/``apply`` as in
    ``sqlite_utils.migrations.Migrations``."""

    migrations_table = MIGRATIONS_TABLE

    def __init__(self, name: str) -> None:
        self.name = name
        self._migrations: list[Migration] = []

    def __call__(
        self, *, name: str | None = None, transactional: bool = True
    ) -> Callable[[Function], Function]:
        def inner(func: Function) -> Function:
            migration_name = name or func.__name__
            if any(m.name == migration_name for m in self._migrations):
                raise ValueError(
                    f"Migration '{migration_name}' is already registered in set '{self.name}'"
                )
            self._migrations.append(Migration(migration_name, func, transactional))
            return func

        return inner

    def names(self) -> list[str]:
        """Every migration of the set, in order."""
        return [migration.name for migration in self._migrations]

    def applied(self, db: Any) -> list[AppliedMigration]:
        """The set's applied migrations, in the order they were applied (read-only)."""
        found = db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
            [self.migrations_table],
        ).fetchone()
        if found is None:
            return []
        rows = db.execute(
            f"SELECT name, applied_at FROM [{self.migrations_table}] "
            "WHERE migration_set = ? ORDER BY rowid",
            [self.name],
        ).fetchall()
        return [AppliedMigration(str(name), str(at)) for name, at in rows]

    def pending(self, db: Any) -> list[Migration]:
        """The migrations not applied yet, in order (read-only)."""
        done = {migration.name for migration in self.applied(db)}
        return [migration for migration in self._migrations if migration.name not in done]

    def apply(self, db: Any, **options: Any) -> None:
        """Apply what is pending through sqlite-utils (imported only now)."""
        from sqlite_utils.migrations import Migrations

        real = Migrations(self.name)
        for migration in self._migrations:
            real(name=migration.name, transactional=migration.transactional)(migration.fn)
        real.apply(full_database(db), **options)
