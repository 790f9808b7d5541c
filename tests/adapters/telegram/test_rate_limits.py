"""A flooding account is told to slow down in its own chat, and nobody else is slowed."""

from __future__ import annotations

from bot.ratelimit import Limit, RateLimits
from tests.adapters.telegram.conftest import Start

SLOW_READING = RateLimits(
    reading=Limit(burst=2, per_minute=1),
    signing=Limit(burst=6, per_minute=6),
    moderating=Limit(burst=60, per_minute=120),
    tracked_accounts=100,
)


async def test_a_flooding_account_is_told_to_slow_down_and_others_are_not(start_bot: Start) -> None:
    bot = await start_bot(rate_limits=SLOW_READING)
    answers = [bot.sent(await bot.say(bot.ada, None, "/count"))["text"] for _ in range(3)]
    assert answers[:2] == ["0 signatures so far. Next milestone: 10."] * 2
    assert answers[2].startswith("That was a lot at once: please slow down and try again in ")
    # Another account reads as before, in a group too; the flooding one stays slowed.
    assert bot.sent(await bot.say(bot.bob, bot.group, "/count"))["text"] == answers[0]
    refused = bot.sent(await bot.say(bot.ada, None, "/signatories"))["text"]
    assert refused.startswith("That was a lot at once: please slow down and try again in ")
