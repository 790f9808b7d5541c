"""Withdrawing, with a private confirmation and the choice to erase one's details."""

from __future__ import annotations

from bot.domain import Status
from tests.adapters.discord.conftest import Bot, Server
from tests.fakes.fake_discord import CallbackType, StoredMessage

CHOICES = ["pledge:withdraw:confirm", "pledge:withdraw:erase", "pledge:withdraw:cancel"]


async def confirmation(bot: Bot, server: Server) -> StoredMessage:
    callback = await bot.command("withdraw", server.artist)
    assert callback.ephemeral
    assert callback.message is not None
    return callback.message


async def test_withdraw_without_a_signature_just_says_so(bot: Bot, server: Server) -> None:
    callback = await bot.command("withdraw", server.artist)
    assert callback.ephemeral
    assert callback.content == "You have not signed yet. Use /sign to add your name."
    assert callback.data.get("components", []) == []


async def test_withdraw_asks_first(bot: Bot, server: Server) -> None:
    await bot.sign(server.artist)
    prompt = await confirmation(bot, server)
    assert prompt.content.startswith("Signature #1: Alice Artist\nStatus: awaiting")
    assert prompt.custom_ids() == CHOICES


async def test_withdrawing_updates_the_mod_card(bot: Bot, server: Server) -> None:
    await bot.sign(server.artist)
    card = await bot.card(1)
    prompt = await confirmation(bot, server)

    callback = await bot.click(prompt, "pledge:withdraw:confirm", server.artist)

    assert callback.type is CallbackType.UPDATE_MESSAGE
    assert prompt.content == "Signature #1 is withdrawn."
    assert prompt.components == []
    sig = (await bot.status(server.artist)).signature
    assert sig is not None and sig.status is Status.WITHDRAWN and sig.name == "Alice Artist"
    await bot.drain()  # the card update written with the withdrawal
    assert card.embeds[0]["title"] == "Signature #1 withdrawn"
    assert card.components == []


async def test_erasing_removes_the_details_from_the_card_too(bot: Bot, server: Server) -> None:
    await bot.sign(server.artist, {"role": "Singer", "location": "Oakland"})
    card = await bot.card(1)
    prompt = await confirmation(bot, server)

    await bot.click(prompt, "pledge:withdraw:erase", server.artist)

    assert prompt.content == "Signature #1 is withdrawn. Your details have been erased."
    sig = (await bot.status(server.artist)).signature
    assert sig is not None and sig.erased and sig.name is None and sig.role is None
    await bot.drain()
    shown = {f["name"]: f["value"] for f in card.embeds[0]["fields"]}
    assert (shown["Name"], shown["Role"], shown["Location"]) == ("(erased)", "—", "—")
    assert "Alice" not in str(card.payload) and "Oakland" not in str(card.payload)


async def test_cancel_changes_nothing(bot: Bot, server: Server) -> None:
    await bot.sign(server.artist)
    prompt = await confirmation(bot, server)

    await bot.click(prompt, "pledge:withdraw:cancel", server.artist)

    assert prompt.content == "Nothing changed: your signature stays as it was."
    assert prompt.components == []
    sig = (await bot.status(server.artist)).signature
    assert sig is not None and sig.status is Status.PENDING


async def test_a_second_withdrawal_is_explained(bot: Bot, server: Server) -> None:
    """Two confirmations open at once: the second one's button is stale by the time it is
    pressed (a new /withdraw no longer offers withdrawing at all: see below)."""
    await bot.sign(server.artist)
    prompt = await confirmation(bot, server)
    stale = await confirmation(bot, server)
    await bot.click(prompt, "pledge:withdraw:confirm", server.artist)

    await bot.click(stale, "pledge:withdraw:confirm", server.artist)

    assert stale.content == (
        "You have no active signature on this letter. Use /sign to add your name."
    )


async def test_erasing_also_clears_cards_of_earlier_signatures(bot: Bot, server: Server) -> None:
    await bot.sign(server.artist, {"name": "Alice Oldname"})
    first = await bot.card(1)
    await bot.command("reject", server.moderator, signature=1, reason="Typo in the name")
    await bot.sign(server.artist)
    second = await bot.card(2)
    assert "Alice Oldname" in str(first.payload)

    await bot.click(await confirmation(bot, server), "pledge:withdraw:erase", server.artist)
    await bot.drain()

    for card in (first, second):
        assert "Alice" not in str(card.payload)
        assert card.embeds[0]["fields"][0] == {"name": "Name", "value": "(erased)", "inline": False}


async def test_an_inactive_signature_is_offered_erasing_only(bot: Bot, server: Server) -> None:
    """The core's choices: nothing to withdraw once it is withdrawn, but details to erase."""
    await bot.sign(server.artist)
    await bot.click(await confirmation(bot, server), "pledge:withdraw:confirm", server.artist)

    prompt = await confirmation(bot, server)

    assert prompt.custom_ids() == ["pledge:withdraw:erase", "pledge:withdraw:cancel"]
    labels = [c["label"] for row in prompt.components for c in row["components"]]
    assert labels == ["Erase my details", "Keep it"]
    assert prompt.content.endswith(
        "Erase your details? Your name, role, location and link will be deleted for good."
    )
    await bot.click(prompt, "pledge:withdraw:erase", server.artist)
    assert prompt.content == "Your details have been erased."

    erased = await bot.command("withdraw", server.artist)
    assert erased.content.startswith("Signature #1: (erased)")
    assert erased.data.get("components", []) == []
