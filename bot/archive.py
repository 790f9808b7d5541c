"""Taking snapshots: the store's listing written as a snapshot file, recorded in the store.

The files live in one folder (``web.snapshot_dir``) as ``<sha256>.json`` plus ``latest.json``,
where the page serves them; the store records each snapshot's hash, time and counts, so the
chain (each snapshot's ``previous``) holds across processes and restarts. A file is complete
before it gets its name (written beside it, synced, renamed), and recorded only then.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from pathlib import Path
from typing import IO

from bot.domain import Letter, SnapshotInfo
from bot.errors import SnapshotsUnavailable
from bot.ports import Clock, Store, WriteTx
from bot.snapshot import write_snapshot

__all__ = ["SnapshotArchive", "SnapshotRace"]

_log = logging.getLogger(__name__)

_TRIES = 3


class SnapshotRace(Exception):
    """Another process recorded a snapshot while this one was written: write it again, so
    that its ``previous`` names the one recorded last."""


def _open_new(folder: Path) -> tuple[Path, IO[bytes]]:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f".snapshot-{os.getpid()}-{time.monotonic_ns()}.partial"
    return path, path.open("xb")


def _finish(partial: Path, out: IO[bytes], folder: Path, sha256: str) -> Path:
    out.flush()
    os.fsync(out.fileno())
    out.close()
    final = folder / f"{sha256}.json"
    partial.replace(final)
    return final


def _make_latest(folder: Path, final: Path) -> None:
    """``latest.json`` becomes the new file in one rename (a link to it, or a copy)."""
    staged = folder / f".latest-{os.getpid()}-{time.monotonic_ns()}.partial"
    try:
        os.link(final, staged)
    except OSError:
        staged.write_bytes(final.read_bytes())
    staged.replace(folder / "latest.json")


def _discard(partial: Path, out: IO[bytes]) -> None:
    out.close()
    partial.unlink(missing_ok=True)


class SnapshotArchive:
    def __init__(
        self, store: Store, letter: Letter, folder: Path, clock: Clock, public_url: str = ""
    ) -> None:
        self.store = store
        self.letter = letter
        self.folder = folder
        self.clock = clock
        self.public_url = public_url.rstrip("/")
        self._lock = asyncio.Lock()

    async def latest(self) -> SnapshotInfo | None:
        return await self.store.latest_snapshot()

    def path_of(self, sha256: str) -> Path:
        return self.folder / f"{sha256}.json"

    def url_of(self, sha256: str) -> str | None:
        """Where the page serves a snapshot, when its public address is configured."""
        return f"{self.public_url}/snapshots/{sha256}.json" if self.public_url else None

    async def take(self) -> SnapshotInfo:
        async with self._lock:
            for _ in range(_TRIES):
                try:
                    return await self._take_once()
                except SnapshotRace:
                    _log.info("another process recorded a snapshot meanwhile: writing again")
            raise SnapshotsUnavailable()

    async def _take_once(self) -> SnapshotInfo:
        previous = await self.store.latest_snapshot()
        approved = await self.store.count()
        try:
            partial, out = await asyncio.to_thread(_open_new, self.folder)
        except OSError as exc:
            _log.error("cannot write a snapshot in %s: %s", self.folder, exc)
            raise SnapshotsUnavailable() from exc
        try:
            info = await write_snapshot(
                out,
                self.letter,
                self.store.listed_signatures(),
                approved=approved,
                generated_at=self.clock.now(),
                previous=previous.sha256 if previous else None,
            )
            final = await asyncio.to_thread(_finish, partial, out, self.folder, info.sha256)
        except BaseException:
            await asyncio.to_thread(_discard, partial, out)
            raise

        async def unit(tx: WriteTx) -> None:
            latest = await tx.latest_snapshot()
            if (latest.sha256 if latest else None) != info.previous:
                raise SnapshotRace()
            await tx.record_snapshot(info)

        try:
            await self.store.write(unit)
        except SnapshotRace:
            await asyncio.to_thread(final.unlink, missing_ok=True)
            raise
        await asyncio.to_thread(_make_latest, self.folder, final)
        _log.info("snapshot %s: %d listed of %d", info.sha256, info.listed, info.approved)
        return info
