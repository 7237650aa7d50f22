"""PySide6's import hook, asked the same question faster (issue 19).

After PySide6 is imported, its hook asks of every module imported next whether the
module uses PySide6 (for ``from __feature__ import ...``). It answers by
``inspect.getsource`` (linecache and tokenize) and a search for "PySide6" in the text:
about 52 ms for the app's 145 modules at start, on the loaded bench machine.

``quicken()`` gives the hook the same answer from the file's bytes: ``b"PySide6" in
data`` is the text search, because the name is ASCII. Modules without a ``.py`` file
(built in, extension, bytecode only) still go to PySide's own check. Where a PySide6
has no such hook (``shibokensupport.feature._mod_uses_pyside``), nothing is changed.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import ModuleType

__all__ = ["quicken", "uses_pyside"]

_FEATURE_MODULE = "shibokensupport.feature"
_CHECK = "_mod_uses_pyside"


def uses_pyside(module: ModuleType, fallback: Callable[[ModuleType], bool]) -> bool:
    """Whether ``module``'s source names PySide6, read as bytes; else ``fallback``."""
    path = getattr(module, "__file__", None)
    if isinstance(path, str) and path.endswith(".py"):
        try:
            with open(path, "rb") as source:
                return b"PySide6" in source.read()
        except OSError:
            pass
    return fallback(module)


def quicken() -> bool:
    """Install the quicker check in PySide6's hook (once): True if it is installed."""
    feature = sys.modules.get(_FEATURE_MODULE)
    original = getattr(feature, _CHECK, None)
    if feature is None or not callable(original):
        return False
    if getattr(original, "quickened", False):
        return True

    def check(module: ModuleType) -> bool:
        return uses_pyside(module, original)

    check.quickened = True  # type: ignore[attr-defined]
    check.original = original  # type: ignore[attr-defined]
    setattr(feature, _CHECK, check)
    return True
