"""argparse's texts through ``cli.common``'s gettext (issue 19): the same text as
``gettext`` gives, without its catalogue search (and ``locale``) when no catalogue
can exist; with a catalogue folder, gettext itself."""

from __future__ import annotations

import argparse
import gettext
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from tdm1_scheduler.cli import common

TEXTS = ["usage: ", "options", "positional arguments", "show this help message and exit",
         "invalid choice: %(value)r (choose from %(choices)s)", "no such text here"]  # fmt: skip


def _mo(path: Path, pairs: dict[str, str]) -> None:
    """A GNU message catalogue holding ``pairs`` (what msgfmt writes, no hash table)."""
    keys = sorted(pairs)
    ids = b"".join(k.encode() + b"\0" for k in keys)
    strs = b"".join(pairs[k].encode() + b"\0" for k in keys)
    start = 7 * 4 + 16 * len(keys)
    table_ids, table_strs, offset = [], [], 0
    for k in keys:
        table_ids += [len(k.encode()), start + offset]
        offset += len(k.encode()) + 1
    offset = 0
    for k in keys:
        table_strs += [len(pairs[k].encode()), start + len(ids) + offset]
        offset += len(pairs[k].encode()) + 1
    header = struct.pack("<7I", 0x950412DE, 0, len(keys), 28, 28 + 8 * len(keys), 0, 0)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(
        header + struct.pack(f"<{len(table_ids)}I", *table_ids)
        + struct.pack(f"<{len(table_strs)}I", *table_strs) + ids + strs
    )  # fmt: skip


def test_argparse_uses_ours() -> None:
    assert argparse._ is common._argparse_gettext  # type: ignore[attr-defined]
    assert argparse.ngettext is common._argparse_ngettext  # type: ignore[attr-defined]


@pytest.mark.parametrize("lang", [None, "C", "C.UTF-8", "de_DE.UTF-8", "fr_FR:de"])
def test_the_same_text_as_gettext(monkeypatch: pytest.MonkeyPatch, lang: str | None) -> None:
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    if lang is not None:
        monkeypatch.setenv("LANG", lang)
    assert common._no_catalogue()  # this interpreter ships no catalogues
    for text in TEXTS:
        assert common._argparse_gettext(text) == gettext.gettext(text) == text
    for n in (0, 1, 2):
        ours = common._argparse_ngettext("expected %s argument", "expected %s arguments", n)
        assert ours == gettext.ngettext("expected %s argument", "expected %s arguments", n)


def test_a_catalogue_folder_is_gettext_own(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _mo(tmp_path / "xx" / "LC_MESSAGES" / "messages.mo", {"usage: ": "Aufruf: "})
    monkeypatch.setenv("LANGUAGE", "xx")
    monkeypatch.setitem(gettext._localedirs, "messages", str(tmp_path))  # type: ignore[attr-defined]
    assert not common._no_catalogue()
    assert common._argparse_gettext("usage: ") == gettext.gettext("usage: ") == "Aufruf: "
    parser = common.ArgumentParser(prog="tdm1-scheduler")
    assert parser.format_usage().startswith("Aufruf: tdm1-scheduler")


def test_a_relative_folder_is_gettext_own(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(gettext._localedirs, "messages", "no-such-folder")  # type: ignore[attr-defined]
    assert not common._no_catalogue()


def test_a_command_imports_no_locale() -> None:
    code = (
        "import sys\n"
        "from tdm1_scheduler.cli.main import build_parser\n"
        "build_parser(only='course').parse_args(['course', 'show', '--mrn', 'A1'])\n"
        "print('locale' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
