"""Reaffirming a changed letter on Telegram: the notice in each earlier signer's private chat,
its buttons, and ``/reaffirm`` (in private; a group points there)."""

from __future__ import annotations

from dataclasses import replace

from bot.domain import Actor, Identity, SignatureForm
from bot.service import PledgeService
from tests.adapters.telegram.conftest import Bot, Start
from tests.conftest import LETTER, MOD, StepClock
from tests.fakes.fake_telegram import ApiCall, FakeUser

NEW_LETTER = replace(LETTER, closing="Join us, and tell a friend.")


async def _signed_before(bot: Bot, user: FakeUser, *, language: str | None = None) -> int:
    """``user`` signed (and was approved) while the letter had its earlier text."""
    old = PledgeService(
        bot.service.store, LETTER, bot.service.rules, bot.service.destinations, StepClock()
    )
    await old.start()  # the earlier text was recorded when the bot ran with it
    actor = Actor(Identity("telegram", str(user.id)), user.first_name)
    result = await old.sign(
        actor, SignatureForm(user.first_name), community="telegram:private", language=language
    )
    await old.approve(MOD, [result.signature.id])
    return result.signature.id


async def _notice(bot: Bot, user: FakeUser, *, marker: str = "has changed") -> ApiCall:
    mark = bot.fake.mark()
    assert await bot.service.reaffirm_notices.tick() == 1
    return await bot.fake.wait_for(
        "sendMessage",
        lambda c: c.params["chat_id"] == user.id and marker in c.params["text"],
        since=mark,
    )


async def test_the_notice_reaches_the_private_chat_with_buttons(start_bot: Start) -> None:
    bot = await start_bot(letter=NEW_LETTER)
    sid = await _signed_before(bot, bot.ada)
    notice = await _notice(bot, bot.ada)
    assert notice.params["text"] == (
        f"The text of “No Music For ICE” has changed since you signed it (signature #{sid}). "
        "Read it with /letter, then keep your name on it with /reaffirm, or take it back with "
        "/withdraw. Until then it still counts, shown as signed on an earlier text."
    )
    [buttons] = notice.params["reply_markup"]["inline_keyboard"]
    assert [b["callback_data"] for b in buttons] == ["pledge:reaffirm", "pledge:withdraw:ask"]
    assert [b["text"] for b in buttons] == ["✅ Reaffirm", "Withdraw…"]


async def test_the_reaffirm_button_answers_in_place(start_bot: Start) -> None:
    bot = await start_bot(letter=NEW_LETTER)
    sid = await _signed_before(bot, bot.ada)
    message = bot.sent(await _notice(bot, bot.ada))

    await bot.press(bot.ada, message, "✅ Reaffirm")

    edited = await bot.fake.wait_for("editMessageText", lambda c: c.params["chat_id"] == bot.ada.id)
    assert edited.params["text"] == (
        f"Thank you: signature #{sid} now stands on the letter's current text."
    )
    signature = await bot.signature_of(bot.ada)
    assert signature is not None and signature.letter_version == NEW_LETTER.version


async def test_the_withdraw_button_shows_the_withdraw_choices(start_bot: Start) -> None:
    bot = await start_bot(letter=NEW_LETTER)
    await _signed_before(bot, bot.ada)
    message = bot.sent(await _notice(bot, bot.ada))

    await bot.press(bot.ada, message, "Withdraw…")

    edited = await bot.fake.wait_for("editMessageText", lambda c: c.params["chat_id"] == bot.ada.id)
    rows = edited.params["reply_markup"]["inline_keyboard"]
    assert "pledge:withdraw:yes" in [b["callback_data"] for row in rows for b in row]


async def test_reaffirm_as_a_command_in_private_only(start_bot: Start) -> None:
    bot = await start_bot(letter=NEW_LETTER)
    sid = await _signed_before(bot, bot.ada)

    in_group = await bot.say(bot.ada, bot.group, "/reaffirm")
    assert in_group.params["text"] == "Reaffirming happens in a private chat with me."
    unchanged = await bot.signature_of(bot.ada)
    assert unchanged is not None and unchanged.letter_version == LETTER.version

    status = await bot.say(bot.ada, None, "/status")
    assert "Note: you signed an earlier text of the letter." in status.params["text"]
    done = await bot.say(bot.ada, None, "/reaffirm")
    assert done.params["text"] == (
        f"Thank you: signature #{sid} now stands on the letter's current text."
    )
    again = await bot.say(bot.ada, None, "/reaffirm")
    assert again.params["text"] == (
        f"Your signature #{sid} already stands on the letter's current text: there is nothing "
        "to reaffirm."
    )
    assert await bot.service.reaffirm_notices.tick() == 0


async def test_a_moderators_count_shows_the_texts(start_bot: Start) -> None:
    bot = await start_bot(letter=NEW_LETTER)
    await _signed_before(bot, bot.ada)
    shown = await bot.say(bot.mod, None, "/count")
    assert "Approved signatures by text of the letter:" in shown.params["text"]
    assert f"earlier text {LETTER.version} (from " in shown.params["text"]
    in_group = await bot.say(bot.mod, bot.group, "/count")  # groups see the count alone
    assert "by text" not in in_group.params["text"]
    signer = await bot.say(bot.ada, None, "/count")
    assert "by text" not in signer.params["text"]


async def test_a_signer_reads_the_notice_in_their_language(start_bot: Start) -> None:
    bot = await start_bot(letter=NEW_LETTER)
    sid = await _signed_before(bot, bot.ada, language="es")
    notice = await _notice(bot, bot.ada, marker="ha cambiado")
    assert notice.params["text"].startswith(
        f"El texto de «No Music For ICE» ha cambiado desde que lo firmaste (firma n.º {sid})."
    )
    [buttons] = notice.params["reply_markup"]["inline_keyboard"]
    assert [b["text"] for b in buttons] == ["✅ Reafirmar", "Retirar…"]


async def test_signatories_mark_a_name_on_an_earlier_text_in_the_readers_language(
    start_bot: Start,
) -> None:
    bot = await start_bot(letter=NEW_LETTER)
    early = await _signed_before(bot, bot.ada)
    current = await bot.sign(bot.bob, "Bob")
    await bot.approve(current)

    cy = bot.fake.new_user("Cy")  # readers with nothing else arriving in their chats
    text = bot.sent(await bot.say(cy, None, "/signatories"))["text"]
    assert f"#{early} Ada (signed an earlier text)" in text.splitlines()
    assert f"#{current.id} Bob" in text.splitlines()
    bia = bot.fake.new_user("Bia", language_code="pt-br")
    text = bot.sent(await bot.say(bia, None, "/signatories"))["text"]
    assert f"#{early} Ada (assinou um texto anterior)" in text.splitlines()

    await bot.say(bot.ada, None, "/reaffirm")
    text = bot.sent(await bot.say(cy, None, "/signatories"))["text"]
    assert f"#{early} Ada" in text.splitlines()
    assert "earlier text" not in text


async def test_a_card_shows_the_texts_the_signature_was_reaffirmed_on(start_bot: Start) -> None:
    bot = await start_bot(letter=NEW_LETTER)
    sid = await _signed_before(bot, bot.ada)
    await bot.service.reaffirm(Actor(Identity("telegram", str(bot.ada.id)), "Ada"))
    mark = bot.fake.mark()
    await bot.service.remove(MOD, sid, "spam")  # the outbox posts, or redraws, the card
    card = await bot.card(sid)
    chat, ref = card["chat"]["id"], card["message_id"]
    now = bot.fake.message(chat, ref)
    while now is not None and "Removed" not in now["text"]:
        await bot.fake.wait_for(
            "editMessageText",
            lambda c: c.params["chat_id"] == chat and c.params["message_id"] == ref,
            since=mark,
        )
        mark = bot.fake.mark()
        now = bot.fake.message(chat, ref)
    assert now is not None
    [reaffirmed] = await bot.service.store.reaffirmations(sid)
    assert (
        f"reaffirmed on text {NEW_LETTER.version} ({reaffirmed.at.date().isoformat()}), "
        f"signed on text {LETTER.version} before"
    ) in now["text"].splitlines()
