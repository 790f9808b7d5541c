"""Smoke tests of the fake Bot API, driven by the real python-telegram-bot on loopback.

They pin down what the adapter tests rely on: PTB's requests are decoded and recorded, its
parsers accept every answer, long polling and shutdown behave, and injected faults reach PTB
as the exceptions and retries it has in production.
"""

from __future__ import annotations

import asyncio
import copy
import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    ChatMemberAdministrator,
    ChatMemberBanned,
    ChatMemberLeft,
    ChatMemberOwner,
    ChatMemberRestricted,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.error import BadRequest, EndPointNotFound, Forbidden, RetryAfter, TimedOut
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest

from tests.fakes.fake_telegram import (
    BotApiError,
    FakeTelegram,
    render_html,
    run_application,
)
from tests.fakes.fake_telegram.models import json_copy

KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton("Sign", callback_data="sign:letter-1")]])
KEYBOARD_JSON = {"inline_keyboard": [[{"text": "Sign", "callback_data": "sign:letter-1"}]]}


@pytest.fixture
async def fake(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeTelegram]:
    # httpx honours proxy variables; loopback must bypass any configured proxy.
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    async with FakeTelegram() as server:
        yield server


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    async with Bot(fake.token, base_url=fake.base_url, base_file_url=fake.base_file_url) as b:
        yield b


def _collect_errors(
    application: Application[Any, Any, Any, Any, Any, Any],
) -> list[BaseException]:
    """Handler errors would otherwise only be logged; tests assert there are none."""
    errors: list[BaseException] = []

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert context.error is not None
        errors.append(context.error)

    application.add_error_handler(on_error)
    return errors


async def _start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_html(
        "<b>Welcome</b> to the open letter", reply_markup=KEYBOARD
    )


async def test_start_command_replies_with_html_and_keyboard(fake: FakeTelegram) -> None:
    application = fake.application_builder().build()
    application.add_handler(CommandHandler("start", _start))
    errors = _collect_errors(application)
    ada = fake.new_user("Ada", username="ada")

    async with run_application(application, poll_timeout=2):
        fake.feed_command(ada, None, "/start")
        call = await fake.wait_for("sendMessage")

    assert call.params["chat_id"] == ada.id
    assert call.params["text"] == "<b>Welcome</b> to the open letter"
    assert call.params["parse_mode"] == "HTML"
    assert call.params["reply_markup"] == KEYBOARD_JSON
    sent = fake.last_sent(ada.id)
    assert sent["text"] == "Welcome to the open letter"
    assert sent["entities"] == [{"type": "bold", "offset": 0, "length": 7}]
    assert sent["from"]["username"] == "pledge_test_bot"
    assert [c.method for c in fake.calls[:2]] == ["getMe", "deleteWebhook"]
    assert errors == []


async def test_callback_query_is_answered_and_message_edited(fake: FakeTelegram) -> None:
    async def on_sign(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None and query.data == "sign:letter-1"
        await query.answer("Thank you!")
        await query.edit_message_text(f"Signed by <i>{query.from_user.first_name}</i>", "HTML")

    application = fake.application_builder().build()
    application.add_handler(CommandHandler("start", _start))
    application.add_handler(CallbackQueryHandler(on_sign))
    errors = _collect_errors(application)
    ada = fake.new_user("Ada")

    async with run_application(application, poll_timeout=2):
        fake.feed_command(ada, None, "/start")
        await fake.wait_for("sendMessage")
        update = fake.feed_button(ada, fake.last_sent(ada.id), "Sign")
        answer = await fake.wait_for("answerCallbackQuery")
        edit = await fake.wait_for("editMessageText")

    query_id = update["callback_query"]["id"]
    assert answer.params == {"callback_query_id": query_id, "text": "Thank you!"}
    assert fake.callback_answers[query_id]["text"] == "Thank you!"
    message = fake.last_sent(ada.id)
    assert edit.result["message_id"] == message["message_id"]
    assert message["text"] == "Signed by Ada"
    assert message["entities"] == [{"type": "italic", "offset": 10, "length": 3}]
    # Like Telegram: an edit that does not resend the keyboard removes it.
    assert "reply_markup" not in message
    assert "edit_date" in message
    # The call log keeps each answer as it was sent: the edit changed the message, not that.
    sent = fake.calls_to("sendMessage")[0].result
    assert (sent["text"], sent["reply_markup"]) == ("Welcome to the open letter", KEYBOARD_JSON)
    assert "edit_date" not in sent
    assert edit.result["text"] == "Signed by Ada"
    assert errors == []


async def test_group_command_with_bot_username_is_routed(fake: FakeTelegram) -> None:
    async def on_sign(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text("signed: " + " ".join(context.args or []))

    application = fake.application_builder().build()
    application.add_handler(CommandHandler("sign", on_sign))
    errors = _collect_errors(application)
    ada = fake.new_user("Ada")
    group = fake.new_group("Letter signers")

    async with run_application(application, poll_timeout=2):
        fake.feed_command(ada, group, "/sign@other_bot Bob")
        command = fake.feed_command(ada, group, "/sign@pledge_test_bot Ada | teacher")
        call = await fake.wait_for("sendMessage")

    # Updates are handled in order, so a routed /sign@other_bot would have answered first.
    assert [c.params["text"] for c in fake.calls_to("sendMessage")] == ["signed: Ada | teacher"]
    assert call.params["chat_id"] == group.id
    command_id = command["message"]["message_id"]
    assert call.params["reply_parameters"]["message_id"] == command_id
    assert fake.last_sent(group)["reply_to_message"]["message_id"] == command_id
    assert command["message"]["entities"][0]["length"] == len("/sign@pledge_test_bot")
    assert errors == []


async def test_rate_limit_is_retried_by_aio_rate_limiter(
    fake: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    # RetryAfter() itself warns (PTBDeprecationWarning) unless PTB_TIMEDELTA opts in.
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    application = fake.application_builder().rate_limiter(AIORateLimiter(max_retries=1)).build()
    application.add_handler(CommandHandler("start", _start))
    errors = _collect_errors(application)
    ada = fake.new_user("Ada")
    fake.inject_rate_limit("sendMessage", retry_after=1)

    async with run_application(application, poll_timeout=2):
        fake.feed_command(ada, None, "/start")
        delivered = await fake.wait_for("sendMessage", lambda c: c.ok)

    limited, retried = fake.calls_to("sendMessage")
    assert limited.status == 429
    assert limited.response is not None
    assert limited.response["parameters"] == {"retry_after": 1}
    assert retried is delivered
    assert retried.time - limited.time >= 1.0
    assert len(fake.sent_messages(ada.id)) == 1
    assert errors == []


async def test_rate_limit_without_limiter_raises_retry_after(
    fake: FakeTelegram, bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    ada = fake.new_user("Ada")
    fake.private_chat(ada)
    fake.inject_rate_limit("sendMessage", retry_after=3)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(ada.id, "hello")
    assert caught.value.retry_after == dt.timedelta(seconds=3)
    await bot.send_message(ada.id, "hello")
    assert [c.status for c in fake.calls_to("sendMessage")] == [429, 200]


async def test_send_document_upload_is_recorded(fake: FakeTelegram, bot: Bot) -> None:
    ada = fake.new_user("Ada")
    chat = fake.private_chat(ada)
    payload = b"name,role\nAda,teacher\n"

    message = await bot.send_document(
        chat.id,
        document=payload,
        filename="signatures.csv",
        caption="<b>1</b> signature",
        parse_mode="HTML",
    )

    call = fake.calls_to("sendDocument")[-1]
    upload = call.files["document"]
    assert (upload.filename, upload.data) == ("signatures.csv", payload)
    assert call.params["caption"] == "<b>1</b> signature"
    assert call.params["chat_id"] == chat.id
    assert message.document is not None
    assert message.document.file_name == "signatures.csv"
    assert message.caption == "1 signature"
    assert message.caption_entities[0].type == "bold"
    assert fake.file_bytes(message.document.file_id) == payload
    downloaded = await (await bot.get_file(message.document.file_id)).download_as_bytearray()
    assert bytes(downloaded) == payload


async def test_handled_update_is_not_redelivered_after_polling_restart(
    fake: FakeTelegram,
) -> None:
    handled: asyncio.Queue[int] = asyncio.Queue()

    async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await handled.put(update.update_id)

    application = fake.application_builder().build()
    application.add_handler(MessageHandler(filters.TEXT, on_text))
    ada = fake.new_user("Ada")
    poll = dt.timedelta(seconds=2)

    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0, timeout=poll)
        first = fake.feed_text(ada, None, "one")
        assert await asyncio.wait_for(handled.get(), 5) == first["update_id"]
        await application.updater.stop()
        # The final getUpdates(timeout=0) confirmed the handled update.
        assert fake.calls_to("getUpdates")[-1].params["offset"] == first["update_id"] + 1
        assert fake.pending_updates == []

        await application.updater.start_polling(poll_interval=0, timeout=poll)
        second = fake.feed_text(ada, None, "two")
        assert await asyncio.wait_for(handled.get(), 5) == second["update_id"]
        await application.updater.stop()
        await application.stop()

    assert handled.empty()


async def test_get_updates_offset_limit_and_long_poll(fake: FakeTelegram, bot: Bot) -> None:
    ada = fake.new_user("Ada")
    u1, u2, u3 = (fake.feed_text(ada, None, text) for text in ("a", "b", "c"))

    assert [u.update_id for u in await bot.get_updates(limit=2)] == [
        u1["update_id"],
        u2["update_id"],
    ]
    # Not confirmed yet: served again.
    assert len(await bot.get_updates()) == 3
    remaining = await bot.get_updates(offset=u3["update_id"])
    assert [u.update_id for u in remaining] == [u3["update_id"]]
    assert [u["update_id"] for u in fake.pending_updates] == [u3["update_id"]]

    # An empty queue waits; a feed wakes the poll at once.
    offset = u3["update_id"] + 1
    poll = asyncio.create_task(bot.get_updates(offset=offset, timeout=30))
    await fake.wait_for("getUpdates", lambda c: c.params.get("timeout") == 30, answered=False)
    started = asyncio.get_running_loop().time()
    u4 = fake.feed_text(ada, None, "d")
    assert [u.update_id for u in await poll] == [u4["update_id"]]
    assert asyncio.get_running_loop().time() - started < 1

    # With nothing to serve, the poll answers [] after its timeout.
    assert await bot.get_updates(offset=u4["update_id"] + 1, timeout=1) == ()


async def test_close_wakes_a_pending_long_poll(fake: FakeTelegram) -> None:
    url = f"{fake.base_url}{fake.token}/getUpdates"
    async with aiohttp.ClientSession() as session:

        async def long_poll() -> dict[str, object]:
            async with session.post(url, data={"timeout": "30"}) as response:
                body: dict[str, object] = await response.json()
                return body

        poll = asyncio.create_task(long_poll())
        await fake.wait_for("getUpdates", answered=False)
        loop = asyncio.get_running_loop()
        started = loop.time()
        await fake.close()
        assert await poll == {"ok": True, "result": []}
        assert loop.time() - started < 2


async def test_second_poll_ends_the_first_with_conflict(fake: FakeTelegram) -> None:
    url = f"{fake.base_url}{fake.token}/getUpdates"
    async with aiohttp.ClientSession() as session:

        async def long_poll() -> tuple[int, dict[str, object]]:
            async with session.post(url, data={"timeout": "5"}) as response:
                return response.status, await response.json()

        first = asyncio.create_task(long_poll())
        await fake.wait_for("getUpdates", answered=False)
        second = asyncio.create_task(long_poll())
        status, body = await first
        assert status == 409
        assert "terminated by other getUpdates request" in str(body["description"])
        await fake.close()
        assert (await second)[0] == 200


async def test_polling_recovers_after_get_updates_fails(fake: FakeTelegram) -> None:
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text("pong")

    application = fake.application_builder().build()
    application.add_handler(MessageHandler(filters.TEXT, echo))
    ada = fake.new_user("Ada")
    fake.fail_get_updates(seconds=0.3)

    async with run_application(application, poll_timeout=2):
        fake.feed_text(ada, None, "ping")
        await fake.wait_for("sendMessage", timeout=8)

    statuses = [c.status for c in fake.calls_to("getUpdates")]
    assert statuses[0] == 502
    assert 200 in statuses


async def test_delay_makes_the_client_time_out(fake: FakeTelegram) -> None:
    ada = fake.new_user("Ada")
    fake.private_chat(ada)
    request = HTTPXRequest(read_timeout=0.3)
    async with Bot(fake.token, base_url=fake.base_url, request=request) as bot:
        fake.inject_delay("sendMessage", 5)
        with pytest.raises(TimedOut):
            await bot.send_message(ada.id, "lost")
        await fake.wait_for("sendMessage", lambda c: c.cancelled, answered=False)
        assert fake.sent_messages(ada.id) == []

        # process_first: sent, but the answer never arrives (a duplicate risk on retry).
        fake.inject_delay("sendMessage", 5, process_first=True)
        with pytest.raises(TimedOut):
            await bot.send_message(ada.id, "sent anyway")
        assert [m["text"] for m in fake.sent_messages(ada.id)] == ["sent anyway"]


async def test_forbidden_and_bad_requests(fake: FakeTelegram, bot: Bot) -> None:
    ada = fake.new_user("Ada")
    chat = fake.private_chat(ada)
    message = await bot.send_message(chat.id, "<b>hi</b>", parse_mode="HTML")

    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("<b>hi</b>", chat.id, message.message_id, parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(chat.id, "Ada <ada@example.org>", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(424242, "nobody")
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        button = InlineKeyboardButton("x", callback_data="x" * 65)
        await bot.send_message(chat.id, "long", reply_markup=InlineKeyboardMarkup([[button]]))

    fake.block_bot(ada)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(chat.id, "still there?")

    await bot.delete_message(chat.id, message.message_id)
    assert fake.message(chat, message.message_id) is None
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(chat.id, message.message_id)

    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("fooBar", api_kwargs={"x": 1})
    unknown = fake.calls_to("fooBar")[-1]
    assert unknown.status == 404
    assert unknown.error == "Not Found: method not found"


async def test_commands_members_and_chats_parse(fake: FakeTelegram, bot: Bot) -> None:
    scope = BotCommandScopeAllPrivateChats()
    await bot.set_my_commands([BotCommand("sign", "Sign the letter")], scope=scope)
    assert fake.commands_for({"type": "all_private_chats"}) == [
        {"command": "sign", "description": "Sign the letter"}
    ]
    assert [c.command for c in await bot.get_my_commands(scope=scope)] == ["sign"]
    await bot.delete_my_commands(scope=scope)
    assert fake.commands_for({"type": "all_private_chats"}) == []
    # One menu per language: ISO 639-1 codes only.
    await bot.set_my_commands([BotCommand("sign", "Firmar la carta")], language_code="es")
    assert fake.commands_for(language_code="es") == [
        {"command": "sign", "description": "Firmar la carta"}
    ]
    assert fake.commands_for() == []
    for wrong in ("pt-br", "pt_BR", "spa"):
        with pytest.raises(BadRequest, match=r"(?i)lang_code_invalid"):
            await bot.set_my_commands([BotCommand("sign", "Assinar")], language_code=wrong)

    owner, admin, muted, banned, stranger = (
        fake.new_user(name) for name in ("Olga", "Adam", "Mute", "Ban", "Stranger")
    )
    group = fake.new_supergroup("Signers", username="signers")
    fake.add_admin(group, owner, owner=True)
    fake.add_admin(group, admin)
    fake.set_member_status(group, muted, "restricted")
    fake.set_member_status(group, banned, "kicked")

    admins = await bot.get_chat_administrators(group.id)
    assert [type(a) for a in admins] == [ChatMemberOwner, ChatMemberAdministrator]
    assert isinstance(await bot.get_chat_member(group.id, muted.id), ChatMemberRestricted)
    assert isinstance(await bot.get_chat_member(group.id, banned.id), ChatMemberBanned)
    assert isinstance(await bot.get_chat_member("@signers", stranger.id), ChatMemberLeft)
    info = await bot.get_chat(group.id)
    assert (info.id, info.type, info.title) == (group.id, "supergroup", "Signers")
    assert fake.calls_to("getChatMember")[-1].params["chat_id"] == "@signers"


def test_render_html_matches_telegram() -> None:
    text, entities = render_html(
        "🎉 <b>Ada</b> &lt;3 <a href='https://x.org/?a=1&amp;b=2'>link</a>"
    )
    assert text == "🎉 Ada <3 link"
    assert entities == [
        {"type": "bold", "offset": 3, "length": 3},  # the emoji is 2 UTF-16 units
        {"type": "text_link", "url": "https://x.org/?a=1&b=2", "offset": 10, "length": 4},
    ]
    text, entities = render_html('<pre><code class="language-python">x = 1</code></pre>')
    assert entities == [{"type": "pre", "language": "python", "offset": 0, "length": 5}]
    for bad in ("a <br> b", "<b>open", "<b>x</i>", "x </b>", "1 < 2"):
        with pytest.raises(BotApiError, match="can't parse entities"):
            render_html(bad)


async def test_blocking_the_bot_feeds_my_chat_member(fake: FakeTelegram) -> None:
    changes: asyncio.Queue[tuple[str, str]] = asyncio.Queue()

    async def on_member(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        change = update.my_chat_member
        assert change is not None
        await changes.put((change.old_chat_member.status, change.new_chat_member.status))

    application = fake.application_builder().build()
    application.add_handler(ChatMemberHandler(on_member, ChatMemberHandler.MY_CHAT_MEMBER))
    errors = _collect_errors(application)
    ada = fake.new_user("Ada")

    async with run_application(application, poll_timeout=2):
        fake.block_bot(ada, notify=True)
        assert await asyncio.wait_for(changes.get(), 5) == ("member", "kicked")
        with pytest.raises(Forbidden):
            await application.bot.send_message(ada.id, "hello?")
        # Writing to the bot again unblocks it.
        fake.feed_text(ada, None, "hi again")
        await application.bot.send_message(ada.id, "welcome back")

    assert [c.status for c in fake.calls_to("sendMessage")] == [403, 200]
    assert errors == []


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


def _shares_a_container(original: Any, copied: Any) -> bool:
    if isinstance(original, dict | list) and original is copied:
        return True
    if isinstance(original, dict):
        return any(_shares_a_container(original[key], copied[key]) for key in original)
    if isinstance(original, list):
        return any(map(_shares_a_container, original, copied))
    return False


@settings(max_examples=100, deadline=None)
@given(_json_values)
def test_json_copy_is_a_deep_copy(value: Any) -> None:
    """The fake hands out copies of its messages (``fake.message()``, getUpdates, a send's
    result): whoever mutates one must not change what the fake stored, as with deepcopy."""
    copied = json_copy(value)
    assert copied == copy.deepcopy(value)
    assert not _shares_a_container(value, copied)
