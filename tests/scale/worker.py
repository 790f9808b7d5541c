"""One bot process for the multi-process test: signs and approves its share of artists on a
shared PostgreSQL database while its dispatcher delivers outbox messages, then reports every
delivery it made on stdout as ``delivered <outbox id> <platform> <destination>``.

``python -m tests.scale.worker URL PROCESS SIGNERS CONCURRENCY TOTAL`` (TOTAL: the signers of
all processes together)."""

from __future__ import annotations

import asyncio
import sys
from datetime import timedelta

from bot.app import default_rules
from bot.domain import Actor, Identity, OutboxMessage, SignatureForm
from bot.milestones import MilestonePolicy
from bot.outbox import OutboxDispatcher
from bot.service import PledgeService, SystemClock
from storage.postgres import PostgresStore
from tests.conftest import DESTINATIONS, LETTER

THRESHOLDS = (10, 50, 100, 250, 500, 1000)
EVERY = 500


class PrintingSender:
    def __init__(self, platform: str) -> None:
        self.platform = platform

    async def deliver(self, message: OutboxMessage) -> str | None:
        print(f"delivered {message.id} {message.platform} {message.destination}", flush=True)
        return str(message.id)


async def main(url: str, process: int, signers: int, concurrency: int, total: int) -> None:
    async with PostgresStore(url, writers=3) as store:
        rules = default_rules(
            approval="manual",
            milestones=MilestonePolicy.of(THRESHOLDS, EVERY),
            milestone_message="{count} signed",
            surge_min_signatures=0,  # the test counts the outbox's rows: no surge alerts
            rate_limits=None,  # one moderator approves hundreds a second, as no person does
        )
        service = PledgeService(store, LETTER, rules, DESTINATIONS, SystemClock())
        await service.start()
        senders = [PrintingSender(p) for p in ("console", "discord", "telegram")]
        dispatcher = OutboxDispatcher(
            store, senders, service.clock, lease=timedelta(seconds=30), poll_interval=0.2
        )
        service.on_outbox(dispatcher.notify)
        delivering = asyncio.create_task(dispatcher.run())
        moderator = Actor(Identity("console", f"mod{process}"), f"mod{process}", True)
        todo = iter(range(signers))

        async def artist_then_moderator() -> None:
            for n in todo:
                artist = Actor(Identity("discord", f"{process}-{n}"), f"a{n}")
                form = SignatureForm(f"Artist {process}-{n}")
                sig = (await service.sign(artist, form, community=f"p{process}")).signature
                [decision] = await service.approve(moderator, [sig.id])
                assert decision.error is None, decision.error

        await asyncio.gather(*(artist_then_moderator() for _ in range(concurrency)))
        print("signed", flush=True)
        # Keep delivering until every process has signed and approved its share (no outbox row
        # can appear after that) and nothing is owed. Stopping as soon as nothing *seemed* owed
        # could cancel this dispatcher in the middle of a delivery another process had just
        # made due: the row stayed claimed, its lease ran out, and it was delivered twice.
        # Cheap looks: each worker once read the whole outbox (thousands of rows) five times a
        # second, which on two busy cores starved the other workers' dispatchers.
        platforms = [s.platform for s in senders]
        while await store.count() < total or await store.next_outbox_due(platforms) is not None:
            await asyncio.sleep(0.2)
        delivering.cancel()
        await asyncio.gather(delivering, return_exceptions=True)


if __name__ == "__main__":
    url, process, signers, concurrency, total = sys.argv[1], *map(int, sys.argv[2:6])
    asyncio.run(main(url, process, signers, concurrency, total))
