"""Telegram: menus that fit each place, the bot's profile texts from the letter, and what the
bot does when it is added to a chat or removed from one (``my_chat_member``)."""

from __future__ import annotations

import asyncio
from typing import Any

from adapters.telegram.profile import DESCRIPTION_LIMIT, SHORT_DESCRIPTION_LIMIT
from bot.domain import Letter, LetterText, OutboxKind
from tests.adapters.telegram.conftest import Bot, Start
from tests.adapters.telegram.test_lifecycle import MODERATOR, PUBLIC
from tests.conftest import LETTER
from tests.fakes.fake_telegram import ApiCall

#: What answers in a group: the rest is about the signer and happens in private.
GROUP = ["letter", "demands", "count", "signatories"]


def _names(commands: list[dict[str, Any]]) -> list[str]:
    return [c["command"] for c in commands]


def _new_group(bot: Bot, title: str) -> Any:
    """A group the bot is not in yet."""
    group = bot.fake.new_group(title)
    bot.fake.set_member_status(group, bot.fake.bot, "left")
    return group


def _to(chat_id: int) -> Any:
    return lambda call: call.params.get("chat_id") == chat_id


async def _outbox(bot: Bot, kind: OutboxKind, count: int) -> list[Any]:
    """Outbox rows of ``kind`` once ``count`` of them have been delivered or given up."""
    async with asyncio.timeout(5):
        while True:
            rows = [r for r in await bot.service.store.outbox_messages() if r.kind is kind]
            if sum(r.status in ("delivered", "failed") for r in rows) >= count:
                return rows
            await asyncio.sleep(0.01)


# -- menus per place -----------------------------------------------------------------------------
async def test_groups_see_only_the_commands_that_answer_there(bot: Bot) -> None:
    fake = bot.fake
    assert _names(fake.commands_for()) == PUBLIC  # private chats (the default scope)
    for code in ("", "es", "pt"):
        assert _names(fake.commands_for({"type": "all_group_chats"}, code)) == GROUP
    mod_chat = fake.commands_for({"type": "chat", "chat_id": bot.mod_chat.id})
    assert _names(mod_chat) == GROUP + MODERATOR
    for moderator in (bot.mod, bot.admin):
        private = fake.commands_for({"type": "chat", "chat_id": moderator.id})
        assert _names(private) == PUBLIC + MODERATOR


# -- profile texts -------------------------------------------------------------------------------
async def test_the_description_and_short_description_come_from_the_letter(bot: Bot) -> None:
    fake = bot.fake
    description = fake.description()
    assert description == (
        "No Music For ICE\n\nWe the undersigned artists pledge:\n\n"
        "Press Start to read the whole letter and add your name."
    )
    assert fake.description(short=True) == (
        "An open letter: No Music For ICE. Read it and sign here."
    )
    spanish = fake.description("es")
    assert spanish is not None and spanish.endswith(
        "Pulsa Iniciar para leer la carta completa y añadir tu nombre."
    )
    assert fake.description("pt", short=True) == (
        "Uma carta aberta: No Music For ICE. Leia e assine aqui."
    )


async def test_a_long_letter_is_clipped_and_a_translation_is_used(start_bot: Start) -> None:
    german = LetterText(
        "Kein Geld für ICE", "Wir verpflichten uns:", LETTER.demands, "Mach mit.", "de"
    )
    letter = Letter(
        "A" * 150, "We pledge " * 80, LETTER.demands, LETTER.closing, translations=(german,)
    )
    bot = await start_bot(letter=letter)
    english = bot.fake.description()
    assert english is not None and len(english) <= DESCRIPTION_LIMIT
    assert english.endswith("…\n\nPress Start to read the whole letter and add your name.")
    short = bot.fake.description(short=True)
    assert short is not None and len(short) == SHORT_DESCRIPTION_LIMIT and short.endswith("…")
    assert (bot.fake.description("de") or "").startswith("Kein Geld für ICE\n\nWir verpflichten")


# -- added to a group ----------------------------------------------------------------------------
async def test_added_to_a_group_it_says_hello_when_asked_to(start_bot: Start) -> None:
    bot = await start_bot(greet_groups=True)
    group = _new_group(bot, "Jazz players")
    mark = bot.fake.mark()
    bot.fake.add_bot(group, by=bot.bob)

    hello: ApiCall = await bot.fake.wait_for("sendMessage", _to(group.id), since=mark)
    assert hello.params["text"] == (
        "Hello! I gather signatures for the open letter “No Music For ICE”.\n"
        "Read it with /letter. Signing happens in a private chat with me."
    )
    [[button]] = hello.params["reply_markup"]["inline_keyboard"]
    assert button["text"] == "✍️ Sign in a private chat"
    assert button["url"].endswith(f"?start=sign-{-group.id}")  # signatures count for the group


async def test_added_to_a_group_it_stays_quiet_by_default(bot: Bot) -> None:
    group = _new_group(bot, "Jazz players")
    bot.fake.add_bot(group, by=bot.bob)
    reply = await bot.say(bot.bob, group, "/count")  # handled after the join, in order
    assert reply.params["chat_id"] == group.id
    assert [c for c in bot.fake.calls_to("sendMessage") if c.params["chat_id"] == group.id] == [
        reply
    ]


async def test_a_hello_title_is_escaped(start_bot: Start) -> None:
    letter = Letter("<b>Bold</b> & co", LETTER.preamble, LETTER.demands, LETTER.closing)
    bot = await start_bot(greet_groups=True, letter=letter)
    group = _new_group(bot, "Jazz players")
    mark = bot.fake.mark()
    bot.fake.add_bot(group, by=bot.bob)
    hello = await bot.fake.wait_for("sendMessage", _to(group.id), since=mark)
    assert "“&lt;b&gt;Bold&lt;/b&gt; &amp; co”" in hello.params["text"]


# -- removed from a chat it posts to -------------------------------------------------------------
async def test_removed_from_an_announce_chat_moderators_are_told_once(start_bot: Start) -> None:
    bot = await start_bot(thresholds=(1,))
    bot.fake.remove_bot(bot.group, by=bot.admin, notify=True)
    told = await bot.fake.wait_for("sendMessage", _to(bot.mod_chat.id))
    assert told.params["text"] == (
        f"pledgebot was removed from telegram:{bot.group.id}: milestones are no longer "
        "announced there until it is added back."
    )

    await bot.approved(1)  # a milestone: announced everywhere but the group, never tried there
    rows = await _outbox(bot, OutboxKind.ANNOUNCEMENT, 3)
    assert {r.destination: r.status for r in rows} == {
        str(bot.group.id): "failed",
        str(bot.supergroup.id): "delivered",
        str(bot.channel.id): "delivered",
    }
    assert not [c for c in bot.fake.calls_to("sendMessage") if c.params["chat_id"] == bot.group.id]
    alerts = await _outbox(bot, OutboxKind.ALERT, 1)
    assert len(alerts) == 1


async def test_added_back_deliveries_resume(start_bot: Start) -> None:
    bot = await start_bot(thresholds=(1, 2))
    bot.fake.remove_bot(bot.group, by=bot.admin, notify=True)
    await bot.fake.wait_for("sendMessage", _to(bot.mod_chat.id))
    bot.fake.add_bot(bot.group, by=bot.admin)
    reply = await bot.say(bot.admin, bot.group, "/count")  # the join is handled by now
    assert reply.ok
    await bot.approved(2)

    def announced(call: ApiCall) -> bool:
        return call.params["chat_id"] == bot.group.id and "have signed" in call.params["text"]

    posted = await bot.fake.wait_for("sendMessage", announced)
    assert posted.ok


async def test_removed_from_the_mod_chat_moderators_are_told_privately(bot: Bot) -> None:
    bot.fake.remove_bot(bot.mod_chat, by=bot.admin, notify=True)
    told = await bot.fake.wait_for("sendMessage", _to(bot.mod.id))
    assert told.params["text"].startswith(
        f"pledgebot was removed from telegram:{bot.mod_chat.id}, the moderators' chat: "
    )
    await bot.sign(bot.ada, "Ada")  # its card is owed to the mod chat, and given up at once
    [card] = await _outbox(bot, OutboxKind.MOD_QUEUE, 1)
    assert card.status == "failed"
    assert not [
        c for c in bot.fake.calls_to("sendMessage") if c.params["chat_id"] == bot.mod_chat.id
    ]


async def test_a_user_blocking_the_bot_or_an_unknown_group_tells_no_one(bot: Bot) -> None:
    other = bot.fake.new_group("Elsewhere")
    bot.fake.remove_bot(other, by=bot.bob, notify=True)
    bot.fake.block_bot(bot.ada, notify=True)
    reply = await bot.say(bot.bob, None, "/count")
    assert reply.ok
    assert await bot.service.store.outbox_messages() == []
