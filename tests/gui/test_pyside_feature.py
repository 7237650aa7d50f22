"""``gui.pyside_feature``: PySide6's import hook gets the answer it would have found
itself ("does this module's source name PySide6?"), from the file's bytes."""

from __future__ import annotations

import sys
import types
import warnings
from pathlib import Path

import pytest

import tdm1_scheduler.gui.main_window  # noqa: F401  # the gui package installs the quicker check
from tdm1_scheduler.gui import pyside_feature


def hook() -> types.ModuleType:
    return sys.modules["shibokensupport.feature"]


def test_the_gui_package_installs_it_in_pysides_hook() -> None:
    check = hook()._mod_uses_pyside
    assert getattr(check, "quickened", False)
    assert pyside_feature.quicken()  # a second call keeps the one installed
    assert hook()._mod_uses_pyside is check


def test_every_loaded_module_gets_pysides_own_answer() -> None:
    check = hook()._mod_uses_pyside
    original = check.original
    modules = [module for module in list(sys.modules.values()) if module is not None]
    with warnings.catch_warnings():  # PySide's own check, on built-in modules, meets
        warnings.simplefilter("ignore", DeprecationWarning)  # importlib's module_repr
        answers = {module.__name__: (check(module), original(module)) for module in modules}
    assert len(answers) > 100
    assert {name for name, (quick, own) in answers.items() if quick != own} == set()
    assert answers["tdm1_scheduler.gui.start_gc"] == (False, False)
    assert answers["tdm1_scheduler.gui.main_window"] == (True, True)


def module_from(path: Path, text: str) -> types.ModuleType:
    path.write_text(text, encoding="utf-8")
    module = types.ModuleType(path.stem)
    module.__file__ = str(path)
    return module


def test_the_bytes_answer_and_the_fallback(tmp_path: Path) -> None:
    def never(module: types.ModuleType) -> bool:
        raise AssertionError(f"fallback asked for {module.__name__}")

    uses = module_from(tmp_path / "uses.py", "# é\nfrom PySide6.QtCore import Qt\n")
    plain = module_from(tmp_path / "plain.py", "import json  # pyside6, in lower case\n")
    assert pyside_feature.uses_pyside(uses, never) is True
    assert pyside_feature.uses_pyside(plain, never) is False

    asked: list[str] = []

    def fallback(module: types.ModuleType) -> bool:
        asked.append(module.__name__)
        return False

    gone = types.ModuleType("gone")
    gone.__file__ = str(tmp_path / "gone.py")  # no such file
    built_in = types.ModuleType("built_in")  # no __file__
    compiled = types.ModuleType("compiled")
    compiled.__file__ = str(tmp_path / "compiled.cpython-311-x86_64-linux-gnu.so")
    for module in (gone, built_in, compiled):
        assert pyside_feature.uses_pyside(module, fallback) is False
    assert asked == ["gone", "built_in", "compiled"]


def test_without_pysides_hook_nothing_is_changed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "shibokensupport.feature", types.ModuleType("feature"))
    assert pyside_feature.quicken() is False
    monkeypatch.delitem(sys.modules, "shibokensupport.feature")
    assert pyside_feature.quicken() is False
