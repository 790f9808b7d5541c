"""Signing in the private chat, step by step or in one line; status and withdrawing."""

from __future__ import annotations

import pytest

from bot.domain import Identity, Signature, Status
from tests.adapters.telegram.conftest import JSON, Bot, Start
from tests.conftest import MOD
from tests.fakes.fake_telegram import FakeUser

NAME_QUESTION = "What public name should appear on the letter? (up to 80 characters)"
ROLE_QUESTION = "Your role or affiliation, for example “singer, The Band”? /skip to leave it out."
LOCATION_QUESTION = "Where are you based? /skip to leave it out."
LINK_QUESTION = "A link to your work, starting with https://? /skip to leave it out."
CANCELLED = "Signing cancelled. Nothing was recorded."


async def _talk(bot: Bot, user: FakeUser, *lines: str) -> list[str]:
    """Say each line in the private chat; the text of the bot's answer to each."""
    return [bot.sent(await bot.say(user, None, line))["text"] for line in lines]


def _buttons(message: JSON) -> list[str]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [button["text"] for row in rows for button in row]


def _now(bot: Bot, message: JSON) -> JSON:
    """A message as it is now (after any edits)."""
    current = bot.fake.message(message["chat"]["id"], message["message_id"])
    assert current is not None
    return current


async def _summary(bot: Bot, user: FakeUser, *lines: str) -> JSON:
    """Talk until the summary; the summary message."""
    *_, last = lines
    for line in lines[:-1]:
        await bot.say(user, None, line)
    return bot.sent(await bot.say(user, None, last))


async def test_the_whole_conversation_signs_and_queues_for_moderators(bot: Bot) -> None:
    answers = await _talk(bot, bot.ada, "/sign", "Ada Lovelace", "composer", "/skip")
    assert answers == [
        "Let's sign “No Music For ICE”. Only your name is required: send /skip to leave any "
        f"other answer out, or /cancel to stop.\n\n{NAME_QUESTION}",
        ROLE_QUESTION,
        LOCATION_QUESTION,
        LINK_QUESTION,
    ]
    summary = bot.sent(await bot.say(bot.ada, None, "https://ada.example/music"))
    assert summary["text"].splitlines() == [
        "Please check your signature",
        "Public name: Ada Lovelace",
        "Role/affiliation: composer",
        "Location: —",
        "Link: https://ada.example/music",
        "",
        "You are signing “No Music For ICE”, which demands:",
        "1. Terminate the contracts.",
        "2. Stop the cloud services.",
        "3. End the projects.",
        "4. Reject future engagements.",
        "",
        "Sign with your name, sign without it (counted but not listed), or cancel.",
    ]
    assert _buttons(summary) == ["✍️ Sign", "Sign without listing my name", "Cancel"]

    mark = bot.fake.mark()
    await bot.press(bot.ada, summary, "✍️ Sign")
    thanks = await bot.answer(bot.fake.private_chat(bot.ada), since=mark)
    sig = await bot.signature_of(bot.ada)
    assert sig is not None
    assert bot.sent(thanks)["text"] == (
        f"Thank you! Signature #{sig.id} is recorded and awaits a moderator's approval. "
        "You are signing as Ada Lovelace. You will get a message once it is decided."
    )
    assert (sig.name, sig.role, sig.location, sig.link) == (
        "Ada Lovelace",
        "composer",
        None,
        "https://ada.example/music",
    )
    assert (sig.status, sig.anonymous, sig.community) == (
        Status.PENDING,
        False,
        "telegram:private",
    )
    # The summary stays as the record of what was signed, without its buttons.
    kept = bot.fake.message(summary["chat"]["id"], summary["message_id"])
    assert kept is not None and "reply_markup" not in kept
    card = await bot.card(sig.id)
    assert _buttons(card) == ["✅ Approve", "❌ Reject"]
    assert "Ada Lovelace, composer — https://ada.example/music" in card["text"]


async def test_every_optional_question_can_be_skipped_but_the_name_cannot(bot: Bot) -> None:
    answers = await _talk(bot, bot.ada, "/sign", "/skip", "Ada", "/skip", "/skip")
    assert answers[1] == f"Your public name cannot be empty.\n\n{NAME_QUESTION}"
    assert answers[2:] == [ROLE_QUESTION, LOCATION_QUESTION, LINK_QUESTION]
    summary = bot.sent(await bot.say(bot.ada, None, "/skip"))
    assert summary["text"].splitlines()[1:5] == [
        "Public name: Ada",
        "Role/affiliation: —",
        "Location: —",
        "Link: —",
    ]
    mark = bot.fake.mark()
    await bot.press(bot.ada, summary, "✍️ Sign")
    sig = await bot.signed(bot.ada, since=mark)
    assert (sig.name, sig.role, sig.location, sig.link) == ("Ada", None, None, None)


async def test_an_invalid_answer_is_explained_and_asked_again(bot: Bot) -> None:
    answers = await _talk(bot, bot.ada, "/sign", "Ada", "/skip", "/skip", "my website")
    assert answers[-1] == (
        f"The link must be a web address starting with http:// or https://.\n\n{LINK_QUESTION}"
    )
    summary = bot.sent(await bot.say(bot.ada, None, "https://ada.example"))
    assert "Link: https://ada.example" in summary["text"]


@pytest.mark.parametrize("answered", [0, 1, 2, 3])
async def test_cancel_at_any_question_records_nothing(bot: Bot, answered: int) -> None:
    lines = ["/sign", "Ada", "singer", "Berlin"][: answered + 1]
    await _talk(bot, bot.ada, *lines)
    assert await _talk(bot, bot.ada, "/cancel") == [CANCELLED]
    # The conversation is over: text is no longer taken as an answer.
    [stray] = await _talk(bot, bot.ada, "Ada Lovelace")
    assert "/sign signs it" in stray
    assert await bot.signature_of(bot.ada) is None


async def test_cancel_button_under_the_summary_records_nothing(bot: Bot) -> None:
    summary = await _summary(bot, bot.ada, "/sign Ada | singer")
    mark = bot.fake.mark()
    await bot.press(bot.ada, summary, "Cancel")
    assert bot.sent(await bot.answer(bot.fake.private_chat(bot.ada), since=mark))["text"] == (
        CANCELLED
    )
    assert await bot.signature_of(bot.ada) is None


async def test_text_while_the_summary_waits_points_at_its_buttons(bot: Bot) -> None:
    summary = await _summary(bot, bot.ada, "/sign Ada")
    [hint] = await _talk(bot, bot.ada, "yes please")
    assert hint == "Please choose with the buttons under the summary, or send /cancel."
    mark = bot.fake.mark()
    await bot.press(bot.ada, summary, "✍️ Sign")
    assert (await bot.signed(bot.ada, since=mark)).name == "Ada"


async def test_one_line_form_goes_to_the_summary_and_can_sign_anonymously(bot: Bot) -> None:
    summary = await _summary(
        bot, bot.ada, "/sign Ada Lovelace | singer | Berlin | https://a.example"
    )
    assert summary["text"].splitlines()[1:5] == [
        "Public name: Ada Lovelace",
        "Role/affiliation: singer",
        "Location: Berlin",
        "Link: https://a.example",
    ]
    mark = bot.fake.mark()
    await bot.press(bot.ada, summary, "Sign without listing my name")
    sig = await bot.signed(bot.ada, since=mark)
    assert sig.anonymous and sig.location == "Berlin"


async def test_one_line_form_errors_are_the_cores(bot: Bot) -> None:
    [empty_name] = await _talk(bot, bot.ada, "/sign | singer")
    assert empty_name.startswith("Please give your public name: /sign NAME | ROLE")
    [too_many] = await _talk(bot, bot.ada, "/sign a | b | c | d | e")
    assert too_many.startswith("Too many fields")
    assert await bot.signature_of(bot.ada) is None


async def test_anonymous_choice_is_not_offered_when_the_letter_refuses_it(start_bot: Start) -> None:
    bot = await start_bot(allow_anonymous=False)
    summary = await _summary(bot, bot.ada, "/sign Ada")
    assert _buttons(summary) == ["✍️ Sign", "Cancel"]
    assert summary["text"].endswith("Sign, or cancel.")


async def test_sign_again_restarts_the_conversation(bot: Bot) -> None:
    answers = await _talk(bot, bot.ada, "/sign", "Ada", "/sign")
    assert answers[-1].endswith(NAME_QUESTION)
    summary = await _summary(bot, bot.ada, "Ada Again", "/skip", "/skip", "/skip")
    assert "Public name: Ada Again" in summary["text"]


async def test_deep_link_starts_signing_and_remembers_the_group(bot: Bot) -> None:
    [first] = await _talk(bot, bot.ada, f"/start sign-{-bot.group.id}")
    assert first.endswith(NAME_QUESTION)
    summary = await _summary(bot, bot.ada, "Ada", "/skip", "/skip", "/skip")
    mark = bot.fake.mark()
    await bot.press(bot.ada, summary, "✍️ Sign")
    sig = await bot.signed(bot.ada, since=mark)
    assert sig.community == f"telegram:{bot.group.id}"


async def test_plain_sign_deep_link(bot: Bot) -> None:
    [first] = await _talk(bot, bot.ada, "/start sign")
    assert first.endswith(NAME_QUESTION)


async def test_sign_button_under_the_letter_starts_signing_in_private(bot: Bot) -> None:
    letter = bot.sent(await bot.say(bot.ada, None, "/letter"))
    mark = bot.fake.mark()
    answer = await bot.press(bot.ada, letter, "✍️ Sign the letter")
    assert "url" not in answer.params
    question = await bot.answer(bot.fake.private_chat(bot.ada), since=mark)
    assert bot.sent(question)["text"].endswith(NAME_QUESTION)


@pytest.mark.parametrize("where", ["group", "supergroup"])
async def test_sign_in_a_group_answers_with_a_deep_link(bot: Bot, where: str) -> None:
    chat = bot.group if where == "group" else bot.supergroup
    call = await bot.say(bot.ada, chat, "/sign Ada Lovelace | singer")
    text = bot.sent(call)["text"]
    assert "private chat" in text and "Ada Lovelace" not in text
    link = f"https://t.me/pledge_test_bot?start=sign-{-chat.id}"
    assert call.params["reply_markup"] == {
        "inline_keyboard": [[{"text": "✍️ Sign in a private chat", "url": link}]]
    }
    # A Sign button pressed in a group (an older message) opens the private chat too.
    answer = await bot.press_data(bot.bob, bot.sent(call), "pledge:sign", check_button=False)
    assert answer.params["url"] == link
    assert await bot.signature_of(bot.ada) is None


async def test_signing_twice_gets_the_cores_answer(bot: Bot) -> None:
    first = await bot.sign(bot.ada, "Ada")
    summary = await _summary(bot, bot.ada, "/sign Ada Again")
    mark = bot.fake.mark()
    await bot.press(bot.ada, summary, "✍️ Sign")
    reply = bot.sent(await bot.answer(bot.fake.private_chat(bot.ada), since=mark))
    assert reply["text"] == (
        f"You have already signed: signature #{first.id} is awaiting approval. "
        "Use /status to see it or /withdraw to take it back."
    )


async def test_summary_buttons_expire_with_the_conversation(bot: Bot) -> None:
    summary = await _summary(bot, bot.ada, "/sign Ada")
    await _talk(bot, bot.ada, "/cancel")
    # The fake lets the old keyboard be pressed again (as a client with a stale view would).
    answer = await bot.press_data(bot.ada, summary, "pledge:confirm:named", check_button=False)
    assert answer.params["text"].startswith("This button no longer works.")
    assert await bot.signature_of(bot.ada) is None


async def test_auto_approval_puts_the_name_on_the_letter_at_once(start_bot: Start) -> None:
    bot = await start_bot(approval="auto")
    summary = await _summary(bot, bot.ada, "/sign Ada")
    mark = bot.fake.mark()
    await bot.press(bot.ada, summary, "✍️ Sign")
    reply = bot.sent(await bot.answer(bot.fake.private_chat(bot.ada), since=mark))
    assert reply["text"].endswith("is on the letter. You are signing as Ada.")


async def test_the_confirmation_comes_after_the_press_is_answered_and_the_buttons_removed(
    bot: Bot,
) -> None:
    # The press is answered and the keyboard removed while the core signs; slow as they may
    # be, the confirmation still comes last, and the summary stays without its buttons.
    bot.fake.inject_delay("answerCallbackQuery", 0.3)
    bot.fake.inject_delay("editMessageReplyMarkup", 0.3)
    summary = await _summary(bot, bot.ada, "/sign Ada")
    mark = bot.fake.mark()
    answer = await bot.press(bot.ada, summary, "✍️ Sign")
    thanks = await bot.answer(bot.fake.private_chat(bot.ada), since=mark)
    [edit] = [c for c in bot.fake.calls[mark:] if c.method == "editMessageReplyMarkup"]
    assert answer.answered_at is not None and edit.answered_at is not None
    assert answer.answered_at <= thanks.time and edit.answered_at <= thanks.time
    assert bot.sent(thanks)["text"].startswith("Thank you! Signature #")
    assert _buttons(_now(bot, summary)) == []
    assert _now(bot, summary)["text"] == summary["text"]


async def test_a_press_whose_buttons_cannot_be_removed_still_signs(bot: Bot) -> None:
    bot.fake.inject_server_error("editMessageReplyMarkup", status=502)
    summary, sig = await _press_sign_and_be_thanked(bot)
    # The buttons stayed; pressed again, they say they no longer work, and nothing changes.
    assert _buttons(_now(bot, summary)) == ["✍️ Sign", "Sign without listing my name", "Cancel"]
    again = await bot.press(bot.ada, _now(bot, summary), "✍️ Sign")
    assert again.params["text"].startswith("This button no longer works.")
    assert (await bot.signature_of(bot.ada)) == sig


async def test_a_press_too_old_to_answer_still_signs(bot: Bot) -> None:
    bot.fake.inject_error(
        "answerCallbackQuery",
        400,
        "Bad Request: query is too old and response timeout expired or query ID is invalid",
    )
    summary, _ = await _press_sign_and_be_thanked(bot)
    assert _buttons(_now(bot, summary)) == []


async def _press_sign_and_be_thanked(bot: Bot) -> tuple[JSON, Signature]:
    """Ada asks to sign and presses Sign: she is thanked with her stored signature's number."""
    summary = await _summary(bot, bot.ada, "/sign Ada")
    mark = bot.fake.mark()
    await bot.press(bot.ada, summary, "✍️ Sign")
    thanks = bot.sent(await bot.answer(bot.fake.private_chat(bot.ada), since=mark))
    sig = await bot.signature_of(bot.ada)
    assert sig is not None
    assert thanks["text"].startswith(f"Thank you! Signature #{sig.id} is recorded")
    return summary, sig


async def test_status_in_private(bot: Bot) -> None:
    [nothing] = await _talk(bot, bot.ada, "/status")
    assert nothing == "You have not signed yet. Use /sign to add your name."
    sig = await bot.sign(bot.ada, "Ada Lovelace", role="composer")
    [status] = await _talk(bot, bot.ada, "/status")
    assert status == (
        f"Signature #{sig.id}: Ada Lovelace, composer\nStatus: awaiting a moderator's approval."
    )


async def test_withdraw_with_confirmation_updates_the_card(bot: Bot) -> None:
    sig = await bot.sign(bot.ada, "Ada Lovelace")
    card = await bot.card(sig.id)
    question = bot.sent(await bot.say(bot.ada, None, "/withdraw"))
    assert f"Take signature #{sig.id} back?" in question["text"]
    assert _buttons(question) == [
        "Withdraw my signature",
        "Withdraw and erase my details",
        "Keep it",
    ]

    mark = bot.fake.mark()
    await bot.press(bot.ada, question, "Withdraw my signature")
    await bot.fake.wait_for(
        "editMessageText", lambda c: c.params["chat_id"] == bot.ada.id, since=mark
    )
    done = bot.fake.message(bot.ada.id, question["message_id"])
    assert done is not None and done["text"] == f"Signature #{sig.id} is withdrawn."
    await bot.fake.wait_for(
        "editMessageText", lambda c: c.params["chat_id"] == bot.mod_chat.id, since=mark
    )
    card_now = bot.fake.message(bot.mod_chat, card["message_id"])
    assert card_now is not None
    assert card_now["text"].endswith("↩️ Withdrawn by the signer")
    assert "reply_markup" not in card_now
    withdrawn = await bot.signature_of(bot.ada)
    assert withdrawn is not None and withdrawn.status is Status.WITHDRAWN


async def test_withdraw_and_erase_removes_the_name_from_every_card(bot: Bot) -> None:
    first = await bot.sign(bot.ada, "Ada Lovelace", location="Berlin")
    await bot.service.reject(MOD, first.id, "spam")
    second = await bot.sign(bot.ada, "Ada Lovelace")
    cards = [await bot.card(first.id), await bot.card(second.id)]
    question = bot.sent(await bot.say(bot.ada, None, "/withdraw"))
    mark = bot.fake.mark()
    await bot.press(bot.ada, question, "Withdraw and erase my details")
    for card in cards:  # each card is redrawn without the details (perhaps more than once)
        await bot.fake.wait_for(
            "editMessageText",
            lambda c, card=card: (
                c.params["chat_id"] == bot.mod_chat.id
                and c.params["message_id"] == card["message_id"]
                and "(erased)" in c.params["text"]
            ),
            since=mark,
        )
    for card in cards:
        now = bot.fake.message(bot.mod_chat, card["message_id"])
        assert now is not None
        assert "Ada" not in now["text"] and "Berlin" not in now["text"]
        assert "(erased)" in now["text"]
    done = bot.fake.message(bot.ada.id, question["message_id"])
    assert done is not None
    assert done["text"] == f"Signature #{second.id} is withdrawn. Your details have been erased."


async def test_keep_it_changes_nothing(bot: Bot) -> None:
    await bot.sign(bot.ada, "Ada")
    question = bot.sent(await bot.say(bot.ada, None, "/withdraw"))
    mark = bot.fake.mark()
    await bot.press(bot.ada, question, "Keep it")
    await bot.fake.wait_for("editMessageText", since=mark)
    sig = await bot.signature_of(bot.ada)
    assert sig is not None and sig.status is Status.PENDING


async def test_a_rejected_signature_is_offered_erasing_only(bot: Bot) -> None:
    sig = await bot.sign(bot.ada, "Ada Lovelace")
    told = bot.fake.mark()
    await bot.service.reject(MOD, sig.id, "typo")
    await bot.answer(bot.fake.private_chat(bot.ada), since=told)  # "… was not approved …"
    question = bot.sent(await bot.say(bot.ada, None, "/withdraw"))
    assert question["text"].endswith(
        "Erase your details? Your name, role, location and link will be deleted for good."
    )
    assert _buttons(question) == ["Erase my details", "Keep it"]

    mark = bot.fake.mark()
    await bot.press(bot.ada, question, "Erase my details")
    await bot.fake.wait_for(
        "editMessageText", lambda c: c.params["chat_id"] == bot.ada.id, since=mark
    )
    done = bot.fake.message(bot.ada.id, question["message_id"])
    assert done is not None and done["text"] == "Your details have been erased."
    erased = bot.sent(await bot.say(bot.ada, None, "/withdraw"))
    assert erased["text"].startswith(f"Signature #{sig.id}: (erased)")
    assert _buttons(erased) == []


async def test_withdraw_deep_link_and_nothing_to_withdraw(bot: Bot) -> None:
    [nothing] = await _talk(bot, bot.ada, "/start withdraw")
    assert nothing == "You have not signed yet. Use /sign to add your name."


async def test_someone_who_signed_is_told_before_the_questions(bot: Bot) -> None:
    await bot.sign(bot.ada, "Ada")
    refusal = bot.sent(await bot.say(bot.ada, None, "/sign"))["text"]
    assert refusal.startswith("You have already signed: signature #1 is awaiting approval.")
    # No conversation started: the next message is not taken as a name.
    after = bot.sent(await bot.say(bot.ada, None, "Not a name"))["text"]
    assert "Your public name" not in after and "Let's sign" not in after
    assert len(await bot.service.store.histories([Identity("telegram", str(bot.ada.id))])) == 1
