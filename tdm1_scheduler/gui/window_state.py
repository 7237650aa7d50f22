"""This computer's window layout (size, position, toolbars, last view), kept in QSettings.

The only module that touches ``QSettings``; the keys are declared in
``tdm1_scheduler/settings.py`` (spelled here too, so the start does not import the
declarations; ``tests/gui/test_lazy_start.py`` checks they are the same). Nothing
clinical is stored here: the clinic's settings live in its database.
``$TDM1_SCHEDULER_WINDOW_STATE`` names an INI file to use instead of the per-user
default (tests and portable installs). The file is private (0600), as every file the app
makes: made so before Qt first writes it, and kept so after each write.
"""

from __future__ import annotations

import os
from contextlib import suppress

from PySide6.QtCore import QByteArray, QRect, QSettings
from PySide6.QtWidgets import QMainWindow, QTabWidget

from . import screen_fit

STATE_FILE_ENV = "TDM1_SCHEDULER_WINDOW_STATE"
ORGANIZATION = "tdm1-scheduler"
APPLICATION = "window"

GEOMETRY_KEY = "window/geometry"  # settings.by_key("window/geometry").key
STATE_KEY = "window/state"
PAGE_KEY = "window/page"


def open_store() -> QSettings:
    """The QSettings holding the window layout (the env file, else the per-user store)."""
    path = os.environ.get(STATE_FILE_ENV)
    if path:
        return QSettings(path, QSettings.Format.IniFormat)
    return QSettings(
        QSettings.Format.NativeFormat, QSettings.Scope.UserScope, ORGANIZATION, APPLICATION
    )


def _pages(window: QMainWindow) -> QTabWidget | None:
    pages = getattr(window, "pages", None)
    return pages if isinstance(pages, QTabWidget) else None


def save_state(window: QMainWindow, store: QSettings | None = None) -> None:
    """Remember the window's geometry, toolbars/docks and the view shown."""
    store = store or open_store()
    path = store.fileName()
    _make_private(path)
    store.setValue(GEOMETRY_KEY, window.saveGeometry())
    store.setValue(STATE_KEY, window.saveState())
    pages = _pages(window)
    current = pages.currentWidget() if pages is not None else None
    if current is not None and current.objectName():
        store.setValue(PAGE_KEY, current.objectName())
    store.sync()
    with suppress(OSError):  # a store Qt could not write has no file to keep private
        os.chmod(path, 0o600)


def _make_private(path: str) -> None:
    """An empty ``path`` (its folder 0700) made 0600 before Qt writes it, so the layout
    is never readable by others, whatever the umask; Qt keeps a file's permissions when
    it rewrites it."""
    if not path or os.path.exists(path):
        return
    with suppress(OSError):
        os.makedirs(os.path.dirname(path) or ".", mode=0o700, exist_ok=True)
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


def _bytes(value: object) -> QByteArray | None:
    if isinstance(value, QByteArray) and not value.isEmpty():
        return value
    if isinstance(value, bytes | bytearray) and value:
        return QByteArray(bytes(value))
    return None


def keep_on_screen(window: QMainWindow, available: QRect | None = None) -> None:
    """Clamp the window (its frame, title bar and status bar included) into the free
    area of its screen: a geometry saved on a bigger screen, or with a taller taskbar
    than now, would otherwise leave part of the window off-screen."""
    area = screen_fit.available_geometry(window) if available is None else available
    if area.isEmpty():
        return
    frame = window.frameGeometry()
    inner = window.geometry()
    fitted = screen_fit.clamp_rect(area, frame)
    if fitted == frame:
        return
    if window.isMaximized() or window.isFullScreen():
        return  # the window manager keeps these within the screen
    extra_w = max(0, frame.width() - inner.width())
    extra_h = max(0, frame.height() - inner.height())
    window.resize(max(1, fitted.width() - extra_w), max(1, fitted.height() - extra_h))
    window.move(fitted.topLeft())


def restore_state(window: QMainWindow, store: QSettings | None = None) -> bool:
    """Put the window back as it was saved; True when a saved geometry was applied.

    A missing or damaged store leaves the window as built (the declared defaults).
    """
    store = store or open_store()
    restored = False
    geometry = _bytes(store.value(GEOMETRY_KEY))
    if geometry is not None:
        restored = bool(window.restoreGeometry(geometry))
        if restored:
            keep_on_screen(window)
    state = _bytes(store.value(STATE_KEY))
    if state is not None:
        window.restoreState(state)
    page_name = store.value(PAGE_KEY)
    pages = _pages(window)
    if isinstance(page_name, str) and page_name and pages is not None:
        for index in range(pages.count()):
            page = pages.widget(index)
            if page is not None and page.objectName() == page_name:
                pages.setCurrentIndex(index)
                break
    return restored
