"""Sending and editing messages the way every handler needs it.

Texts arrive as HTML built by :mod:`adapters.telegram.render` (the application's defaults set
``parse_mode="HTML"`` and turn link previews off, so a signer's link never unfurls under a list).
A reply that render split into several messages goes out in order with the keyboard on the last.
Edits tolerate Telegram's "message is not modified" (two moderators pressing at once) and a card
someone deleted, which are not errors worth a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from telegram import Bot, CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, Forbidden

from adapters.telegram.context import message_of

__all__ = ["edit", "edit_markup", "edit_query", "reply"]

_log = logging.getLogger(__name__)

_HARMLESS_EDIT_ERRORS = ("message is not modified", "message to edit not found")


async def reply(
    update: Update,
    parts: str | Sequence[str],
    markup: InlineKeyboardMarkup | None = None,
) -> Message:
    """Answer in the chat the update came from (quoting the command in a group)."""
    chunks = [parts] if isinstance(parts, str) else list(parts)
    message = message_of(update)
    sent = message
    for index, chunk in enumerate(chunks):
        last = index == len(chunks) - 1
        sent = await message.reply_text(chunk, reply_markup=markup if last else None)
    return sent


async def edit_query(
    query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Replace the text (and keyboard) of the message whose button was pressed."""
    try:
        await query.edit_message_text(text, reply_markup=markup)
    except BadRequest as exc:
        if not _harmless(exc):
            raise


async def edit_markup(query: CallbackQuery, markup: InlineKeyboardMarkup | None) -> None:
    """Replace (or with None remove) the keyboard of the message whose button was pressed."""
    try:
        await query.edit_message_reply_markup(markup)
    except BadRequest as exc:
        if not _harmless(exc):
            raise


async def edit(
    bot: Bot,
    chat_id: int,
    message_id: int,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
) -> bool:
    """Edit a message the bot posted earlier; False when it is gone or out of reach."""
    try:
        await bot.edit_message_text(text, chat_id, message_id, reply_markup=markup)
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
