"""What an SQLite store URL says: the file, and the options after ``?``."""

from __future__ import annotations

import itertools
from urllib.parse import parse_qsl, quote, urlsplit

from bot.ports import OpenMode
from bot.values import frozen_value

__all__ = ["SQLiteOptions", "sqlite_path"]

_memory_ids = itertools.count(1)


def sqlite_path(url: str) -> str:
    """``sqlite:///relative.db``, ``sqlite:////absolute.db`` or ``sqlite:///:memory:``."""
    parts = urlsplit(url)
    if parts.scheme != "sqlite" or parts.netloc or not parts.path.startswith("/"):
        raise ValueError(
            f"not an SQLite URL: {url!r} (expected sqlite:///file.db or sqlite:////abs/file.db)"
        )
    path = parts.path[1:]
    if not path:
        raise ValueError(f"the SQLite URL {url!r} names no file")
    return path


@frozen_value
class SQLiteOptions:
    """The file, how the store opens it (:class:`bot.ports.OpenMode`), and what the URL may say
    besides: ``?timeout=SECONDS`` (how long to wait for another process's lock before
    "temporarily unavailable") and ``?mode=ro`` (the same as opening it ``READ_ONLY``)."""

    path: str
    mode: OpenMode = OpenMode.CREATE
    memory: bool = False
    timeout: float = 10.0

    @property
    def read_only(self) -> bool:
        return self.mode is OpenMode.READ_ONLY

    def uri(self) -> tuple[str, bool]:
        """What sqlite3.connect gets, and whether it is a URI. Only ``CREATE`` may create the
        file: ``mode=rw`` and ``mode=ro`` make SQLite refuse a missing one."""
        if self.memory:
            return self.path, True
        if self.mode is OpenMode.CREATE:
            return self.path, False
        return f"file:{quote(self.path)}?mode={'ro' if self.read_only else 'rw'}", True

    @classmethod
    def from_url(cls, url: str, how: OpenMode = OpenMode.CREATE) -> SQLiteOptions:
        path = sqlite_path(url)
        query = dict(parse_qsl(urlsplit(url).query))
        unknown = set(query) - {"timeout", "mode"}
        if unknown:
            raise ValueError(f"unknown option {sorted(unknown)[0]!r} in the SQLite URL {url!r}")
        mode = query.get("mode", "rw")
        if mode not in ("rw", "ro"):
            raise ValueError(f"mode must be ro or rw in the SQLite URL {url!r}")
        try:
            timeout = float(query.get("timeout", "10"))
        except ValueError:
            raise ValueError(f"timeout must be a number of seconds in {url!r}") from None
        memory = path == ":memory:"
        if memory:
            # One shared in-memory database per store, so its reader connections see it.
            path = f"file:pledgebot-mem-{next(_memory_ids)}?mode=memory&cache=shared"
        opened = OpenMode.READ_ONLY if mode == "ro" else how
        return cls(path, opened, memory, max(timeout, 0.0))
