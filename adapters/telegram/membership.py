"""The bot's own membership of chats (``my_chat_member`` updates).

Telegram tells the bot when it is added to a chat or removed from one (and when a user blocks or
unblocks it in private, which needs nothing here: a blocked user's notification fails for good
on its own). Added to a group, it says hello there if ``telegram.greet_groups`` asks it to: the
letter's title and a button to sign in private, attributed to that group. Removed from a chat it
posts to — an announcement chat or the mod chat — it stops delivering there at once (no failed
sends, no retries) and the core tells the moderators, once: one update per removal, confirmed to
Telegram once handled. Added back, deliveries there resume. Removed from any chat, its live
letter posts there are dropped at once (:meth:`bot.liveposts.LivePosts.chat_gone`); added back,
they stay dropped — a moderator posts the letter again.
"""

from __future__ import annotations

import logging

from telegram import ChatMember, ChatMemberRestricted, ChatMemberUpdated, Update
from telegram.constants import ChatType

from adapters.telegram import keyboards, links, render
from adapters.telegram.context import PledgeContext
from adapters.telegram.moderators import PLATFORM

__all__ = ["my_chat_member"]

_log = logging.getLogger(__name__)

_PRESENT = (ChatMember.OWNER, ChatMember.ADMINISTRATOR, ChatMember.MEMBER)
_GROUPS = (ChatType.GROUP, ChatType.SUPERGROUP)


def _present(member: ChatMember) -> bool:
    """In the chat: a member, an administrator, or restricted but still there."""
    if isinstance(member, ChatMemberRestricted):
        return member.is_member
    return member.status in _PRESENT


async def my_chat_member(update: Update, context: PledgeContext) -> None:
    """The bot joined or left a chat (groups, supergroups, channels; private chats ignored)."""
    change: ChatMemberUpdated | None = update.my_chat_member
    if change is None or change.chat.type == ChatType.PRIVATE:
        return
    was, now = _present(change.old_chat_member), _present(change.new_chat_member)
    chat = change.chat
    deps = context.deps
    if now and not was:
        deps.lost_chats.discard(chat.id)
        _log.info("telegram: added to %s %s", chat.type, chat.id)
        if chat.title:
            await context.service.community_seen(f"{PLATFORM}:{chat.id}", chat.title)
        if deps.greet_groups and chat.type in _GROUPS:
            await _greet(context, chat.id)
    elif was and not now:
        _log.warning("telegram: removed from %s %s", chat.type, chat.id)
        await context.service.live.chat_gone(PLATFORM, str(chat.id))
        if chat.id in deps.lost_chats:
            return
        deps.lost_chats.add(chat.id)
        moderators = context.moderators
        lost_mod_chat = chat.id == moderators.mod_chat_id
        tell = [str(u) for u in sorted(moderators.user_ids)] if lost_mod_chat else []
        await context.service.destination_lost(PLATFORM, str(chat.id), tell=tell)


async def _greet(context: PledgeContext, chat_id: int) -> None:
    """A short hello in a group the bot was just added to, in the default language (a group's
    many readers share no one language)."""
    tr = context.deps.tr
    title = context.service.letter.in_language(context.deps.language).title
    text = "\n".join(
        (
            tr.t("Hello! I gather signatures for the open letter “{title}”.", title=title),
            tr.t("Read it with /letter. Signing happens in a private chat with me."),
        )
    )
    url = links.deep_link(context.bot.username, links.sign_payload(chat_id))
    label = tr.t("Sign in a private chat")
    markup = keyboards.open_private(f"✍️ {label}", url)
    said = render.clip(text, render.MAX_MESSAGE)  # escaped for HTML, then fitted
    await context.bot.send_message(chat_id, said, reply_markup=markup)
