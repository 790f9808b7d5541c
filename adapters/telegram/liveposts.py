"""Live letter posts on Telegram: ``/postletter``, ``/liveposts``, ``/unpost``, and the edits.

A moderator sends ``/postletter`` in a group to post the letter there, or ``/postletter CHAT_ID``
(an id or a channel's ``@name``) from the mod chat or a private chat to post it in a channel or
group the bot may post in. The post carries a button to the private chat whose deep link names
that chat, so a signature made from it counts for that community (:mod:`adapters.telegram.links`).

The core decides who may post (:mod:`bot.liveposts`) and owes the post an edit whenever the count
changes; :func:`redraw` is the outbox's side: it draws the post as the core sees it then. PTB's
rate limiter waits out a 429 and retries the same edit (and keeps a group within Telegram's flood
limits); a post Telegram no longer has ("message to edit not found"), or in a chat the bot was
removed from (403), is reported to the core, which drops it and tells the moderators once.
"""

from __future__ import annotations

import logging
import re

from telegram import Bot, Chat, InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.error import BadRequest, ChatMigrated, Forbidden, TelegramError

from adapters.telegram import keyboards, links, render
from adapters.telegram.context import PledgeContext, arguments_of, user_of
from adapters.telegram.messages import reply
from adapters.telegram.moderation import moderator_here
from adapters.telegram.moderators import PLATFORM
from bot.domain import OutboxMessage
from bot.errors import NotWhereModeratorsWork
from bot.i18n import Translator, translator
from bot.liveposts import (
    LIVE_HEADING,
    NONE_LIVE,
    LiveView,
    listing_line,
    post_of,
    posted,
    stopped,
)
from bot.ports import DeliveryError
from bot.service import PledgeService

__all__ = ["live_message", "live_posts", "post_letter", "redraw", "unpost"]

_log = logging.getLogger(__name__)

# A chat as typed after /postletter: its id, or a public channel's or group's @name.
_CHAT = re.compile(r"-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{3,31}")


def live_message(bot_username: str, view: LiveView, chat_id: int, tr: Translator) -> tuple[
    str, InlineKeyboardMarkup
]:  # fmt: skip
    """The post (HTML) and its button: the title, the demands in short, the count and the next
    milestone; the button opens the private chat with this chat as the signer's community."""
    text = view.letter
    head = [render.bold(render.esc(text.title)), *render.translation_note(tr, text)]
    tail = ["", render.bold(render.esc(tr.render(view.count_line)))]
    if view.milestone_line is not None:
        tail.append(render.esc(tr.render(view.milestone_line)))
    tail += ["", f"<i>{render.esc(tr.render(view.footer))}</i>"]
    room = render.MAX_MESSAGE - render.units("\n".join([*head, "", *tail]))
    demands = []
    for n, demand in enumerate(view.demands, 1):  # as many as fit (a letter of many demands)
        line = f"{n}. {render.esc(demand)}"
        room -= render.units(line) + 1
        if room < 0:
            break
        demands.append(line)
    url = links.deep_link(bot_username, links.sign_payload(chat_id))
    label = tr.t("Sign the letter")
    button = keyboards.open_private(f"✍️ {label}", url)
    return "\n".join([*head, "", *demands, *tail]), button


async def post_letter(update: Update, context: PledgeContext) -> None:
    """/postletter here (in a group), or /postletter CHAT_ID from where moderators work."""
    tr = context.tr
    actor = await context.moderators.actor(context.bot, user_of(update))
    await context.service.live.may_post(actor)  # moderators only, first
    chat = update.effective_chat
    typed = arguments_of(update)
    if typed:
        in_a_group = chat is not None and chat.type != ChatType.PRIVATE
        if in_a_group and not _moderators_chat(chat, context):
            raise NotWhereModeratorsWork()  # naming another chat is done where moderators work
        if not _CHAT.fullmatch(typed):
            await reply(update, render.esc(tr.t("Give the chat's id, like -1001234567890.")))
            return
        target: int | str = int(typed) if typed.lstrip("-").isdecimal() else typed
    elif chat is None or chat.type == ChatType.PRIVATE:
        usage = tr.t(
            "Send /postletter in the group where the letter should go, or name a channel or "
            "group: /postletter CHAT_ID."
        )
        await reply(update, render.esc(usage))
        return
    else:
        target = chat.id
    cannot = tr.t(
        "I cannot post there: add me to that chat (as an administrator who may post, for a "
        "channel) and try again."
    )
    try:
        where = await context.bot.get_chat(target)
        # Read by the whole chat: in its language (the core's rule), not the moderator's.
        view = await context.service.live.prepare(actor, PLATFORM, str(where.id))
        tr_chat = translator(view.language)
        text, button = live_message(context.bot.username, view, where.id, tr_chat)
        sent = await context.bot.send_message(where.id, text, reply_markup=button)
    except (BadRequest, Forbidden) as exc:
        _log.info("live post: cannot post in %s: %s", target, exc.message)
        await reply(update, render.esc(cannot))
        return
    if where.title:
        await context.service.community_seen(links.chat_community(where.id), where.title)
    done, replaced = await context.service.live.post(
        actor,
        platform=PLATFORM,
        chat=str(where.id),
        message=str(sent.message_id),
        community=links.chat_community(where.id),
        shown=view,
    )
    await reply(update, render.esc(tr.render(posted(done, replaced))))


def _moderators_chat(chat: Chat | None, context: PledgeContext) -> bool:
    return chat is not None and chat.id == context.moderators.mod_chat_id


async def live_posts(update: Update, context: PledgeContext) -> None:
    """/liveposts: every live post, on every platform, where moderators work."""
    tr = context.tr
    actor = await moderator_here(update, context)
    posts = await context.service.live.listing(actor)
    if not posts:
        await reply(update, render.esc(tr.render(NONE_LIVE)))
        return
    lines = [render.bold(render.esc(tr.render(LIVE_HEADING)))]
    for post in posts:
        where = post.community_name or post.chat
        lines.append(tr.render(listing_line(post, where), escape=render.esc))
    await reply(update, render.split(lines))


async def unpost(update: Update, context: PledgeContext) -> None:
    """/unpost ID: the post's message stays, and is no longer updated."""
    actor = await moderator_here(update, context)
    ended = await context.service.live.stop_typed(actor, arguments_of(update))
    await reply(update, render.esc(context.tr.render(stopped(ended))))


async def redraw(bot: Bot, service: PledgeService, message: OutboxMessage) -> None:
    """The outbox's live edit: the post as the core sees it now, or nothing if it ended."""
    post_id = post_of(message.destination)
    if post_id is None:
        raise DeliveryError(f"not a live post: {message.destination!r}", permanent=True)
    view = await service.live.view(post_id)
    if view is None or view.post is None:
        return  # stopped or dropped since the edit was owed
    post = view.post
    try:
        chat_id, message_id = int(post.chat), int(post.message)
    except ValueError:
        raise DeliveryError(
            f"live post #{post_id} has no Telegram message", permanent=True
        ) from None
    text, button = live_message(bot.username, view, chat_id, translator(view.language))
    try:
        await bot.edit_message_text(text, chat_id, message_id, reply_markup=button)
    except BadRequest as exc:
        if "not modified" in exc.message.lower():
            return  # it already shows this count
        await _lost(service, post_id, exc)
    except (Forbidden, ChatMigrated) as exc:  # removed from the chat; a group now a supergroup
        await _lost(service, post_id, exc)
    # A 429 PTB's rate limiter could not wait out, a timeout, a 5xx: the sender has the same
    # edit tried again later.


async def _lost(service: PledgeService, post_id: int, exc: TelegramError) -> None:
    reason = f"telegram: {exc.message}"
    await service.live.lost(post_id, reason)
    raise DeliveryError(f"live post #{post_id}: {reason}", permanent=True) from exc
