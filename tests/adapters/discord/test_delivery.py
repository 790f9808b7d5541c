"""What the outbox owes Discord: announcements, DMs to signers, and surviving Discord's hiccups."""

from __future__ import annotations

from dataclasses import replace

import pytest

from adapters.discord import DiscordAdapter
from bot.domain import OutboxKind, OutboxMessage, OutboxStatus
from bot.ports import DeliveryError
from bot.service import PledgeService
from tests.adapters.discord.conftest import (
    CONSOLE_MOD,
    Bot,
    Server,
    approved_signatures,
    settings_for,
)

MILESTONE = "2 artists have signed “No Music For ICE”."


async def reach_milestone(bot: Bot) -> None:
    await approved_signatures(bot.service, 2)
    await bot.drain()


def announce_posts(bot: Bot, server: Server, index: int) -> list[tuple[int, bool]]:
    channel = server.announce[index]
    posts = server.fake.requests_to("POST", f"/channels/{channel.id}/messages")
    return [(p.status, p.faulted) for p in posts]


async def test_a_rate_limited_announcement_is_retried_and_posted_once(
    bot: Bot, server: Server
) -> None:
    first = server.announce[0]
    server.fake.rate_limit("POST", f"/channels/{first.id}/messages", retry_after=0.05)

    await reach_milestone(bot)

    assert announce_posts(bot, server, 0) == [(429, True), (200, False)]
    assert [m.content for m in server.fake.messages_in(first)] == [MILESTONE]
    assert [m.content for m in server.fake.messages_in(server.announce[1])] == [MILESTONE]
    assert server.fake.faults_remaining() == 0


async def test_a_bad_gateway_on_an_announcement_is_retried_and_posted_once(
    bot: Bot, server: Server
) -> None:
    second = server.announce[1]
    server.fake.fail_with_server_error("POST", f"/channels/{second.id}/messages", status=502)

    await reach_milestone(bot)

    assert announce_posts(bot, server, 1) == [(502, True), (200, False)]
    assert [m.content for m in server.fake.messages_in(second)] == [MILESTONE]
    rows = [m for m in await bot.store.outbox_messages() if m.kind is OutboxKind.ANNOUNCEMENT]
    assert {(m.status, m.attempts) for m in rows} == {("delivered", 1)}


async def test_a_resent_message_is_not_posted_twice(bot: Bot, server: Server) -> None:
    """If the bot dies after Discord posted but before the outbox noted it, the row is sent
    again on restart: the nonce makes Discord answer with the first post."""
    await reach_milestone(bot)
    [row, *_] = [m for m in await bot.store.outbox_messages() if m.milestone == 2]

    again = await bot.adapter.deliver(replace(row, status=OutboxStatus.PENDING))

    assert again == row.ref
    assert len(server.fake.messages_in(int(row.destination))) == 1


async def test_a_closed_dm_is_given_up_on_not_retried(bot: Bot, server: Server) -> None:
    server.fake.close_dms(server.artist)
    await bot.sign(server.artist)
    await bot.click(await bot.card(1), "pledge:approve:1", server.moderator)

    await bot.drain()

    [note] = [m for m in await bot.store.outbox_messages() if m.kind is OutboxKind.NOTIFICATION]
    assert (note.status, note.attempts) == ("failed", 1)
    assert server.fake.messages_in(server.fake.dm_channel(server.artist)) == []
    sig = (await bot.status(server.artist)).signature
    assert sig is not None and sig.status == "approved"


async def test_a_deleted_channel_is_a_permanent_failure(bot: Bot) -> None:
    message = OutboxMessage(OutboxKind.ANNOUNCEMENT, "discord", "1234567890", "hello", id=99)
    with pytest.raises(DeliveryError) as raised:
        await bot.adapter.deliver(message)
    assert raised.value.permanent


async def test_a_reason_with_markdown_reaches_the_signer_literally(
    bot: Bot, server: Server
) -> None:
    await bot.sign(server.artist)
    await bot.service.reject(CONSOLE_MOD, 1, "Use your **real** name")

    await bot.drain()

    dm = await server.fake.wait_for_message(channel=server.fake.dm_channel(server.artist))
    assert "Reason: Use your \\*\\*real\\*\\* name." in dm.content


async def test_delivering_before_login_asks_the_outbox_to_retry(
    service: PledgeService, server: Server
) -> None:
    adapter = DiscordAdapter(service, settings_for(server), login_wait=0.01)
    message = OutboxMessage(OutboxKind.ANNOUNCEMENT, "discord", str(server.announce[0].id), "hi")
    with pytest.raises(DeliveryError) as raised:
        await adapter.deliver(message)
    assert not raised.value.permanent
    assert raised.value.retry_after is not None
    assert server.fake.requests_to("POST", "/channels/*/messages") == []
