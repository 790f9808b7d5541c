"""The private signing conversation: name → role → location → link → summary → Sign.

Built like python-telegram-bot's ``conversationbot`` example: named states, one small handler per
step, ``/skip`` for each question and ``/cancel`` anywhere. Each answer is checked at once with the
core's own hygiene (``bot.hygiene.clean_form``), so a signer hears "the link must start with
https://" at the link question rather than after the summary; the core checks everything again
when it signs. The answers live in ``user_data`` only while the conversation lasts; the signature
itself is written by :meth:`bot.service.PledgeService.sign` and nowhere else.

``/sign NAME | ROLE | LOCATION | LINK`` skips the questions and goes straight to the summary, which
always shows the demands before anything is recorded.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from adapters.telegram import keyboards, links, render
from adapters.telegram.context import PledgeContext, arguments_of, message_of, query_of, user_of
from adapters.telegram.messages import edit_markup, reply
from adapters.telegram.moderators import identity_of, signer
from bot.domain import SignatureForm
from bot.errors import InvalidInput, PledgeError
from bot.forms import SIGN_USAGE, parse_sign_line
from bot.hygiene import LIMITS, CleanForm, clean_form
from bot.i18n import Msg, Raw, Translator
from bot.texts import signing

_log = logging.getLogger(__name__)

__all__ = ["CONFIRM", "LINK", "LOCATION", "NAME", "ROLE", "signing_conversation"]

NAME, ROLE, LOCATION, LINK, CONFIRM = range(5)
END = ConversationHandler.END

_FIELD = {NAME: "name", ROLE: "role", LOCATION: "location", LINK: "link"}
_NEXT = {NAME: ROLE, ROLE: LOCATION, LOCATION: LINK, LINK: CONFIRM}


def _question(tr: Translator, step: int) -> str:
    """The question for one step, in the signer's language (plain text)."""
    if step == NAME:
        return tr.t(
            "What public name should appear on the letter? (up to {limit} characters)",
            limit=LIMITS["name"],
        )
    if step == ROLE:
        return tr.t(
            "Your role or affiliation, for example “singer, The Band”? /skip to leave it out."
        )
    if step == LOCATION:
        return tr.t("Where are you based? /skip to leave it out.")
    return tr.t("A link to your work, starting with https://? /skip to leave it out.")


_ANSWERS = "signing"  # user_data key: this conversation's answers and community, until it ends


def _answers(context: PledgeContext) -> dict[str, str]:
    assert context.user_data is not None  # per-user conversations always have a user
    answers: dict[str, str] = context.user_data.setdefault(_ANSWERS, {})
    return answers


def _form(answers: dict[str, str]) -> SignatureForm:
    return SignatureForm(
        name=answers.get("name", ""),
        role=answers.get("role", ""),
        location=answers.get("location", ""),
        link=answers.get("link", ""),
    )


async def _begin(update: Update, context: PledgeContext, community: str) -> int:
    # Someone who cannot sign (already has, or was removed) hears so before four questions.
    await context.service.check_can_sign(identity_of(user_of(update)))
    assert context.user_data is not None
    context.user_data[_ANSWERS] = {"community": community}
    tr = context.tr
    intro = tr.t(
        "Let's sign “{title}”. Only your name is required: send /skip to leave any other "
        "answer out, or /cancel to stop.",
        escape=render.esc,
        title=Raw(render.bold(render.esc(context.service.letter.title))),
    )
    await reply(update, f"{intro}\n\n{render.esc(_question(tr, NAME))}")
    return NAME


async def _answer(update: Update, context: PledgeContext, step: int, value: str) -> int:
    """Keep a valid answer and ask the next question; explain an invalid one and ask again."""
    answers = _answers(context)
    trial = {**answers, _FIELD[step]: value}
    try:
        clean = clean_form(_form(trial))
    except InvalidInput as exc:
        question = _question(context.tr, step)
        await reply(update, f"{render.say(context.tr, exc.message)}\n\n{render.esc(question)}")
        return step
    answers[_FIELD[step]] = value
    following = _NEXT[step]
    if following == CONFIRM:
        return await _summary(update, context, clean)
    await reply(update, render.esc(_question(context.tr, following)))
    return following


async def _summary(update: Update, context: PledgeContext, clean: CleanForm) -> int:
    anonymous_allowed = context.service.rules.allow_anonymous
    tr = context.tr
    text = render.summary(tr, clean, context.service.letter, anonymous_allowed=anonymous_allowed)
    await reply(update, text, keyboards.confirm(tr, anonymous_allowed=anonymous_allowed))
    return CONFIRM


# -- entry points ---------------------------------------------------------------------------
async def sign_command(update: Update, context: PledgeContext) -> int:
    """/sign in private: ask step by step, or take the one-line form to the summary."""
    line = arguments_of(update)
    if not line:
        return await _begin(update, context, links.PRIVATE_COMMUNITY)
    try:
        form = parse_sign_line(line)
        clean = clean_form(form)
    except InvalidInput as exc:
        usage = context.tr.t("Usage: {usage}", escape=render.esc, usage=SIGN_USAGE)
        await reply(update, f"{render.say(context.tr, exc.message)}\n{usage}")
        return END
    assert context.user_data is not None
    context.user_data[_ANSWERS] = {
        "community": links.PRIVATE_COMMUNITY,
        "name": form.name,
        "role": form.role,
        "location": form.location,
        "link": form.link,
    }
    return await _summary(update, context, clean)


async def start_signing(update: Update, context: PledgeContext) -> int:
    """/start sign[-group]: a deep link from a group or an announcement; sign here."""
    payload = (context.args or [links.SIGN])[0]
    community = links.community(payload)
    if community != links.PRIVATE_COMMUNITY:
        context.application.create_task(_note_title(context, community))
    return await _begin(update, context, community)


async def _note_title(context: PledgeContext, community: str) -> None:
    """The group a signer came from, by its title, for ``/communities`` (when the bot is
    still there to ask). A failure is no one's business but the log's."""
    chat_id = int(community.partition(":")[2])
    try:
        chat = await context.bot.get_chat(chat_id)
    except TelegramError as exc:
        _log.info("cannot read the title of chat %s: %s", chat_id, exc)
        return
    await context.service.community_seen(community, chat.title)


async def sign_button(update: Update, context: PledgeContext) -> int:
    """The Sign button: start here in private; in a group, open the private chat instead."""
    query = query_of(update)
    chat = update.effective_chat
    if chat is None or chat.type != ChatType.PRIVATE:
        chat_id = chat.id if chat is not None else None
        url = links.deep_link(context.bot.username, links.sign_payload(chat_id))
        await query.answer(url=url)
        return END
    await query.answer()
    return await _begin(update, context, links.PRIVATE_COMMUNITY)


# -- the questions --------------------------------------------------------------------------
async def got_name(update: Update, context: PledgeContext) -> int:
    """The public name; next, the role."""
    return await _answer(update, context, NAME, message_of(update).text or "")


async def skip_name(update: Update, context: PledgeContext) -> int:
    """/skip at the name: the core needs one, and its answer says so."""
    return await _answer(update, context, NAME, "")


async def got_role(update: Update, context: PledgeContext) -> int:
    """The role or affiliation; next, the location."""
    return await _answer(update, context, ROLE, message_of(update).text or "")


async def skip_role(update: Update, context: PledgeContext) -> int:
    """No role; next, the location."""
    return await _answer(update, context, ROLE, "")


async def got_location(update: Update, context: PledgeContext) -> int:
    """The location; next, the link."""
    return await _answer(update, context, LOCATION, message_of(update).text or "")


async def skip_location(update: Update, context: PledgeContext) -> int:
    """No location; next, the link."""
    return await _answer(update, context, LOCATION, "")


async def got_link(update: Update, context: PledgeContext) -> int:
    """The link; next, the summary."""
    return await _answer(update, context, LINK, message_of(update).text or "")


async def skip_link(update: Update, context: PledgeContext) -> int:
    """No link; next, the summary."""
    return await _answer(update, context, LINK, "")


# -- the summary ----------------------------------------------------------------------------
async def confirm(update: Update, context: PledgeContext) -> int:
    """Sign with the name, sign without it, or cancel, as pressed under the summary.

    The press is answered and its keyboard removed while the core signs, not before: those
    two Bot API round trips and the store's commit each wait on something else, and one after
    another they were most of a press's latency (benchmarks/telegram_burst.py, Sign pressed;
    with Telegram's real round trips, most of what the signer waits for). The reply — the
    confirmation only once the signature is committed, or the core's refusal — still goes out
    after all three, so it stays the last thing the signer sees. Whether the signature is made
    no longer hangs on the spinner or the keyboard: a failed answer or edit is logged, and the
    signer still hears what happened to their signature (the summary keeps its buttons then,
    which now answer that they no longer work).
    """
    query = query_of(update)
    assert context.matches and context.user_data is not None
    choice = context.matches[0].group(1)
    answers: dict[str, Any] = context.user_data.pop(_ANSWERS, {})
    # The summary stays, without its buttons: the record of what was signed.
    tidied = asyncio.gather(query.answer(), edit_markup(query, None), return_exceptions=True)
    try:
        said = await _decided(update, context, choice, answers)
    finally:
        _tidied(await tidied)
    await reply(update, render.say(context.tr, said))
    return END


def _tidied(outcomes: tuple[object, ...]) -> None:
    """Log a failed answer or keyboard edit (the Bot API's refusal, the network); raise
    anything else, which is a bug."""
    for outcome in outcomes:
        if isinstance(outcome, TelegramError):
            _log.warning("telegram: could not answer a press or remove its buttons: %s", outcome)
        elif isinstance(outcome, BaseException):
            raise outcome


async def _decided(
    update: Update, context: PledgeContext, choice: str, answers: dict[str, Any]
) -> Msg:
    if choice == "cancel":
        return signing.SIGNING_CANCELLED
    try:
        result = await context.service.sign(
            signer(user_of(update)),
            _form(answers),
            community=answers.get("community", links.PRIVATE_COMMUNITY),
            anonymous=choice == "anon",
            language=context.tr.language,
        )
    except PledgeError as exc:
        return exc.message
    return result.message


async def use_buttons(update: Update, context: PledgeContext) -> int:
    """Text while the summary waits: point at its buttons."""
    await reply(
        update,
        context.tr.t(
            "Please choose with the buttons under the summary, or send /cancel.",
            escape=render.esc,
        ),
    )
    return CONFIRM


async def cancel(update: Update, context: PledgeContext) -> int:
    """/cancel: forget the answers so far."""
    assert context.user_data is not None
    context.user_data.pop(_ANSWERS, None)
    await reply(update, render.say(context.tr, signing.SIGNING_CANCELLED))
    return END


def signing_conversation() -> ConversationHandler[PledgeContext]:
    """The conversation handler; its entry points also catch the Sign button in groups."""
    private = filters.ChatType.PRIVATE
    text = filters.TEXT & ~filters.COMMAND
    with warnings.catch_warnings():
        # PTB warns that with per_message=False a CallbackQueryHandler follows the user, not
        # the message. That is the point here: the summary's buttons belong to the signer's
        # conversation, which is per user and chat.
        warnings.filterwarnings("ignore", "If 'per_message=False'", PTBUserWarning)
        return ConversationHandler(
            entry_points=[
                CommandHandler("sign", sign_command, filters=private),
                CommandHandler(
                    "start", start_signing, filters=private & filters.Regex(links.START_SIGN)
                ),
                CallbackQueryHandler(sign_button, pattern=keyboards.SIGN),
            ],
            states={
                NAME: [MessageHandler(text, got_name), CommandHandler("skip", skip_name)],
                ROLE: [MessageHandler(text, got_role), CommandHandler("skip", skip_role)],
                LOCATION: [
                    MessageHandler(text, got_location),
                    CommandHandler("skip", skip_location),
                ],
                LINK: [MessageHandler(text, got_link), CommandHandler("skip", skip_link)],
                CONFIRM: [
                    CallbackQueryHandler(confirm, pattern=keyboards.CONFIRM),
                    MessageHandler(text, use_buttons),
                ],
            },
            fallbacks=[CommandHandler("cancel", cancel)],
            allow_reentry=True,
        )
