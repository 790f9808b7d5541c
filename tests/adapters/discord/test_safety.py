"""A signer's text can neither ping anyone nor format itself, wherever the bot shows it."""

from __future__ import annotations

from tests.adapters.discord.conftest import Bot, Server, assert_no_pings, message_bodies

HOSTILE = "**Bold** @everyone <@&123> __under__ `code`"
# What the core stores (mentions neutralised with a fullwidth ＠), escaped for Discord.
SHOWN = "\\*\\*Bold\\*\\* ＠everyone <＠&123> \\_\\_under\\_\\_ \\`code\\`"


def assert_inert(text: str) -> None:
    assert "@everyone" not in text
    assert "<@&123>" not in text
    assert "**Bold**" not in text
    assert "__under__" not in text


async def test_a_hostile_name_pings_no_one_and_formats_nothing(bot: Bot, server: Server) -> None:
    confirmation = await bot.sign(server.artist, {"name": HOSTILE, "role": "*DJ*"})
    assert confirmation.content is not None
    assert f"You are signing as {SHOWN}." in confirmation.content
    assert_inert(confirmation.content)

    card = await bot.card(1)
    shown = {f["name"]: f["value"] for f in card.embeds[0]["fields"]}
    assert (shown["Name"], shown["Role"]) == (SHOWN, "\\*DJ\\*")

    await bot.click(card, "pledge:approve:1", server.moderator)
    listing = await bot.command("signatories", server.drummer)
    assert listing.data["embeds"][0]["description"] == f"`#1` {SHOWN}, \\*DJ\\*"

    pending = await bot.command("status", server.artist)
    assert pending.content is not None and SHOWN in pending.content

    for request, body in message_bodies(server.fake):
        assert_inert(str(body.get("content") or ""))
        for embed in body.get("embeds") or []:
            assert_inert(str(embed))
        assert body.get("allowed_mentions") == {"parse": []}, request.describe()
    assert_no_pings(server.fake)


async def test_a_hostile_display_name_is_escaped_on_decided_cards(bot: Bot, server: Server) -> None:
    server.admin.nick = "@everyone **boss**"
    await bot.sign(server.artist)
    card = await bot.card(1)

    await bot.click(card, "pledge:approve:1", server.admin)

    decision = {f["name"]: f["value"] for f in card.embeds[0]["fields"]}["Decision"]
    # The core neutralises the mention in the stored name; markdown is escaped at render time.
    assert decision.startswith("Approved by \uff20everyone \\*\\*boss\\*\\* <t:")
