"""The operator's one-shot commands: copy a store, back up, publish the static site, take a
snapshot, export. Each opens what it needs, does its work and closes it again."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, cast

from bot.app.running import latest_snapshot
from bot.app.stores import core, opened
from bot.config import ConfigError, Settings
from bot.domain import SnapshotInfo
from bot.export import ExportFormat
from bot.ports import OpenMode, Transfer
from bot.progress import SILENT, Advance, Progress
from bot.transfer import check_source, copy_campaign

if TYPE_CHECKING:
    from adapters.web.publish import PublishedSite

BACKUP_POLL = 0.2  # seconds between looks at a growing backup file


async def copy_store(
    source_url: str,
    target_url: str,
    *,
    force: bool,
    progress: Callable[[str], None],
    bars: Progress = SILENT,
) -> dict[str, int]:
    if source_url == target_url:
        raise ConfigError("--from and --to name the same store")
    async with opened(source_url, OpenMode.EXISTING, key="--from") as source:
        # The target is opened (and perhaps created) only once the source proves a campaign.
        await check_source(cast(Transfer, source))
        async with opened(target_url, key="--to") as target:
            return await copy_campaign(
                cast(Transfer, source),
                cast(Transfer, target),
                force=force,
                progress=progress,
                bars=bars,
            )


async def backup_to(settings: Settings, target: Path, *, progress: Progress = SILENT) -> None:
    """An online, consistent copy of the SQLite database (PostgreSQL has pg_dump). SQLite
    writes the copy in one statement; its growth against the database's size is the progress."""
    url = settings.storage.url
    if not url.startswith("sqlite:"):
        raise ConfigError("storage.url: backup is for SQLite; back up PostgreSQL with pg_dump")
    from storage.sqlite import SQLiteStore, sqlite_path

    async with opened(url, OpenMode.READ_ONLY) as store:  # it must exist; nothing is created
        source = Path(sqlite_path(url.split("?", 1)[0]))
        total = await asyncio.to_thread(_size, source) + await asyncio.to_thread(
            _size, source.with_name(source.name + "-wal")
        )
        watcher = asyncio.create_task(
            _watch_growth(target, total, progress.stage("backing up", total // 1024, unit="KiB"))
        )
        try:
            await cast(SQLiteStore, store).backup(target)
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


async def _watch_growth(path: Path, total: int, advance: Advance) -> None:
    """Move ``advance`` on (in KiB) as the file at ``path`` grows, up to ``total`` bytes."""
    shown = 0
    while True:
        await asyncio.sleep(BACKUP_POLL)
        grown = min(await asyncio.to_thread(_size, path), total) // 1024
        if grown > shown:
            advance(grown - shown)
            shown = grown


async def publish_to(
    settings: Settings, target: Path, *, progress: Progress = SILENT
) -> PublishedSite:
    """``pledgebot publish DIR``: the static site, from a store opened for reading only."""
    from adapters.web import publish_site, sign_links

    async with core(settings, read_only=True) as service:
        return await publish_site(
            service.public,
            target,
            sign_links=sign_links(settings.web),
            snapshot_dir=Path(settings.web.snapshot_dir),
            snapshots=latest_snapshot(service),
            progress=progress,
            default_language=settings.i18n.default_language,
        )


async def snapshot_to(settings: Settings, output: Path | None) -> tuple[SnapshotInfo, Path]:
    """``pledgebot snapshot``: one snapshot into the archive folder (and a copy to ``output``)."""
    async with core(settings) as service:
        assert service.snapshots is not None
        taken = await service.snapshots.take()
        path = service.snapshots.path_of(taken.sha256)
    if output is not None:
        partial = output.with_name(output.name + ".partial")
        await asyncio.to_thread(shutil.copyfile, path, partial)
        await asyncio.to_thread(partial.replace, output)
        path = output
    return taken, path


async def export_to(
    settings: Settings,
    fmt: ExportFormat,
    output: Path | None,
    *,
    with_ids: bool = False,
    progress: Progress = SILENT,
) -> int:
    """Write an export to a file (atomically) or stdout; returns the bytes written. The store
    is opened for reading only: an export runs beside the bot and never creates a database."""
    async with core(settings, read_only=True) as service:
        total = await service.store.listed_count()
        advance = progress.stage("exporting", total, unit="signatures")
        chunks = service.export(fmt, with_ids=with_ids, progress=advance)
        if output is None:
            written = 0
            async for chunk in chunks:
                sys.stdout.write(chunk)
                written += len(chunk.encode())
            sys.stdout.flush()
            return written
        partial = output.with_name(output.name + ".partial")
        written = 0
        with partial.open("w", encoding="utf-8", newline="") as fh:
            async for chunk in chunks:
                fh.write(chunk)
                written += len(chunk.encode())
        partial.replace(output)
        return written
