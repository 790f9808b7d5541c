"""Three bot processes on one PostgreSQL database: nothing lost, an exact count, every crossed
milestone written once and delivered once per destination."""

from __future__ import annotations

import asyncio
import os
import sys
from collections import Counter
from pathlib import Path

import pytest

from bot.domain import OutboxKind, Status
from storage.postgres import PostgresStore
from tests.conftest import DESTINATIONS
from tests.postgres import fresh_schema
from tests.scale.worker import EVERY, THRESHOLDS

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = 3
# `make soak` runs the full size (1,000 each, crossing every milestone up to 3,000); `make test`
# a third of it, which still has three processes contend for every outbox row.
SIGNERS_EACH = int(os.environ.get("SCALE_SIGNERS", "300"))

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


async def _run_worker(url: str, process: int) -> list[str]:
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.scale.worker", url, str(process), str(SIGNERS_EACH), "100",
        str(PROCESSES * SIGNERS_EACH),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    out, err = await child.communicate()
    assert child.returncode == 0, err.decode()[-3000:]
    return out.decode().splitlines()


async def test_three_processes_one_database() -> None:
    async with fresh_schema() as url:
        # Create the schema first so the workers race on data, not on the migration.
        async with PostgresStore(url):
            pass
        async with asyncio.timeout(240):
            outputs = await asyncio.gather(*(_run_worker(url, p) for p in range(PROCESSES)))

        total = PROCESSES * SIGNERS_EACH
        async with PostgresStore(url) as store:
            assert await store.count() == total
            assert await store.listed_count() == total
            listed = [s async for s in store.listed_signatures()]
            assert len(listed) == total and all(s.status is Status.APPROVED for s in listed)
            names = {s.name for s in listed}
            assert names == {
                f"Artist {p}-{n}" for p in range(PROCESSES) for n in range(SIGNERS_EACH)
            }
            rows = await store.outbox_messages()

        expected = {t for t in THRESHOLDS if t <= total}
        expected |= set(range(THRESHOLDS[-1] + EVERY, total + 1, EVERY))
        announcements = [r for r in rows if r.kind is OutboxKind.ANNOUNCEMENT]
        per_destination = Counter((r.milestone, r.platform, r.destination) for r in announcements)
        assert set(per_destination) == {
            (m, p, d) for m in expected for p, d in DESTINATIONS.announce
        }
        assert set(per_destination.values()) == {1}
        notifications = [r for r in rows if r.kind is OutboxKind.NOTIFICATION]
        assert len(notifications) == total

        # Every outbox row delivered, and by exactly one process, exactly once.
        deliveries = Counter(
            int(line.split()[1]) for out in outputs for line in out if line.startswith("delivered")
        )
        assert {r.status for r in rows} == {"delivered"}
        assert set(deliveries) == {r.id for r in rows}
        assert set(deliveries.values()) == {1}
        # The work really was shared.
        busy = [sum(line.startswith("delivered") for line in out) for out in outputs]
        assert sum(1 for b in busy if b) >= 2, busy
