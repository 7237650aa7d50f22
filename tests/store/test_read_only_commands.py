"""The read commands added with the interop and scheduling work (``course ical``,
``export fhir``, ``appointment slots``, ``settings show``) run against a clinic file
nobody may write (0444) and leave it byte-identical, with nothing in a -wal beside it.
(SQLite, reading a WAL-mode file from a writable folder, makes an empty -wal and its
-shm index beside it, as ``check`` and ``course show`` do too.)"""

from __future__ import annotations

import stat

import pytest

from tdm1_scheduler.cli.main import READ_ONLY_COMMANDS, main

from .conftest import sha

NOW = ["--now", "2026-03-01T08:00"]
READS = {
    "course ical": (["course", "ical", "--mrn", "A1"], b"BEGIN:VCALENDAR"),
    "export fhir": (["export", "fhir", "--from", "2026-03-01", "--to", "2026-06-30"],
                    b'"resourceType"'),
    "appointment slots": (["appointment", "slots", "--mrn", "A1", "--cycle", "2"], b"Chair"),
    "settings show": (["settings", "show", "--json"], b'"timezone"'),
    "dose check": (["dose", "check", "--mrn", "A1", "--cycle", "2", "--json"], b'"verdict"'),
}  # fmt: skip


@pytest.mark.parametrize("name", list(READS))
def test_a_read_command_runs_on_a_read_only_file_and_leaves_it_byte_identical(
    clinic_file, capfdbinary, name
):
    argv, expected = READS[name]
    clinic_file.chmod(0o444)
    try:
        before = sha(clinic_file)
        code = main(["--db", str(clinic_file), *NOW, *argv])
        out, err = capfdbinary.readouterr()
        assert code == 0, err
        assert expected in out
        assert sha(clinic_file) == before
        wal = clinic_file.with_name(clinic_file.name + "-wal")
        assert not wal.exists() or wal.stat().st_size == 0
        assert stat.S_IMODE(clinic_file.stat().st_mode) == 0o444
    finally:
        clinic_file.chmod(0o644)


def test_the_same_file_refuses_a_write_so_the_reads_above_did_not_just_write(clinic_file, capsys):
    clinic_file.chmod(0o444)
    try:
        before = sha(clinic_file)
        argv = ["settings", "set", "prep_min", "20"]
        assert main(["--db", str(clinic_file), *NOW, *argv]) == 1
        assert "read-only" in capsys.readouterr().err
        assert sha(clinic_file) == before
    finally:
        clinic_file.chmod(0o644)


def test_the_read_commands_are_named_read_only():
    names = {"run_course_ical", "run_export_fhir", "run_appointment_slots", "run_settings_show",
             "run_dose_check"}  # fmt: skip
    assert names <= READ_ONLY_COMMANDS
    assert not {"run_settings_set", "run_import_fhir", "run_closed_add"} & READ_ONLY_COMMANDS
