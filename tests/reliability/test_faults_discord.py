"""Discord misbehaving: rate limits, server errors, a slow answer, and a gateway that reconnects,
invalidates the session or drops. The bot keeps serving, and every announcement and notification
the outbox owes is delivered exactly once.

In-process, with the adapter's own harness (tests/adapters/discord/conftest.py): the real
discord.py and adapter, the real core over SQLite and the outbox dispatcher running as in
``pledgebot run`` (with short backoffs), against the fake Discord's fault injection.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.app import default_rules
from bot.domain import OutboxMessage
from bot.milestones import MilestonePolicy
from bot.outbox import OutboxDispatcher
from bot.service import PledgeService, SystemClock
from storage.sqlite import SQLiteStore
from tests.adapters.discord.conftest import (
    Bot,
    Server,
    assert_no_pings,
    build_server,
    destinations,
    start_bot,
)
from tests.conftest import LETTER
from tests.fakes.fake_discord import CallbackType, FakeDiscord, FakeMember

pytestmark = pytest.mark.slow

MILESTONES = (2, 4)
ANNOUNCEMENT = "{count} artists have signed “{title}”."  # what the tests look for


def milestone(n: int) -> str:
    return f"{n} artists have signed “{LETTER.title}”."


@dataclass
class Campaign:
    server: Server
    bot: Bot
    signers: list[FakeMember]

    @property
    def fake(self) -> FakeDiscord:
        return self.server.fake

    async def sign_all(self) -> list[int]:
        """Every signer submits the form; the mod-queue cards are posted."""
        ids: list[int] = []
        for member in self.signers:
            answer = await self.bot.sign(member)
            assert answer.content is not None and "is recorded" in answer.content
            ids.append(len(ids) + 1)
        await settled(self.bot.store)
        return ids

    async def approve(self, ids: list[int]) -> None:
        answer = await self.bot.command(
            "approve", self.server.moderator, signature=" ".join(map(str, ids))
        )
        assert answer.content is not None
        assert answer.content.count(" approved: ") == len(ids), answer.content

    async def assert_serving(self) -> None:
        """A slash command is answered, directly and in time."""
        answer = await self.bot.command("count", self.server.artist)
        assert answer.type is CallbackType.CHANNEL_MESSAGE and answer.content

    def assert_delivered_once(self) -> None:
        """Each milestone once in each announce channel, one notice in each signer's DMs."""
        for channel in self.server.announce:
            posted = sorted(m.content for m in self.fake.messages_in(channel))
            assert posted == [milestone(n) for n in MILESTONES], channel.name
        for member in self.signers:
            dms = [m.content for m in self.fake.messages_in(self.fake.dm_channel(member))]
            assert len(dms) == 1 and "has been approved" in dms[0], (member.user.username, dms)


async def settled(store: SQLiteStore, timeout: float = 20) -> list[OutboxMessage]:  # noqa: ASYNC109
    """The outbox rows once none is pending or in flight (every one delivered, none failed)."""
    async with asyncio.timeout(timeout):
        while True:
            rows = await store.outbox_messages()
            if all(r.status in ("delivered", "failed") for r in rows):
                assert {r.status for r in rows} <= {"delivered"}, [
                    (r.id, r.kind, r.status) for r in rows
                ]
                return rows
            await asyncio.sleep(0.02)


@pytest.fixture
async def campaign(tmp_path: Path) -> AsyncIterator[Campaign]:
    async with FakeDiscord() as fake:
        server = build_server(fake)
        signers = [server.artist, server.drummer]
        signers += [fake.add_member(server.home, f"singer{n}") for n in range(2)]
        async with SQLiteStore(f"sqlite:///{tmp_path / 'faults.db'}") as store:
            rules = default_rules(
                milestones=MilestonePolicy.of(MILESTONES), milestone_message=ANNOUNCEMENT
            )
            service = PledgeService(store, LETTER, rules, destinations(server), SystemClock())
            await service.start()
            bot = await start_bot(server, service, store)
            # Delivering all the time, as in `pledgebot run`; retries after milliseconds.
            outbox = OutboxDispatcher(store, [bot.adapter], service.clock, base_backoff=0.05)
            service.on_outbox(outbox.notify)
            delivery = asyncio.create_task(outbox.run())
            try:
                yield Campaign(server, bot, signers)
            finally:
                delivery.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await delivery
                await bot.stop()
        assert_no_pings(fake)


async def test_rate_limits_server_errors_and_a_slow_answer_cost_time_not_duplicates(
    campaign: Campaign,
) -> None:
    c, fake = campaign, campaign.fake
    first, second = c.server.announce
    slow_dm, failing_dm = (fake.dm_channel(m) for m in c.signers[:2])
    ids = await c.sign_all()
    # Two approvals cross the two milestones: four announcements and four DMs, and on the way:
    # five 429s in a row on one announce channel (discord.py gives up after five tries; the
    # outbox tries again), a global 429 on the next posts anywhere, a 500 and a 502 (retried by
    # discord.py after a second), and a DM whose answer comes three seconds late.
    fake.rate_limit("POST", f"/channels/{first.id}/messages", retry_after=0.05, times=5)
    fake.rate_limit("POST", "/channels/*/messages", retry_after=0.2, is_global=True, times=2)
    fake.fail_with_server_error("POST", f"/channels/{second.id}/messages", status=500)
    fake.fail_with_server_error("POST", f"/channels/{failing_dm.id}/messages", status=502)
    fake.delay_response("POST", f"/channels/{slow_dm.id}/messages", 3.0)

    await c.approve(ids[:2])
    await fake.wait_for_message(channel=slow_dm, timeout=10)  # posted; its answer is late
    loop = asyncio.get_running_loop()
    started = loop.time()
    await c.assert_serving()
    assert loop.time() - started < 2.0  # not held up by the post whose answer takes 3 s
    await c.approve(ids[2:])

    rows = await settled(c.bot.store)
    c.assert_delivered_once()
    assert fake.faults_remaining() == 0
    faulted = Counter(r.status for r in fake.requests if r.faulted)
    assert faulted == {429: 7, 500: 1, 502: 1}
    # discord.py waited out the rest itself; only the post refused five times took the outbox
    # a second attempt, with the same nonce.
    attempts = {
        channel.name: sorted(r.attempts for r in rows if r.destination == str(channel.id))
        for channel in (first, second)
    }
    assert attempts == {first.name: [1, 2], second.name: [1, 1]}
    await c.assert_serving()


async def test_reconnect_invalid_session_and_dropped_socket_keep_the_bot_serving(
    campaign: Campaign,
) -> None:
    c, fake = campaign, campaign.fake
    ids = await c.sign_all()

    # op 7 RECONNECT: discord.py closes and resumes.
    mark = fake.gateway_frames.mark()
    await fake.request_reconnect()
    await fake.wait_for_gateway(6, since=mark, timeout=10)
    await c.assert_serving()

    # The socket drops: a command sent meanwhile is replayed on RESUME and answered.
    mark = fake.gateway_frames.mark()
    await fake.drop_gateway(4000)
    during = await fake.send_slash_command("count", user=c.server.artist, channel=c.server.general)
    await fake.wait_for_gateway(6, since=mark, timeout=10)
    assert (await fake.wait_for_callback(during, timeout=10)).content

    # op 9 INVALID_SESSION (not resumable): discord.py identifies afresh.
    mark = fake.gateway_frames.mark()
    await fake.invalidate_session(resumable=False)
    await fake.wait_for_gateway(2, since=mark, timeout=10)
    await c.assert_serving()

    # Decisions made across the faults are announced and notified once each.
    await c.approve(ids[:2])  # crosses 2
    mark = fake.gateway_frames.mark()
    await fake.drop_gateway(4000)
    await c.approve(ids[2:])  # crosses 4; sent while the socket is down, answered after RESUME
    await fake.wait_for_gateway(6, since=mark, timeout=10)
    await settled(c.bot.store)
    c.assert_delivered_once()
    await c.assert_serving()


async def test_a_retried_announcement_keeps_its_place(campaign: Campaign) -> None:
    """The post of "2 have signed" to a channel fails (discord.py gives up after five 429s) and
    the outbox retries it; meanwhile "4 have signed" is owed to the same channel."""
    c, fake = campaign, campaign.fake
    first = c.server.announce[0]
    ids = await c.sign_all()
    fake.rate_limit("POST", f"/channels/{first.id}/messages", retry_after=0.05, times=5)
    await c.approve(ids[:2])
    await c.approve(ids[2:])
    await settled(c.bot.store)
    assert [m.content for m in fake.messages_in(first)] == [milestone(n) for n in MILESTONES]
