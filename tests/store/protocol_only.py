"""``ProtocolOnly``: a second class satisfying ``Store`` and nothing more.

It hands each protocol method to a store inside it, counts the calls, and answers no
other name: a context over it has no ``ctx.db``. As the ``protocol`` backend
(``pytest --backend protocol``) it runs the services' suite unchanged, which proves the
services need nothing of SQLite beyond the protocol.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from tdm1_scheduler.store.protocol import Store

# What the protocol declares: the only names ProtocolOnly answers.
PROTOCOL = frozenset(
    name
    for part in Store.__mro__
    if part is not object and part.__name__ != "Protocol" and part.__module__ != "typing"
    for name in vars(part)
    if not name.startswith("_")
)  # Store's own names and those of the protocols it extends (store/protocol_*.py)


class ProtocolOnly:
    """A store that is the protocol and nothing more, counting each call."""

    def __init__(self, inner: Store) -> None:
        self.inner = inner
        self.calls: Counter[str] = Counter()

    def __repr__(self) -> str:
        return "ProtocolOnly()"

    @contextmanager
    def transaction(self) -> Iterator[ProtocolOnly]:
        self.calls["transaction"] += 1
        with self.inner.transaction():
            yield self

    @contextmanager
    def read(self) -> Iterator[ProtocolOnly]:
        self.calls["read"] += 1
        with self.inner.read():
            yield self

    def __getattr__(self, name: str) -> Any:
        if name not in PROTOCOL:
            raise AttributeError(f"{name!r} is not in the store protocol")
        self.calls[name] += 1
        method: Callable[..., Any] = getattr(self.inner, name)
        return method
