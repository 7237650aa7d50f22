"""Where the GUI's files are: icons, stylesheet and Designer forms.

They live inside the package (``tdm1_scheduler/resources/``) so a wheel carries them and
a source checkout finds them the same way: the folder next to the package's modules,
the one ``importlib.resources.files`` names for a package on disk; only a package that
is not on disk (never, in practice) goes through ``importlib.resources``, imported then
(issue 19: importing it cost the start 10-40 ms).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QIcon

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

ICON_NAMES = ("tdm1-scheduler", "go-previous", "go-next", "go-today", "first-infusion")
APP_ICON = "tdm1-scheduler"
STYLESHEET = "style.qss"


ON_DISK = Path(__file__).parent.parent / "resources"  # tdm1_scheduler/resources


def resource_root() -> Traversable:
    if ON_DISK.is_dir():
        return ON_DISK
    from importlib.resources import files

    return files("tdm1_scheduler") / "resources"


def resource_path(*parts: str) -> Path:
    """A real file path for a resource (the package is never zipped in practice)."""
    if ON_DISK.is_dir():
        return ON_DISK.joinpath(*parts)
    from importlib.resources import as_file

    target = resource_root().joinpath(*parts)
    with as_file(target) as path:
        return Path(path)


def icon_path(name: str) -> Path:
    return resource_path("icons", f"{name}.svg")


def load_icon(name: str) -> QIcon:
    """``QIcon(path)``, which is ``QIcon()`` then ``addFile(path)`` in Qt; said so, as
    ``QIcon(str)``'s overload check builds ``QIconEngine`` before the first paint.

    Qt's SVG engine renders each size once (QPixmapCache). The icons cost the demo's
    start about 10 M instructions, 6.7 M of it first-infusion (5 M its ``<text>``: a
    font lookup and glyphs); a pre-rendered copy would show other pixels wherever the
    fonts or Qt differ (issue 19, perf-style8)."""
    icon = QIcon()
    icon.addFile(str(icon_path(name)))
    return icon


def icon_is_valid(name: str) -> bool:
    """True when the SVG exists and parses (QIcon alone loads lazily and never fails)."""
    from PySide6.QtSvg import QSvgRenderer  # the self-check only

    path = icon_path(name)
    return path.is_file() and QSvgRenderer(str(path)).isValid() and not load_icon(name).isNull()


def load_stylesheet() -> str:
    return resource_root().joinpath(STYLESHEET).read_text(encoding="utf-8")


def form_path(name: str) -> Path:
    return resource_path("ui", f"{name}.ui")
