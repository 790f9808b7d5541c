"""Moving an SQLite deployment to PostgreSQL with ``pledgebot copy-store``, and SQLite backups."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from bot.app import default_rules
from bot.archive import SnapshotArchive
from bot.domain import OutboxKind, SignatureForm
from bot.milestones import MilestonePolicy
from bot.outbox import OutboxDispatcher
from bot.service import PledgeService
from storage.postgres import PostgresStore
from storage.sqlite import SQLiteStore
from tests.cli.conftest import Pledgebot
from tests.conftest import DESTINATIONS as SHARED
from tests.conftest import LETTER, MOD, StepClock, artist
from tests.core.test_outbox import RecordingSender
from tests.postgres import fresh_schema

RULES = default_rules(milestones=MilestonePolicy.of([3, 5]))
#: The live post's group speaks Spanish (``[i18n] channel_languages``).
DESTINATIONS = replace(SHARED, languages={("telegram", "-100222"): "es"})


async def _campaign(store: SQLiteStore, snapshots: Path) -> PledgeService:
    """Signatures in every state, a milestone reached, audit entries, delivered and owed mail,
    a snapshot, a live letter post."""
    service = PledgeService(store, LETTER, RULES, DESTINATIONS, StepClock())
    service.snapshots = SnapshotArchive(store, LETTER, snapshots, service.clock)
    await service.start()
    shown = await service.live.prepare(MOD, "telegram", "-100222")
    await service.live.post(
        MOD, platform="telegram", chat="-100222", message="7", community="telegram:-100222",
        shown=shown,
    )  # fmt: skip
    ids = [
        (await service.sign(artist(n), SignatureForm(f"Artist {n}", "role", "place"), community="c",
                            anonymous=n == 1)).signature.id
        for n in range(6)
    ]  # fmt: skip
    await service.approve(MOD, ids[:4])  # crosses 3
    await service.reject(MOD, ids[4], "duplicate")
    await service.withdraw(artist(0), erase=True)
    await OutboxDispatcher(store, [RecordingSender("console")], service.clock).drain()
    await service.take_snapshot(MOD)
    return service


@pytest.mark.postgres
async def test_copy_sqlite_to_postgres_then_keep_running(
    pledgebot: Pledgebot, tmp_path: Path
) -> None:
    db = tmp_path / "old.db"
    async with SQLiteStore(f"sqlite:///{db}") as old:
        source = await _campaign(old, tmp_path / "snapshots")
        before = await old.outbox_messages()
        snapshot = await old.latest_snapshot()
        clock = source.clock

    async with fresh_schema() as pg_url:
        result = pledgebot("copy-store", "--from", f"sqlite:///{db}", "--to", pg_url)
        assert result.returncode == 0, result.stderr
        assert "signatures: 6 rows copied" in result.stdout
        assert "snapshots: 1 rows copied" in result.stdout
        assert "live_posts: 1 rows copied" in result.stdout
        assert "verified: every table matches the source" in result.stdout

        again = pledgebot("copy-store", "--from", f"sqlite:///{db}", "--to", pg_url)
        assert again.returncode == 1 and "not empty; use --force" in again.stderr
        forced = pledgebot("copy-store", "--from", f"sqlite:///{db}", "--to", pg_url, "--force")
        assert forced.returncode == 0, forced.stderr

        async with PostgresStore(pg_url) as pg:
            service = PledgeService(pg, LETTER, RULES, DESTINATIONS, clock)
            await service.start()
            assert await service.count() == 3
            assert snapshot is not None and await pg.latest_snapshot() == snapshot
            assert [m.id for m in await pg.outbox_messages()] == [m.id for m in before]
            assert [e.action for e in await service.audit(MOD)][:2] == ["erase", "reject"]
            [post] = await pg.live_posts()  # still live, in its language, still owed its edits
            assert (post.id, post.chat, post.message, post.language) == (1, "-100222", "7", "es")
            # It keeps running: new ids follow the old ones, the count goes on, milestone 3 is
            # not announced again and 5 is announced once.
            new = (await service.sign(artist(10), SignatureForm("New"), community="c")).signature
            assert new.id == 7
            await service.approve(MOD, [6, new.id])
            assert await service.count() == 5
            edits = [m for m in await pg.outbox_messages() if m.kind is OutboxKind.LIVE_EDIT]
            assert {m.destination for m in edits} == {"live:1"}
            announced = [m.milestone for m in await pg.outbox_messages()
                         if m.kind is OutboxKind.ANNOUNCEMENT]  # fmt: skip
            assert sorted(set(announced)) == [3, 5]
            assert announced.count(5) == len(DESTINATIONS.announce)
            page = await service.signatories(1)
            assert [s.name for s in page.signatures] == ["Artist 2", "Artist 3", "Artist 5", "New"]


def test_copy_refuses_the_same_store(pledgebot: Pledgebot, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/a.db"
    result = pledgebot("copy-store", "--from", url, "--to", url)
    assert result.returncode == 2 and "same store" in result.stderr


async def test_sqlite_to_sqlite_copy_verifies(pledgebot: Pledgebot, tmp_path: Path) -> None:
    async with SQLiteStore(f"sqlite:///{tmp_path}/a.db") as old:
        await _campaign(old, tmp_path / "snapshots")
    result = pledgebot(
        "copy-store", "--from", f"sqlite:///{tmp_path}/a.db", "--to", f"sqlite:///{tmp_path}/b.db"
    )
    assert result.returncode == 0, result.stderr
    async with SQLiteStore(f"sqlite:///{tmp_path}/b.db") as copy:
        assert await copy.count() == 3


async def test_backup_is_a_working_database(
    pledgebot: Pledgebot, config: Path, tmp_path: Path
) -> None:
    pledgebot("console", "--config", str(config), "--as", "mod", stdin="/sign M\n/approve 1\n")
    result = pledgebot("backup", "--config", str(config), str(tmp_path / "backup.db"))
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(tmp_path / "backup.db") as conn:
        assert conn.execute("SELECT name, status FROM signatures").fetchall() == [("M", "approved")]
    refused = pledgebot("backup", "--config", str(config), str(tmp_path / "backup.db"))
    assert refused.returncode == 1 and "already exists" in refused.stderr


async def test_backup_while_the_bot_is_writing(pledgebot: Pledgebot, tmp_path: Path) -> None:
    """VACUUM INTO reads one snapshot: the copy is consistent even mid-burst."""
    import asyncio
    import os
    import sys

    from tests.core.test_durability import CHILD

    root = Path(__file__).resolve().parents[2]
    url = f"sqlite:///{tmp_path / 'live.db'}"
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-c", CHILD, url, stdout=asyncio.subprocess.PIPE, cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
    )  # fmt: skip
    assert child.stdout is not None
    stdout = child.stdout
    acked = 0

    async def keep_reading() -> None:  # the bot keeps running: never let its pipe fill up
        nonlocal acked
        while await stdout.readline():
            acked += 1

    reading = asyncio.create_task(keep_reading())
    try:
        while acked < 300:  # the bot is busy signing
            await asyncio.sleep(0.01)
        result = await asyncio.to_thread(
            pledgebot, "backup", "--storage-url", url, "--config", str(_config(tmp_path, url)),
            str(tmp_path / "snap.db"),
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert acked > 300  # it signed on while the backup ran
    finally:
        child.kill()
        await child.wait()
        reading.cancel()
    with sqlite3.connect(tmp_path / "snap.db") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        approved = conn.execute("SELECT COUNT(*) FROM signatures WHERE status = 'approved'")
        counter = conn.execute("SELECT value FROM counters WHERE name = 'approved'")
        assert approved.fetchone()[0] == counter.fetchone()[0] >= 300


def _config(tmp_path: Path, url: str) -> Path:
    from tests.cli.conftest import EXAMPLE

    path = tmp_path / "live.toml"
    path.write_text(EXAMPLE.replace('url = "sqlite:///pledgebot.db"', f'url = "{url}"'))
    return path
