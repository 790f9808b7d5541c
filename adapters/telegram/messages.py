"""Sending and editing messages the way every handler needs it.

Texts arrive as HTML built by :mod:`adapters.telegram.render` (the application's defaults set
``parse_mode="HTML"`` and turn link previews off, so a signer's link never unfurls under a list).
A reply that render split into several messages goes out in order with the keyboard on the last.
Edits tolerate Telegram's "message is not modified" (two moderators pressing at once) and a card
someone deleted, which are not errors worth a traceback.

Replies, edits and posts go out as python-telegram-bot's own methods send them — through its
``Bot._post``, so the application's Defaults are filled in, the rate limiter applies and a
failure is raised as a ``TelegramError`` — but the Bot API's answer (the message as sent) is not
turned into a ``Message``: nothing here reads more of it than a posted message's id, and PTB's
``Message.de_json`` of a /sign summary (entities, three buttons, chat, sender) costs ~130 µs of
CPU, as much as the rest of what pledgebot does for a /sign.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from telegram import (
    Bot,
    CallbackQuery,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden
from telegram.request import BaseRequest

from adapters.telegram.context import message_of

__all__ = ["edit", "edit_markup", "edit_query", "reply"]

_log = logging.getLogger(__name__)

_HARMLESS_EDIT_ERRORS = ("message is not modified", "message to edit not found")
#: What PTB's own methods pass for an argument the application's ``Defaults`` may fill in
#: (``parse_mode``, ``link_preview_options``…): ``Bot._post`` replaces it, as for them.
_DEFAULT = BaseRequest.DEFAULT_NONE


async def _call(bot: Bot, method: str, data: dict[str, Any]) -> None:
    """A Bot API call whose answer no one reads (see the module's docstring); None values are
    left out, Defaults filled in, errors raised, as by PTB's methods."""
    await bot._post(method, data)


def _text(bot: Bot, text: str, markup: InlineKeyboardMarkup | None) -> dict[str, Any]:
    """A message's text and keyboard, formatted and previewed as the Defaults say."""
    return {
        "text": text,
        "parse_mode": _DEFAULT,
        "link_preview_options": _previews(bot),
        "reply_markup": markup,
    }


def _previews(bot: Bot) -> Any:
    """The Defaults' link-preview options, in their API form.

    Every message and edit carries them (previews off: a signer's link never unfurls under a
    list), and PTB turns the options object into a dict again for each call, ~15 µs — longer
    than rendering a /sign summary. The object is frozen, so its dict is worked out once."""
    defaults = getattr(bot, "defaults", None)
    options = defaults.link_preview_options if defaults is not None else None
    return _DEFAULT if options is None else dict(_api_form(options))


@lru_cache(maxsize=4)
def _api_form(options: LinkPreviewOptions) -> dict[str, Any]:
    return options.to_dict()


async def reply(
    update: Update,
    parts: str | Sequence[str],
    markup: InlineKeyboardMarkup | None = None,
) -> None:
    """Answer in the chat the update came from (quoting the command in a group) — what
    ``Message.reply_text`` sends: in the same forum topic or business connection, quoting
    unless in private (or as ``Defaults.do_quote`` says)."""
    chunks = [parts] if isinstance(parts, str) else list(parts)
    message = message_of(update)
    bot = message.get_bot()
    defaults = getattr(bot, "defaults", None)
    do_quote = defaults.do_quote if defaults is not None else None
    quote = do_quote if do_quote is not None else message.chat.type != ChatType.PRIVATE
    topic = message.direct_messages_topic
    for index, chunk in enumerate(chunks):
        last = index == len(chunks) - 1
        await _call(
            bot,
            "sendMessage",
            {
                "chat_id": message.chat_id,
                **_text(bot, chunk, markup if last else None),
                "disable_notification": _DEFAULT,
                "protect_content": _DEFAULT,
                "reply_parameters": ReplyParameters(message.message_id) if quote else None,
                "message_thread_id": message.message_thread_id
                if message.is_topic_message
                else None,
                "business_connection_id": message.business_connection_id,
                "direct_messages_topic_id": topic.topic_id if topic is not None else None,
            },
        )


def _pressed(query: CallbackQuery) -> dict[str, Any]:
    """Which message a button's edit is for, as ``CallbackQuery``'s edit methods name it."""
    if query.inline_message_id:
        return {"inline_message_id": query.inline_message_id}
    message = query.message
    if not isinstance(message, Message):
        raise TypeError("Cannot edit an inaccessible message")
    return {
        "chat_id": message.chat_id,
        "message_id": message.message_id,
        "business_connection_id": message.business_connection_id,
    }


async def edit_query(
    query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Replace the text (and keyboard) of the message whose button was pressed — what
    ``CallbackQuery.edit_message_text`` sends."""
    try:
        bot = query.get_bot()
        await _call(bot, "editMessageText", {**_pressed(query), **_text(bot, text, markup)})
    except BadRequest as exc:
        if not _harmless(exc):
            raise


async def edit_markup(query: CallbackQuery, markup: InlineKeyboardMarkup | None) -> None:
    """Replace (or with None remove) the keyboard of the message whose button was pressed —
    what ``CallbackQuery.edit_message_reply_markup`` sends."""
    data = {**_pressed(query), "reply_markup": markup}
    try:
        await _call(query.get_bot(), "editMessageReplyMarkup", data)
    except BadRequest as exc:
        if not _harmless(exc):
            raise


async def send(
    bot: Bot, chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None
) -> int:
    """Post a message — what ``Bot.send_message`` sends — and return its id (for cards and
    posts edited later), read from the answer without parsing the rest of it."""
    data = {"chat_id": chat_id, **_text(bot, text, markup)}
    data.update(disable_notification=_DEFAULT, protect_content=_DEFAULT)
    sent = await bot._post("sendMessage", data)
    return int(sent["message_id"])


async def edit(
    bot: Bot,
    chat_id: int,
    message_id: int,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
) -> bool:
    """Edit a message the bot posted earlier; False when it is gone or out of reach."""
    try:
        data = {"chat_id": chat_id, "message_id": message_id, **_text(bot, text, markup)}
        await _call(bot, "editMessageText", data)
    except BadRequest as exc:
        if not _harmless(exc):
            raise
        return "not modified" in exc.message.lower()
    except Forbidden as exc:  # the bot left the chat
        _log.info("cannot edit message %s in chat %s: %s", message_id, chat_id, exc)
        return False
    return True


def _harmless(exc: BadRequest) -> bool:
    message = exc.message.lower()
    return any(text in message for text in _HARMLESS_EDIT_ERRORS)
