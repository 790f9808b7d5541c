"""The store a URL names, opened as a command needs it, and the core on it; ``check-config``'s
look at a store that changes nothing."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot.app.collector import tuned_for_serving
from bot.app.configured import build_destinations, build_letter, build_rules
from bot.archive import SnapshotArchive
from bot.config import ConfigError, Settings
from bot.errors import StoreMissing, StoreOutdated, StoreUnavailable
from bot.ports import OpenMode, Store, StoreRefused
from bot.reaffirm import version_counts
from bot.service import PledgeService, SystemClock
from bot.startup import keep_trying

_log = logging.getLogger(__name__)

STORE_CHECK_TIMEOUT = 15.0  # check-config's patience with a database server


def open_store(url: str, mode: OpenMode = OpenMode.CREATE, *, key: str = "storage.url") -> Store:
    """The store a URL names (not opened yet), to be opened as ``mode`` says (see
    :class:`bot.ports.OpenMode`: the bot creates its database, every other command needs one that
    exists). A URL that cannot be used is a :class:`ConfigError` naming ``key``, the setting or
    option it came from."""
    if url.startswith("sqlite:"):
        from storage.sqlite import SQLiteStore, sqlite_path

        try:
            store = SQLiteStore(url, mode=mode)
            path = sqlite_path(url)
        except ValueError as exc:
            raise ConfigError(f"{key}: {exc}") from None
        folder = Path(path).parent
        if path != ":memory:" and not folder.is_dir():
            raise ConfigError(
                f"{key}: the folder {folder} does not exist (create it, or correct the path)"
            )
        return store
    if url.startswith(("postgresql://", "postgres://")):
        try:
            from storage.postgres import PostgresStore
        except ImportError as exc:  # asyncpg is the optional "postgres" extra
            raise ConfigError(
                f"{key}: PostgreSQL needs asyncpg: pip install 'pledgebot[postgres]'"
            ) from exc
        try:
            return PostgresStore(url, mode=mode)
        except ValueError as exc:
            raise ConfigError(f"{key}: {exc}") from None
    raise ConfigError(f"{key}: unsupported scheme in {url.split(':', 1)[0]!r}")


@asynccontextmanager
async def opened(
    url: str, mode: OpenMode = OpenMode.CREATE, *, key: str = "storage.url", retry: float = 0.0
) -> AsyncIterator[Store]:
    """The store, open as ``mode`` says; a store that refuses this use is a
    :class:`ConfigError` on ``key``. A server that cannot be reached yet is tried again for
    ``retry`` seconds."""
    store = open_store(url, mode, key=key)
    try:
        await keep_trying("the database", store.open, within=retry)
    except StoreRefused as exc:
        raise ConfigError(f"{key}: {exc}") from None
    try:
        yield store
    finally:
        await store.close()


@asynccontextmanager
async def core(
    settings: Settings, *, read_only: bool = False, wait: bool = False
) -> AsyncIterator[PledgeService]:
    """The core on the configured store; ``read_only`` opens it for reading and writes nothing
    (not even the letter's version), so it can run beside the bot that writes. ``wait``: a
    database server that cannot be reached yet is waited for (``run.startup_retry_seconds``)."""
    mode = OpenMode.READ_ONLY if read_only else OpenMode.CREATE
    retry = settings.run.startup_retry_seconds if wait else 0.0
    async with opened(settings.storage.url, mode, retry=retry) as store:
        service = PledgeService(
            store,
            build_letter(settings),
            build_rules(settings),
            build_destinations(settings),
            SystemClock(),
        )
        service.snapshots = SnapshotArchive(
            store,
            service.letter,
            Path(settings.web.snapshot_dir),
            service.clock,
            settings.web.public_url,
        )
        if not read_only:
            try:
                await service.start()
            except StoreUnavailable:  # locked, read-only or full: serve what can be served
                _log.warning(
                    "the database takes no changes now (locked, read-only or full): reading "
                    "works, changes are refused with 'try again' until it does"
                )
        with tuned_for_serving():
            yield service


async def check_store(settings: Settings) -> tuple[bool, str]:
    """For ``check-config``: whether the store can be opened, and what it holds. Creates and
    migrates nothing, on either store: it is opened read-only, a missing SQLite file only has its
    folder checked, and a missing or older schema is reported as what ``pledgebot run`` will do
    about it. A store the configuration names wrongly raises :class:`ConfigError`."""
    url = settings.storage.url
    open_store(url)  # checks the URL, and an SQLite file's folder
    if url.startswith("sqlite:"):
        verdict = _sqlite_file_verdict(url)
        if verdict is not None:
            return verdict
    store = open_store(url, OpenMode.READ_ONLY)
    try:
        async with asyncio.timeout(STORE_CHECK_TIMEOUT):
            await store.open()  # on failure, it closes what it opened
            try:
                count = await store.count()
                versions = await version_counts(store, build_letter(settings).version)
            finally:
                await store.close()
    except StoreMissing:
        return True, "no pledgebot schema yet (`pledgebot run` creates it)"
    except StoreOutdated as exc:
        return True, f"reachable; {exc}"
    except StoreRefused as exc:  # not a database this pledgebot can use: a configuration matter
        raise ConfigError(f"storage.url: cannot open it: {exc}") from None
    except TimeoutError:
        return False, f"cannot open it: no answer within {STORE_CHECK_TIMEOUT:.0f} s"
    except Exception as exc:  # what the operator needs to know; the CLI redacts secrets
        return False, f"cannot open it: {exc}"
    said = f"opened; {count} approved signature{'s' if count != 1 else ''}"
    if versions.earlier:
        current = next(v for v in versions.versions if v.current)
        said += f" ({current.approved} on the current text"
        for v in versions.versions:
            if not v.current:
                since = f" from {v.first_seen.date().isoformat()}" if v.first_seen else ""
                said += f", {v.approved} on earlier text {v.version}{since}"
        said += ")"
    return True, said


def _sqlite_file_verdict(url: str) -> tuple[bool, str] | None:
    """check-config's answer for an SQLite file there is nothing to open in; None: open it."""
    from storage.sqlite import sqlite_path

    path = Path(sqlite_path(url))
    if str(path) == ":memory:":
        return True, "in memory: nothing is kept once the bot stops"
    if path.exists():
        return None
    if not os.access(path.parent, os.W_OK):
        return False, f"cannot create the database: {path.parent} is not writable"
    return True, "no database yet (`pledgebot run` creates it)"
