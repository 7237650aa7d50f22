"""m007: a course records the code of the regimen it gives (``courses.regimen_code``).

Every course of a file made before this was a T-DM1 course, so the column's default is
``'TDM1'`` and an upgraded file keeps every row with it. The code is written here as it
was when this migration was made: a migration is history, and never changes with the
regimens the app knows (``domain/regimens``).
"""

from __future__ import annotations

from .connection import Database

NAME = "m007_course_regimen"


def m007_course_regimen(db: Database) -> None:
    """``courses.regimen_code TEXT NOT NULL DEFAULT 'TDM1'``, never blank."""
    db.executescript(
        """
        ALTER TABLE courses ADD COLUMN regimen_code TEXT NOT NULL DEFAULT 'TDM1'
            CHECK (length(trim(regimen_code)) > 0);
        """
    )
