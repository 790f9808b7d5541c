"""Reading the letter, the count and the list of signatories."""

from __future__ import annotations

from tests.adapters.discord.conftest import Bot, Server, approved_signatures
from tests.fakes.fake_discord import CallbackType


async def test_letter_is_posted_publicly_with_sign_buttons(bot: Bot, server: Server) -> None:
    callback = await bot.command("letter", server.artist)

    assert callback.type is CallbackType.CHANNEL_MESSAGE
    assert not callback.ephemeral
    [embed] = callback.data["embeds"]
    assert embed["title"] == "No Music For ICE"
    assert embed["description"].startswith("We the undersigned artists pledge:\n\n")
    assert (
        "**1.** Terminate the contracts.\n**2.** Stop the cloud services." in embed["description"]
    )
    assert embed["description"].endswith("Join us.")
    assert embed["fields"] == [
        {
            "name": "Signatures",
            "value": "**0** signatures so far. Next milestone: **2**.",
            "inline": True,
        }
    ]
    assert callback.message is not None
    assert callback.message.custom_ids() == ["pledge:sign:named", "pledge:sign:anon"]


async def test_demands_lists_every_demand_or_one(bot: Bot, server: Server) -> None:
    every = await bot.command("demands", server.artist)
    [embed] = every.data["embeds"]
    assert embed["description"].count("\n") == 3
    assert not every.ephemeral

    one = await bot.command("demands", server.artist, number=2)
    assert one.data["embeds"][0]["description"] == "**2.** Stop the cloud services."


async def test_a_demand_out_of_range_is_explained_privately(bot: Bot, server: Server) -> None:
    callback = await bot.command("demands", server.artist, number=9)
    assert callback.ephemeral
    assert callback.content == "The letter has demands 1 to 4."


async def test_count_shows_the_next_milestone(bot: Bot, server: Server) -> None:
    await approved_signatures(bot.service, 3)
    callback = await bot.command("count", server.artist)
    assert callback.ephemeral
    assert callback.content == "**3** signatures so far. Next milestone: **5**."


async def test_signatories_when_no_one_is_listed(bot: Bot, server: Server) -> None:
    callback = await bot.command("signatories", server.artist)
    assert callback.ephemeral
    assert callback.data["embeds"][0]["description"] == "No one is listed yet."
    assert callback.data.get("components", []) == []


async def test_signatories_pages_with_previous_and_next(bot: Bot, server: Server) -> None:
    await approved_signatures(bot.service, 25)
    first = await bot.command("signatories", server.artist)
    [embed] = first.data["embeds"]
    assert embed["title"] == "Signatories — page 1 of 2"
    assert embed["description"].splitlines()[0] == "`#1` Signer 00"
    assert len(embed["description"].splitlines()) == 20
    message = first.message
    assert message is not None
    assert message.custom_ids() == ["pledge:page:0", "pledge:page:2"]
    [row] = message.components
    assert [b.get("disabled", False) for b in row["components"]] == [True, False]

    turned = await bot.click(message, "pledge:page:2", server.artist)
    assert turned.type is CallbackType.UPDATE_MESSAGE
    assert message.embeds[0]["title"] == "Signatories — page 2 of 2"
    assert message.embeds[0]["description"].splitlines() == [
        f"`#{n}` Signer {n - 1:02d}" for n in range(21, 26)
    ]
    assert message.custom_ids() == ["pledge:page:1", "pledge:page:3"]

    back = await bot.click(message, "pledge:page:1", server.artist)
    assert back.type is CallbackType.UPDATE_MESSAGE
    assert message.embeds[0]["title"] == "Signatories — page 1 of 2"


async def test_a_page_beyond_the_end_is_explained(bot: Bot, server: Server) -> None:
    callback = await bot.command("signatories", server.artist, page=3)
    assert callback.ephemeral
    assert callback.content == "There is 1 page: ask for a page from 1 to 1."


async def test_status_before_and_after_signing(bot: Bot, server: Server) -> None:
    before = await bot.command("status", server.artist)
    assert before.ephemeral
    assert before.content == "You have not signed yet. Use /sign to add your name."

    await bot.sign(server.artist, {"role": "Singer"})
    after = await bot.command("status", server.artist)
    assert after.ephemeral
    assert after.content == (
        "Signature #1: Alice Artist, Singer\nStatus: awaiting a moderator's approval."
    )
