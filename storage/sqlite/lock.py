"""One writing process per SQLite file: an advisory lock held for as long as the store is open.

Two bot processes on one file would both run an outbox dispatcher and deliver every message
twice, so a store that writes takes an exclusive ``flock`` on ``<database>.lock`` beside the file
and a second one is refused. The kernel drops the lock when its process ends however it ends
(``kill -9`` included), so a crash never leaves a stale lock; the file itself stays, unlocked, and
is harmless. (The database file itself is not locked this way: closing any other descriptor of it
would drop the POSIX locks SQLite holds on it.) The read-only page reader takes no lock.

On a platform without ``fcntl`` (Windows) there is no lock, and the README's rule of one process
per file is the only guard.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from bot.errors import StoreRefused

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = ["WriterLock"]

_log = logging.getLogger(__name__)


class WriterLock:
    """The lock of one database file; :meth:`acquire` raises :class:`StoreRefused` when another
    process (or another store in this one) holds it."""

    def __init__(self, database: str) -> None:
        self.database = database
        self.path = Path(database + ".lock")
        self._fd: int | None = None

    def acquire(self) -> None:
        if fcntl is None or self._fd is not None:
            return
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise StoreRefused.not_writable(self.database, exc.strerror or str(exc)) from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode("ascii", "replace").strip()
            os.close(fd)
            raise StoreRefused.in_use(self.database, holder) from None
        except BaseException:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    def release(self) -> None:
        """Unlock (the file stays: removing it could let two processes lock two files)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
