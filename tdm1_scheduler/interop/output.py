"""Writing an export to ``--out PATH`` by the rules of ``day-sheet --pdf``
(``safe_files``): never the clinic database or its side files, never through a symlink or
onto a non-regular file; the bytes go to a 0600 temporary file, fsynced, renamed into
place. An existing file is replaced without ``--force`` only when it is an export of the
same kind: a calendar (``ics``) or a FHIR Bundle (``fhir``).
"""

from __future__ import annotations

from pathlib import Path

from ..safe_files import check_output_path, database_files, write_bytes_atomically

HEAD_BYTES = 4096


def looks_like(kind: str, head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if kind == "ics":
        return text.upper().startswith(b"BEGIN:VCALENDAR")
    if kind == "fhir":
        return text.startswith(b"{") and b'"resourceType"' in text and b'"Bundle"' in text
    raise ValueError(kind)


def is_export(kind: str, path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return looks_like(kind, handle.read(HEAD_BYTES))
    except OSError:
        return False


def write_output(
    path: Path, data: bytes, *, field: str, kind: str, force: bool, database: Path
) -> Path:
    """Check ``path`` (refusals name ``field``: exit 2, nothing written), then write."""
    target = check_output_path(
        path,
        field=field,
        protected=database_files(database),
        replace_if=lambda existing: is_export(kind, existing),
        force=force,
    )
    write_bytes_atomically(target, data)
    return target
