"""What the outbox owes Telegram: milestone announcements to every announce chat, signer
notifications, and delivery under flood limits, server errors and blocked bots."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from bot.domain import OutboxKind, OutboxMessage
from tests.adapters.telegram.conftest import Bot, Start
from tests.conftest import MOD
from tests.fakes.fake_telegram import ApiCall

READ_AND_SIGN = {
    "inline_keyboard": [
        [
            {
                "text": "📝 Read and sign the letter",
                "url": "https://t.me/pledge_test_bot?start=letter",
            }
        ]
    ]
}


def _to(*chat_ids: int) -> Callable[[ApiCall], bool]:
    return lambda call: call.params.get("chat_id") in chat_ids


async def _rows(bot: Bot, kind: OutboxKind) -> list[OutboxMessage]:
    return [r for r in await bot.service.store.outbox_messages() if r.kind is kind]


async def _settled(bot: Bot, kind: OutboxKind, count: int) -> list[OutboxMessage]:
    """Outbox rows of ``kind`` once ``count`` of them are delivered or failed (the dispatcher
    records the outcome just after the Bot API answered)."""
    async with asyncio.timeout(5):
        while True:
            rows = await _rows(bot, kind)
            if sum(r.status in ("delivered", "failed") for r in rows) >= count:
                return rows
            await asyncio.sleep(0.01)


async def test_a_milestone_is_posted_once_to_every_announce_chat(start_bot: Start) -> None:
    bot = await start_bot(thresholds=(3,))
    await bot.approved(3)
    ids = [c.id for c in bot.announce_chats]
    calls = await bot.fake.wait_for_count("sendMessage", 3, _to(*ids))
    assert sorted(c.params["chat_id"] for c in calls) == sorted(ids)
    for call in calls:
        assert call.params["text"] == "3 artists have signed “No Music For ICE”."
        assert call.params["reply_markup"] == READ_AND_SIGN
    # More signatures cross no new milestone: nothing more is posted, ever.
    await bot.approved(2, name="Later")
    rows = await _settled(bot, OutboxKind.ANNOUNCEMENT, 3)
    assert len(rows) == 3
    assert {r.status for r in rows} == {"delivered"}
    for chat in bot.announce_chats:
        [message] = bot.fake.sent_messages(chat)
        row = next(r for r in rows if r.destination == str(chat.id))
        assert row.ref == str(message["message_id"])


async def test_the_read_and_sign_link_opens_the_letter_in_private(bot: Bot) -> None:
    call = await bot.say(bot.ada, None, "/start letter")
    assert bot.sent(call)["text"].startswith("No Music For ICE\n\nWe the undersigned")
    assert call.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "pledge:sign"


async def test_a_rate_limited_announcement_waits_and_is_delivered_once(start_bot: Start) -> None:
    bot = await start_bot(approval="auto", thresholds=(1,))  # no mod-queue card to get in the way
    bot.fake.inject_rate_limit("sendMessage", retry_after=1)
    await bot.sign(bot.ada, "Ada")
    ids = [c.id for c in bot.announce_chats]
    await bot.fake.wait_for_count("sendMessage", 3, lambda c: c.ok and c.params["chat_id"] in ids)
    sends = [c for c in bot.fake.calls_to("sendMessage") if c.params["chat_id"] in ids]
    [limited] = [c for c in sends if c.status == 429]
    [retried] = [c for c in sends if c.ok and c.params["chat_id"] == limited.params["chat_id"]]
    assert retried.time - limited.time >= 1.0  # Telegram's retry_after, honoured
    assert len(sends) == 4  # three announcements, one of them sent twice
    for chat in bot.announce_chats:
        assert len(bot.fake.sent_messages(chat)) == 1
    rows = await _settled(bot, OutboxKind.ANNOUNCEMENT, 3)
    assert {r.status for r in rows} == {"delivered"}


async def test_a_server_error_is_retried_by_the_outbox(start_bot: Start) -> None:
    bot = await start_bot(approval="auto", thresholds=(1,))
    bot.fake.inject_server_error("sendMessage", status=502)
    await bot.sign(bot.ada, "Ada")
    ids = [c.id for c in bot.announce_chats]
    await bot.fake.wait_for_count("sendMessage", 3, lambda c: c.ok and c.params["chat_id"] in ids)
    for chat in bot.announce_chats:
        assert len(bot.fake.sent_messages(chat)) == 1
    rows = await _settled(bot, OutboxKind.ANNOUNCEMENT, 3)
    assert {r.status for r in rows} == {"delivered"}
    assert sorted(r.attempts for r in rows) == [1, 1, 2]  # one needed a second try


async def test_a_group_that_removed_the_bot_fails_alone_and_for_good(start_bot: Start) -> None:
    bot = await start_bot(thresholds=(1,))
    bot.fake.remove_bot(bot.group)
    await bot.approved(1)
    rows = await _settled(bot, OutboxKind.ANNOUNCEMENT, 3)
    by_chat = {r.destination: r.status for r in rows}
    assert by_chat == {
        str(bot.group.id): "failed",
        str(bot.supergroup.id): "delivered",
        str(bot.channel.id): "delivered",
    }
    assert len([c for c in bot.fake.calls_to("sendMessage") if c.status == 403]) == 1


async def test_a_signer_who_blocked_the_bot_is_marked_not_retried(bot: Bot) -> None:
    sig = await bot.sign(bot.ada, "Ada")
    await bot.fake.wait_for("sendMessage", _to(bot.mod_chat.id))  # the card
    bot.fake.block_bot(bot.ada)
    await bot.approve(sig)
    blocked: ApiCall = await bot.fake.wait_for("sendMessage", _to(bot.ada.id))
    assert blocked.status == 403
    [row] = await _settled(bot, OutboxKind.NOTIFICATION, 1)
    assert row.status == "failed"
    assert len(bot.fake.calls_to("sendMessage")) == 2  # the card, and one try to Ada


async def test_notifications_reach_the_signers_private_chat(bot: Bot) -> None:
    sig = await bot.sign(bot.ada, "Ada")
    await bot.service.reject(MOD, sig.id, "not a real name")
    call = await bot.fake.wait_for("sendMessage", _to(bot.ada.id))
    assert bot.sent(call)["text"] == (
        f"Your signature #{sig.id} on “No Music For ICE” was not approved. "
        "Reason: not a real name. You may sign again with /sign."
    )


async def test_a_surge_alert_reaches_the_mod_chat_literally(bot: Bot) -> None:
    text = "Unusual activity: 30 of the last 40 came from telegram:-100 <b>raid</b> & more"
    await bot.adapter.deliver(
        OutboxMessage(OutboxKind.ALERT, "telegram", str(bot.mod_chat.id), text)
    )
    call = await bot.fake.wait_for("sendMessage", _to(bot.mod_chat.id))
    assert bot.sent(call)["text"] == text
