"""One function per user action. Each runs in one transaction, writes its audit row and
returns a ChangeSet; the CLI and the GUI call these and nothing below them."""

from . import permissions as permissions  # installs who may run which service (server)
