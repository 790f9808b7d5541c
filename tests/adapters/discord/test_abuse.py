"""Abuse limits as a Discord server sees them: new accounts wait, moderators get alerts."""

from __future__ import annotations

from datetime import timedelta

from bot.domain import OutboxKind, OutboxMessage
from bot.service import PledgeService
from storage.sqlite import SQLiteStore
from tests.adapters.discord.conftest import (
    Bot,
    Server,
    ServiceFactory,
    destinations,
    start_bot,
)


async def test_a_brand_new_account_waits_for_a_moderator(
    make_service: ServiceFactory, server: Server, store: SQLiteStore
) -> None:
    service: PledgeService = make_service(
        destinations=destinations(server), approval="auto", min_account_age=timedelta(days=7)
    )
    await service.start()
    newcomer = server.fake.add_member(
        server.home, "newcomer", created_at=service.clock.now() - timedelta(days=1)
    )
    bot = await start_bot(server, service, store)
    try:
        fresh = await bot.sign(newcomer)
        assert fresh.content is not None and "awaits a moderator's approval" in fresh.content
        seasoned = await bot.sign(server.artist)  # an account from 2019
        assert seasoned.content is not None and "is on the letter" in seasoned.content
        card = await bot.card(1)
        assert "pledge:approve:1" in card.custom_ids()
        assert await service.count() == 1
    finally:
        await bot.stop()


async def test_an_alert_reaches_the_mod_channel_without_pings(bot: Bot, server: Server) -> None:
    alert = OutboxMessage(
        OutboxKind.ALERT,
        "discord",
        str(server.mod_channel.id),
        "Unusual activity: 30 of the last 40 signatures came from discord:1 **now** @everyone",
        id=77,
    )
    await bot.adapter.deliver(alert)
    [posted] = [m for m in server.fake.messages_in(server.mod_channel) if "Unusual" in m.content]
    assert "\\*\\*now\\*\\*" in posted.content
    [request] = server.fake.requests_to("POST", f"/channels/{server.mod_channel.id}/messages")
    assert request.json["allowed_mentions"] == {"parse": []}
