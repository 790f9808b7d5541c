"""``/communities`` on Discord: which servers bring the signatures, under their current names."""

from __future__ import annotations

import asyncio

from bot.domain import SignatureForm
from tests.adapters.discord.conftest import (
    CONSOLE_MOD,
    Bot,
    BotFactory,
    Server,
    actor,
    pending_signature,
)

REFUSED = "Only moderators can do that."
HOSTILE = "**Loud** @everyone <@1> [x](https://evil.example) `code`"


async def _name_stored(bot: Bot, community: str, name: str) -> None:
    """Until the register holds ``name`` for ``community`` (names arrive by gateway events)."""
    async with asyncio.timeout(10):
        while True:
            table = await bot.service.community_register.table()
            if any(r.community == community and r.name == name for r in table.rows):
                return
            await asyncio.sleep(0.02)


async def test_moderators_see_each_server_by_name_with_exact_figures(
    bot: Bot, server: Server
) -> None:
    home, community = f"discord:{server.home.id}", f"discord:{server.community.id}"
    first = await pending_signature(bot.service, server.drummer, "Dan Drums")
    await pending_signature(bot.service, server.artist, "Alice Artist")
    await bot.service.approve(CONSOLE_MOD, [first])
    carl = await bot.service.sign(
        actor(server.community_admin),
        SignatureForm("Carl"),
        community=community,
    )
    await bot.service.approve(CONSOLE_MOD, [carl.signature.id])
    await _name_stored(bot, home, "No Music For ICE HQ")

    callback = await bot.command("communities", server.moderator)

    assert callback.ephemeral
    [embed] = callback.data["embeds"]
    lines = embed["description"].splitlines()
    assert lines[0] == "**Communities**, most approved first — 2 approved signatures in all"
    assert lines[1:] == [
        "1. No Music For ICE HQ: 1 approved (50%), 1 pending, 2 in the last 24 hours",
        "2. Indie Musicians: 1 approved (50%), 0 pending, 1 in the last 24 hours",
    ]


async def test_members_are_refused_unless_the_table_is_public(bot: Bot, server: Server) -> None:
    callback = await bot.command("communities", server.artist)
    assert callback.content == REFUSED
    callback = await bot.command("communities", server.community_admin, server.community_channel)
    assert callback.content == REFUSED


async def test_a_renamed_server_is_shown_by_its_new_name(bot: Bot, server: Server) -> None:
    community = f"discord:{server.community.id}"
    await pending_signature(bot.service, server.community_admin, "Carl")
    await _name_stored(bot, community, "Indie Musicians")
    server.community.name = "Indie Musicians Collective"
    await server.fake.dispatch("GUILD_UPDATE", server.fake._guild_create_payload(server.community))

    await _name_stored(bot, community, "Indie Musicians Collective")
    callback = await bot.command("communities", server.admin)
    description = callback.data["embeds"][0]["description"]
    assert "Indie Musicians Collective" in description
    assert "Indie Musicians:" not in description


async def test_a_hostile_server_name_is_inert(bots: BotFactory, server: Server) -> None:
    server.community.name = HOSTILE
    async with bots() as bot:
        community = f"discord:{server.community.id}"
        await bot.service.sign(
            actor(server.community_admin),
            SignatureForm("Carl"),
            community=community,
        )
        async with asyncio.timeout(10):
            while not any(r.name for r in (await bot.service.community_register.table()).rows):
                await asyncio.sleep(0.02)
        callback = await bot.command("communities", server.moderator)
    description = callback.data["embeds"][0]["description"]
    line = description.splitlines()[1]
    # Markdown shown literally, the mentions broken (stored with a fullwidth at sign, then
    # escaped), the masked link's bracket escaped: nothing formats, links or pings.
    assert line.startswith(
        "1. \\*\\*Loud\\*\\* \uff20everyone <\uff201> \\[x](https://evil.example) \\`code\\`: "
    )
