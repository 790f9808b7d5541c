"""Reaffirming a changed letter on Discord: the notice in each earlier signer's DM, with its
buttons, and ``/reaffirm``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from bot.domain import OutboxKind
from bot.service import PledgeService
from storage.sqlite import SQLiteStore
from tests.adapters.discord.conftest import (
    CONSOLE_MOD,
    Bot,
    Server,
    ServiceFactory,
    actor,
    destinations,
    pending_signature,
    start_bot,
)
from tests.conftest import LETTER
from tests.fakes.fake_discord import StoredMessage

NEW_LETTER = replace(LETTER, closing="Join us, and tell a friend.")


@pytest.fixture
async def changed(
    make_service: ServiceFactory, server: Server, store: SQLiteStore, service: PledgeService
) -> AsyncIterator[Bot]:
    """Alice signed the letter (approved); then the organisers changed its text, and the bot
    runs with the new one."""
    sid = await pending_signature(service, server.artist, "Alice Artist")
    await service.approve(CONSOLE_MOD, [sid])
    new = make_service(letter=NEW_LETTER, destinations=destinations(server), thresholds=(2, 5))
    await new.start()
    bot = await start_bot(server, new, store)
    try:
        yield bot
    finally:
        await bot.stop()


async def _notice(bot: Bot) -> StoredMessage:
    """The notice the outbox sends Alice once her batch is told."""
    assert await bot.service.reaffirm_notices.tick() == 1
    await bot.drain()
    *_approved, dm = bot.fake.messages_in(bot.fake.dm_channel(bot.server.artist))
    return dm


async def test_an_earlier_signer_gets_one_notice_with_buttons(changed: Bot, server: Server) -> None:
    dm = await _notice(changed)
    assert dm.content == (
        "The text of “No Music For ICE” has changed since you signed it (signature #1). Read it "
        "with /letter, then keep your name on it with /reaffirm, or take it back with /withdraw. "
        "Until then it still counts, shown as signed on an earlier text."
    )
    assert dm.custom_ids() == ["pledge:reaffirm", "pledge:withdraw:ask"]
    assert await changed.service.reaffirm_notices.tick() == 0
    [row] = [m for m in await changed.store.outbox_messages() if m.kind is OutboxKind.REAFFIRM]
    assert row.status == "delivered"


async def test_the_reaffirm_button_keeps_the_name_on_the_new_text(
    changed: Bot, server: Server
) -> None:
    dm = await _notice(changed)
    callback = await changed.click(dm, "pledge:reaffirm", server.artist)

    assert callback.content == "Thank you: signature #1 now stands on the letter's current text."
    status = await changed.status(server.artist)
    assert status.signature is not None
    assert status.signature.letter_version == NEW_LETTER.version and not status.letter_changed
    again = await changed.click(dm, "pledge:reaffirm", server.artist)
    assert again.content == (
        "Your signature #1 already stands on the letter's current text: there is nothing to "
        "reaffirm."
    )


async def test_the_withdraw_button_offers_the_withdraw_choices(
    changed: Bot, server: Server
) -> None:
    dm = await _notice(changed)
    callback = await changed.click(dm, "pledge:withdraw:ask", server.artist)
    assert callback.ephemeral
    assert "pledge:withdraw:confirm" in [
        c["custom_id"] for row in callback.data["components"] for c in row["components"]
    ]


async def test_reaffirm_as_a_command(changed: Bot, server: Server) -> None:
    status = await changed.command("status", server.artist)
    assert (status.content or "").splitlines()[-1] == (
        "Note: you signed an earlier text of the letter. Read the new one with /letter, then "
        "keep your name on it with /reaffirm, or use /withdraw if you no longer agree."
    )
    done = await changed.command("reaffirm", server.artist)
    assert done.ephemeral
    assert done.content == "Thank you: signature #1 now stands on the letter's current text."
    [kept] = await changed.store.reaffirmations(1)
    assert (kept.previous, kept.version) == (LETTER.version, NEW_LETTER.version)

    nobody = await changed.command("reaffirm", server.drummer)
    assert nobody.content == (
        "You have no active signature on this letter. Use /sign to add your name."
    )
    assert await changed.service.reaffirm_notices.tick() == 0  # reaffirmed: not told any more


async def test_a_moderators_count_shows_the_texts(changed: Bot, server: Server) -> None:
    shown = await changed.command("count", server.moderator)
    lines = (shown.content or "").splitlines()
    assert lines[1:3] == [
        "Approved signatures by text of the letter:",
        f"current text ({NEW_LETTER.version}): 0",
    ]
    assert lines[3].startswith(f"earlier text {LETTER.version} (from ")
    assert lines[3].endswith("): 1")
    member = await changed.command("count", server.drummer)
    assert "by text" not in (member.content or "")


async def test_the_signature_status_menu_shows_the_texts_it_was_reaffirmed_on(
    changed: Bot, server: Server
) -> None:
    await changed.service.reaffirm(actor(server.artist))
    ref = await changed.fake.send_user_command(
        "Signature status", user=server.moderator, target=server.artist, channel=server.general
    )
    callback = await changed.fake.wait_for_callback(ref)
    [embed] = callback.data["embeds"]
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    [reaffirmed] = await changed.service.store.reaffirmations(1)
    assert fields["Texts of the letter"] == (
        f"reaffirmed on text {NEW_LETTER.version} ({reaffirmed.at.date().isoformat()}), "
        f"signed on text {LETTER.version} before"
    )
