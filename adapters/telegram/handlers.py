"""The public commands and buttons, the error handler, and :func:`register`, which wires every
handler of the adapter in one place, in the order they are tried.

Anything that shows or asks for a signer's own details — signing, ``/status``, ``/withdraw`` —
happens in the private chat; in a group those commands answer with a deep link there.
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.error import Forbidden, TelegramError
from telegram.ext import (
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from adapters.telegram import (
    keyboards,
    links,
    liveposts,
    membership,
    menus,
    moderation,
    render,
)
from adapters.telegram.context import (
    PledgeApp,
    PledgeContext,
    arguments_of,
    query_of,
    user_of,
)
from adapters.telegram.conversation import signing_conversation
from adapters.telegram.messages import edit_query, reply
from adapters.telegram.moderators import identity_of, signer
from bot.domain import WithdrawChoice
from bot.errors import APOLOGY, PledgeError
from bot.forms import parse_demand, parse_page
from bot.i18n import Translator
from bot.reaffirm import reaffirmed, version_lines
from bot.texts import linking, signing

__all__ = [
    "count",
    "demands",
    "expired_button",
    "help_command",
    "letter",
    "link",
    "on_error",
    "page_button",
    "reaffirm",
    "register",
    "sign_elsewhere",
    "signatories",
    "start",
    "status",
    "unlink",
    "withdraw",
    "withdraw_button",
]

_log = logging.getLogger(__name__)

MAX_ALERT = 200  # characters Telegram shows in a button's answer


def _sign_in_private(tr: Translator) -> str:
    """The label of a group's link to signing in private."""
    label = tr.t("Sign in a private chat")
    return f"✍️ {label}"


def _private(update: Update) -> bool:
    return update.effective_chat is not None and update.effective_chat.type == ChatType.PRIVATE


async def _to_private(
    update: Update, context: PledgeContext, payload: str, text: str, label: str
) -> None:
    """In a group: say why (``text``, plain), and link to the private chat with what to do
    there."""
    url = links.deep_link(context.bot.username, payload)
    await reply(update, render.esc(text), keyboards.open_private(label, url))


def _sign_markup(update: Update, context: PledgeContext) -> InlineKeyboardMarkup:
    chat = update.effective_chat
    if chat is None or chat.type == ChatType.PRIVATE:
        return keyboards.sign(context.tr)
    url = links.deep_link(context.bot.username, links.sign_payload(chat.id))
    return keyboards.open_private(_sign_in_private(context.tr), url)


# -- reading --------------------------------------------------------------------------------
async def start(update: Update, context: PledgeContext) -> None:
    """/start: a welcome, or what a deep link asked for."""
    payload = (context.args or [""])[0]
    if _private(update):
        user = user_of(update)
        if await context.moderators.is_moderator(context.bot, user.id):
            await menus.publish_for_moderator(context.bot, user.id, context.deps.language)
        match payload:
            case links.LETTER:
                return await letter(update, context)
            case links.STATUS:
                return await status(update, context)
            case links.WITHDRAW:
                return await withdraw(update, context)
            case links.LINK:
                return await _link(update, context, "")
    await help_command(update, context)


async def help_command(update: Update, context: PledgeContext) -> None:
    """/help: what the bot does and its commands (a moderator also sees theirs)."""
    chat = update.effective_chat
    where_moderators_work = _private(update) or (
        chat is not None and chat.id == context.moderators.mod_chat_id
    )
    moderator = where_moderators_work and await context.moderators.is_moderator(
        context.bot, user_of(update).id
    )
    await reply(
        update, render.help_text(context.tr, context.service.letter.title, moderator=moderator)
    )


async def letter(update: Update, context: PledgeContext) -> None:
    """/letter: the letter, the count, the next milestone and a way to sign."""
    view = await context.service.overview(actor=identity_of(user_of(update)))
    parts = render.letter(context.tr, view)
    await reply(update, parts, _sign_markup(update, context))


async def demands(update: Update, context: PledgeContext) -> None:
    """/demands [N]: the numbered demands, or demand N."""
    number = parse_demand(arguments_of(update))
    service = context.service
    shown = service.demands(number, actor=identity_of(user_of(update)))
    if number is None:
        await reply(update, render.demands(context.tr, service.letter, [n for n, _ in shown]))
    else:
        await reply(update, render.demand(context.tr, service.letter, number))


async def count(update: Update, context: PledgeContext) -> None:
    """/count: how many have signed, and the next milestone."""
    user, chat = user_of(update), update.effective_chat
    where_moderators_work = _private(update) or (
        chat is not None and chat.id == context.moderators.mod_chat_id
    )
    if where_moderators_work:  # a moderator there also sees the counts per text
        actor = await context.moderators.actor(context.bot, user)
    else:
        actor = signer(user)
    shown = await context.service.count_view(actor)
    view = shown.overview
    lines = [render.count_line(context.tr, view.count, view.next_milestone)]
    if shown.versions is not None:
        required = context.service.rules.require_reaffirm
        lines += [
            context.tr.render(m, escape=render.esc)
            for m in version_lines(shown.versions, required=required)
        ]
    await reply(update, "\n".join(lines))


async def signatories(update: Update, context: PledgeContext) -> None:
    """/signatories [PAGE]: who has signed, 20 a page, with ◀ ▶ buttons."""
    page = await context.service.signatories(
        parse_page(arguments_of(update)), actor=identity_of(user_of(update))
    )
    await reply(update, render.signatories(context.tr, page), keyboards.pages(page))


async def page_button(update: Update, context: PledgeContext) -> None:
    """◀ ▶ under a signatories page: that page, in place."""
    query = query_of(update)
    assert context.matches
    page = await context.service.signatories(
        int(context.matches[0].group(1)), actor=identity_of(query.from_user)
    )
    await query.answer()
    await edit_query(query, render.signatories(context.tr, page), keyboards.pages(page))


# -- the signer's own signature ---------------------------------------------------------------
async def sign_elsewhere(update: Update, context: PledgeContext) -> None:
    """/sign in a group: signing asks for personal details, so it happens in private."""
    chat = update.effective_chat
    tr = context.tr
    await _to_private(
        update,
        context,
        links.sign_payload(chat.id if chat is not None else None),
        tr.t("To keep your details out of this group, signing happens in a private chat with me."),
        _sign_in_private(tr),
    )


async def status(update: Update, context: PledgeContext) -> None:
    """/status: the signer's own signature, in private."""
    if not _private(update):
        return await _to_private(
            update,
            context,
            links.STATUS,
            context.tr.t("Your signature is shown only in a private chat with me."),
            context.tr.t("See my signature"),
        )
    state = await context.service.status(identity_of(user_of(update)))
    await reply(update, render.status(context.tr, state))


async def withdraw(update: Update, context: PledgeContext) -> None:
    """/withdraw: show the signature and ask how to take it back."""
    if not _private(update):
        return await _to_private(
            update,
            context,
            links.WITHDRAW,
            context.tr.t("Withdrawing happens in a private chat with me."),
            context.tr.render(signing.WITHDRAW_LABELS[WithdrawChoice.WITHDRAW]),
        )
    state = await context.service.status(identity_of(user_of(update)))
    choices = state.withdraw_choices
    text = render.withdraw_prompt(context.tr, state)
    await reply(update, text, keyboards.withdraw(context.tr, choices) if choices else None)


async def reaffirm(update: Update, context: PledgeContext) -> None:
    """/reaffirm: keep one's signature on the letter's changed text, in private."""
    if not _private(update):
        return await _to_private(
            update,
            context,
            links.STATUS,
            context.tr.t("Reaffirming happens in a private chat with me."),
            context.tr.t("See my signature"),
        )
    sig = await context.service.reaffirm(signer(user_of(update)))
    await reply(update, context.tr.render(reaffirmed(sig), escape=render.esc))


async def reaffirm_button(update: Update, context: PledgeContext) -> None:
    """Reaffirm, under the notice that the letter changed: the notice becomes the answer."""
    query = query_of(update)
    await query.answer()
    try:
        sig = await context.service.reaffirm(signer(query.from_user))
    except PledgeError as exc:
        return await edit_query(query, render.say(context.tr, exc.message))
    await edit_query(query, context.tr.render(reaffirmed(sig), escape=render.esc))


async def withdraw_ask_button(update: Update, context: PledgeContext) -> None:
    """Withdraw…, under the notice that the letter changed: the withdraw choices, in place."""
    query = query_of(update)
    await query.answer()
    state = await context.service.status(identity_of(query.from_user))
    choices = state.withdraw_choices
    markup = keyboards.withdraw(context.tr, choices) if choices else None
    await edit_query(query, render.withdraw_prompt(context.tr, state), markup)


async def link(update: Update, context: PledgeContext) -> None:
    """/link: a code to type on another account; /link CODE: redeem one made there. In
    private only: a code is as good as a key, and one typed in a group is made void."""
    await _link(update, context, arguments_of(update))


async def _link(update: Update, context: PledgeContext, typed: str) -> None:
    if not _private(update):
        if typed:
            await context.service.void_link_code(signer(user_of(update)), typed)
        tr = context.tr
        said = render.say(tr, linking.LINK_CODE_VOIDED if typed else linking.LINK_IN_PRIVATE)
        await _to_private(update, context, links.LINK, said, tr.render(linking.LINK_LABEL))
        return
    actor = signer(user_of(update))
    if not typed:
        made = await context.service.link_code(actor)
        await reply(update, render.say(context.tr, linking.link_code_text(made)))
        return
    result = await context.service.link(actor, typed)
    await reply(update, render.say(context.tr, linking.linked_text(result, actor.identity)))


async def unlink(update: Update, context: PledgeContext) -> None:
    """/unlink: this account goes its own way again, in private."""
    if not _private(update):
        return await _to_private(
            update,
            context,
            links.STATUS,
            render.say(context.tr, linking.UNLINK_IN_PRIVATE),
            context.tr.t("See my signature"),
        )
    others = await context.service.unlink(signer(user_of(update)))
    await reply(update, render.say(context.tr, linking.unlinked_text(others)))


#: A withdraw button's callback data, back to the core's choice.
_WITHDRAW_PRESSED = {
    "yes": WithdrawChoice.WITHDRAW,
    "erase": WithdrawChoice.WITHDRAW_AND_ERASE,
    "no": WithdrawChoice.KEEP,
}


async def withdraw_button(update: Update, context: PledgeContext) -> None:
    """One of the withdraw choices, as pressed."""
    query = query_of(update)
    assert context.matches
    choice = _WITHDRAW_PRESSED[context.matches[0].group(1)]
    await query.answer()
    try:
        done = await context.service.withdraw_as_chosen(signer(user_of(update)), choice)
    except PledgeError as exc:
        return await edit_query(query, render.say(context.tr, exc.message))
    await edit_query(query, render.say(context.tr, done.message))
    # The mod-queue cards (withdrawn, or erased) are redrawn by the outbox's card updates.


# -- what no other handler took ---------------------------------------------------------------
async def nothing_to_cancel(update: Update, context: PledgeContext) -> None:
    """/cancel or /skip outside the signing conversation."""
    await reply(
        update, context.tr.t("There is nothing to cancel. /sign starts signing.", escape=render.esc)
    )


async def unknown_command(update: Update, context: PledgeContext) -> None:
    """A command the bot does not know, in private."""
    await reply(
        update, context.tr.t("I do not know that command. /help lists mine.", escape=render.esc)
    )


async def private_text(update: Update, context: PledgeContext) -> None:
    """Text in private outside a conversation: say what the bot can do."""
    await reply(
        update,
        context.tr.t(
            "/letter shows the letter, /sign signs it, and /help lists everything.",
            escape=render.esc,
        ),
    )


async def expired_button(update: Update, context: PledgeContext) -> None:
    """A button from an ended conversation or an older version: say so, change nothing."""
    await query_of(update).answer(
        context.tr.t("This button no longer works. Please send the command again.")
    )


async def on_error(update: object, context: PledgeContext) -> None:
    """Show a user's mistake as the core's own sentence; log anything else with a traceback."""
    error = context.error
    if isinstance(error, PledgeError):
        await _tell(update, context.tr.render(error.message))
        return
    if isinstance(error, Forbidden):  # the user blocked the bot meanwhile: no one to tell
        _log.info("telegram: cannot answer: %s", error.message)
        return
    _log.error("telegram: handling an update failed", exc_info=error)
    await _tell(update, context.tr.render(APOLOGY))


async def _tell(update: object, text: str) -> None:
    if not isinstance(update, Update):
        return
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(text[:MAX_ALERT], show_alert=True)
        elif update.effective_message is not None:
            await update.effective_message.reply_text(render.esc(text))
    except TelegramError as exc:  # blocked, or the button's answer was already given
        _log.info("could not tell the user %r: %s", text, exc)


async def note_title(update: Update, context: PledgeContext) -> None:
    """A group renamed, or the bot added to one: keep its title for ``/communities`` (the
    core writes only when it changed). Commands do not record it: a member's command changes
    nothing in the store."""
    chat = update.effective_chat
    if chat is not None and chat.type != ChatType.PRIVATE:
        await context.service.community_seen(links.chat_community(chat.id), chat.title)


def register(application: PledgeApp) -> None:
    """Every handler of the adapter, in the order they are tried."""
    private = filters.ChatType.PRIVATE
    titles = filters.StatusUpdate.NEW_CHAT_TITLE | filters.StatusUpdate.NEW_CHAT_MEMBERS
    application.add_handler(MessageHandler(titles, note_title), group=-1)
    application.add_handlers(
        [
            # A reply to "Reason for rejecting #N?" wins over the conversation's text steps.
            MessageHandler(moderation.REASON_REPLY, moderation.reason_reply),
            signing_conversation(),
            CommandHandler("start", start),
            CommandHandler("help", help_command),
            CommandHandler("letter", letter),
            CommandHandler("demands", demands),
            CommandHandler("count", count),
            CommandHandler("signatories", signatories),
            CommandHandler("sign", sign_elsewhere, filters=~private),
            CommandHandler("status", status),
            CommandHandler("withdraw", withdraw),
            CommandHandler("reaffirm", reaffirm),
            CommandHandler("link", link),
            CommandHandler("unlink", unlink),
            CommandHandler("pending", moderation.pending),
            CommandHandler("approve", moderation.approve),
            CommandHandler("reject", moderation.reject),
            CommandHandler("remove", moderation.remove),
            CommandHandler("export", moderation.export),
            CommandHandler("audit", moderation.audit),
            CommandHandler("snapshot", moderation.snapshot),
            CommandHandler("communities", moderation.communities),
            CommandHandler("postletter", liveposts.post_letter),
            CommandHandler("liveposts", liveposts.live_posts),
            CommandHandler("unpost", liveposts.unpost),
            CallbackQueryHandler(page_button, pattern=keyboards.PAGE),
            CallbackQueryHandler(withdraw_button, pattern=keyboards.WITHDRAW),
            CallbackQueryHandler(withdraw_ask_button, pattern=keyboards.WITHDRAW_ASK),
            CallbackQueryHandler(reaffirm_button, pattern=keyboards.REAFFIRM),
            CallbackQueryHandler(moderation.approve_button, pattern=keyboards.APPROVE),
            CallbackQueryHandler(moderation.reject_button, pattern=keyboards.REJECT),
            CallbackQueryHandler(moderation.reason_button, pattern=keyboards.REASON),
            CallbackQueryHandler(moderation.back_button, pattern=keyboards.BACK),
            CallbackQueryHandler(expired_button),
            CommandHandler(["cancel", "skip"], nothing_to_cancel, filters=private),
            MessageHandler(private & filters.COMMAND, unknown_command),
            MessageHandler(private & filters.TEXT, private_text),
            ChatMemberHandler(moderation.mod_chat_member, ChatMemberHandler.CHAT_MEMBER),
            ChatMemberHandler(membership.my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER),
        ]
    )
    application.add_error_handler(on_error)
