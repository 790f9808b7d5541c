"""Moderation on Telegram: the moderator commands, the Approve/Reject buttons and the cards.

Every decision goes through :class:`bot.service.PledgeService`, which refuses anyone the
:class:`~adapters.telegram.moderators.ModeratorDirectory` does not vouch for, so a button pressed
by a stranger changes nothing. Moderator commands answer only in the mod chat and in private
chats, because their answers carry signers' details.

A mod-queue card is drawn from the database every time (:func:`card`): the outbox posts it, and
after a decision taken on Telegram — a button, a typed command, the signer withdrawing — every
posted card of that signature is redrawn to show who decided. A button left stale by a decision
taken elsewhere answers with the core's "already approved by …" and redraws its card.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from telegram import Bot, ForceReply, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.ext import filters

from adapters.telegram import keyboards, messages, render
from adapters.telegram.context import PledgeContext, arguments_of, message_of, query_of, user_of
from adapters.telegram.keyboards import View
from adapters.telegram.messages import edit_markup, edit_query, reply
from adapters.telegram.moderators import PLATFORM, signer
from bot import commands
from bot.domain import Actor, PendingItem
from bot.errors import AlreadyDecided, NotWhereModeratorsWork
from bot.i18n import Raw, Translator
from bot.service import PledgeService
from bot.texts import moderation, rejection

__all__ = [
    "REASON_REPLY",
    "approve",
    "approve_button",
    "audit",
    "back_button",
    "card",
    "communities",
    "export",
    "mod_chat_member",
    "moderator_here",
    "pending",
    "reason_button",
    "reason_reply",
    "refresh_cards",
    "reject",
    "reject_button",
    "remove",
    "snapshot",
]

_log = logging.getLogger(__name__)

PENDING_SHOWN = 10  # signatures in one /pending list, each with its two buttons
MAX_UPLOAD = 50 * 1024 * 1024  # the Bot API's limit for a document a bot sends
# The reason prompt starts "❌ #12:" in every language, and only it does (a card starts "#12 ");
# prompts an older pledgebot asked in English still count.
_PROMPT = re.compile(r"^(?:❌ #(\d{1,12}):|Reason for rejecting #(\d{1,12})\?)")


async def _moderator(update: Update, context: PledgeContext) -> Actor:
    """The sender as a moderator, or the core's refusal (NotModerator) for anyone else; and
    only where moderation happens (cards and lists are only ever posted there, too)."""
    actor = await context.moderators.actor(context.bot, user_of(update))
    context.service.require_moderator(actor)
    if not _moderators_place(update, context):
        raise NotWhereModeratorsWork()
    return actor


async def moderator_here(update: Update, context: PledgeContext) -> Actor:
    """The sender as a moderator where moderators work, for the other moderator commands
    (live posts); the same rule as this module's own commands."""
    return await _moderator(update, context)


def _moderators_place(update: Update, context: PledgeContext) -> bool:
    chat = update.effective_chat
    return (
        chat is None or chat.type == ChatType.PRIVATE or chat.id == context.moderators.mod_chat_id
    )


# -- cards ----------------------------------------------------------------------------------
def card(tr: Translator, item: PendingItem) -> tuple[str, InlineKeyboardMarkup | None]:
    """A signature's card and, while it is pending, its Approve/Reject buttons, in the mod
    chat's language ``tr``."""
    sig = item.signature
    return render.mod_card(tr, item), keyboards.decide(tr, sig.id) if sig.decidable else None


async def refresh_cards(
    bot: Bot,
    service: PledgeService,
    signature_ids: Iterable[int],
    chat_tr: Callable[[int], Translator],
    *,
    skip: tuple[int, int] | None = None,
) -> None:
    """Redraw every posted mod-queue card of these signatures (but ``skip``, a message the
    caller redraws itself), each in its chat's language (``chat_tr``). A card that cannot be
    edited is logged, never an error for the moderator whose decision is already recorded."""
    for signature_id in dict.fromkeys(signature_ids):
        item = await service.mod_queue.item(signature_id)
        posted = await service.mod_queue.posted_cards(signature_id, PLATFORM)
        targets = [
            (int(chat), int(ref))
            for chat, ref in posted
            if ref.isdecimal() and (int(chat), int(ref)) != skip
        ]
        results = await asyncio.gather(
            *(messages.edit(bot, chat, ref, *card(chat_tr(chat), item)) for chat, ref in targets),
            return_exceptions=True,
        )
        for (chat, ref), result in zip(targets, results, strict=True):
            if isinstance(result, Exception):
                _log.warning("could not update card %s in chat %s: %s", ref, chat, result)


async def _pending_view(
    context: PledgeContext, actor: Actor
) -> tuple[str, InlineKeyboardMarkup | None]:
    items = await context.service.pending(actor, limit=PENDING_SHOWN + 1)
    shown = items[:PENDING_SHOWN]
    text = render.pending_list(context.place_tr, shown, more=len(items) > PENDING_SHOWN)
    return text, keyboards.pending_list(shown)


async def _redraw(
    update: Update, context: PledgeContext, actor: Actor, sig_id: int, view: View
) -> None:
    """Redraw the message whose button was pressed, from the database."""
    query = query_of(update)
    if view == "l":
        text, markup = await _pending_view(context, actor)
    else:
        text, markup = card(context.place_tr, await context.service.mod_queue.item(sig_id))
    await edit_query(query, text, markup)


async def _decided(
    update: Update, context: PledgeContext, actor: Actor, sig_id: int, view: View
) -> None:
    """After a decision by button: redraw the pressed message now; the outbox's card update
    redraws every other card of the signature, on every platform."""
    await _redraw(update, context, actor, sig_id, view)


# -- commands -------------------------------------------------------------------------------
async def pending(update: Update, context: PledgeContext) -> None:
    """/pending: the oldest signatures awaiting approval, each with Approve/Reject."""
    actor = await _moderator(update, context)
    text, markup = await _pending_view(context, actor)
    await reply(update, text, markup)


async def approve(update: Update, context: PledgeContext) -> None:
    """/approve ID…: approve one or more; their cards show who approved."""
    actor = await _moderator(update, context)
    results = await commands.approve(context.service, actor, arguments_of(update))
    await reply(update, render.decisions(context.tr, results))


async def reject(update: Update, context: PledgeContext) -> None:
    """/reject ID… REASON: reject one or more for one reason; each signer is told it."""
    actor = await _moderator(update, context)
    results = await commands.reject_many(context.service, actor, arguments_of(update))
    await reply(update, render.decisions(context.tr, results))


async def remove(update: Update, context: PledgeContext) -> None:
    """/remove ID… REASON: take one or more signatures off the letter for good."""
    actor = await _moderator(update, context)
    results = await commands.remove_many(context.service, actor, arguments_of(update))
    await reply(update, render.decisions(context.tr, results))


async def export(update: Update, context: PledgeContext) -> None:
    """/export csv|json: the approved signatures as a document."""
    actor = await _moderator(update, context)
    fmt = commands.export_format(context.service, actor, arguments_of(update))
    data = bytearray()
    async for chunk in context.service.export_for(actor, fmt):
        data += chunk.encode()
        if len(data) > MAX_UPLOAD:
            command = f"<code>pledgebot export --format {fmt}</code>"
            too_large = moderation.export_too_large("Telegram", MAX_UPLOAD // 2**20, command)
            await reply(update, render.say(context.tr, too_large))
            return
    stamp = datetime.now(UTC)
    moment = f"{stamp:%Y-%m-%d %H:%M}"
    caption = context.tr.t(
        "Approved signatures as of {moment} UTC (anonymous signers are counted, not listed).",
        escape=render.esc,
        moment=moment,
    )
    await message_of(update).reply_document(
        bytes(data), filename=f"signatures-{stamp:%Y%m%d-%H%M}.{fmt}", caption=caption
    )


async def audit(update: Update, context: PledgeContext) -> None:
    """/audit [N]: the last N moderator actions."""
    actor = await _moderator(update, context)
    entries = await commands.audit(context.service, actor, arguments_of(update))
    await reply(update, render.audit(context.tr, entries))


async def snapshot(update: Update, context: PledgeContext) -> None:
    """/snapshot: record a verifiable snapshot of the list."""
    actor = await _moderator(update, context)
    service = context.service
    taken = await commands.snapshot(service, actor, arguments_of(update))
    recorded = moderation.snapshot_recorded(taken, service.snapshot_url(taken))
    await reply(update, render.say(context.tr, recorded))


async def communities(update: Update, context: PledgeContext) -> None:
    """/communities: which servers and groups bring the signatures. Where moderators work,
    for moderators; anywhere, for everyone, when ``signing.public_communities`` is on."""
    service = context.service
    if service.rules.public_communities:
        actor = signer(user_of(update))
    else:
        actor = await _moderator(update, context)
    table = await service.communities(actor=actor)
    await reply(update, render.communities(context.tr, table))


# -- buttons --------------------------------------------------------------------------------
def _decision_target(context: PledgeContext) -> tuple[int, View]:
    """The signature id and the view (the last field) from a decision button's data."""
    assert context.matches
    match = context.matches[0]
    view: View = "l" if match.group(match.lastindex or 1) == "l" else "c"
    return int(match.group(1)), view


async def approve_button(update: Update, context: PledgeContext) -> None:
    """✅ on a card or the /pending list: approve, then show who did."""
    query = query_of(update)
    sig_id, view = _decision_target(context)
    actor = await _moderator(update, context)
    [decision] = await context.service.approve(actor, [sig_id])
    if decision.error is not None:
        await query.answer(context.tr.render(decision.error.message), show_alert=True)
    else:
        await query.answer(context.tr.t("#{id} approved.", id=str(sig_id)))
    await _decided(update, context, actor, sig_id, view)


async def reject_button(update: Update, context: PledgeContext) -> None:
    """❌: offer the canned reasons and "Other reason…" for this signature."""
    query = query_of(update)
    sig_id, view = _decision_target(context)
    await _moderator(update, context)
    await query.answer()
    await edit_markup(query, keyboards.reasons(context.place_tr, sig_id, view))


async def reason_button(update: Update, context: PledgeContext) -> None:
    """A reason picked: reject with it; "Other reason…" asks for one with a forced reply."""
    query = query_of(update)
    sig_id, view = _decision_target(context)
    assert context.matches
    choice = int(context.matches[0].group(2))
    actor = await _moderator(update, context)
    canned = rejection.canned_reason(choice)
    if canned is None:  # "Other reason…"
        await query.answer()
        await _ask_reason(update, context, sig_id)
        await _redraw(update, context, actor, sig_id, view)
        return
    try:
        # The reason travels as its catalogue key: the signer reads it in their own language.
        await context.service.reject(actor, sig_id, canned.key)
    except AlreadyDecided as exc:
        await query.answer(context.tr.render(exc.message), show_alert=True)
    else:
        await query.answer(context.tr.t("#{id} rejected.", id=str(sig_id)))
    await _decided(update, context, actor, sig_id, view)


async def back_button(update: Update, context: PledgeContext) -> None:
    """« Back from the reasons: the Approve/Reject buttons again."""
    query = query_of(update)
    sig_id, view = _decision_target(context)
    actor = await _moderator(update, context)
    await query.answer()
    await _redraw(update, context, actor, sig_id, view)


async def _ask_reason(update: Update, context: PledgeContext, sig_id: int) -> Message:
    """A prompt the moderator answers by replying; the reply finds #id at the start of the
    prompt's text ("❌ #12:", the same in every language), so nothing is remembered in between,
    and a restart loses nothing. Asked in the language of the moderator it is addressed to."""
    user = user_of(update)
    chat = update.effective_chat
    assert chat is not None
    tr = context.tr
    question = tr.t(
        "Why is it rejected? {moderator}, reply to this message; the signer will read it.",
        escape=render.esc,
        moderator=Raw(user.mention_html()),
    )
    placeholder = tr.t("Why not #{id}?", id=str(sig_id))
    return await context.bot.send_message(
        chat.id,
        f"❌ #{sig_id}: {question}",
        reply_markup=ForceReply(selective=True, input_field_placeholder=placeholder[:64]),
    )


class _ReasonReply(filters.MessageFilter):
    """A text reply to the bot's own "❌ #N: Why is it rejected?" prompt."""

    def filter(self, message: Message) -> bool:
        prompt = message.reply_to_message
        if prompt is None or prompt.from_user is None or not prompt.text:
            return False
        return prompt.from_user.id == message.get_bot().id and bool(_PROMPT.match(prompt.text))


REASON_REPLY = filters.TEXT & ~filters.COMMAND & _ReasonReply()


async def reason_reply(update: Update, context: PledgeContext) -> None:
    """A typed reason, in reply to the prompt: reject with it."""
    message = message_of(update)
    prompt = message.reply_to_message
    assert prompt is not None and prompt.text is not None
    match = _PROMPT.match(prompt.text)
    assert match is not None
    sig_id = int(match.group(1) or match.group(2))
    actor = await _moderator(update, context)
    sig = await context.service.reject(actor, sig_id, message.text or "")
    await reply(update, render.say(context.tr, moderation.rejected(sig)))


async def mod_chat_member(update: Update, context: PledgeContext) -> None:
    """Someone's rights in the mod chat changed: look the administrators up again."""
    change = update.chat_member
    if change is not None and change.chat.id == context.moderators.mod_chat_id:
        context.moderators.forget()
