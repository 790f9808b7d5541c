"""When the database cannot take a change: a clear "try again", the bot keeps serving, and
nothing half-written remains."""

from __future__ import annotations

import os
import resource
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.app import default_rules
from bot.domain import SignatureForm, Status
from bot.errors import StoreRefused, StoreUnavailable
from bot.ports import OpenMode
from bot.service import PledgeService
from storage.sqlite import SQLiteStore
from tests.conftest import DESTINATIONS, LETTER, MOD, StepClock, artist

ROOT = Path(__file__).resolve().parents[2]


def _service(store: SQLiteStore) -> PledgeService:
    return PledgeService(store, LETTER, default_rules(), DESTINATIONS, StepClock())


def _consistent(path: Path) -> None:
    """Counters agree with the rows, and SQLite finds the file sound."""
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        approved = conn.execute("SELECT COUNT(*) FROM signatures WHERE status = 'approved'")
        counter = conn.execute("SELECT value FROM counters WHERE name = 'approved'")
        assert approved.fetchone()[0] == counter.fetchone()[0]


async def test_a_database_locked_by_another_process(tmp_path: Path) -> None:
    path = tmp_path / "locked.db"
    async with SQLiteStore(f"sqlite:///{path}?timeout=0.3") as store:
        service = _service(store)
        first = (await service.sign(artist(1), SignatureForm("First"), community="c")).signature
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")  # e.g. a maintenance script holding the write lock
        try:
            with pytest.raises(StoreUnavailable, match="temporarily unavailable, please try again"):
                await service.sign(artist(2), SignatureForm("Second"), community="c")
            with pytest.raises(StoreUnavailable):
                await service.approve(MOD, [first.id])
            # Reading still works meanwhile.
            assert (await service.status(artist(1).identity)).signature == first
            assert await service.count() == 0
        finally:
            other.execute("ROLLBACK")
            other.close()
        # The lock is gone: the bot carries on, and the refused change left no trace.
        assert (await service.status(artist(2).identity)).signature is None
        second = await service.sign(artist(2), SignatureForm("Second"), community="c")
        assert second.signature.id == first.id + 1
    _consistent(path)


async def test_a_read_only_database(tmp_path: Path) -> None:
    path = tmp_path / "ro.db"
    async with SQLiteStore(f"sqlite:///{path}") as store:
        sig = (await _service(store).sign(artist(1), SignatureForm("A"), community="c")).signature
    before = path.read_bytes()
    async with SQLiteStore(f"sqlite:///{path}?mode=ro") as store:
        service = _service(store)
        with pytest.raises(StoreUnavailable):
            await service.sign(artist(2), SignatureForm("B"), community="c")
        with pytest.raises(StoreUnavailable):
            await service.approve(MOD, [sig.id])
        assert (await service.status(artist(1).identity)).signature == sig
        assert (await service.store.get_signature(sig.id)).status is Status.PENDING  # type: ignore[union-attr]
    assert path.read_bytes() == before


def _limit_file_size(limit: int) -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a too-big write fails instead of killing us


def test_a_full_disk(tmp_path: Path) -> None:
    """The process may not grow any file past a limit (as on a full disk): signing starts to fail
    with "try again", the bot keeps answering, and what it acknowledged is there."""
    config = (
        (ROOT / "config.example.toml")
        .read_text()
        .replace('url = "sqlite:///pledgebot.db"', f'url = "sqlite:///{tmp_path}/full.db"')
        .replace('listen = "127.0.0.1:8080"', 'listen = ""')
    )
    (tmp_path / "config.toml").write_text(config)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "bot", "console", "--config", str(tmp_path / "config.toml")]
    subprocess.run(command, input="/count\n", text=True, env=env, check=True, capture_output=True)
    size = max((tmp_path / "full.db").stat().st_size, 64 * 1024)
    lines = [
        f"/as u{n}\n/sign Artist {n} {'x' * 60} | {'r' * 55} | {'p' * 55}\n" for n in range(600)
    ]
    result = subprocess.run(
        command,
        input="".join(lines) + "/count\n",
        text=True,
        env=env,
        capture_output=True,
        timeout=120,
        preexec_fn=lambda: _limit_file_size(size + 96 * 1024),
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    out = result.stdout
    assert "pledgebot is temporarily unavailable, please try again in a moment." in out
    assert "Sorry, something went wrong" not in out
    assert out.rstrip().endswith("Next milestone: 10.")  # still answering after the failures
    acknowledged = [line for line in out.splitlines() if "is recorded and awaits" in line]
    assert 0 < len(acknowledged) < 600
    with sqlite3.connect(tmp_path / "full.db") as conn:
        stored = conn.execute("SELECT COUNT(*) FROM signatures").fetchone()[0]
    assert stored == len(acknowledged)
    _consistent(tmp_path / "full.db")


async def test_one_writer_per_file_and_readers_beside_it(tmp_path: Path) -> None:
    """A second store that writes is refused while the first is open, even in one process (its
    dispatcher would deliver the outbox again); a read-only store is not; closing frees it."""
    url = f"sqlite:///{tmp_path / 'one.db'}"
    async with SQLiteStore(url) as first:
        sig = (await _service(first).sign(artist(1), SignatureForm("A"), community="c")).signature
        second = SQLiteStore(url)
        with pytest.raises(
            StoreRefused, match=f"in use by another pledgebot process \\(pid {os.getpid()}\\)"
        ):
            await second.open()
        await second.close()
        async with SQLiteStore(url, mode=OpenMode.READ_ONLY) as reader:
            assert await reader.get_signature(sig.id) == sig
    async with SQLiteStore(url, mode=OpenMode.EXISTING) as after:
        assert await after.get_signature(sig.id) == sig
