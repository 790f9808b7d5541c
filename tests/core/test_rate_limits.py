"""Per-account rate limits: a token bucket per account and kind of command, checked by the core
before any store work, bounded in memory whatever the number of accounts."""

from __future__ import annotations

import tracemalloc
from dataclasses import dataclass

import pytest

from adapters.console.commands import ConsoleCommands, Session
from bot.domain import Identity, SignatureForm
from bot.errors import SlowDown
from bot.ratelimit import Family, Limit, RateLimiter, RateLimits
from bot.service import PledgeService
from tests.conftest import MOD, ServiceFactory, artist

LIMITS = RateLimits(
    reading=Limit(burst=3, per_minute=6),  # then one every 10 s
    signing=Limit(burst=2, per_minute=1),  # then one a minute
    moderating=Limit(burst=5, per_minute=0),  # unlimited
    tracked_accounts=1000,
)
ANN = Identity("console", "ann")


@dataclass
class FakeClock:
    at: float = 1000.0

    def __call__(self) -> float:
        return self.at


def test_a_burst_then_one_per_interval() -> None:
    clock = FakeClock()
    limiter = RateLimiter(LIMITS, clock)
    for _ in range(3):
        limiter.take(ANN, Family.READING)
    with pytest.raises(SlowDown) as caught:
        limiter.take(ANN, Family.READING)
    assert caught.value.seconds == 10
    assert str(caught.value.message) == (
        "That was a lot at once: please slow down and try again in 10 s."
    )
    clock.at += 4
    with pytest.raises(SlowDown) as caught:  # a refused command spends nothing
        limiter.take(ANN, Family.READING)
    assert caught.value.seconds == 6
    clock.at += 6
    limiter.take(ANN, Family.READING)
    with pytest.raises(SlowDown):
        limiter.take(ANN, Family.READING)
    clock.at += 30  # a quiet spell refills the bucket, up to the burst
    for _ in range(3):
        limiter.take(ANN, Family.READING)
    with pytest.raises(SlowDown):
        limiter.take(ANN, Family.READING)


def test_kinds_and_accounts_have_their_own_buckets() -> None:
    limiter = RateLimiter(LIMITS, FakeClock())
    for _ in range(3):
        limiter.take(ANN, Family.READING)
    limiter.take(ANN, Family.SIGNING)  # reading fast does not use up signing
    limiter.take(Identity("discord", "ann"), Family.READING)  # another account, even same name
    for _ in range(500):
        limiter.take(ANN, Family.MODERATING)  # per_minute = 0: no limit for this kind
    limiter.take(ANN, Family.SIGNING)
    with pytest.raises(SlowDown) as caught:
        limiter.take(ANN, Family.SIGNING)
    assert caught.value.seconds == 60


def test_no_limits_configured_means_none() -> None:
    limiter = RateLimiter(None, FakeClock())
    for _ in range(1000):
        limiter.take(ANN, Family.SIGNING)
    assert len(limiter) == 0


def test_a_flood_of_distinct_accounts_keeps_memory_bounded() -> None:
    """A million accounts, each sending once (a botnet, or accounts made for the purpose): the
    limiter keeps at most ``tracked_accounts`` buckets, and its memory stops growing there —
    once every kept bucket was made while memory is traced, thousands more accounts add
    nothing."""
    clock = FakeClock()
    cap = 5000
    limits = RateLimits(LIMITS.reading, LIMITS.signing, LIMITS.moderating, tracked_accounts=cap)
    limiter = RateLimiter(limits, clock)
    for n in range(1_000_000):
        limiter.take(Identity("telegram", str(n)), Family.READING)
    assert len(limiter) == cap
    tracemalloc.start()
    try:
        for n in range(1_000_000, 1_000_000 + 2 * cap):
            limiter.take(Identity("telegram", str(n)), Family.READING)
        full, _ = tracemalloc.get_traced_memory()
        for n in range(1_000_000 + 2 * cap, 1_000_000 + 6 * cap):
            limiter.take(Identity("telegram", str(n)), Family.READING)
        later, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(limiter) == cap
    assert later < full * 1.05 + 16 * 1024, (full, later)
    # The most recent accounts are still limited; the forgotten ones start afresh.
    recent = Identity("telegram", str(1_000_000 + 6 * cap - 1))
    limiter.take(recent, Family.READING)
    limiter.take(recent, Family.READING)
    with pytest.raises(SlowDown):
        limiter.take(recent, Family.READING)
    limiter.take(Identity("telegram", "0"), Family.READING)  # forgotten long ago: a new bucket


@pytest.fixture
async def limited(make_service: ServiceFactory) -> tuple[PledgeService, FakeClock]:
    service = make_service(rate_limits=LIMITS)
    clock = FakeClock()
    service.limits = RateLimiter(LIMITS, clock)
    await service.start()
    return service, clock


async def test_a_flooding_account_is_slowed_before_the_store_is_touched(
    limited: tuple[PledgeService, FakeClock],
) -> None:
    service, _ = limited
    for _ in range(3):
        await service.status(ANN)
    await service.store.close()  # any store work from here on would fail
    with pytest.raises(SlowDown):
        await service.status(ANN)
    with pytest.raises(SlowDown):
        await service.overview(actor=artist("ann"))
    with pytest.raises(SlowDown):
        await service.signatories(1, actor=artist("ann"))


async def test_signing_withdrawing_and_moderating_each_go_through_the_limits(
    limited: tuple[PledgeService, FakeClock],
) -> None:
    service, _ = limited
    ann = artist("ann")
    await service.sign(ann, SignatureForm("Ann"), community="c")
    await service.withdraw(ann)
    with pytest.raises(SlowDown):
        await service.sign(ann, SignatureForm("Ann"), community="c")
    status = await service.status(ann.identity)
    assert status.signature is not None and status.signature.status == "withdrawn"  # not signed
    slow = LIMITS.reading.burst + 1
    reader = artist("reader")
    with pytest.raises(SlowDown):  # reads without the actor (the public page) are not limited
        for _ in range(slow):
            await service.count(actor=reader)
    for _ in range(slow):
        await service.count()


async def test_the_console_tells_a_flooding_user_to_slow_down(
    limited: tuple[PledgeService, FakeClock],
) -> None:
    service, clock = limited
    console = ConsoleCommands(service)
    ann = Session("ann", frozenset({"mod"}))
    replies = [await console.handle(ann, "/count") for _ in range(4)]
    assert replies[:3] == ["0 signatures so far. Next milestone: 10."] * 3
    assert replies[3] == "That was a lot at once: please slow down and try again in 10 s."
    # Someone else is not slowed by ann, and ann may go on once the interval has passed.
    assert await console.handle(Session("bo", frozenset()), "/count") == replies[0]
    clock.at += 10
    assert await console.handle(ann, "/count") == replies[0]
    assert await console.handle(ann, "/letter") == replies[3]


async def test_moderators_are_limited_by_their_own_kind(make_service: ServiceFactory) -> None:
    limits = RateLimits(LIMITS.reading, LIMITS.signing, Limit(2, 1), tracked_accounts=1000)
    service = make_service(rate_limits=limits)
    service.limits = RateLimiter(limits, FakeClock())
    await service.start()
    await service.pending(MOD)
    await service.audit(MOD)
    with pytest.raises(SlowDown):
        await service.approve(MOD, [1])
    for _ in range(3):  # reading is another bucket
        await service.count(actor=MOD)
