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
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import datetime as dt
import itertools
import json
import re
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from aiohttp import web

if TYPE_CHECKING:
    from telegram.ext import Application, ApplicationBuilder

__all__ = [
    "DEFAULT_BOT_ID",
    "DEFAULT_BOT_USERNAME",
    "ApiCall",
    "ChatType",
    "FakeChat",
    "FakeTelegram",
    "FakeUser",
    "Fault",
    "MemberStatus",
    "StoredFile",
    "UploadedFile",
    "decode_param",
    "render_html",
    "run_application",
]

JSON = dict[str, Any]
ChatType = Literal["private", "group", "supergroup", "channel"]
MemberStatus = Literal["creator", "administrator", "member", "restricted", "left", "kicked"]

DEFAULT_BOT_ID = 7_000_000_001
DEFAULT_BOT_USERNAME = "pledge_test_bot"

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64

# Fields whose value PTB sends as a raw string: never JSON-decode them, or a text of "123"
# or "true" would turn into a number or a bool.
STRING_FIELDS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "inline_message_id",
        "url",
        "language_code",
        "secret_token",
        "ip_address",
        "file_id",
        "title",
        "description",
        "short_description",
        "name",
        "query",
        "emoji",
        "action",
        "business_connection_id",
        "message_effect_id",
        "document",
        "photo",
        "audio",
        "video",
        "animation",
        "voice",
        "sticker",
        "thumbnail",
        "custom_title",
        "first_name",
        "last_name",
        "phone_number",
        "address",
        "question",
        "explanation",
        "invite_link",
    }
)


# --------------------------------------------------------------------------------------------
# Small value types
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FakeUser:
    """A Telegram user (or bot) as the fake knows it; ``to_api()`` gives the Bot API dict."""

    id: int
    first_name: str
    username: str | None = None
    last_name: str | None = None
    is_bot: bool = False
    language_code: str | None = "en"

    def to_api(self) -> JSON:
        data: JSON = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code and not self.is_bot:
            data["language_code"] = self.language_code
        return data


@dataclass(frozen=True)
class FakeChat:
    """A chat: private (id = the user's id), group, supergroup or channel (negative ids)."""

    id: int
    type: ChatType
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None

    @classmethod
    def private(cls, user: FakeUser) -> FakeChat:
        """The private chat between ``user`` and the bot; Telegram gives it the user's id."""
        return cls(
            id=user.id,
            type="private",
            username=user.username,
            first_name=user.first_name,
            last_name=user.last_name,
        )

    @classmethod
    def group(cls, id: int, title: str) -> FakeChat:
        """A basic group; ids are negative (e.g. ``-4012345678``)."""
        return cls(id=_negative(id), type="group", title=title)

    @classmethod
    def supergroup(cls, id: int, title: str, username: str | None = None) -> FakeChat:
        """A supergroup; ids look like ``-100XXXXXXXXXX``."""
        return cls(id=_negative(id), type="supergroup", title=title, username=username)

    @classmethod
    def channel(cls, id: int, title: str, username: str | None = None) -> FakeChat:
        """A channel; ids look like ``-100XXXXXXXXXX``, posts come as ``channel_post``."""
        return cls(id=_negative(id), type="channel", title=title, username=username)

    def to_api(self) -> JSON:
        data: JSON = {"id": self.id, "type": self.type}
        for key in ("title", "username", "first_name", "last_name"):
            value = getattr(self, key)
            if value:
                data[key] = value
        return data


@dataclass(frozen=True)
class UploadedFile:
    """One multipart file part of a request, as the client sent it."""

    field: str
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class StoredFile:
    """A file the fake holds (uploaded by the bot); served by ``getFile`` and the file URL."""

    file_id: str
    file_unique_id: str
    file_path: str
    filename: str
    mime_type: str
    data: bytes


@dataclass
class ApiCall:
    """One request to the fake, recorded in arrival order.

    ``params`` are decoded (JSON where the field is not a string field); ``files`` hold the
    multipart uploads by field name. ``status``/``response`` are filled when the fake answers;
    ``cancelled`` is set when the client went away first (timeouts, shutdown of polling).
    """

    method: str
    params: JSON
    files: dict[str, UploadedFile]
    time: float
    http_method: str = "POST"
    status: int | None = None
    response: JSON | None = None
    answered_at: float | None = None
    cancelled: bool = False

    @property
    def answered(self) -> bool:
        return self.status is not None

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def result(self) -> Any:
        """The ``result`` of a successful answer (raises if the call failed or is pending)."""
        if not self.ok or self.response is None:
            raise AssertionError(f"{self.method} did not succeed: {self.status} {self.response}")
        return self.response["result"]

    @property
    def error(self) -> str | None:
        """The error ``description`` of a failed answer, else ``None``."""
        if self.response is None or self.response.get("ok"):
            return None
        return str(self.response.get("description"))


@dataclass(frozen=True)
class Fault:
    """An injected answer for one call: an error and/or a delay before answering.

    ``status`` None means "answer normally" (after ``delay``). With ``process_first`` the call
    takes effect before the delay, so a client that times out has still sent its message.
    """

    status: int | None = None
    description: str | None = None
    retry_after: float | None = None
    delay: float = 0.0
    process_first: bool = False

    def error_body(self) -> JSON:
        assert self.status is not None
        body: JSON = {
            "ok": False,
            "error_code": self.status,
            "description": self.description or _default_description(self.status, self),
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


class BotApiError(Exception):
    """Raised inside the fake's method handlers; becomes a Bot API error answer."""

    def __init__(self, status: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def body(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def _bad_request(what: str) -> BotApiError:
    return BotApiError(400, f"Bad Request: {what}")


def _default_description(status: int, fault: Fault) -> str:
    if status == 429:
        return f"Too Many Requests: retry after {fault.retry_after}"
    return {
        400: "Bad Request",
        401: "Unauthorized",
        403: "Forbidden",
        404: "Not Found",
        409: "Conflict",
        500: "Internal Server Error",
        502: "Bad Gateway",
        503: "Service Unavailable",
        504: "Gateway Timeout",
    }.get(status, f"Error {status}")


def _negative(chat_id: int) -> int:
    return chat_id if chat_id < 0 else -chat_id


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units: the unit of Telegram entity offsets and lengths."""
    return len(text.encode("utf-16-le")) // 2


def decode_param(name: str, raw: str) -> Any:
    """Undo PTB's field encoding: strings raw, everything else JSON-encoded.

    Known string fields stay strings; other fields are JSON-decoded where they parse
    (``"1001"`` → 1001, ``'{"inline_keyboard": …}'`` → dict) and kept raw otherwise
    (``chat_id="@channel"``).
    """
    if name in STRING_FIELDS:
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw


class _Signal:
    """A broadcast wake-up: ``notify()`` wakes every current waiter; no lost wake-ups.

    Waiters must read their condition and call ``wait()`` without awaiting in between, which
    asyncio's single thread guarantees.
    """

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, seconds: float | None) -> None:
        """Until the next ``notify()`` or at most ``seconds``."""
        event = self._event
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await event.wait()


# --------------------------------------------------------------------------------------------
# HTML parse mode
# --------------------------------------------------------------------------------------------

_TAG_RE = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)"
    r"((?:\s+[^\s=>/\"']+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>\"']+))?)*)\s*>"
)
_ATTR_RE = re.compile(r"([^\s=>/\"']+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>\"']+))?")
_ENTITY_RE = re.compile(r"&(lt|gt|amp|quot|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});")
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
}


def _unescape(text: str) -> str:
    return _ENTITY_RE.sub(lambda m: _decode_entity(m.group(1)), text)


def _decode_entity(name: str) -> str:
    if name in _NAMED_ENTITIES:
        return _NAMED_ENTITIES[name]
    number = int(name[2:], 16) if name.startswith("#x") else int(name[1:])
    return chr(number) if 0 < number <= 0x10FFFF else ""


def _parse_error(source: str, index: int, what: str) -> BotApiError:
    offset = len(source[:index].encode("utf-8"))
    return _bad_request(f"can't parse entities: {what} at byte offset {offset}")


@dataclass
class _OpenTag:
    name: str
    start: int
    entity: JSON | None
    language: str | None = None


def _open_tag(name: str, attrs: dict[str, str], start: int) -> _OpenTag | None:
    """The entity a start tag opens, or None for an unsupported tag."""
    if name in _SIMPLE_TAGS:
        entity: JSON | None = {"type": _SIMPLE_TAGS[name]}
        language = None
        if name == "code":
            css = attrs.get("class", "")
            language = css.removeprefix("language-") if css.startswith("language-") else None
        return _OpenTag(name, start, entity, language)
    if name == "span":
        if attrs.get("class") != "tg-spoiler":
            return None
        return _OpenTag(name, start, {"type": "spoiler"})
    if name == "a":
        href = attrs.get("href")
        if not href:
            return _OpenTag(name, start, None)
        match = re.fullmatch(r"tg://user\?id=(\d+)", href)
        if match:
            user = {"id": int(match.group(1)), "is_bot": False, "first_name": ""}
            return _OpenTag(name, start, {"type": "text_mention", "user": user})
        return _OpenTag(name, start, {"type": "text_link", "url": href})
    if name == "blockquote":
        kind = "expandable_blockquote" if "expandable" in attrs else "blockquote"
        return _OpenTag(name, start, {"type": kind})
    if name == "tg-emoji":
        return _OpenTag(
            name, start, {"type": "custom_emoji", "custom_emoji_id": attrs.get("emoji-id", "")}
        )
    return None


def render_html(source: str) -> tuple[str, list[JSON]]:
    """Render a ``parse_mode="HTML"`` text the way Telegram does: plain text + entities.

    Raises :class:`BotApiError` 400 "can't parse entities: …" for unsupported tags (``<br>``,
    a bare ``<`` in user input), unbalanced or unclosed tags — the errors an adapter that forgets
    to escape user-supplied names would meet in production.
    """
    out: list[str] = []
    position = 0  # in UTF-16 units
    stack: list[_OpenTag] = []
    entities: list[JSON] = []
    index = 0
    while index < len(source):
        char = source[index]
        if char == "<":
            match = _TAG_RE.match(source, index)
            if match is None:
                raise _parse_error(source, index, "Unexpected end of name token")
            closing, name = match.group(1) == "/", match.group(2).lower()
            if closing:
                _close_tag(source, index, name, stack, entities, position)
            else:
                attrs = {
                    key.lower(): _unescape(value.strip("\"'")) if value else ""
                    for key, value in _ATTR_RE.findall(match.group(3))
                }
                tag = _open_tag(name, attrs, position)
                if tag is None:
                    raise _parse_error(source, index, f'Unsupported start tag "{name}"')
                stack.append(tag)
            index = match.end()
            continue
        if char == "&" and (match := _ENTITY_RE.match(source, index)):
            piece = _decode_entity(match.group(1))
            index = match.end()
        else:
            piece = char
            index += 1
        out.append(piece)
        position += utf16_len(piece)
    if stack:
        name = stack[-1].name
        raise _bad_request(
            f"can't parse entities: Can't find end tag corresponding to start tag \"{name}\""
        )
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _close_tag(
    source: str,
    index: int,
    name: str,
    stack: list[_OpenTag],
    entities: list[JSON],
    position: int,
) -> None:
    if not stack:
        raise _parse_error(source, index, "Unexpected end tag")
    tag = stack.pop()
    if tag.name != name:
        raise _parse_error(
            source, index, f'Unmatched end tag, expected "</{tag.name}>", found "</{name}>"'
        )
    length = position - tag.start
    if tag.entity is None or length <= 0:
        return
    if tag.name == "code" and stack and stack[-1].name == "pre":
        # <pre><code class="language-x"> is one "pre" entity with a language.
        if tag.language and stack[-1].entity is not None:
            stack[-1].entity["language"] = tag.language
        return
    entities.append({**tag.entity, "offset": tag.start, "length": length})


# --------------------------------------------------------------------------------------------
# Chat state
# --------------------------------------------------------------------------------------------


@dataclass
class _ChatState:
    """Everything the fake knows about one chat."""

    chat: FakeChat
    messages: dict[int, JSON] = field(default_factory=dict)
    next_message_id: int = 1
    members: dict[int, MemberStatus] = field(default_factory=dict)
    bot_removed: bool = False

    def allocate_message_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id


ADMIN_RIGHTS: JSON = {
    "can_be_edited": False,
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": True,
    "can_edit_stories": True,
    "can_delete_stories": True,
    "can_pin_messages": True,
}
RESTRICTED_RIGHTS: JSON = {
    "is_member": True,
    "can_change_info": False,
    "can_invite_users": False,
    "can_pin_messages": False,
    "can_send_messages": False,
    "can_send_polls": False,
    "can_send_other_messages": False,
    "can_add_web_page_previews": False,
    "can_manage_topics": False,
    "until_date": 0,
    "can_send_audios": False,
    "can_send_documents": False,
    "can_send_photos": False,
    "can_send_videos": False,
    "can_send_video_notes": False,
    "can_send_voice_notes": False,
    "can_edit_tag": False,
    "can_react_to_messages": False,
}


def chat_member_api(user: FakeUser, status: MemberStatus) -> JSON:
    """A ChatMember dict PTB can parse (each status has its own required fields)."""
    data: JSON = {"status": status, "user": user.to_api()}
    if status == "creator":
        data["is_anonymous"] = False
    elif status == "administrator":
        data.update(ADMIN_RIGHTS)
    elif status == "restricted":
        data.update(RESTRICTED_RIGHTS)
    elif status == "kicked":
        data["until_date"] = 0
    return data


ChatRef = FakeChat | int
Handler = Callable[["ApiCall"], Awaitable[Any]]


# --------------------------------------------------------------------------------------------
# The fake
# --------------------------------------------------------------------------------------------


class FakeTelegram:
    """The fake Bot API server plus the state and helpers tests drive it with.

    Start with ``async with FakeTelegram() as fake`` (or ``await fake.start()`` /
    ``await fake.close()``). Feed updates with ``feed_*``, inspect ``calls`` / ``wait_for``,
    inject faults with ``inject_*`` / ``break_method``.
    """

    def __init__(
        self,
        *,
        bot_id: int = DEFAULT_BOT_ID,
        bot_username: str = DEFAULT_BOT_USERNAME,
        bot_first_name: str = "Pledge Test Bot",
        token: str | None = None,
    ) -> None:
        self.bot = FakeUser(
            id=bot_id, first_name=bot_first_name, username=bot_username, is_bot=True
        )
        self.token = token or f"{bot_id}:AAFakeTokenForLoopbackTests_0123456789"
        self.calls: list[ApiCall] = []
        self.users: dict[int, FakeUser] = {bot_id: self.bot}
        self.chats: dict[int, _ChatState] = {}
        self.blocked_by: set[int] = set()
        self.webhook: JSON | None = None
        self.commands: dict[tuple[str, str], list[JSON]] = {}
        self.callback_answers: dict[str, JSON] = {}
        self.files: dict[str, StoredFile] = {}
        self.delivered_update_ids: set[int] = set()

        self._pending_updates: list[JSON] = []
        self._update_ids = itertools.count(100_000_001)
        self._user_ids = itertools.count(1_000_001)
        self._group_ids = itertools.count(4_000_000_001)
        self._supergroup_ids = itertools.count(1_002_000_000_001)
        self._channel_ids = itertools.count(1_003_000_000_001)
        self._callback_ids = itertools.count(5_000_000_000_000_001)
        self._file_ids = itertools.count(1)
        self._open_callbacks: set[str] = set()
        self._sent: list[tuple[int, int]] = []
        self._sent_keys: set[tuple[int, int]] = set()
        self._faults: dict[str, deque[Fault]] = {}
        self._broken: dict[str, tuple[Fault, float | None]] = {}
        self._poll_generation = 0
        self._allowed_updates: frozenset[str] | None = None
        self._closing = False
        self._updates_signal = _Signal()
        self._calls_signal = _Signal()
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._handlers: dict[str, Handler] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "deleteWebhook": self._delete_webhook,
            "setWebhook": self._set_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "editMessageCaption": self._edit_message_caption,
            "answerCallbackQuery": self._answer_callback_query,
            "sendDocument": self._send_document,
            "sendChatAction": self._send_chat_action,
            "getFile": self._get_file,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "getChatAdministrators": self._get_chat_administrators,
            "getChatMember": self._get_chat_member,
            "getChat": self._get_chat,
            "deleteMessage": self._delete_message,
        }
        self._handlers_lower = {name.lower(): name for name in self._handlers}

    # ---- lifecycle ------------------------------------------------------------------------

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def start(self) -> None:
        """Bind 127.0.0.1 on a free port and start serving."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_route("GET", "/file/bot{token}/{path:.+}", self._handle_file)
        # handler_cancellation: a long poll or delayed answer whose client gave up (PTB cancels
        # its getUpdates on stop, timeouts) is cancelled instead of lingering until shutdown.
        self._runner = web.AppRunner(
            app, handle_signals=False, handler_cancellation=True, shutdown_timeout=2.0
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = int(self._runner.addresses[0][1])

    async def close(self) -> None:
        """Wake pending long polls and delays, then stop the server. Idempotent."""
        self._closing = True
        self._updates_signal.notify()
        self._calls_signal.notify()
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeTelegram is not started")
        return self._port

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url(...)``: PTB appends ``token + "/" + method``."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``ApplicationBuilder().base_file_url(...)``: file downloads."""
        return f"http://127.0.0.1:{self.port}/file/bot"

    def application_builder(self) -> ApplicationBuilder[Any, Any, Any, Any, Any, Any]:
        """A PTB ``ApplicationBuilder`` with token, base_url and base_file_url set.

        Add ``.rate_limiter(AIORateLimiter(...))``, timeouts etc. before ``.build()``.
        """
        from telegram.ext import ApplicationBuilder

        return (
            ApplicationBuilder()
            .token(self.token)
            .base_url(self.base_url)
            .base_file_url(self.base_file_url)
        )

    # ---- users and chats ------------------------------------------------------------------

    def new_user(
        self,
        first_name: str = "Test",
        *,
        username: str | None = None,
        last_name: str | None = None,
        language_code: str | None = "en",
        id: int | None = None,
    ) -> FakeUser:
        """Create and register a user with a fresh positive id."""
        user = FakeUser(
            id=id if id is not None else next(self._user_ids),
            first_name=first_name,
            username=username,
            last_name=last_name,
            language_code=language_code,
        )
        self.users[user.id] = user
        return user

    def private_chat(self, user: FakeUser) -> FakeChat:
        """The user's private chat with the bot (registered)."""
        self.users.setdefault(user.id, user)
        return self.add_chat(FakeChat.private(user))

    def new_group(self, title: str = "Test group") -> FakeChat:
        return self.add_chat(FakeChat.group(next(self._group_ids), title))

    def new_supergroup(
        self, title: str = "Test supergroup", username: str | None = None
    ) -> FakeChat:
        return self.add_chat(FakeChat.supergroup(next(self._supergroup_ids), title, username))

    def new_channel(self, title: str = "Test channel", username: str | None = None) -> FakeChat:
        """A channel where the bot is an administrator (it must be, to post)."""
        chat = self.add_chat(FakeChat.channel(next(self._channel_ids), title, username))
        self.set_member_status(chat, self.bot, "administrator")
        return chat

    def add_chat(self, chat: FakeChat) -> FakeChat:
        """Register a chat (no-op if known). Feeding an update registers its chat too."""
        if chat.id not in self.chats:
            self.chats[chat.id] = _ChatState(chat)
        return self.chats[chat.id].chat

    def set_member_status(self, chat: ChatRef, user: FakeUser, status: MemberStatus) -> None:
        """Set what ``getChatMember`` answers (and whether ``getChatAdministrators`` lists)."""
        self.users.setdefault(user.id, user)
        self._state(chat).members[user.id] = status

    def add_admin(self, chat: ChatRef, user: FakeUser, *, owner: bool = False) -> None:
        """Make ``user`` an administrator (or the creator) of ``chat``."""
        self.set_member_status(chat, user, "creator" if owner else "administrator")

    def member_status(self, chat: ChatRef, user_id: int) -> MemberStatus:
        """Explicit status, else "member" if the user ever posted there / it is their DM."""
        state = self._state(chat)
        if user_id in state.members:
            return state.members[user_id]
        if state.chat.type == "private":
            return "member" if user_id in (state.chat.id, self.bot.id) else "left"
        if user_id == self.bot.id:
            return "left" if state.bot_removed else "member"
        posted = any(m.get("from", {}).get("id") == user_id for m in state.messages.values())
        return "member" if posted else "left"

    def block_bot(self, user: FakeUser, *, notify: bool = False) -> None:
        """The user blocked the bot: sends to their private chat answer 403.

        With ``notify`` the ``my_chat_member`` update Telegram sends (member → kicked) is fed.
        """
        chat = self.private_chat(user)
        self.blocked_by.add(user.id)
        if notify:
            self._feed_my_chat_member(chat, user, "member", "kicked")

    def unblock_bot(self, user: FakeUser, *, notify: bool = False) -> None:
        """Undo ``block_bot`` (a message from the user in their private chat also does)."""
        chat = self.private_chat(user)
        self.blocked_by.discard(user.id)
        if notify:
            self._feed_my_chat_member(chat, user, "kicked", "member")

    def remove_bot(
        self, chat: ChatRef, *, by: FakeUser | None = None, notify: bool = False
    ) -> None:
        """The bot was kicked from a group/supergroup/channel: sends there answer 403.

        With ``notify`` (needs ``by``) the matching ``my_chat_member`` update is fed.
        """
        state = self._state(chat)
        old = self.member_status(state.chat, self.bot.id)
        state.bot_removed = True
        state.members[self.bot.id] = "kicked"
        if notify:
            if by is None:
                raise ValueError("notify needs the user who removed the bot (by=...)")
            self._feed_my_chat_member(state.chat, by, old, "kicked")

    def add_bot(
        self,
        chat: ChatRef,
        *,
        by: FakeUser,
        status: MemberStatus = "member",
        notify: bool = True,
    ) -> None:
        """The bot joins (or is re-added to) a chat; feeds ``my_chat_member`` by default."""
        state = self._state(chat)
        old = "left" if state.bot_removed else self.member_status(state.chat, self.bot.id)
        state.bot_removed = False
        state.members[self.bot.id] = status
        self.users.setdefault(by.id, by)
        if notify:
            self._feed_my_chat_member(state.chat, by, old, status)

    def _feed_my_chat_member(
        self, chat: FakeChat, by: FakeUser, old: MemberStatus, new: MemberStatus
    ) -> JSON:
        return self.feed_update(
            {
                "my_chat_member": {
                    "chat": chat.to_api(),
                    "from": by.to_api(),
                    "date": int(time.time()),
                    "old_chat_member": chat_member_api(self.bot, old),
                    "new_chat_member": chat_member_api(self.bot, new),
                }
            }
        )

    # ---- stored messages ------------------------------------------------------------------

    def message(self, chat: ChatRef, message_id: int) -> JSON | None:
        """The current state of a stored message (after edits), or None if absent/deleted."""
        state = self.chats.get(_chat_id(chat))
        if state is None or message_id not in state.messages:
            return None
        return copy.deepcopy(state.messages[message_id])

    def sent_messages(self, chat: ChatRef | None = None) -> list[JSON]:
        """Messages the bot sent and that still exist, oldest first, in their current state."""
        found = []
        for chat_id, message_id in self._sent:
            if chat is not None and chat_id != _chat_id(chat):
                continue
            message = self.message(chat_id, message_id)
            if message is not None:
                found.append(message)
        return found

    def last_sent(self, chat: ChatRef | None = None) -> JSON:
        """The newest existing bot message (in ``chat``); AssertionError if there is none."""
        messages = self.sent_messages(chat)
        if not messages:
            raise AssertionError("the bot has sent no message" + (f" to {chat}" if chat else ""))
        return messages[-1]

    def file_bytes(self, file_id: str) -> bytes:
        return self.files[file_id].data

    def commands_for(self, scope: JSON | None = None, language_code: str = "") -> list[JSON]:
        """Commands last set by ``setMyCommands`` for a scope (None = default scope)."""
        return list(self.commands.get((_scope_key(scope), language_code), []))

    # ---- feeding updates ------------------------------------------------------------------

    def feed_update(self, update: JSON) -> JSON:
        """Queue a raw update (``update_id`` assigned if missing) and wake long polls."""
        if "update_id" not in update:
            update = {"update_id": next(self._update_ids), **update}
        self._pending_updates.append(update)
        self._updates_signal.notify()
        return update

    def feed_text(
        self,
        user: FakeUser,
        chat: FakeChat | None,
        text: str,
        *,
        reply_to: JSON | int | None = None,
        entities: list[JSON] | None = None,
    ) -> JSON:
        """A text message from ``user`` in ``chat`` (None = their private chat).

        ``reply_to`` is a stored message dict (e.g. the bot's) or a message id in ``chat``.
        In a channel the update is a ``channel_post`` signed by the channel.
        """
        chat = self.add_chat(chat) if chat is not None else self.private_chat(user)
        self.users.setdefault(user.id, user)
        if chat.type == "private":
            self.blocked_by.discard(user.id)  # writing to a bot you blocked means unblocking it
        state = self.chats[chat.id]
        message: JSON = {
            "message_id": state.allocate_message_id(),
            "date": int(time.time()),
            "chat": chat.to_api(),
            "text": text,
        }
        if chat.type == "channel":
            message["sender_chat"] = chat.to_api()
        else:
            message["from"] = user.to_api()
        if entities:
            message["entities"] = entities
        if reply_to is not None:
            message["reply_to_message"] = self._reply_target(chat, reply_to)
        state.messages[message["message_id"]] = message
        kind = "channel_post" if chat.type == "channel" else "message"
        return self.feed_update({kind: copy.deepcopy(message)})

    def feed_command(
        self,
        user: FakeUser,
        chat: FakeChat | None,
        text: str,
        *,
        reply_to: JSON | int | None = None,
    ) -> JSON:
        """A command message, e.g. ``"/sign Ada | teacher"`` or ``"/start@pledge_test_bot"``.

        Adds the ``bot_command`` entity PTB's CommandHandler needs: offset 0, length of the
        first word (the command including an optional ``@botname``), in UTF-16 units.
        """
        if not text.startswith("/"):
            raise ValueError(f"a command starts with '/': {text!r}")
        command = text.split(maxsplit=1)[0]
        entity = {"type": "bot_command", "offset": 0, "length": utf16_len(command)}
        return self.feed_text(user, chat, text, reply_to=reply_to, entities=[entity])

    def feed_callback(
        self,
        user: FakeUser,
        message: JSON,
        data: str,
        *,
        check_button: bool = True,
    ) -> JSON:
        """A click on an inline button of a stored (bot) message.

        The update carries the message's *current* state. With ``check_button`` the data must
        be on one of its buttons now, as Telegram can only send data a keyboard shows.
        """
        chat_id = message["chat"]["id"]
        current = self.message(chat_id, message["message_id"])
        if current is None:
            raise ValueError(f"message {message['message_id']} in {chat_id} does not exist")
        if check_button and data not in _callback_datas(current):
            raise ValueError(f"no button with callback_data {data!r} on the message now")
        self.users.setdefault(user.id, user)
        query_id = str(next(self._callback_ids))
        self._open_callbacks.add(query_id)
        query = {
            "id": query_id,
            "from": user.to_api(),
            "message": current,
            "chat_instance": f"{abs(chat_id) * 7919 % 10**12}",
            "data": data,
        }
        return self.feed_update({"callback_query": query})

    def feed_button(self, user: FakeUser, message: JSON, text: str) -> JSON:
        """Click the inline button labelled ``text`` on the message's current keyboard."""
        current = self.message(message["chat"]["id"], message["message_id"]) or message
        for row in current.get("reply_markup", {}).get("inline_keyboard", []):
            for button in row:
                if button.get("text") == text and "callback_data" in button:
                    return self.feed_callback(user, current, button["callback_data"])
        raise ValueError(f"no callback button {text!r} on the message")

    @property
    def pending_updates(self) -> list[JSON]:
        """Updates not yet confirmed by a getUpdates offset."""
        return list(self._pending_updates)

    # ---- recorded calls -------------------------------------------------------------------

    def calls_to(self, method: str) -> list[ApiCall]:
        """Every recorded call of ``method`` (answered or not), in arrival order."""
        return [call for call in self.calls if call.method == method]

    def mark(self) -> int:
        """A cursor for ``wait_for(since=...)``: only calls recorded after now."""
        return len(self.calls)

    async def wait_for(
        self,
        method: str,
        predicate: Callable[[ApiCall], bool] | None = None,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - a test deadline, reported in the error
        since: int = 0,
        answered: bool = True,
    ) -> ApiCall:
        """The first call of ``method`` (from index ``since``) matching ``predicate``.

        By default only answered calls match, so the fake's state already reflects the call.
        Raises TimeoutError listing the calls seen.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            for call in self.calls[since:]:
                if call.method != method or (answered and not call.answered):
                    continue
                if predicate is None or predicate(call):
                    return call
            remaining = deadline - loop.time()
            if remaining <= 0 or self._closing:
                seen = [f"{c.method}:{c.status}" for c in self.calls[since:]]
                raise TimeoutError(f"no matching {method} call within {timeout}s; seen {seen}")
            await self._calls_signal.wait(remaining)

    async def wait_for_count(
        self,
        method: str,
        count: int,
        predicate: Callable[[ApiCall], bool] | None = None,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - a test deadline, reported in the error
        since: int = 0,
    ) -> list[ApiCall]:
        """The first ``count`` answered calls of ``method`` matching ``predicate``."""
        found: list[ApiCall] = []
        cursor = since
        for _ in range(count):
            call = await self.wait_for(method, predicate, timeout=timeout, since=cursor)
            found.append(call)
            cursor = self.calls.index(call) + 1
        return found

    async def wait_for_delivery(
        self,
        update: JSON,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - a test deadline, reported in the error
    ) -> None:
        """Wait until a getUpdates answer carried ``update``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while update["update_id"] not in self.delivered_update_ids:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"update {update['update_id']} not delivered in {timeout}s")
            await self._calls_signal.wait(remaining)

    # ---- fault injection ------------------------------------------------------------------

    def inject(self, method: str, fault: Fault, *, times: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` with ``fault`` (queued in order)."""
        self._faults.setdefault(method, deque()).extend([fault] * times)

    def inject_rate_limit(self, method: str, *, retry_after: float = 1, times: int = 1) -> None:
        """Next calls answer 429 with ``parameters.retry_after``.

        The Bot API sends an int; PTB also accepts a float (it becomes a timedelta). It must be
        > 0: PTB tests ``if retry_after:``, so 0 would not raise ``RetryAfter``.
        """
        if retry_after <= 0:
            raise ValueError("retry_after must be > 0 (PTB ignores a falsy retry_after)")
        description = f"Too Many Requests: retry after {retry_after:g}"
        self.inject(method, Fault(429, description, retry_after=retry_after), times=times)

    def inject_server_error(self, method: str, *, status: int = 500, times: int = 1) -> None:
        """Next calls answer a 5xx (PTB raises ``NetworkError``; polling backs off ~1 s)."""
        if not 500 <= status <= 599:
            raise ValueError("a server error is a 5xx status")
        self.inject(method, Fault(status), times=times)

    def inject_error(self, method: str, status: int, description: str, *, times: int = 1) -> None:
        """Next calls answer an arbitrary Bot API error, e.g. 400 "Bad Request: …"."""
        self.inject(method, Fault(status, description), times=times)

    def inject_delay(
        self, method: str, seconds: float, *, times: int = 1, process_first: bool = False
    ) -> None:
        """Next calls answer normally after ``seconds`` (for client timeout tests).

        With ``process_first`` the call takes effect before the wait (the "message was sent
        but the answer never came" case); otherwise a client that gives up changes nothing.
        """
        self.inject(method, Fault(delay=seconds, process_first=process_first), times=times)

    def break_method(
        self,
        method: str,
        *,
        status: int = 502,
        description: str | None = None,
        seconds: float | None = None,
    ) -> None:
        """Every call of ``method`` fails with ``status`` until ``repair_method`` or, if
        given, for ``seconds`` from now."""
        until = None if seconds is None else time.monotonic() + seconds
        self._broken[method] = (Fault(status, description), until)

    def repair_method(self, method: str) -> None:
        self._broken.pop(method, None)

    def fail_get_updates(self, *, seconds: float | None = None, status: int = 502) -> None:
        """Make polling fail for a while (PTB logs, backs off 1 s, 1.5 s, … and retries)."""
        self.break_method("getUpdates", status=status, seconds=seconds)

    def _take_fault(self, method: str) -> Fault | None:
        queue = self._faults.get(method)
        if queue:
            return queue.popleft()
        broken = self._broken.get(method)
        if broken is not None:
            fault, until = broken
            if until is None or time.monotonic() < until:
                return fault
            del self._broken[method]
        return None

    # ---- HTTP plumbing --------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.Response:
        sent_name = request.match_info["method"]
        method = self._handlers_lower.get(sent_name.lower(), sent_name)
        params, files = await _read_params(request)
        call = ApiCall(
            method=method,
            params=params,
            files=files,
            time=asyncio.get_running_loop().time(),
            http_method=request.method,
        )
        self.calls.append(call)
        self._calls_signal.notify()
        try:
            status, body = await self._answer(request, call)
        except asyncio.CancelledError:
            call.cancelled = True
            self._calls_signal.notify()
            raise
        call.status, call.response = status, body
        call.answered_at = asyncio.get_running_loop().time()
        self._calls_signal.notify()
        return web.json_response(body, status=status)

    async def _answer(self, request: web.Request, call: ApiCall) -> tuple[int, JSON]:
        if request.match_info["token"] != self.token:
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        fault = self._take_fault(call.method)
        if fault is not None and fault.status is not None:
            if fault.delay:
                await self._sleep(fault.delay)
            return fault.status, fault.error_body()
        handler = self._handlers.get(call.method)
        if handler is None:
            return 404, {
                "ok": False,
                "error_code": 404,
                "description": "Not Found: method not found",
            }
        if fault is not None and not fault.process_first:
            await self._sleep(fault.delay)
        try:
            result = await handler(call)
        except BotApiError as exc:
            return exc.status, exc.body()
        if fault is not None and fault.process_first:
            await self._sleep(fault.delay)
        return 200, {"ok": True, "result": result}

    async def _sleep(self, seconds: float) -> None:
        """A delay that ends early when the fake closes."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while not self._closing and (remaining := deadline - loop.time()) > 0:
            await self._calls_signal.wait(remaining)

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        path = request.match_info["path"]
        for stored in self.files.values():
            if stored.file_path == path:
                return web.Response(body=stored.data, content_type=stored.mime_type)
        return web.Response(status=404)

    # ---- state helpers --------------------------------------------------------------------

    def _state(self, chat: ChatRef) -> _ChatState:
        if isinstance(chat, FakeChat):
            self.add_chat(chat)
        chat_id = _chat_id(chat)
        if chat_id not in self.chats:
            raise KeyError(f"unknown chat {chat_id}")
        return self.chats[chat_id]

    def _resolve_chat(self, chat_id: Any) -> _ChatState:
        """A chat named by a request's ``chat_id`` (int or "@username"), else 400."""
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            for state in self.chats.values():
                if state.chat.username and f"@{state.chat.username}" == chat_id:
                    return state
        elif isinstance(chat_id, int) and chat_id in self.chats:
            return self.chats[chat_id]
        raise _bad_request("chat not found")

    def _writable_chat(self, chat_id: Any) -> _ChatState:
        """A chat the bot may post in, else the 403 Telegram answers."""
        state = self._resolve_chat(chat_id)
        chat = state.chat
        if chat.type == "private" and chat.id in self.blocked_by:
            raise BotApiError(403, "Forbidden: bot was blocked by the user")
        if state.bot_removed:
            reason = {
                "group": "Forbidden: bot was kicked from the group chat",
                "supergroup": "Forbidden: bot was kicked from the supergroup chat",
            }.get(chat.type, "Forbidden: bot is not a member of the channel chat")
            raise BotApiError(403, reason)
        if chat.type == "channel" and self.member_status(chat, self.bot.id) not in (
            "creator",
            "administrator",
        ):
            raise BotApiError(403, "Forbidden: bot is not a member of the channel chat")
        return state

    def _stored_message(self, params: JSON, *, what: str) -> tuple[_ChatState, JSON]:
        if "inline_message_id" in params:
            raise _bad_request("inline messages are not supported by the fake")
        state = self._writable_chat(params.get("chat_id"))
        message = state.messages.get(_as_int(params.get("message_id")))
        if message is None:
            raise _bad_request(f"message to {what} not found")
        if (state.chat.id, message["message_id"]) not in self._sent_keys:
            raise _bad_request(f"message can't be {what}ed")
        return state, message

    def _reply_target(self, chat: FakeChat, reply_to: JSON | int) -> JSON:
        message_id = reply_to if isinstance(reply_to, int) else reply_to["message_id"]
        target = self.chats[chat.id].messages.get(message_id)
        if target is None:
            raise ValueError(f"no message {message_id} in chat {chat.id} to reply to")
        return {k: copy.deepcopy(v) for k, v in target.items() if k != "reply_to_message"}

    def _reply_for_send(self, state: _ChatState, params: JSON) -> JSON | None:
        """``reply_to_message`` for a bot message, per ``reply_parameters``."""
        reply = params.get("reply_parameters")
        if reply is None and "reply_to_message_id" in params:
            reply = {
                "message_id": params["reply_to_message_id"],
                "allow_sending_without_reply": params.get("allow_sending_without_reply"),
            }
        if not isinstance(reply, dict):
            return None
        target_state = state
        if reply.get("chat_id") is not None:
            target_state = self._resolve_chat(reply["chat_id"])
        target = target_state.messages.get(_as_int(reply.get("message_id")))
        if target is None:
            if reply.get("allow_sending_without_reply"):
                return None
            raise _bad_request("message to be replied not found")
        return {k: copy.deepcopy(v) for k, v in target.items() if k != "reply_to_message"}

    def _new_bot_message(self, state: _ChatState, params: JSON) -> JSON:
        message: JSON = {
            "message_id": state.allocate_message_id(),
            "date": int(time.time()),
            "chat": state.chat.to_api(),
        }
        if state.chat.type == "channel":
            message["sender_chat"] = state.chat.to_api()
        else:
            message["from"] = self.bot.to_api()
        reply_to = self._reply_for_send(state, params)
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        return message

    def _store_bot_message(self, state: _ChatState, message: JSON) -> JSON:
        state.messages[message["message_id"]] = message
        key = (state.chat.id, message["message_id"])
        self._sent.append(key)
        self._sent_keys.add(key)
        return copy.deepcopy(message)

    # ---- Bot API methods ------------------------------------------------------------------

    async def _get_me(self, call: ApiCall) -> JSON:
        return {
            **self.bot.to_api(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, call: ApiCall) -> list[JSON]:
        """Long poll: confirm below ``offset``, answer at once if updates wait, else wait up to
        ``timeout`` for a feed (or shutdown). A newer getUpdates ends an older one with 409,
        as Telegram does."""
        if self.webhook is not None:
            raise BotApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        params = call.params
        offset = _as_int(params.get("offset", 0))
        limit = min(max(_as_int(params.get("limit", 100)), 1), 100)
        timeout = max(float(params.get("timeout", 0) or 0), 0.0)
        self._confirm(offset)
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list) and allowed:
            self._allowed_updates = frozenset(allowed)
        self._poll_generation += 1
        generation = self._poll_generation
        self._updates_signal.notify()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if generation != self._poll_generation:
                raise BotApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            self._drop_unwanted()
            batch = self._pending_updates[:limit]
            remaining = deadline - loop.time()
            if batch or self._closing or remaining <= 0:
                break
            await self._updates_signal.wait(remaining)
        self.delivered_update_ids.update(update["update_id"] for update in batch)
        return copy.deepcopy(batch)

    def _drop_unwanted(self) -> None:
        """Telegram never delivers update types outside the last ``allowed_updates``.

        (Unlike Telegram, the fake's default lets every type through, ``chat_member`` too.)
        """
        if self._allowed_updates is not None:
            allowed = self._allowed_updates
            self._pending_updates = [
                u for u in self._pending_updates if allowed & (u.keys() - {"update_id"})
            ]

    def _confirm(self, offset: int) -> None:
        """Drop updates confirmed by ``offset`` (negative: keep only the last ``-offset``)."""
        if offset < 0:
            self._pending_updates = self._pending_updates[offset:]
        elif offset:
            self._pending_updates = [u for u in self._pending_updates if u["update_id"] >= offset]

    async def _delete_webhook(self, call: ApiCall) -> bool:
        self.webhook = None
        if call.params.get("drop_pending_updates"):
            self._pending_updates.clear()
        return True

    async def _set_webhook(self, call: ApiCall) -> bool:
        url = call.params.get("url", "")
        self.webhook = dict(call.params) if url else None
        if call.params.get("drop_pending_updates"):
            self._pending_updates.clear()
        return True

    async def _get_webhook_info(self, call: ApiCall) -> JSON:
        return {
            "url": (self.webhook or {}).get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending_updates),
        }

    async def _send_message(self, call: ApiCall) -> JSON:
        params = call.params
        state = self._writable_chat(params.get("chat_id"))
        text, entities = _formatted(
            params.get("text"), params.get("parse_mode"), params.get("entities"), caption=False
        )
        markup = _checked_markup(params.get("reply_markup"))
        message = self._new_bot_message(state, params)
        message["text"] = text
        if entities:
            message["entities"] = entities
        if params.get("link_preview_options"):
            message["link_preview_options"] = params["link_preview_options"]
        if markup is not None:
            message["reply_markup"] = markup
        return self._store_bot_message(state, message)

    async def _send_document(self, call: ApiCall) -> JSON:
        params = call.params
        state = self._writable_chat(params.get("chat_id"))
        stored = self._document_from(call)
        caption, entities = _formatted(
            params.get("caption"),
            params.get("parse_mode"),
            params.get("caption_entities"),
            caption=True,
        )
        markup = _checked_markup(params.get("reply_markup"))
        message = self._new_bot_message(state, params)
        message["document"] = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": stored.filename,
            "mime_type": stored.mime_type,
            "file_size": len(stored.data),
        }
        if caption:
            message["caption"] = caption
        if entities:
            message["caption_entities"] = entities
        if markup is not None:
            message["reply_markup"] = markup
        return self._store_bot_message(state, message)

    def _document_from(self, call: ApiCall) -> StoredFile:
        """The uploaded file (multipart part, maybe via attach://) or a known file_id."""
        value = call.params.get("document")
        upload = call.files.get("document")
        if isinstance(value, str) and value.startswith("attach://"):
            upload = call.files.get(value.removeprefix("attach://"))
        if upload is None:
            if isinstance(value, str) and value in self.files:
                return self.files[value]
            raise _bad_request("wrong file identifier/HTTP URL specified")
        number = next(self._file_ids)
        stored = StoredFile(
            file_id=f"BQACAgFake{number:08d}",
            file_unique_id=f"AgADFake{number:06d}",
            file_path=f"documents/file_{number}_{upload.filename}",
            filename=upload.filename,
            mime_type=upload.content_type,
            data=upload.data,
        )
        self.files[stored.file_id] = stored
        return stored

    async def _edit_message_text(self, call: ApiCall) -> JSON:
        """Telegram drops the inline keyboard when an edit does not resend it."""
        params = call.params
        _, message = self._stored_message(params, what="edit")
        if "text" not in message:
            raise _bad_request("there is no text in the message to edit")
        text, entities = _formatted(
            params.get("text"), params.get("parse_mode"), params.get("entities"), caption=False
        )
        markup = _checked_markup(params.get("reply_markup"))
        return self._apply_edit(message, {"text": text, "entities": entities or None}, markup)

    async def _edit_message_caption(self, call: ApiCall) -> JSON:
        params = call.params
        _, message = self._stored_message(params, what="edit")
        if "text" in message:
            raise _bad_request("there is no caption in the message to edit")
        caption, entities = _formatted(
            params.get("caption") or "",
            params.get("parse_mode"),
            params.get("caption_entities"),
            caption=True,
        )
        markup = _checked_markup(params.get("reply_markup"))
        changes = {"caption": caption or None, "caption_entities": entities or None}
        return self._apply_edit(message, changes, markup)

    async def _edit_message_reply_markup(self, call: ApiCall) -> JSON:
        _, message = self._stored_message(call.params, what="edit")
        markup = _checked_markup(call.params.get("reply_markup"))
        return self._apply_edit(message, {}, markup)

    def _apply_edit(self, message: JSON, changes: JSON, markup: JSON | None) -> JSON:
        changes = {**changes, "reply_markup": markup}
        if all(message.get(key) == value for key, value in changes.items()):
            raise _bad_request(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        for key, value in changes.items():
            if value is None:
                message.pop(key, None)
            else:
                message[key] = value
        message["edit_date"] = int(time.time())
        return copy.deepcopy(message)

    async def _answer_callback_query(self, call: ApiCall) -> bool:
        query_id = str(call.params.get("callback_query_id", ""))
        if query_id not in self._open_callbacks:
            raise _bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        self._open_callbacks.discard(query_id)
        self.callback_answers[query_id] = dict(call.params)
        return True

    async def _send_chat_action(self, call: ApiCall) -> bool:
        self._writable_chat(call.params.get("chat_id"))
        return True

    async def _get_file(self, call: ApiCall) -> JSON:
        stored = self.files.get(str(call.params.get("file_id")))
        if stored is None:
            raise _bad_request("invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.file_path,
        }

    async def _set_my_commands(self, call: ApiCall) -> bool:
        commands = call.params.get("commands")
        if not isinstance(commands, list):
            raise _bad_request("can't parse commands JSON object")
        for command in commands:
            name = command.get("command", "") if isinstance(command, dict) else ""
            if not re.fullmatch(r"[a-z0-9_]{1,32}", name):
                raise _bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(command.get("description", "")) <= 256:
                raise _bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        key = (_scope_key(call.params.get("scope")), call.params.get("language_code", ""))
        self.commands[key] = commands
        return True

    async def _get_my_commands(self, call: ApiCall) -> list[JSON]:
        key = (_scope_key(call.params.get("scope")), call.params.get("language_code", ""))
        return list(self.commands.get(key, []))

    async def _delete_my_commands(self, call: ApiCall) -> bool:
        key = (_scope_key(call.params.get("scope")), call.params.get("language_code", ""))
        self.commands.pop(key, None)
        return True

    async def _get_chat_administrators(self, call: ApiCall) -> list[JSON]:
        state = self._resolve_chat(call.params.get("chat_id"))
        if state.chat.type == "private":
            raise _bad_request("there are no administrators in the private chat")
        return [
            chat_member_api(self.users[user_id], status)
            for user_id, status in state.members.items()
            if status in ("creator", "administrator")
        ]

    async def _get_chat_member(self, call: ApiCall) -> JSON:
        state = self._resolve_chat(call.params.get("chat_id"))
        user = self.users.get(_as_int(call.params.get("user_id")))
        if user is None:
            raise _bad_request("user not found")
        return chat_member_api(user, self.member_status(state.chat, user.id))

    async def _get_chat(self, call: ApiCall) -> JSON:
        state = self._resolve_chat(call.params.get("chat_id"))
        return {
            **state.chat.to_api(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    async def _delete_message(self, call: ApiCall) -> bool:
        state = self._resolve_chat(call.params.get("chat_id"))
        message_id = _as_int(call.params.get("message_id"))
        if state.messages.pop(message_id, None) is None:
            raise _bad_request("message to delete not found")
        return True


# --------------------------------------------------------------------------------------------
# Module helpers
# --------------------------------------------------------------------------------------------


def _chat_id(chat: ChatRef) -> int:
    return chat.id if isinstance(chat, FakeChat) else chat


def _as_int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _scope_key(scope: Any) -> str:
    if not scope or scope == {"type": "default"}:
        return "default"
    return json.dumps(scope, sort_keys=True)


def _callback_datas(message: JSON) -> set[str]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return {b["callback_data"] for row in rows for b in row if "callback_data" in b}


def _formatted(
    text: Any,
    parse_mode: Any,
    entities: Any,
    *,
    caption: bool,
) -> tuple[str, list[JSON]]:
    """Apply ``parse_mode`` / explicit entities and Telegram's length limits."""
    if text is None:
        text = ""
    if not isinstance(text, str):
        text = json.dumps(text)
    if parse_mode in (None, ""):
        plain, found = text, list(entities or [])
    elif str(parse_mode).lower() == "html":
        plain, found = render_html(text)
    elif str(parse_mode).lower() in ("markdown", "markdownv2"):
        plain, found = text, []  # not rendered by the fake
    else:
        raise _bad_request("unsupported parse_mode")
    if not caption and not plain.strip():
        raise _bad_request("message text is empty")
    limit = MAX_CAPTION_LENGTH if caption else MAX_TEXT_LENGTH
    if utf16_len(plain) > limit:
        raise _bad_request("message caption is too long" if caption else "message is too long")
    return plain, found


def _checked_markup(markup: Any) -> JSON | None:
    """Validate ``reply_markup``; return what a sent Message echoes (inline keyboards only)."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise _bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in markup:
        return None
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise _bad_request(
            "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
        )
    for row in rows:
        for button in row:
            _check_button(button)
    return markup


def _check_button(button: Any) -> None:
    if not isinstance(button, dict) or not button.get("text"):
        raise _bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    kinds = {
        "callback_data",
        "url",
        "switch_inline_query",
        "web_app",
        "login_url",
        "pay",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "callback_game",
        "copy_text",
    }
    if not kinds & button.keys():
        raise _bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    data = button.get("callback_data")
    if data is not None and not 1 <= len(str(data).encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES:
        raise _bad_request("BUTTON_DATA_INVALID")


async def _read_params(request: web.Request) -> tuple[JSON, dict[str, UploadedFile]]:
    """Query string + body (form, multipart or JSON), decoded like PTB encodes them."""
    params: JSON = {key: decode_param(key, value) for key, value in request.query.items()}
    files: dict[str, UploadedFile] = {}
    if request.method != "POST" or not request.can_read_body:
        return params, files
    content_type = request.content_type
    if content_type == "application/json":
        body = await request.json()
        if isinstance(body, dict):
            params.update(body)
        return params, files
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                files[key] = UploadedFile(
                    field=key,
                    filename=value.filename,
                    content_type=value.content_type,
                    data=value.file.read(),
                )
            else:
                text = value.decode() if isinstance(value, bytes | bytearray) else str(value)
                params[key] = decode_param(key, text)
    return params, files


@contextlib.asynccontextmanager
async def run_application(
    application: Application[Any, Any, Any, Any, Any, Any],
    *,
    poll_timeout: float = 5.0,
    allowed_updates: Iterable[str] | None = None,
) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    """Run a PTB Application with polling, started by hand, and stop it cleanly.

    ``post_init``/``post_shutdown`` run only under ``run_polling``; they are called here so
    the application behaves the same. Stopping cancels the in-flight getUpdates and sends a
    final ``getUpdates(offset=last+1, timeout=0)`` confirming what was handled.
    """
    async with application:
        if application.post_init is not None:
            await application.post_init(application)
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(
            poll_interval=0,
            timeout=dt.timedelta(seconds=poll_timeout),
            allowed_updates=list(allowed_updates) if allowed_updates is not None else None,
        )
        try:
            yield application
        finally:
            if application.updater.running:
                await application.updater.stop()
            if application.running:
                await application.stop()
            if application.post_stop is not None:
                await application.post_stop(application)
    if application.post_shutdown is not None:
        await application.post_shutdown(application)
