"""Posting outbox messages to Discord: announcements, signer DMs and mod-queue cards.

The outbox dispatcher (:mod:`bot.outbox`) calls :func:`deliver` once per owed message and retries
with backoff when it raises. discord.py already retries 429s and 5xx answers inside one call; on
top of that every post carries the outbox id as its ``nonce`` with ``enforce_nonce``, so a send
that reached Discord but whose answer was lost is not posted a second time when retried.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from adapters.discord import liveposts, modqueue, reaffirm
from adapters.discord.render import CONTENT_LIMIT, clip, safe
from adapters.discord.replies import NO_PINGS
from bot.domain import OutboxKind, OutboxMessage
from bot.errors import SignatureNotFound
from bot.i18n import translator
from bot.ports import DeliveryError

if TYPE_CHECKING:
    from adapters.discord.interaction import HandlerClient

__all__ = ["deliver", "nonce_of"]

_log = logging.getLogger(__name__)

# https://discord.com/developers/docs/topics/opcodes-and-status-codes#json-json-error-codes
_CANNOT_DM = 50007


def nonce_of(message: OutboxMessage) -> str:
    """Discord de-duplicates posts with the same nonce for a few minutes (25 characters max)."""
    return f"pledgebot:{message.id}"


async def deliver(client: HandlerClient, message: OutboxMessage) -> str | None:
    """Post one message; the Discord message id is the outbox ``ref`` (cards are edited by it)."""
    if message.kind is OutboxKind.LIVE_EDIT:  # its destination is a live post, not a channel
        await liveposts.redraw(client, message)
        return None
    target = _snowflake(message)
    try:
        match message.kind:
            case OutboxKind.MOD_UPDATE:
                # Decided elsewhere (another platform, process, the console): redraw our cards.
                if message.signature_id is None:
                    raise DeliveryError("a card update without a signature", permanent=True)
                item = await client.service.mod_queue.item(message.signature_id)
                await modqueue.refresh_cards(client, item.signature)
                return None
            case OutboxKind.ANNOUNCEMENT:
                # The organisers' own template: their markdown stays, pings never happen.
                channel = client.get_partial_messageable(target)
                sent = await channel.send(
                    clip(message.text, CONTENT_LIMIT),
                    nonce=nonce_of(message),
                    allowed_mentions=NO_PINGS,
                )
            case OutboxKind.ALERT:
                channel = client.get_partial_messageable(target)
                sent = await channel.send(
                    clip(safe(message.text), CONTENT_LIMIT),
                    nonce=nonce_of(message),
                    allowed_mentions=NO_PINGS,
                )
            case OutboxKind.NOTIFICATION:
                dm = await client.create_dm(discord.Object(target))
                sent = await dm.send(
                    clip(safe(message.text), CONTENT_LIMIT),
                    nonce=nonce_of(message),
                    allowed_mentions=NO_PINGS,
                )
            case OutboxKind.REAFFIRM:
                # The letter changed: the signer's own DM, with Reaffirm and Withdraw buttons.
                dm = await client.create_dm(discord.Object(target))
                language = await client.service.reaffirm_notices.language_of(message.signature_id)
                sent = await dm.send(
                    clip(safe(message.text), CONTENT_LIMIT),
                    view=reaffirm.notice_view(translator(language)),
                    nonce=nonce_of(message),
                    allowed_mentions=NO_PINGS,
                )
            case OutboxKind.MOD_QUEUE:
                if message.signature_id is None:
                    raise DeliveryError("a mod-queue message without a signature", permanent=True)
                sent = await modqueue.post_card(
                    client, target, message.signature_id, nonce=nonce_of(message)
                )
            case _:
                raise DeliveryError(f"unknown outbox kind {message.kind!r}", permanent=True)
    except SignatureNotFound as exc:
        raise DeliveryError(str(exc), permanent=True) from exc
    except discord.HTTPException as exc:
        raise _delivery_error(message, exc) from exc
    return str(sent.id)


def _snowflake(message: OutboxMessage) -> int:
    if not message.destination.isdecimal():
        raise DeliveryError(
            f"{message.destination!r} is not a Discord channel or user id", permanent=True
        )
    return int(message.destination)


def _delivery_error(message: OutboxMessage, exc: discord.HTTPException) -> DeliveryError:
    """Whether retrying can help: a closed DM or a deleted channel stays that way, a missing
    permission may be granted by an admin, a server error passes."""
    where = f"{message.kind.value} to {message.destination}"
    detail = f"{exc.status} ({exc.code}) {exc.text}".strip()
    if message.kind is OutboxKind.NOTIFICATION and exc.code == _CANNOT_DM:
        return DeliveryError(f"{where}: the user does not accept DMs from the bot", permanent=True)
    if isinstance(exc, discord.NotFound):
        return DeliveryError(f"{where}: no such channel or user: {detail}", permanent=True)
    if isinstance(exc, discord.Forbidden):
        return DeliveryError(f"{where}: the bot lacks permission there: {detail}")
    if 400 <= exc.status < 500 and exc.status != 429:
        return DeliveryError(f"{where}: Discord refused the message: {detail}", permanent=True)
    return DeliveryError(f"{where}: {detail}")
