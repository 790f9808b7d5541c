"""``None`` and ``bool`` parameters bound without sqlite3's search for an adapter.

The stdlib ``sqlite3`` binds an ``int``, ``float``, ``str`` or ``bytearray`` parameter as it
is; any other value, ``None`` and ``True`` included, first goes through its adapter search: the
registry, then ``PrepareProtocol.__adapt__``, which is missing, so Python formats an
``AttributeError`` message and throws it away, then the value's ``__conform__``. That is about
3,300 instructions per parameter (callgrind), against 1,300 for a registered adapter: a signature
binds a ``None`` for every optional field left empty and a ``bool`` for its anonymity. Registered
here, ``None`` still binds as NULL and a ``bool`` as 0 or 1, exactly as before.

The registry is the process's own (``sqlite3`` registers its date adapters the same way), so
every connection in the process, aiosqlite's included, binds these values the same way.
"""

from __future__ import annotations

import sqlite3

__all__ = ["bind_plainly"]


def _null(value: None) -> None:
    return value


def bind_plainly() -> None:
    """Register the two adapters (again: registering is idempotent)."""
    sqlite3.register_adapter(type(None), _null)
    sqlite3.register_adapter(bool, int)
