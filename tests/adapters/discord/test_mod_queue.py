"""The mod queue: cards in the mod channel, decided with their buttons — also after a restart."""

from __future__ import annotations

import discord

from bot.domain import Status
from tests.adapters.discord.conftest import (
    CONSOLE_MOD,
    Bot,
    BotFactory,
    Server,
    approved_signatures,
)
from tests.fakes.fake_discord import CallbackType, StoredMessage


def fields(message: StoredMessage) -> dict[str, str]:
    [embed] = message.embeds
    return {f["name"]: f["value"] for f in embed["fields"]}


async def test_a_new_signature_gets_a_card_with_approve_and_reject(
    bot: Bot, server: Server
) -> None:
    await bot.sign(
        server.artist,
        {"role": "Singer", "location": "Oakland", "link": "https://alice.example"},
    )
    card = await bot.card(1)

    assert card.channel_id == server.mod_channel.id
    assert card.embeds[0]["title"] == "Signature #1 awaits approval"
    shown = fields(card)
    assert shown["Name"] == "Alice Artist"
    assert (shown["Role"], shown["Location"], shown["Link"]) == (
        "Singer",
        "Oakland",
        "https://alice.example",
    )
    created = discord.utils.snowflake_time(server.artist.id)
    joined = server.artist.joined_at
    assert shown["Signer"] == (
        f"<@{server.artist.id}> · account created <t:{int(created.timestamp())}:D> "
        f"(<t:{int(created.timestamp())}:R>)\n"
        "Signed in the server No Music For ICE HQ\n"
        f"Joined the server <t:{int(joined.timestamp())}:D> (<t:{int(joined.timestamp())}:R>)"
    )
    assert card.custom_ids() == ["pledge:approve:1", "pledge:reject:1"]
    [post] = server.fake.requests_to("POST", f"/channels/{server.mod_channel.id}/messages")
    [row] = await bot.store.outbox_messages()
    assert post.json["nonce"] == f"pledgebot:{row.id}"
    assert post.json["enforce_nonce"] is True
    assert row.status == "delivered" and row.ref == str(card.id)


async def test_the_card_shows_history_and_possible_duplicates(bot: Bot, server: Server) -> None:
    await bot.sign(server.drummer, {"name": "Alice Artist"})
    await bot.service.approve(CONSOLE_MOD, [1])
    await bot.sign(server.artist)
    await bot.service.reject(CONSOLE_MOD, 2, "Please use your artist name")
    await bot.sign(server.artist, {"name": "Alice Artist"})

    shown = fields(await bot.card(3))
    assert shown["Earlier signatures"] == "#2 rejected: Please use your artist name"
    assert shown["Possible duplicate of"] == "#1 Alice Artist (approved)"


async def test_approve_button_approves_and_closes_the_card(bot: Bot, server: Server) -> None:
    await bot.sign(server.artist)
    card = await bot.card(1)

    callback = await bot.click(card, "pledge:approve:1", server.moderator)

    assert callback.type is CallbackType.UPDATE_MESSAGE
    assert card.embeds[0]["title"] == "Signature #1 approved"
    assert fields(card)["Decision"].startswith("Approved by Mira Mod <t:")
    assert card.components == []
    sig = (await bot.status(server.artist)).signature
    assert sig is not None and sig.status is Status.APPROVED and sig.decided_by == "Mira Mod"

    await bot.drain()
    dm = await server.fake.wait_for_message(channel=server.fake.dm_channel(server.artist))
    assert dm.content == (
        "Your signature #1 on “No Music For ICE” has been approved. Thank you for signing!"
    )


async def test_reject_button_asks_for_a_reason(bot: Bot, server: Server) -> None:
    await bot.sign(server.artist)
    card = await bot.card(1)

    opener = await server.fake.click_button(card, "pledge:reject:1", user=server.admin)
    modal = await server.fake.wait_for_modal(opener)
    assert modal.custom_id == "pledge:reject-form:1"
    assert modal.custom_ids() == ["reason"]
    submit = await server.fake.submit_modal(modal, {"reason": "Not a musician"})
    callback = await server.fake.wait_for_callback(submit)

    assert callback.type is CallbackType.UPDATE_MESSAGE
    assert card.embeds[0]["title"] == "Signature #1 rejected"
    assert fields(card)["Decision"].startswith("Rejected by Ada Admin <t:")
    assert fields(card)["Decision"].endswith("\nReason: Not a musician")
    assert card.components == []
    sig = (await bot.status(server.artist)).signature
    assert sig is not None and sig.status is Status.REJECTED and sig.reason == "Not a musician"

    await bot.drain()
    dm = await server.fake.wait_for_message(channel=server.fake.dm_channel(server.artist))
    assert "was not approved. Reason: Not a musician." in dm.content


async def test_a_stale_button_says_who_decided_and_updates_the_card(
    bot: Bot, server: Server
) -> None:
    await bot.sign(server.artist)
    card = await bot.card(1)
    await bot.service.approve(CONSOLE_MOD, [1])  # decided on another platform

    callback = await bot.click(card, "pledge:approve:1", server.moderator)

    assert callback.type is CallbackType.CHANNEL_MESSAGE
    assert callback.ephemeral
    assert callback.content == "Signature #1 is already approved by mod."
    assert card.embeds[0]["title"] == "Signature #1 approved"
    assert card.components == []
    sig = (await bot.status(server.artist)).signature
    assert sig is not None and sig.decided_by == "mod"


async def test_a_stale_reject_says_who_decided(bot: Bot, server: Server) -> None:
    await bot.sign(server.artist)
    card = await bot.card(1)
    opener = await server.fake.click_button(card, "pledge:reject:1", user=server.moderator)
    modal = await server.fake.wait_for_modal(opener)
    await bot.click(card, "pledge:approve:1", server.admin)  # a second moderator was quicker

    submit = await server.fake.submit_modal(modal, {"reason": "Spam"})
    callback = await server.fake.wait_for_callback(submit)

    assert callback.ephemeral
    assert callback.content == "Signature #1 is already approved by Ada Admin."
    sig = (await bot.status(server.artist)).signature
    assert sig is not None and sig.status is Status.APPROVED


async def test_cards_posted_before_a_restart_still_work(bots: BotFactory, server: Server) -> None:
    async with bots() as first:
        await first.sign(server.artist)
        await first.sign(server.drummer)
        approve_me = await first.card(1)
        reject_me = await first.card(2)
        opener = await server.fake.click_button(reject_me, "pledge:reject:2", user=server.admin)
        modal = await server.fake.wait_for_modal(opener)

    async with bots() as second:
        approved = await second.click(approve_me, "pledge:approve:1", server.moderator)
        assert approved.type is CallbackType.UPDATE_MESSAGE
        assert approve_me.components == []

        submit = await server.fake.submit_modal(modal, {"reason": "Duplicate"})
        rejected = await server.fake.wait_for_callback(submit)
        assert rejected.type is CallbackType.UPDATE_MESSAGE
        assert reject_me.components == []

        alice = (await second.status(server.artist)).signature
        dan = (await second.status(server.drummer)).signature
        assert alice is not None and alice.status is Status.APPROVED
        assert dan is not None and dan.status is Status.REJECTED and dan.reason == "Duplicate"


async def test_a_milestone_is_announced_once_in_each_channel(bot: Bot, server: Server) -> None:
    await approved_signatures(bot.service, 1)
    await bot.sign(server.artist)
    card = await bot.card(2)

    await bot.click(card, "pledge:approve:2", server.moderator)  # the 2nd approval: milestone 2
    await bot.drain()
    await bot.sign(server.drummer)
    await bot.click(await bot.card(3), "pledge:approve:3", server.moderator)
    await bot.drain()

    for channel in server.announce:
        [post] = server.fake.messages_in(channel)
        assert post.content == "2 artists have signed “No Music For ICE”."
        assert post.nonce is not None and str(post.nonce).startswith("pledgebot:")
    announcements = [m for m in await bot.store.outbox_messages() if m.milestone == 2]
    assert len(announcements) == 2
    assert {m.status for m in announcements} == {"delivered"}


async def test_a_decision_made_elsewhere_closes_the_card(bot: Bot, server: Server) -> None:
    """Decided on the console (or Telegram, or another process): the outbox redraws the card."""
    await bot.sign(server.artist)
    card = await bot.card(1)
    edits = card.edit_count
    await bot.service.reject(CONSOLE_MOD, 1, "Please use your artist name")
    await bot.drain()
    assert card.edit_count > edits
    assert card.embeds[0]["title"] == "Signature #1 rejected"
    assert card.components == []
