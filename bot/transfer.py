"""Copying a whole campaign from one store to another, and proving the copy is whole.

Used by ``pledgebot copy-store`` to move an SQLite deployment to PostgreSQL: every table of the
logical schema (signatures with their history, counters, listing, milestones, outbox, audit log,
letter versions) is copied with its ids, then both stores are read back and compared.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime

from bot.ports import TABLES, Row, Transfer
from bot.progress import SILENT, Progress

__all__ = ["CopyMismatch", "CopyRefused", "check_source", "copy_campaign", "fingerprint"]


class CopyRefused(Exception):
    pass


class CopyMismatch(Exception):
    pass


def _neutral(value: object) -> str:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, bool):
        return str(int(value))
    return repr(value)


def _digest_rows(digest: hashlib._Hash, rows: list[Row]) -> None:
    for row in rows:
        digest.update("\x1f".join(_neutral(v) for v in row).encode())
        digest.update(b"\x1e")


async def fingerprint(store: Transfer, table: str) -> tuple[int, str]:
    """Row count and a digest of every value, in key order, independent of the driver."""
    digest = hashlib.sha256()
    count = 0
    async for rows in store.dump(table):
        count += len(rows)
        _digest_rows(digest, rows)
    return count, digest.hexdigest()


async def check_source(source: Transfer) -> None:
    """Refuse a source nobody ever signed in: most likely a mistyped ``--from`` that named a
    database started once by mistake, and copying it with ``--force`` would empty the target."""
    if not await source.holds_campaign():
        raise CopyRefused(
            "the source store holds no campaign (no signature, audit entry or message): "
            "nothing to copy. Is --from right?"
        )


async def copy_campaign(
    source: Transfer,
    target: Transfer,
    *,
    force: bool = False,
    progress: Callable[[str], None] = lambda _: None,
    bars: Progress = SILENT,
) -> dict[str, int]:
    """Copy every table; refuse a source that holds no campaign, and a target that holds data
    unless ``force`` (which empties it). Nothing touches the target before both checks.
    ``progress`` gets a line per step; ``bars`` the rows as they are copied and compared."""
    await check_source(source)
    if not await target.is_empty():
        if not force:
            raise CopyRefused(
                "the target store is not empty; use --force to replace everything in it"
            )
        progress("emptying the target (--force)")
        await target.clear()
    copied: dict[str, int] = {}
    for table in TABLES:
        count = 0
        advance = bars.stage(f"copying {table}", unit="rows")
        async for rows in source.dump(table):
            await target.load(table, rows)
            count += len(rows)
            advance(len(rows))
        copied[table] = count
        progress(f"{table}: {count} rows copied")
    await target.finish_load()
    for table in TABLES:
        advance = bars.stage(f"comparing {table}", copied[table], unit="rows")
        mine, theirs = await fingerprint(source, table), await fingerprint(target, table)
        advance(copied[table])
        if mine != theirs:
            raise CopyMismatch(
                f"{table}: the copy differs from the source ({theirs[0]} rows vs {mine[0]}); "
                "was the bot still writing to the source? Stop it and copy again with --force."
            )
    progress("verified: every table matches the source")
    return copied
