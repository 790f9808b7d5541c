"""The outbox dispatcher: delivery, retries with backoff, giving up, and recovery after a crash."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable
from datetime import timedelta

from bot.app import default_rules
from bot.domain import OutboxKind, OutboxMessage, SignatureForm
from bot.milestones import MilestonePolicy
from bot.outbox import OutboxDispatcher
from bot.ports import DeliveryError
from bot.service import PledgeService
from storage.sqlite import SQLiteStore
from tests.conftest import DESTINATIONS, LETTER, MOD, ServiceFactory, StepClock, artist


class RecordingSender:
    """A platform's outbound side that records what it posted and can fail on demand."""

    def __init__(self, platform: str, failures: list[Exception] | None = None) -> None:
        self.platform = platform
        self.posted: list[OutboxMessage] = []
        self.failures = list(failures or [])

    async def deliver(self, message: OutboxMessage) -> str | None:
        if self.failures:
            raise self.failures.pop(0)
        self.posted.append(message)
        return f"msg-{message.id}"


async def _cross_milestone(service: PledgeService, n: int = 2) -> None:
    for i in range(n):
        sig = (await service.sign(artist(i), SignatureForm(f"A{i}"), community="c")).signature
        await service.approve(MOD, [sig.id])


def _dispatcher(service: PledgeService, *senders: RecordingSender) -> OutboxDispatcher:
    return OutboxDispatcher(
        service.store, list(senders), service.clock, base_backoff=0.01, max_attempts=4
    )


async def test_each_platform_gets_its_own_messages(make_service: ServiceFactory) -> None:
    service = make_service(thresholds=(2,))
    await _cross_milestone(service)
    senders = [RecordingSender(p) for p in ("console", "discord", "telegram")]
    dispatcher = _dispatcher(service, *senders)
    await dispatcher.drain()
    by_platform = {s.platform: [(m.kind, m.destination) for m in s.posted] for s in senders}
    assert (OutboxKind.ANNOUNCEMENT, "111") in by_platform["discord"]
    assert by_platform["telegram"] == [(OutboxKind.ANNOUNCEMENT, "-100222")]
    assert (OutboxKind.ANNOUNCEMENT, "announcements") in by_platform["console"]
    rows = await service.store.outbox_messages()
    assert {r.status for r in rows} == {"delivered"}
    assert all(r.ref == f"msg-{r.id}" for r in rows)
    assert await dispatcher.drain() == 0  # nothing is delivered twice


async def test_transient_failures_are_retried_then_delivered_once(
    make_service: ServiceFactory,
) -> None:
    service = make_service(thresholds=(2,))
    await _cross_milestone(service)
    flaky = RecordingSender(
        "discord", [RuntimeError("502"), DeliveryError("429", retry_after=0.05)]
    )
    dispatcher = _dispatcher(service, flaky)
    task = asyncio.create_task(dispatcher.run())

    async def discord_row() -> OutboxMessage:
        [row] = [r for r in await service.store.outbox_messages() if r.platform == "discord"]
        return row

    try:
        async with asyncio.timeout(5):
            while (await discord_row()).status != "delivered":
                await asyncio.sleep(0.01)
    finally:
        task.cancel()
    assert (await discord_row()).attempts == 3
    assert len(flaky.posted) == 1


async def test_permanent_failure_is_marked_not_retried(make_service: ServiceFactory) -> None:
    service = make_service()
    sig = (await service.sign(artist(7, "telegram"), SignatureForm("A"), community="t")).signature
    await service.approve(MOD, [sig.id])
    blocked = RecordingSender("telegram", [DeliveryError("bot was blocked", permanent=True)])
    await _dispatcher(service, blocked).drain()
    [row] = [r for r in await service.store.outbox_messages() if r.platform == "telegram"]
    assert row.status == "failed" and blocked.posted == []


async def test_gives_up_after_max_attempts(make_service: ServiceFactory) -> None:
    service = make_service(thresholds=(2,))
    await _cross_milestone(service)
    broken = RecordingSender("discord", [RuntimeError("down")] * 10)
    assert isinstance(service.clock, StepClock)
    service.clock.step = timedelta(hours=1)  # every retry is due at the next look
    dispatcher = OutboxDispatcher(service.store, [broken], service.clock, max_attempts=3)
    for _ in range(5):
        await dispatcher.deliver_due()
    [row] = [r for r in await service.store.outbox_messages() if r.platform == "discord"]
    assert (row.status, row.attempts) == ("failed", 3)


async def test_a_dead_claimers_messages_are_delivered_after_its_lease(
    make_service: ServiceFactory,
) -> None:
    service = make_service(thresholds=(2,))
    await _cross_milestone(service)
    now = service.clock.now()
    # One process claims messages, then dies before delivering them.
    claimed = await service.store.claim_outbox(["discord"], now, now + timedelta(minutes=1), 10)
    assert claimed
    # Another process, once the lease has run out, delivers them — once.
    assert isinstance(service.clock, StepClock)
    service.clock.at += timedelta(minutes=2)
    sender = RecordingSender("discord")
    await OutboxDispatcher(service.store, [sender], service.clock).drain()
    assert [m.id for m in sender.posted] == [m.id for m in claimed]


async def test_sqlite_hands_back_a_crashed_runs_claims_at_start_up(
    sqlite_store: SQLiteStore, db_url: str
) -> None:
    """One process per SQLite file: at start-up every claim is a dead run's, no lease wait."""
    service = PledgeService(
        sqlite_store,
        LETTER,
        default_rules(milestones=MilestonePolicy.of([2])),
        DESTINATIONS,
        StepClock(),
    )
    await _cross_milestone(service)
    now = service.clock.now()
    claimed = await sqlite_store.claim_outbox(["discord"], now, now + timedelta(hours=1), 10)
    assert claimed
    await sqlite_store.close()

    async with SQLiteStore(db_url) as reopened:
        sender = RecordingSender("discord")
        await OutboxDispatcher(reopened, [sender], service.clock).drain()
        assert [m.id for m in sender.posted] == [m.id for m in claimed]


async def test_notify_wakes_a_sleeping_dispatcher(make_service: ServiceFactory) -> None:
    service = make_service(thresholds=(1,))
    sender = RecordingSender("console")
    dispatcher = OutboxDispatcher(service.store, [sender], service.clock, poll_interval=60)
    service.on_outbox(dispatcher.notify)
    task = asyncio.create_task(dispatcher.run())
    try:
        await asyncio.sleep(0.05)  # asleep with nothing to do, for up to a minute
        await _cross_milestone(service, 1)
        async with asyncio.timeout(2):
            while not any(m.kind is OutboxKind.ANNOUNCEMENT for m in sender.posted):
                await asyncio.sleep(0.01)
    finally:
        task.cancel()


async def test_cancelling_stops_the_dispatcher_even_as_it_is_woken(
    make_service: ServiceFactory,
) -> None:
    """A wake-up and a cancellation at the same moment: the dispatcher must still stop (on
    Python 3.11, asyncio.wait_for would swallow such a cancellation and run on forever)."""
    service = make_service()
    for _ in range(50):
        dispatcher = OutboxDispatcher(service.store, [RecordingSender("console")], service.clock)
        task = asyncio.create_task(dispatcher.run())
        await asyncio.sleep(0.01)  # asleep, waiting to be woken
        dispatcher.notify()
        task.cancel()
        async with asyncio.timeout(2):
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def test_only_units_that_wrote_outbox_rows_wake_the_dispatcher(
    make_service: ServiceFactory,
) -> None:
    """On every store: a milestone's announcement is written by the count listener, which a
    concurrent store calls just before COMMIT, and wakes the dispatcher all the same."""
    service = make_service(approval="auto", thresholds=(2,))
    woken: list[None] = []
    service.on_outbox(lambda: woken.append(None))

    async def wakes(action: Awaitable[object]) -> bool:
        before = len(woken)
        await action
        return len(woken) > before

    assert not await wakes(service.start())  # the letter's version: nothing owed
    assert not await wakes(service.sign(artist(1), SignatureForm("Ann"), community="c"))
    assert await wakes(service.sign(artist(2), SignatureForm("Bo"), community="c"))  # 2 names
    assert not await wakes(service.approve(MOD, [99]))  # no such signature: nothing decided
    assert not await wakes(service.audit(MOD))
    assert await wakes(service.withdraw(artist(1)))  # the mod-queue card's update
    kinds = [m.kind for m in await service.store.outbox_messages()]
    assert kinds.count(OutboxKind.ANNOUNCEMENT) == 3  # one per announce destination
    assert OutboxKind.MOD_UPDATE in kinds
