"""A flooding account is told, privately, to slow down; nobody else is slowed."""

from __future__ import annotations

from bot.ratelimit import Limit, RateLimits
from storage.sqlite import SQLiteStore
from tests.adapters.discord.conftest import Server, destinations, start_bot
from tests.conftest import ServiceFactory

SLOW_READING = RateLimits(
    reading=Limit(burst=2, per_minute=1),
    signing=Limit(burst=6, per_minute=6),
    moderating=Limit(burst=60, per_minute=120),
    tracked_accounts=100,
)


async def test_a_flooding_account_is_told_to_slow_down_and_others_are_not(
    make_service: ServiceFactory, server: Server, store: SQLiteStore
) -> None:
    service = make_service(
        destinations=destinations(server), thresholds=(2, 5), rate_limits=SLOW_READING
    )
    await service.start()
    bot = await start_bot(server, service, store)
    try:
        answers = [await bot.command("count", server.artist) for _ in range(2)]
        assert [a.content for a in answers] == [
            "**0** signatures so far. Next milestone: **2**."
        ] * 2
        refused = await bot.command("signatories", server.artist)
        assert refused.ephemeral
        assert refused.content.startswith(
            "That was a lot at once: please slow down and try again in "
        )
        other = await bot.command("count", server.moderator)
        assert other.content == answers[0].content
    finally:
        await bot.stop()
