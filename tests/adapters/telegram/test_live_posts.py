"""Live letter posts on Telegram, against the fake Bot API with the real python-telegram-bot:
posting in a group or a channel, merged edits through a burst, a 429 waited out, a deleted post
dropped and told once, a restart that keeps editing the same message, hostile titles inert."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qs, urlsplit

from adapters.telegram import TelegramAdapter, links
from bot.domain import Actor, Identity, LivePostStatus, OutboxKind, SignatureForm
from bot.outbox import OutboxDispatcher
from bot.service import PledgeService, SystemClock
from tests.adapters.telegram.conftest import Bot, Start
from tests.conftest import MOD
from tests.fakes.fake_telegram import ApiCall, FakeChat

JSON = dict[str, Any]
FLOOR = 3.0  # Telegram's shortest time between two edits of one post (its flood limit)
REFUSED = "Only moderators can do that."
SPREAD = 0.3  # seconds between two bursts of 50 approvals: 1,000 in about 6 s


async def live_bot(start_bot: Start, **options: Any) -> Bot:
    """The real clock, and the shortest interval the configuration allows (Telegram keeps 3 s)."""
    return await start_bot(clock=SystemClock(), live_edit_interval=1.0, thresholds=(), **options)


async def post_here(bot: Bot, chat: FakeChat) -> tuple[JSON, ApiCall]:
    """/postletter in ``chat`` by the moderator: the post (as it is now), and the answer."""
    mark = bot.fake.mark()
    answer = await bot.say(bot.mod, chat, "/postletter")
    post = await bot.fake.wait_for("sendMessage", _is_post(chat), since=mark)
    return bot.sent(post), answer


def _is_post(chat: FakeChat) -> Callable[[ApiCall], bool]:
    def matches(call: ApiCall) -> bool:
        markup = call.params.get("reply_markup") or {}
        return call.params.get("chat_id") == chat.id and "inline_keyboard" in markup

    return matches


def edits_of(bot: Bot, post: JSON) -> list[ApiCall]:
    chat_id, message_id = post["chat"]["id"], post["message_id"]
    return [
        c
        for c in bot.fake.calls_to("editMessageText")
        if c.params.get("chat_id") == chat_id and c.params.get("message_id") == message_id
    ]


async def until(condition: Callable[[], bool | Awaitable[bool]]) -> None:
    async with asyncio.timeout(30):
        while True:
            result = condition()
            if result if isinstance(result, bool) else await result:
                return
            await asyncio.sleep(0.05)


def shows(bot: Bot, post: JSON, text: str) -> Callable[[], bool]:
    def check() -> bool:
        now = bot.fake.message(post["chat"]["id"], post["message_id"])
        return now is not None and text in now.get("text", "")

    return check


def alerts(bot: Bot) -> list[ApiCall]:
    return [
        c
        for c in bot.fake.calls_to("sendMessage")
        if c.params.get("chat_id") == bot.mod_chat.id
        and "can no longer be updated" in c.params.get("text", "")
        and c.ok
    ]


async def signed(service: PledgeService, n: int, start: int = 0) -> list[int]:
    async def one(i: int) -> int:
        signer = Actor(Identity("console", f"s{i}"), f"s{i}")
        result = await service.sign(signer, SignatureForm(f"Signer {i}"), community="console")
        return result.signature.id

    ids: list[int] = []
    for chunk in range(start, start + n, 100):
        ids += await asyncio.gather(*(one(i) for i in range(chunk, min(chunk + 100, start + n))))
    return ids


async def test_a_moderator_posts_the_letter_in_a_group(start_bot: Start) -> None:
    bot = await live_bot(start_bot)
    await bot.service.approve(MOD, await signed(bot.service, 2))
    post, answer = await post_here(bot, bot.supergroup)

    assert answer.params["text"].startswith("The letter is posted, and its count will keep")
    text = post["text"]
    assert text.startswith("No Music For ICE\n")
    assert "1. Terminate the contracts." in text
    assert "2 artists have signed so far." in text
    [[button]] = post["reply_markup"]["inline_keyboard"]
    payload = parse_qs(urlsplit(button["url"]).query)["start"][0]
    assert links.community(payload) == f"telegram:{bot.supergroup.id}"  # signers count for it


async def test_members_cannot_post_list_or_stop(start_bot: Start) -> None:
    bot = await live_bot(start_bot)
    answer = await bot.say(bot.ada, bot.group, "/postletter")
    assert answer.params["text"] == REFUSED
    assert (await bot.say(bot.ada, None, "/liveposts")).params["text"] == REFUSED
    assert (await bot.say(bot.ada, None, "/unpost 1")).params["text"] == REFUSED
    assert await bot.service.store.live_posts() == []


async def test_a_channel_is_named_from_a_private_chat(start_bot: Start) -> None:
    bot = await live_bot(start_bot)
    mark = bot.fake.mark()
    answer = await bot.say(bot.mod, None, f"/postletter {bot.channel.id}")
    assert answer.params["text"].startswith("The letter is posted")
    post = await bot.fake.wait_for("sendMessage", _is_post(bot.channel), since=mark)
    assert post.params["chat_id"] == bot.channel.id
    # Naming a chat is done where moderators work, not in some group.
    refused = await bot.say(bot.mod, bot.group, f"/postletter {bot.channel.id}")
    assert refused.params["text"].startswith("Moderator commands work in the mod chat")
    unknown = await bot.say(bot.mod, None, "/postletter -100999")
    assert unknown.params["text"].startswith("I cannot post there")


async def test_a_burst_of_approvals_costs_few_edits_and_ends_exact(start_bot: Start) -> None:
    bot = await live_bot(start_bot)
    ids = await signed(bot.service, 1000)
    post, _ = await post_here(bot, bot.group)
    started = time.monotonic()
    for chunk in range(0, len(ids), 50):
        batch = ids[chunk : chunk + 50]
        await asyncio.gather(*(bot.service.approve(MOD, [i]) for i in batch))
        await asyncio.sleep(SPREAD)  # over several intervals, edits in flight meanwhile
    took = time.monotonic() - started
    await until(shows(bot, post, "1,000 artists have signed so far."))

    # At most 2 + 10 / interval for approvals within 10 s (Telegram's interval is at least 3 s).
    assert len(edits_of(bot, post)) <= 2 + max(10.0, took) / FLOOR


async def test_a_rate_limited_edit_is_waited_out_not_multiplied(start_bot: Start) -> None:
    bot = await live_bot(start_bot, approval="auto")  # no mod-queue cards to edit meanwhile
    post, _ = await post_here(bot, bot.group)
    bot.fake.inject_rate_limit("editMessageText", retry_after=1)
    await signed(bot.service, 2)

    await until(shows(bot, post, "2 artists"))

    tried = edits_of(bot, post)
    assert [c.status for c in tried] == [429, 200]  # the same edit, once more after the wait

    async def delivered() -> bool:
        rows = [
            m for m in await bot.service.store.outbox_messages() if m.kind is OutboxKind.LIVE_EDIT
        ]
        return [m.status for m in rows] == ["delivered"]

    await until(delivered)


async def test_a_deleted_post_is_dropped_and_told_once(start_bot: Start) -> None:
    bot = await live_bot(start_bot)
    post, _ = await post_here(bot, bot.group)
    bot.fake.delete_message(bot.group, post["message_id"])

    await bot.service.approve(MOD, await signed(bot.service, 1))
    await until(lambda: bool(alerts(bot)))
    await bot.service.approve(MOD, await signed(bot.service, 1, start=1))

    [alert] = alerts(bot)
    assert "#1 (Telegram, Music makers)" in alert.params["text"]
    assert len(edits_of(bot, post)) == 1
    stored = await bot.service.store.live_post(1)
    assert stored is not None and stored.status is LivePostStatus.LOST
    listed = await bot.say(bot.mod, None, "/liveposts")
    assert listed.params["text"] == "No letter post is live."


async def test_a_post_the_bot_may_no_longer_edit_is_dropped(start_bot: Start) -> None:
    bot = await live_bot(start_bot, approval="auto")  # no mod-queue cards to edit meanwhile
    post, _ = await post_here(bot, bot.group)
    bot.fake.inject_error("editMessageText", 403, "Forbidden: bot was kicked from the group chat")
    await signed(bot.service, 1)
    await until(lambda: bool(alerts(bot)))
    assert len(edits_of(bot, post)) == 1


async def test_a_restart_keeps_editing_the_same_post(start_bot: Start) -> None:
    bot = await live_bot(start_bot)
    post, _ = await post_here(bot, bot.group)
    await bot.stop()
    # A new process: a new core over the same database, a new adapter and dispatcher.
    service = PledgeService(
        bot.service.store, bot.service.letter, bot.service.rules, bot.service.destinations,
        SystemClock(),
    )  # fmt: skip
    await service.approve(MOD, await signed(service, 3))
    adapter = TelegramAdapter(service, bot.settings)
    dispatcher = OutboxDispatcher(service.store, [adapter], service.clock)
    tasks = [asyncio.create_task(adapter.run()), asyncio.create_task(dispatcher.run())]
    try:
        await until(shows(bot, post, "3 artists"))
    finally:
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    assert len(edits_of(bot, post)) == 1
    posts = [c for c in bot.fake.calls_to("sendMessage") if _is_post(bot.group)(c)]
    assert len(posts) == 1


async def test_moderators_list_and_stop_posts(start_bot: Start) -> None:
    bot = await live_bot(start_bot)
    post, _ = await post_here(bot, bot.group)
    listed = await bot.say(bot.mod, None, "/liveposts")
    lines = listed.params["text"].splitlines()
    assert lines[0] == "<b>Live letter posts:</b>"
    assert lines[1].startswith("#1 on Telegram, in Music makers, since ")

    stopped = await bot.say(bot.admin, bot.mod_chat, "/unpost 1")
    assert stopped.params["text"] == (
        "Live post #1 is stopped: its message stays as it is and is no longer updated."
    )
    again = await bot.say(bot.mod, None, "/unpost 1")
    assert again.params["text"] == "There is no live post #1."
    await bot.service.approve(MOD, await signed(bot.service, 1))
    live = [m for m in await bot.service.store.outbox_messages() if m.kind is OutboxKind.LIVE_EDIT]
    assert live == []
    assert edits_of(bot, post) == []


async def test_a_hostile_group_title_is_inert(start_bot: Start) -> None:
    bot = await live_bot(start_bot)
    hostile = bot.fake.new_group("<b>Loud</b> <a href='https://evil.example'>x</a> @everyone")
    post, _ = await post_here(bot, hostile)
    listed = await bot.say(bot.mod, None, "/liveposts")
    bot.fake.delete_message(hostile, post["message_id"])
    await bot.service.approve(MOD, await signed(bot.service, 1))
    await until(lambda: bool(alerts(bot)))

    name = "<b>Loud</b> <a href='https://evil.example'>x</a> \uff20everyone"
    for said in (bot.sent(listed), bot.sent(alerts(bot)[0])):
        start = said["text"].index(name)  # shown as typed, mention broken
        end = start + len(name)
        formatted = said.get("entities", [])
        assert not [e for e in formatted if e["offset"] < end and e["offset"] + e["length"] > start]


async def test_removed_from_a_chat_its_post_is_dropped_at_once_and_told_once(
    start_bot: Start,
) -> None:
    bot = await live_bot(start_bot)
    post, _ = await post_here(bot, bot.group)
    elsewhere, _ = await post_here(bot, bot.supergroup)

    bot.fake.remove_bot(bot.group, by=bot.admin, notify=True)
    await until(lambda: bool(alerts(bot)))  # no approval needed: the removal itself tells
    bot.fake.remove_bot(bot.group, by=bot.admin, notify=True)  # again: nothing more to say
    await bot.service.approve(MOD, await signed(bot.service, 1))
    await until(shows(bot, elsewhere, "1 artist has signed so far."))

    [alert] = alerts(bot)
    assert "#1 (Telegram, Music makers)" in alert.params["text"]
    assert edits_of(bot, post) == []  # never tried where the bot is gone
    stored = await bot.service.store.live_post(1)
    assert stored is not None and stored.status is LivePostStatus.LOST
    listed = await bot.say(bot.mod, None, "/liveposts")
    assert [line.split(",")[0] for line in listed.params["text"].splitlines()[1:]] == [
        "#2 on Telegram"
    ]


async def test_a_post_and_its_edits_speak_the_chats_language(start_bot: Start) -> None:
    """``[i18n] channel_languages`` gives the supergroup Brazilian Portuguese: its post and
    every edit speak it, whoever posted it; the group keeps the default language."""
    bot = await live_bot(start_bot, chat_languages={"supergroup": "pt_BR"})
    mark = bot.fake.mark()
    claire = replace(bot.mod, language_code="fr")
    answer = await bot.say(claire, bot.supergroup, "/postletter")
    brazilian = bot.sent(
        await bot.fake.wait_for("sendMessage", _is_post(bot.supergroup), since=mark)
    )
    english, _ = await post_here(bot, bot.group)

    assert answer.params["text"].startswith("La lettre est publiée")  # the poster's language
    assert "0 artista assinou até agora." in brazilian["text"]  # pt_BR: 0 is singular
    [[button]] = brazilian["reply_markup"]["inline_keyboard"]
    assert button["text"] == "✍️ Assinar a carta"
    await bot.service.approve(MOD, await signed(bot.service, 1))
    await bot.service.approve(MOD, await signed(bot.service, 1, start=1))
    await until(shows(bot, brazilian, "2 artistas assinaram até agora."))
    await until(shows(bot, english, "2 artists have signed so far."))
