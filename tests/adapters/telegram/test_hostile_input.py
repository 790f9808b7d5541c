"""Hostile text in everything a Telegram user can type: command arguments (as signers and as
moderators, in private, in groups and in the mod chat), the one-line ``/sign``, every answer of
the signing conversation, and a moderator's typed rejection reason — by users whose Telegram
speaks any of pledgebot's languages (or one it does not), each answered in theirs.

Everything is real but Telegram: python-telegram-bot runs the adapter against the fake Bot API,
over the real core and a real SQLite file. One bot serves all examples; hypothesis draws them in a
worker thread (see :mod:`tests.hostile`), and each example speaks as a new user. The adapter's
flood limiter is opened up (no 30 messages a second, no 20 a minute per group): the fake enforces
no flood limits, and thousands of examples would otherwise wait minutes on them. Where the answer
to a command is not a single known message, the same user then sends another command in the same
chat: the adapter handles one chat's updates in order, so once that is answered, so is the
command.

The fake renders ``parse_mode="HTML"`` exactly like Telegram (a stray ``<`` or ``&`` fails the
whole message with 400), so for every example, every message the bot sent or edited:
* was accepted by Telegram, fits 4,096 UTF-16 units, and carries no entity the bot did not mean
  (only bold and code; a ``tg://`` mention only of the moderator the bot asks for a reason) and
  no ``@username`` that Telegram would turn into a mention;
* shows user text literally: the core's stored text appears verbatim in the rendered text, with no
  entity over it;
* no apology (in any language), nothing logged as an error; stored text is inert, and oversize
  input is refused with "too long" and the limit.

Cards in the mod chat and the signers' notifications are in the default language (English here),
whoever acts; everything said to the person who acted is in theirs.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

import pytest
from hypothesis import strategies as st
from telegram.ext import AIORateLimiter

from bot.domain import Signature, SignatureForm, Status
from bot.errors import APOLOGY, InvalidInput, NotModerator, NotWhereModeratorsWork, WrongUsage
from bot.forms import SIGN_USAGE, parse_ids_and_reason, parse_sign_line
from bot.hygiene import LIMITS, clean_reason
from bot.i18n import LANGUAGES, Translator, negotiate, translator
from bot.texts import signatures, signing
from tests.adapters.telegram.conftest import JSON, Bot, Start
from tests.conftest import MOD
from tests.dbdump import dump_url
from tests.fakes.fake_telegram import ApiCall, FakeChat, FakeUser, utf16_len
from tests.hostile import (
    FIELD_ORDER,
    Counter,
    assert_clear_refusal,
    assert_database_inert,
    assert_inert,
    assert_refused_if_oversize,
    assert_stored_as_cleaned,
    explore,
    field_text,
    hostile_settings,
    hostile_text,
    obviously_too_long,
    seed_long_texts,
    sign_line,
    verdict,
    weighted,
)

#: Telegram clients' language codes: each of pledgebot's languages, regional variants, one it
#: does not speak and none at all (those two get the default, English).
LANGUAGE_CODES = ("en", "en-GB", "es", "es-419", "fr", "de", "pt-br", "pt", "ja", None)
#: The apology's first sentence in every language: no input may earn one.
APOLOGIES = tuple(translator(lang).render(APOLOGY).split(".")[0].lower() for lang in LANGUAGES)
MODERATOR_COMMANDS = (
    "/pending", "/approve", "/reject", "/remove", "/export", "/audit", "/snapshot",
)  # fmt: skip
READING_COMMANDS = ("/help", "/letter", "/demands", "/count", "/signatories", "/status")
SIGNER_COMMANDS = ("/start", "/withdraw", "/sign", "/SIGN", "/cancel", "/skip", "/link", "/unlink")
SENTINEL = "/sentinel"  # the one unknown command: marks the end of an exchange
# What Telegram would turn into a mention: "@" + a username, not inside a word or a web address.
_MENTION = re.compile(r"(?<![\w@/.:%+-])@[A-Za-z0-9_]")

Who = Literal[
    "moderator-private",
    "moderator-mod-chat",
    "admin-mod-chat",
    "moderator-group",
    "member-mod-chat",
    "user-private",
    "user-group",
]
Choice = Literal["named", "anon", "cancel"]


def reader(code: str | None) -> Translator:
    """The language a user whose client sends ``code`` is answered in."""
    return translator(negotiate([code]))


def question(tr: Translator, field: str) -> str:
    """The signing conversation's question for one field, as the reader sees it."""
    return {
        "name": tr.t(
            "What public name should appear on the letter? (up to {limit} characters)",
            limit=LIMITS["name"],
        ),
        "role": tr.t(
            "Your role or affiliation, for example “singer, The Band”? /skip to leave it out."
        ),
        "location": tr.t("Where are you based? /skip to leave it out."),
        "link": tr.t("A link to your work, starting with https://? /skip to leave it out."),
    }[field]


def choice_label(tr: Translator, choice: Choice) -> str:
    """The summary's button for a choice, as the reader sees it."""
    sign = tr.t("Sign")
    return {
        "named": f"✍️ {sign}",
        "anon": tr.render(signing.SIGN_ANONYMOUSLY_LABEL),
        "cancel": tr.t("Cancel"),
    }[choice]


def message_text(text: str) -> str:
    """What a Telegram message can carry: at most 4,096 UTF-16 units."""
    while utf16_len(text) > 4096:
        text = text[: len(text) - max((utf16_len(text) - 4096) // 2, 1)]
    return text


@dataclass(frozen=True)
class CommandArgs:
    """``/command args`` from someone somewhere; ``target``: args start with the number of a
    real pending signature (for /reject and /remove)."""

    command: str
    args: str
    who: Who
    target: bool = False
    language: str | None = "en"  # the client's language code


@dataclass(frozen=True)
class OneLine:
    """``/sign NAME | ROLE | LOCATION | LINK`` in private, then a button under the summary."""

    line: str
    choice: Choice = "named"
    language: str | None = "en"


@dataclass(frozen=True)
class Talk:
    """``/sign``, then the four answers (None: /skip), then a button under the summary."""

    answers: tuple[str | None, str | None, str | None, str | None]
    choice: Choice = "named"
    language: str | None = "en"


@dataclass(frozen=True)
class TypedReason:
    """❌ Reject → "Other reason…" on a card, then the moderator replies with this reason."""

    reason: str
    language: str | None = "en"  # the moderator's


Example = CommandArgs | OneLine | Talk | TypedReason


def examples() -> st.SearchStrategy[Example]:
    text = hostile_text().map(message_text)
    choice = st.sampled_from(["named", "named", "anon", "cancel"])
    moderators = st.sampled_from(
        ["moderator-private", "moderator-mod-chat", "admin-mod-chat", "moderator-group"]
    )
    anyone = st.sampled_from(
        ["moderator-private", "moderator-mod-chat", "member-mod-chat", "user-private", "user-group"]
    )
    signers = st.sampled_from(["user-private", "user-group", "member-mod-chat"])
    code = st.sampled_from(LANGUAGE_CODES)
    return weighted(
        (
            3,
            st.builds(
                CommandArgs, st.sampled_from(MODERATOR_COMMANDS), text, anyone, language=code
            ),
        ),
        (
            3,
            st.builds(
                CommandArgs,
                st.sampled_from(["/reject", "/remove"]),
                text,
                st.one_of(moderators, anyone),
                target=st.just(True),
                language=code,
            ),
        ),
        (
            2,
            st.builds(CommandArgs, st.sampled_from(READING_COMMANDS), text, anyone, language=code),
        ),
        (
            2,
            st.builds(CommandArgs, st.sampled_from(SIGNER_COMMANDS), text, signers, language=code),
        ),
        (4, st.builds(OneLine, sign_line().map(message_text), choice, code)),
        (
            3,
            st.builds(
                Talk,
                st.tuples(
                    *(st.one_of(st.none(), field_text(f).map(message_text)) for f in FIELD_ORDER)
                ),
                choice,
                code,
            ),
        ),
        (3, st.builds(TypedReason, text, code)),
    )


#: Attacks worth trying first in every run.
KNOWN: Sequence[Example] = (
    # A name that also occurs in the card's bold "#31" (signature 31, after the 30 seeded):
    # the check once looked for the name's first occurrence and blamed the bold id on it.
    OneLine("3"),
    OneLine(
        '<b>Ada</b> & <a href="tg://user?id=1">x</a> | <i>r</i> | &amp; | https://x.example/?a&b',
        language="es",
    ),
    Talk(("@ada_lovelace <code>", "&lt;", None, None), language="pt-br"),
    TypedReason('<a href="tg://user?id=1">@admin</a> & <b>', language="de"),
    CommandArgs("/approve", "@ada_lovelace", "moderator-mod-chat", language="fr"),
    CommandArgs("/reject", "<b>x</b> & @here", "moderator-private", target=True, language="ja"),
    # A refusal with the user's text in it, in a language whose quotes differ from English.
    OneLine("a | b | c | d | e", language="fr"),
)


@pytest.fixture
def no_flood_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    """The adapter's AIORateLimiter without its waits (it still retries a 429)."""

    def limiter(max_retries: int) -> AIORateLimiter:
        return AIORateLimiter(overall_max_rate=0, group_max_rate=0, max_retries=max_retries)

    monkeypatch.setattr("adapters.telegram.adapter.AIORateLimiter", limiter)


async def test_hostile_telegram_input(
    start_bot: Start, no_flood_limits: None, db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    bot = await start_bot()
    fresh = Counter()

    def new_user(label: str, language: str | None = "en") -> FakeUser:
        user = bot.fake.new_user(f"{label}{fresh()}", language_code=language)
        bot.fake.private_chat(user)
        return user

    async def check(example: Example) -> None:
        mark, logged = bot.fake.mark(), len(caplog.records)
        match example:
            case CommandArgs():
                await _command(bot, new_user, example)
            case OneLine():
                await _one_line(bot, new_user("Line", example.language), example)
            case Talk():
                await _talk(bot, new_user("Talk", example.language), example)
            case TypedReason():
                await _typed_reason(bot, new_user("Signer"), example)
        errors = [r for r in caplog.records[logged:] if r.levelno >= logging.ERROR]
        assert not errors, [r.getMessage() for r in errors]
        _assert_sent_safely(bot, since=mark)

    await seed_long_texts(bot.service, MOD)
    await explore(examples(), check, config=hostile_settings(), known=KNOWN)
    _assert_sent_safely(bot, since=0)
    assert_database_inert(dump_url(db_url))


# -- command arguments ---------------------------------------------------------------------------
async def _command(bot: Bot, new_user: Any, example: CommandArgs) -> None:
    user, chat = _speaker(bot, new_user, example.who, example.language)
    tr = reader(example.language)
    args = example.args
    target: Signature | None = None
    if example.target:
        start = bot.fake.mark()
        target = await bot.sign(new_user("Target"), "Target")
        await _card(bot, target.id, since=start)
        args = f"{target.id} {args}"
    answers = await _exchange(bot, user, chat, f"{example.command} {args}", tr)
    shown = [_rendered(call) for call in answers]
    moderator = example.who in ("moderator-private", "moderator-mod-chat", "admin-mod-chat")
    if example.command in MODERATOR_COMMANDS:
        if not moderator and example.who != "moderator-group":
            assert [m["text"] for m in shown] == [tr.render(NotModerator().message)], shown
        elif example.who == "moderator-group":
            assert [m["text"] for m in shown] == [tr.render(NotWhereModeratorsWork().message)]
    if target is None:
        return
    now = (await bot.service.mod_queue.item(target.id)).signature
    if not moderator:
        assert now.status is Status.PENDING, now
        return
    # Several ids may lead (/reject ID… REASON): the reason is what follows the last of them.
    rest = ([*f"{example.command} {args}".split(maxsplit=1), ""])[1].strip()
    try:
        _, typed = parse_ids_and_reason(rest, example.command.lstrip("/"))
    except WrongUsage as exc:
        assert [m["text"] for m in shown] == [tr.render(exc.message)], shown
        assert f"{example.command} ID…" in shown[0]["text"], shown  # the bulk form's usage
        assert now.status is Status.PENDING
        return
    await _assert_reason(bot, now, typed, shown, tr, moderator_user=user, since=start)


def _speaker(
    bot: Bot, new_user: Any, who: Who, language: str | None
) -> tuple[FakeUser, FakeChat | None]:
    """Who speaks, with their client in ``language``, and in which chat (None: private)."""
    mod, admin = (replace(m, language_code=language) for m in (bot.mod, bot.admin))
    match who:
        case "moderator-private":
            return mod, None
        case "moderator-mod-chat":
            return mod, bot.mod_chat
        case "admin-mod-chat":
            return admin, bot.mod_chat
        case "moderator-group":
            return mod, bot.group
        case "member-mod-chat":
            member = new_user("Member", language)
            bot.fake.set_member_status(bot.mod_chat, member, "member")
            return member, bot.mod_chat
        case "user-private":
            return new_user("User", language), None
        case "user-group":
            return new_user("Grouped", language), bot.group
    raise AssertionError(who)


async def _exchange(
    bot: Bot, user: FakeUser, chat: FakeChat | None, text: str, tr: Translator
) -> list[ApiCall]:
    """Send ``text``; every message the bot sent in answer (and nothing else), known once the
    same user's next command in the same chat is answered: ``/count`` in a group (answers quote
    their command there), :data:`SENTINEL` in private (answered in the user's language ``tr``)."""
    unknown = tr.t("I do not know that command. /help lists mine.")
    where = chat or bot.fake.private_chat(user)
    mark = bot.fake.mark()
    feed = bot.fake.feed_command if re.match(r"/\w", text) else bot.fake.feed_text
    sent = feed(user, chat, text)["message"]
    private = where.type == "private"
    # In a group the answer quotes its command; in private, the only unknown command is this.
    sentinel = bot.fake.feed_command(user, chat, SENTINEL if private else "/count")["message"]

    def answers(call: ApiCall, to: JSON) -> bool:
        if call.params.get("chat_id") != where.id:
            return False
        quoted = call.params.get("reply_parameters", {}).get("message_id")
        return private or quoted == to["message_id"]

    def done(call: ApiCall) -> bool:
        text = str(call.params.get("text", ""))
        if private:
            return answers(call, sentinel) and text == unknown
        return answers(call, sentinel)  # the only answer quoting the sentinel /count

    last = await bot.fake.wait_for("sendMessage", done, since=mark)
    found: list[ApiCall] = []
    for call in bot.fake.calls[mark:]:
        if call is last:
            return found
        if call.method in ("sendMessage", "sendDocument") and answers(call, sent):
            found.append(call)
    raise AssertionError("the answer to /count is gone")


def _rendered(call: ApiCall) -> JSON:
    """The message as Telegram made it (text or caption, as plain text + entities)."""
    assert call.ok, (call.method, call.error, call.params.get("text"))
    message: JSON = call.result
    text = message.get("text", message.get("caption", ""))
    return {**message, "text": text, "entities": message.get("entities", [])}


async def _card(bot: Bot, signature_id: int, *, since: int) -> JSON:
    """The mod-queue card the outbox posted for a signature (after ``since``), as it is now."""

    def is_card(call: ApiCall) -> bool:
        text = call.params.get("text", "")
        return call.params.get("chat_id") == bot.mod_chat.id and text.startswith(
            f"<b>#{signature_id}</b> "
        )

    return bot.sent(await bot.fake.wait_for("sendMessage", is_card, since=since))


# -- signing -------------------------------------------------------------------------------------
async def _one_line(bot: Bot, user: FakeUser, example: OneLine) -> None:
    text = f"/sign {example.line}"
    parts = text.split(maxsplit=1)
    args = parts[1].strip() if len(parts) > 1 else ""
    tr = reader(example.language)
    usage = tr.t("Usage: {usage}", usage=tr.render(SIGN_USAGE))
    start = bot.fake.mark()
    said = await bot.say(user, None, text)
    answer = _rendered(said)
    if not args:
        assert answer["text"].endswith(question(tr, "name")), answer
        return
    try:
        form = parse_sign_line(args)
    except InvalidInput as exc:
        assert answer["text"] == f"{tr.render(exc.message)}\n{usage}", answer
        return
    fields = {"name": form.name, "role": form.role, "location": form.location, "link": form.link}
    clean = verdict(form)
    if isinstance(clean, InvalidInput):
        assert answer["text"] == f"{tr.render(clean.message)}\n{usage}", answer
        assert_clear_refusal(fields, clean)
        assert_refused_if_oversize(fields, False)
        return
    await _confirm(bot, user, bot.sent(said), fields, example.choice, tr, since=start)


async def _talk(bot: Bot, user: FakeUser, example: Talk) -> None:
    tr = reader(example.language)
    start = bot.fake.mark()
    opening = _rendered(await bot.say(user, None, "/sign"))
    assert opening["text"].endswith(question(tr, "name")), opening
    fields: dict[str, str] = {}
    answer = opening
    for name, typed in zip(FIELD_ORDER, example.answers, strict=True):
        said = "/skip" if typed is None or not typed.strip() else typed
        if said.startswith("/") and said != "/skip":
            said = "x" + said  # a leading "/word" is a command to Telegram, not an answer
        value = "" if said == "/skip" else said
        call = await bot.say(user, None, said)
        answer = _rendered(call)
        trial = {**fields, name: value}
        clean = verdict(SignatureForm(**trial))
        if isinstance(clean, InvalidInput):
            assert answer["text"] == f"{tr.render(clean.message)}\n\n{question(tr, name)}"
            assert_clear_refusal(trial, clean)
            assert_refused_if_oversize(trial, False)
            assert await bot.signature_of(user) is None
            return  # (the conversation waits for a better answer from this one-time user)
        fields[name] = value
        if name != "link":
            following = FIELD_ORDER[FIELD_ORDER.index(name) + 1]
            assert answer["text"] == question(tr, following), answer
    await _confirm(bot, user, bot.sent(call), fields, example.choice, tr, since=start)


async def _confirm(
    bot: Bot,
    user: FakeUser,
    summary: JSON,
    fields: dict[str, str],
    choice: Choice,
    tr: Translator,
    *,
    since: int,
) -> None:
    """The summary shows the cleaned fields literally, in the signer's language ``tr``; the
    chosen button signs (or not)."""
    clean = verdict(SignatureForm(**fields))
    assert not isinstance(clean, InvalidInput)
    lines = summary["text"].splitlines()
    assert lines[0] == tr.t("Please check your signature"), summary
    for field, value in (
        ("name", clean.name),
        ("role", clean.role),
        ("location", clean.location),
        ("link", clean.link),
    ):
        label = f"{tr.render(signing.FIELD_LABELS[field])}: "
        if value:
            _assert_literal(summary, label, value)
        else:
            assert f"{label}—" in summary["text"], summary
    mark = bot.fake.mark()
    await bot.press(user, summary, choice_label(tr, choice))
    reply = _rendered(await bot.answer(bot.fake.private_chat(user), since=mark))
    stored = await bot.signature_of(user)
    assert_refused_if_oversize(fields, stored is not None)
    if choice == "cancel":
        assert reply["text"] == tr.render(signing.SIGNING_CANCELLED) and stored is None
        return
    assert stored is not None, reply
    assert reply["text"] == tr.render(signing.sign_confirmation(stored)), reply
    assert stored.anonymous is (choice == "anon")
    assert_stored_as_cleaned(stored, clean)
    card = await _card(bot, stored.id, since=since)
    described = str(signatures.describe_signature(stored))
    assert described.startswith(stored.name), described
    _assert_literal(card, f"#{stored.id} ", stored.name, described[len(stored.name) :])


# -- a moderator's typed reason ---------------------------------------------------------------
async def _typed_reason(bot: Bot, signer: FakeUser, example: TypedReason) -> None:
    start = bot.fake.mark()
    sig = await bot.sign(signer, "Target")
    card = await _card(bot, sig.id, since=start)
    # The card and its buttons speak the mod chat's language (the default), the moderator theirs.
    moderator = replace(bot.mod, language_code=example.language)
    mark = bot.fake.mark()
    await bot.press(moderator, card, "❌ Reject")
    await bot.fake.wait_for("editMessageReplyMarkup", since=mark)
    mark = bot.fake.mark()
    await bot.press(moderator, card, "Other reason…")
    asked = await bot.fake.wait_for(
        "sendMessage",
        lambda c: c.params.get("text", "").startswith(f"❌ #{sig.id}: "),
        since=mark,
    )
    prompt = bot.sent(asked)
    assert prompt["text"].startswith(f"❌ #{sig.id}: "), prompt
    said = example.reason if example.reason.strip() else "."
    if said.startswith("/"):
        said = "x" + said
    answer = _rendered(await bot.say(moderator, bot.mod_chat, said, reply_to=prompt))
    now = (await bot.service.mod_queue.item(sig.id)).signature
    tr = reader(example.language)
    await _assert_reason(bot, now, said, [answer], tr, moderator_user=bot.mod, since=start)


async def _assert_reason(
    bot: Bot,
    sig: Signature,
    typed: str,
    shown: list[JSON],
    tr: Translator,
    *,
    moderator_user: FakeUser,
    since: int,
) -> None:
    """A moderator's reason is refused in the core's words (in the moderator's language
    ``tr``), or stored inert and shown literally on the card and to the signer."""
    if obviously_too_long(typed, "reason"):
        assert sig.status is Status.PENDING, f"decided with a reason of {len(typed)} characters"
    try:
        why = clean_reason(typed)
    except InvalidInput as exc:
        assert sig.status is Status.PENDING
        assert [m["text"] for m in shown] == [tr.render(exc.message)], shown
        assert_clear_refusal({"reason": typed}, exc)
        return
    assert sig.status in (Status.REJECTED, Status.REMOVED), (sig, shown)
    assert sig.reason == why
    assert_inert(why, "reason")
    verb = "Rejected" if sig.status is Status.REJECTED else "Removed"
    decided_by = f"{verb} by {moderator_user.first_name}: "
    ending = decided_by + why
    posted = await _card(bot, sig.id, since=since)
    for _ in range(20):  # the card is redrawn right after the answer
        mark = bot.fake.mark()
        card = bot.fake.message(bot.mod_chat, posted["message_id"])
        assert card is not None
        if card["text"].endswith(ending):
            _assert_literal(card, decided_by, why)
            break
        await bot.fake.wait_for("editMessageText", since=mark)
    else:
        raise AssertionError(f"the card of #{sig.id} never showed {ending!r}")
    if sig.status is Status.REJECTED:
        signer = int(sig.identity.user_id)
        told = await bot.fake.wait_for(
            "sendMessage",
            lambda c: c.params.get("chat_id") == signer and "not approved" in c.params["text"],
            since=since,
        )
        _assert_literal(_rendered(told), "Reason: ", why, ". You may sign again")


# -- every message the bot sent --------------------------------------------------------------------
def _assert_literal(message: JSON, before: str, user_text: str, after: str = "") -> None:
    """``before + user_text + after`` appears in the rendered text, and no entity covers the
    user's part of it. The part is found by what comes before it, not by searching for the
    user's text, which may also occur in the bot's own words (a name "0" in "#610 0")."""
    text = message["text"]
    expected = before + user_text + after
    at = text.find(expected)
    assert at >= 0, (expected, text)
    start = utf16_len(text[: at + len(before)])
    end = start + utf16_len(user_text)
    for entity in message.get("entities", []):
        overlap = entity["offset"] < end and start < entity["offset"] + entity["length"]
        assert not overlap, (entity, user_text, text)


def _assert_sent_safely(bot: Bot, *, since: int) -> None:
    for call in bot.fake.calls[since:]:
        if call.method not in ("sendMessage", "editMessageText", "sendDocument"):
            continue
        if not call.answered:
            continue
        if not call.ok:
            assert call.error is not None and "not modified" in call.error, (
                call.method,
                call.error,
                call.params.get("text"),
            )
            continue
        message = call.result if isinstance(call.result, dict) else {}
        text = str(message.get("text", message.get("caption", "")))
        entities = message.get("entities") or message.get("caption_entities") or []
        assert utf16_len(text) <= 4096, call.method
        assert not any(apology in text.lower() for apology in APOLOGIES), text
        assert not _MENTION.search(text), (_MENTION.search(text), text)
        for entity in entities:
            kind = entity["type"]
            assert kind in ("bold", "code", "text_mention"), (entity, text)
            if kind == "text_mention":
                assert text.startswith("❌ #"), (entity, text)
                assert entity["user"]["id"] in (bot.mod.id, bot.admin.id), entity
