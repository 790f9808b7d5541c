"""Deciding several signatures at once from /pending's select menu."""

from __future__ import annotations

from bot.domain import Status
from tests.adapters.discord.conftest import CONSOLE_MOD, Bot, Server
from tests.fakes.fake_discord import CallbackType, FakeMember, StoredMessage

REFUSED = "Only moderators can do that."


async def pending_list(bot: Bot, server: Server) -> StoredMessage:
    callback = await bot.command("pending", server.moderator)
    assert callback.ephemeral
    assert callback.message is not None
    return callback.message


def select_options(message: StoredMessage) -> list[tuple[str, str]]:
    [row] = message.components
    [menu] = row["components"]
    assert menu["custom_id"] == "pledge:pick"
    return [(o["label"], o["value"]) for o in menu["options"]]


async def pick(bot: Bot, message: StoredMessage, values: list[str], user: FakeMember) -> None:
    ref = await bot.fake.select_values(message, "pledge:pick", values, user=user)
    callback = await bot.fake.wait_for_callback(ref)
    assert callback.type is CallbackType.UPDATE_MESSAGE


async def test_pending_offers_a_menu_of_its_signatures(bot: Bot, server: Server) -> None:
    await bot.sign(server.artist)
    await bot.sign(server.drummer)

    listed = await pending_list(bot, server)

    assert select_options(listed) == [("#1 Alice Artist", "1"), ("#2 Dan Drums", "2")]
    [row] = listed.components
    assert row["components"][0]["max_values"] == 2


async def test_picked_signatures_are_approved_together(bot: Bot, server: Server) -> None:
    await bot.sign(server.artist)
    await bot.sign(server.drummer)
    cards = [await bot.card(1), await bot.card(2)]
    listed = await pending_list(bot, server)

    await pick(bot, listed, ["1", "2"], server.moderator)

    assert listed.content == (
        "Picked: #1, #2. Approve or reject them together with the buttons below."
    )
    assert listed.custom_ids() == ["pledge:pick", "pledge:many:a:1.2", "pledge:many:r:1.2"]
    callback = await bot.click(listed, "pledge:many:a:1.2", server.moderator)

    assert callback.type is CallbackType.UPDATE_MESSAGE
    assert listed.content == "#1 approved: Alice Artist.\n#2 approved: Dan Drums."
    assert listed.embeds[0]["description"] == "No signatures are waiting for approval."
    assert listed.components == []
    assert await bot.service.count() == 2
    await bot.drain()
    for card in cards:
        assert card.embeds[0]["title"].endswith(" approved")
        assert card.components == []


async def test_picked_signatures_are_rejected_with_one_reason(bot: Bot, server: Server) -> None:
    await bot.sign(server.artist)
    await bot.sign(server.drummer)
    await bot.sign(server.admin)
    listed = await pending_list(bot, server)
    await pick(bot, listed, ["1", "3"], server.moderator)

    opener = await bot.fake.click_button(listed, "pledge:many:r:1.3", user=server.moderator)
    modal = await bot.fake.wait_for_modal(opener)
    assert modal.title == "Reject 2 signatures"
    submit = await bot.fake.submit_modal(modal, {"reason": "Not **musicians**"})
    callback = await bot.fake.wait_for_callback(submit)

    assert callback.type is CallbackType.UPDATE_MESSAGE
    assert listed.content == (
        "#1 rejected. The signer will be told why.\n#3 rejected. The signer will be told why."
    )
    assert select_options(listed) == [("#2 Dan Drums", "2")]
    for member in (server.artist, server.admin):
        sig = (await bot.status(member)).signature
        assert sig is not None and sig.status is Status.REJECTED
        assert sig.reason == "Not **musicians**"
    dan = (await bot.status(server.drummer)).signature
    assert dan is not None and dan.status is Status.PENDING


async def test_one_decided_meanwhile_gets_its_own_outcome(bot: Bot, server: Server) -> None:
    await bot.sign(server.artist)
    await bot.sign(server.drummer)
    listed = await pending_list(bot, server)
    await pick(bot, listed, ["1", "2"], server.moderator)
    await bot.service.approve(CONSOLE_MOD, [2])  # decided elsewhere before the press

    await bot.click(listed, "pledge:many:a:1.2", server.moderator)

    assert listed.content == (
        "#1 approved: Alice Artist.\nSignature #2 is already approved by mod."
    )


async def test_a_non_moderator_cannot_pick_or_press(bot: Bot, server: Server) -> None:
    await bot.sign(server.artist)
    listed = await pending_list(bot, server)
    await pick(bot, listed, ["1"], server.moderator)

    ref = await bot.fake.select_values(listed, "pledge:pick", ["1"], user=server.drummer)
    assert (await bot.fake.wait_for_callback(ref)).content == REFUSED
    for custom_id in ("pledge:many:a:1", "pledge:many:r:1"):
        callback = await bot.click(listed, custom_id, server.drummer)
        assert callback.content == REFUSED
        assert callback.ephemeral
    sig = (await bot.status(server.artist)).signature
    assert sig is not None and sig.status is Status.PENDING
