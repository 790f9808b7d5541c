"""The outbox's Telegram sender: announcements, signer notifications and mod-queue cards.

The core writes what is owed to whom in its outbox, in the same transaction as the cause; the
dispatcher (:mod:`bot.outbox`) hands each row here and retries what failed. This module's job is
to post one row and to say honestly whether retrying can help: a bot blocked by the signer, kicked
from a group or not an admin of a channel cannot (``DeliveryError(permanent=True)``, the row is
marked failed and logged); a flood limit can, after the time Telegram names. Flood limits are
first handled inside python-telegram-bot by ``AIORateLimiter``, which waits and retries, so a 429
normally costs a pause, not a redelivery.

Telegram has no idempotency key for sends: a send whose answer is lost (a timeout) may be posted
twice when retried. That is the price of never losing an announcement.
"""

from __future__ import annotations

import datetime as dt
import logging
import warnings
from collections.abc import Callable

from telegram import Bot
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TelegramError
from telegram.warnings import PTBDeprecationWarning

from adapters.telegram import keyboards, links, liveposts, render
from adapters.telegram.messages import send
from adapters.telegram.moderation import card, refresh_cards
from bot.domain import OutboxKind, OutboxMessage
from bot.errors import SignatureNotFound
from bot.i18n import Translator, translator
from bot.ports import DeliveryError
from bot.service import PledgeService

__all__ = ["OutboxSender", "retry_after_seconds"]

_log = logging.getLogger(__name__)


def retry_after_seconds(exc: RetryAfter) -> float:
    """The wait Telegram asked for, whichever type PTB gives it (it is moving to timedelta)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


class OutboxSender:
    def __init__(
        self,
        service: PledgeService,
        bot: Bot,
        chat_tr: Callable[[int], Translator],
        *,
        lost_chats: set[int],
    ) -> None:
        """``chat_tr``: the language of posts to a chat (its own under ``[i18n]
        channel_languages``, else ``[i18n] default_language``). ``lost_chats``: chats the bot
        was removed from (adapters.telegram.membership)."""
        self.service = service
        self.bot = bot
        self.chat_tr = chat_tr
        self.lost_chats = lost_chats

    async def deliver(self, message: OutboxMessage) -> str | None:
        """Post one outbox row; the Telegram message id is its reference (to edit cards)."""
        if message.kind is OutboxKind.LIVE_EDIT:  # its destination is a live post, not a chat
            try:
                await liveposts.redraw(self.bot, self.service, message)
            except RetryAfter as exc:
                raise DeliveryError(str(exc), retry_after=retry_after_seconds(exc)) from exc
            except TelegramError as exc:
                raise DeliveryError(f"telegram: {exc.message}") from exc
            return None
        try:
            chat_id = int(message.destination)
        except ValueError:
            raise DeliveryError(
                f"not a Telegram chat id: {message.destination!r}", permanent=True
            ) from None
        if chat_id in self.lost_chats:  # given up at once: no send, no retry
            raise DeliveryError(f"telegram: removed from chat {chat_id}", permanent=True)
        if message.kind is OutboxKind.MOD_UPDATE:
            # Decided elsewhere (another platform, process, the console): redraw our cards.
            if message.signature_id is not None:
                await refresh_cards(self.bot, self.service, [message.signature_id], self.chat_tr)
            return None
        try:
            try:
                sent = await self._post(message, chat_id)
            except ChatMigrated as exc:
                _log.warning(
                    "Telegram group %s is now supergroup %s: post there, and put the new id in "
                    "the telegram settings",
                    chat_id,
                    exc.new_chat_id,
                )
                sent = await self._post(message, int(exc.new_chat_id))
        except (Forbidden, BadRequest) as exc:
            # Blocked, kicked, not a channel admin, chat gone: the same request will fail again.
            raise DeliveryError(f"telegram: {exc.message}", permanent=True) from exc
        except RetryAfter as exc:
            raise DeliveryError(str(exc), retry_after=retry_after_seconds(exc)) from exc
        except TelegramError as exc:  # timeouts, network trouble, 5xx: worth another go
            raise DeliveryError(f"telegram: {exc.message}") from exc
        return str(sent)

    async def _post(self, message: OutboxMessage, chat_id: int) -> int:
        """Post the row; the posted message's id."""
        match message.kind:
            case OutboxKind.ANNOUNCEMENT:
                # Channels cannot run /letter: a button opens the letter in the private chat.
                url = links.deep_link(self.bot.username, links.LETTER)
                label = self.chat_tr(chat_id).t("Read and sign the letter")
                link = keyboards.open_private(f"📝 {label}", url)
                text = render.clip(message.text, render.MAX_MESSAGE)
                return await send(self.bot, chat_id, text, link)
            case OutboxKind.REAFFIRM:  # the letter changed: in the signer's private chat
                text = render.clip(message.text, render.MAX_MESSAGE)
                language = await self.service.reaffirm_notices.language_of(message.signature_id)
                buttons = keyboards.reaffirm_notice(translator(language))
                return await send(self.bot, chat_id, text, buttons)
            case OutboxKind.NOTIFICATION | OutboxKind.ALERT:
                text = render.clip(message.text, render.MAX_MESSAGE)
                return await send(self.bot, chat_id, text)
            case OutboxKind.MOD_QUEUE:
                if message.signature_id is None:
                    raise DeliveryError("a mod-queue row without a signature", permanent=True)
                try:
                    item = await self.service.mod_queue.item(message.signature_id)
                except SignatureNotFound as exc:
                    raise DeliveryError(str(exc), permanent=True) from exc
                text, markup = card(self.chat_tr(chat_id), item)
                return await send(self.bot, chat_id, text, markup)
        raise DeliveryError(f"unknown outbox kind {message.kind!r}", permanent=True)
