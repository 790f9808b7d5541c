"""A loopback fake of the Telegram Bot API for driving the real python-telegram-bot.

Why a fake server rather than mocks: the adapter's bugs live at the seam with the library —
how PTB encodes parameters, parses answers, retries 429s, long-polls and shuts down. Running
the real ``Application`` against an HTTP server on 127.0.0.1 exercises all of that, while the
fake keeps enough state (chats, message ids, stored and edited messages, administrators,
blocked users) to answer the way Telegram does, errors included.

Usage::

    async with FakeTelegram() as fake:
        application = fake.application_builder().build()   # token + base_url + base_file_url
        application.add_handler(CommandHandler("start", on_start))
        async with run_application(application):
            ada = fake.new_user("Ada", username="ada")
            fake.feed_command(ada, None, "/start")
            call = await fake.wait_for("sendMessage")
            assert call.params["chat_id"] == ada.id

Wire format (as PTB 22 sends it): every method is a POST to ``base_url + token + "/" + method``
with a form-urlencoded body (multipart when a file is uploaded); strings are sent raw, every
other value JSON-encoded field by field. :func:`decode_param` undoes that. Answers are
``{"ok": true, "result": …}`` or ``{"ok": false, "error_code", "description", "parameters"?}``.

Only ``parse_mode="HTML"`` is rendered (into plain text + entities, with Telegram's errors for
unsupported or unbalanced tags); Markdown texts are stored as sent.

The package, by what each module holds: ``models`` (users, chats, files, recorded calls, chat
state), ``wire`` (PTB's parameter encoding), ``formatting`` (the HTML parse mode, length limits,
inline keyboards), ``errors`` and ``faults`` (Bot API errors and fault injection), ``journal``
(waiting on recorded calls), ``chats``, ``updates`` (what a test feeds the bot), ``polling``
(``getUpdates``, the webhook methods, `run_application`), ``messages``, ``commands``, ``state``
(what the fake holds) and ``server`` (`FakeTelegram` itself).
"""

from __future__ import annotations

from tests.fakes.fake_telegram.errors import BotApiError
from tests.fakes.fake_telegram.faults import Fault
from tests.fakes.fake_telegram.formatting import (
    MAX_CALLBACK_DATA_BYTES,
    MAX_CAPTION_LENGTH,
    MAX_TEXT_LENGTH,
    render_html,
    utf16_len,
)
from tests.fakes.fake_telegram.models import (
    ADMIN_RIGHTS,
    DEFAULT_BOT_ID,
    DEFAULT_BOT_USERNAME,
    JSON,
    RESTRICTED_RIGHTS,
    ApiCall,
    ChatRef,
    ChatType,
    FakeChat,
    FakeUser,
    MemberStatus,
    StoredFile,
    UploadedFile,
    chat_member_api,
)
from tests.fakes.fake_telegram.polling import run_application
from tests.fakes.fake_telegram.server import FakeTelegram
from tests.fakes.fake_telegram.wire import STRING_FIELDS, decode_param

__all__ = [
    "ADMIN_RIGHTS",
    "DEFAULT_BOT_ID",
    "DEFAULT_BOT_USERNAME",
    "JSON",
    "MAX_CALLBACK_DATA_BYTES",
    "MAX_CAPTION_LENGTH",
    "MAX_TEXT_LENGTH",
    "RESTRICTED_RIGHTS",
    "STRING_FIELDS",
    "ApiCall",
    "BotApiError",
    "ChatRef",
    "ChatType",
    "FakeChat",
    "FakeTelegram",
    "FakeUser",
    "Fault",
    "MemberStatus",
    "StoredFile",
    "UploadedFile",
    "chat_member_api",
    "decode_param",
    "render_html",
    "run_application",
    "utf16_len",
]
