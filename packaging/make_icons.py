"""Render the app icon (SVG) to the PNG sizes desktops ask for, into packaging/icons/.

    python packaging/make_icons.py

The PNGs are committed; run this again after changing
``tdm1_scheduler/resources/icons/tdm1-scheduler.svg``. Output goes to the freedesktop
layout ``icons/hicolor/NxN/apps/tdm1-scheduler.png`` (also used for Windows .ico and
macOS .icns, see packaging/README.md). Rendering is offscreen: no display needed.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SVG = ROOT / "tdm1_scheduler" / "resources" / "icons" / "tdm1-scheduler.svg"
OUT = ROOT / "packaging" / "icons" / "hicolor"
SIZES = (16, 24, 32, 48, 64, 128, 256)
ICON_NAME = "tdm1-scheduler"


def png_path(size: int, out: Path = OUT) -> Path:
    return out / f"{size}x{size}" / "apps" / f"{ICON_NAME}.png"


def render(svg: Path = SVG, out: Path = OUT, sizes: tuple[int, ...] = SIZES) -> list[Path]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"cannot read {svg}")
    written = []
    for size in sizes:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        renderer.render(painter)
        painter.end()
        target = png_path(size, out)
        target.parent.mkdir(parents=True, exist_ok=True)
        if not image.save(str(target), "PNG"):
            raise SystemExit(f"cannot write {target}")
        written.append(target)
    scalable = out / "scalable" / "apps" / f"{ICON_NAME}.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    scalable.write_bytes(svg.read_bytes())
    written.append(scalable)
    return written


if __name__ == "__main__":
    for path in render():
        print(f"wrote {path.relative_to(ROOT)}")
