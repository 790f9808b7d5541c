"""Hostile text in every field a Discord user can type: the sign form, the reject-reason form,
and every slash-command option (strings, and integers anywhere in Discord's range) — typed by
users whose Discord speaks any of pledgebot's languages, each answered in theirs.

Everything is real but Discord: discord.py runs the adapter against the fake, over the real core
and a real SQLite file. One bot serves all examples of a test; hypothesis draws them from a
worker thread (see :mod:`tests.hostile`), and every example uses a new member, so it signs as a
first-time signer.

For every example, each message or edit the bot sent (replies, mod-queue cards, DMs):
* no apology and nothing logged as an error — every input is a handled case;
* within Discord's limits: content ≤ 2,000 characters, embed title ≤ 256, description ≤ 4,096,
  ≤ 25 fields of ≤ 256/1,024, footer ≤ 2,048, ≤ 6,000 in all; autocomplete ≤ 25 choices of
  ≤ 100 characters — and Discord accepted it;
* ``allowed_mentions`` is ``{"parse": []}`` AND no mention syntax survives in what was sent
  (``@everyone``, ``@here``, ``<@…>``, ``<@&…>``, ``<#…>``), but for the signer's own ``<@id>``
  the bot puts on a mod-queue card;
* every piece of user text is shown literally: with Discord's markdown escapes taken away it is
  exactly what the core stored, and it forms no bold, italic, underline, strike, spoiler, code,
  masked link, heading or quote;
* what was stored is inert (no control, zero-width or bidi character, no mention), and an
  oversize field is refused, saying "too long" and the limit.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pytest
from hypothesis import strategies as st

from bot.domain import Identity, SignatureForm, Status
from bot.errors import APOLOGY, InvalidInput, NotModerator
from bot.hygiene import clean_reason
from bot.i18n import LANGUAGES, Translator, negotiate, translator
from bot.texts import signing
from tests.adapters.discord.conftest import CONSOLE_MOD, NO_PINGS, Bot, Server, actor
from tests.dbdump import dump_url
from tests.fakes.fake_discord import CallbackType, FakeMember, InteractionCallback, StoredMessage
from tests.hostile import (
    FIELD_ORDER,
    Counter,
    assert_clear_refusal,
    assert_database_inert,
    assert_inert,
    assert_refused_if_oversize,
    assert_stored_as_cleaned,
    explore,
    hostile_settings,
    hostile_text,
    obviously_too_long,
    seed_long_texts,
    sign_form,
    verdict,
)

#: Discord client locales, one or two per language pledgebot speaks.
LOCALES = ("en-US", "en-GB", "es-ES", "es-419", "fr", "de", "pt-BR")
#: The apology's first sentence in every language: no input may earn one.
APOLOGIES = tuple(translator(lang).render(APOLOGY).split(".")[0] for lang in LANGUAGES)
DISCORD_INT = 2**53  # integer options range over ±2^53


def reader(locale: str) -> Translator:
    """The language a user of this Discord locale is answered in."""
    return translator(negotiate([locale]))


# -- what Discord would format or ping ---------------------------------------------------------
# discord.py's escape_markdown leaves URLs alone, and Discord does not format inside them.
_URL = re.compile(r"<[^: >]+:/[^ >]+>|(?:https?|steam)://[^\s<]+[^<.,:;\"'\]\s]")
_ESCAPED = re.compile(r"\\[\s\S]")
_SPAN = re.compile(r"(\*\*|\*|__|_|~~|\|\||`)(?!\s)((?:(?!\1).)+?)(?<!\s)\1", re.S)
_MASKED_LINK = re.compile(r"\[[^\]]+\]\(\s*<?https?://", re.IGNORECASE)
_LINE_MARKUP = re.compile(r"^(?:#{1,3}\s|-#\s|>>>\s|>\s|\s*-\s)", re.M)
_UNESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_LIVE_MENTION = re.compile(r"@(?:everyone|here)|<@[!&]?\d+>|<#\d+>")  # case matters to Discord


def formatting(shown: str, *, line_start: bool = True) -> str | None:
    """The first piece of markdown Discord would render in ``shown``, if any (``line_start``:
    ``shown`` starts a line, where headings and quotes begin)."""
    link = _MASKED_LINK.search(_ESCAPED.sub("E", shown))  # a masked link wins over its URL
    if link:
        return link.group(0)
    text = _ESCAPED.sub("E", _URL.sub("U", shown))
    for pattern in (_SPAN, _LINE_MARKUP) if line_start else (_SPAN,):
        found = pattern.search(text)
        if found:
            return found.group(0)
    return None


def literal(shown: str) -> str:
    """What a reader sees: Discord's markdown escapes taken away (outside web addresses, which
    Discord shows as they are)."""
    parts = []
    at = 0
    for url in _URL.finditer(shown):
        parts += [_UNESCAPE.sub(r"\1", shown[at : url.start()]), url.group(0)]
        at = url.end()
    return "".join([*parts, _UNESCAPE.sub(r"\1", shown[at:])])


def assert_shown_literally(shown: str, stored: str, where: str, *, line_start: bool = True) -> None:
    """User text as the bot rendered it: the stored text, literally (or its start, when the
    bot had to clip it with "…"), and not a single piece of formatting. (A web address is shown
    as it is; text that only looks like one after escaping, like "http://\\", is unescaped.)"""
    seen = literal(shown)
    if seen != stored and _UNESCAPE.sub(r"\1", shown) == stored:
        seen = stored
    if seen.endswith("…") and seen != stored:
        assert stored.startswith(seen[:-1].rstrip("\\")), (where, shown, stored)
    else:
        assert seen == stored, (where, shown, stored)
    found = formatting(shown, line_start=line_start)
    assert found is None, (where, found, shown)


# -- examples ----------------------------------------------------------------------------------
Where = Literal["home", "community", "dm"]
Role = Literal["moderator", "admin", "member", "community-admin"]


@dataclass(frozen=True)
class Signing:
    """/sign (or /sign anonymous), then the form submitted with these values."""

    values: Mapping[str, str]
    anonymous: bool = False
    where: Where = "home"
    locale: str = "en-US"


@dataclass(frozen=True)
class Rejecting:
    """A moderator rejects a pending signature with this reason, from its card's Reject button
    or through the form on its own (a client holding the form after a restart)."""

    reason: str
    from_card: bool = True
    locale: str = "en-US"  # the moderator's


@dataclass(frozen=True)
class Command:
    """A slash command with one hostile option, run by someone in some role."""

    name: str
    options: Mapping[str, str | int] = field(default_factory=dict)
    role: Role = "moderator"
    target: str | None = None  # the option that gets a real pending signature's number
    locale: str = "en-US"


@dataclass(frozen=True)
class Suggesting:
    """Typing into /approve's or /reject's signature option (autocomplete)."""

    name: Literal["approve", "reject"]
    typed: str
    moderator: bool = True
    locale: str = "en-US"


def examples() -> st.SearchStrategy[Signing | Rejecting | Command | Suggesting]:
    text = hostile_text()
    number = st.integers(min_value=-DISCORD_INT, max_value=DISCORD_INT)
    roles = st.sampled_from(["moderator", "admin", "member", "community-admin"])
    values = sign_form()
    locale = st.sampled_from(LOCALES)
    commands = st.one_of(
        st.builds(
            Command,
            st.just("approve"),
            st.fixed_dictionaries({"signature": text}),
            roles,
            locale=locale,
        ),
        st.builds(
            Command,
            st.sampled_from(["reject", "remove"]),
            st.fixed_dictionaries({"reason": text}),
            roles,
            target=st.just("signature"),
            locale=locale,
        ),
        st.builds(
            Command,
            st.sampled_from(["reject", "remove"]),
            st.fixed_dictionaries({"signature": number, "reason": text}),
            roles,
            locale=locale,
        ),
        st.builds(
            Command,
            st.just("export"),
            st.fixed_dictionaries({"format": text}),
            roles,
            locale=locale,
        ),
        st.builds(
            Command, st.just("link"), st.fixed_dictionaries({"code": text}), roles, locale=locale
        ),
        st.builds(
            Command,
            st.sampled_from(["pending", "status", "count", "unlink"]),
            role=roles,
            locale=locale,
        ),
        *(
            st.builds(
                Command,
                st.just(name),
                st.fixed_dictionaries({option: number}),
                roles,
                locale=locale,
            )
            for name, option in (
                ("audit", "entries"),
                ("demands", "number"),
                ("signatories", "page"),
            )
        ),
    )
    return st.one_of(
        st.builds(
            Signing,
            values,
            st.booleans(),
            st.sampled_from(["home", "community", "dm"]),
            locale=locale,
        ),
        st.builds(Signing, values, locale=locale),
        st.builds(Rejecting, text, st.booleans(), locale=locale),
        commands,
        st.builds(
            Suggesting, st.sampled_from(["approve", "reject"]), text, st.booleans(), locale=locale
        ),
    )


#: Attacks that once got through, tried first in every run.
KNOWN: Sequence[Signing | Rejecting | Command | Suggesting] = (
    # escape_markdown escapes only the first masked link of a text
    Signing(dict.fromkeys(FIELD_ORDER, "") | {"name": "Ada [a](b) [x](https://evil.example)"}),
    Rejecting("[a](b) [x](https://evil.example)", locale="de"),
    # a second masked link right after the first one's address, which a URL-shaped run of text
    # swallowed, so safe() left its "[" alone
    Rejecting("[x](https://evil.example)[x](https://evil.example)"),
    Signing(
        dict.fromkeys(FIELD_ORDER, "")
        | {"name": "Ada", "role": "[x](https://evil.example)[x](https://evil.example)"}
    ),
    # escape_mentions leaves short ids and channel mentions; the core echoes a bad number
    Command("approve", {"signature": "<@0>"}, locale="es-ES"),
    Command("approve", {"signature": "<#123456789012345678>"}),
    Command("approve", {"signature": "1 <@&12345>"}),
)


# -- the test ----------------------------------------------------------------------------------
async def test_hostile_discord_input(
    bot: Bot, server: Server, db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    fake = server.fake
    fresh = Counter()

    def member(where: Where = "home") -> FakeMember | Any:
        n = fresh()
        if where == "dm":
            return fake.add_user(f"dm{n}", global_name=f"DM user {n}")
        guild = server.home if where == "home" else server.community
        return fake.add_member(guild, f"signer{n}", global_name=f"Signer {n}")

    async def check(example: Signing | Rejecting | Command | Suggesting) -> None:
        requests, logged = fake.requests.mark(), len(caplog.records)
        match example:
            case Signing():
                await _sign(bot, server, member(example.where), example)
            case Rejecting():
                await _reject(bot, server, member(), example)
            case Command():
                await _command(bot, server, member(), example)
            case Suggesting():
                await _suggest(bot, server, example)
        await bot.drain()  # mod-queue cards and DMs go out, and are checked too
        errors = [r for r in caplog.records[logged:] if r.levelno >= logging.ERROR]
        assert not errors, [r.getMessage() for r in errors]
        _assert_sent_safely(server, since=requests)

    await seed_long_texts(bot.service, CONSOLE_MOD)
    await explore(examples(), check, config=hostile_settings(), known=KNOWN)
    assert_database_inert(dump_url(db_url))


async def _sign(bot: Bot, server: Server, user: Any, example: Signing) -> None:
    fake = server.fake
    channel = {"home": server.general, "community": server.community_channel, "dm": None}
    options = {"anonymous": True} if example.anonymous else None
    opener = await fake.send_slash_command(
        "sign", user=user, channel=channel[example.where], options=options, locale=example.locale
    )
    modal = await fake.wait_for_modal(opener)
    submit = await fake.submit_modal(modal, dict(example.values), locale=example.locale)
    submitted = await fake.wait_for_callback(submit)
    tr = reader(example.locale)
    content = _content(submitted)
    stored = (await bot.service.status(Identity("discord", str(user.id)))).signature
    assert_refused_if_oversize(example.values, stored is not None)
    clean = verdict(SignatureForm(**example.values))
    if isinstance(clean, InvalidInput):
        assert stored is None, stored
        assert_shown_literally(content, tr.render(clean.message), "refusal")
        assert_clear_refusal(example.values, clean)
        return
    assert stored is not None, content
    assert_stored_as_cleaned(stored, clean)
    assert_shown_literally(content, tr.render(signing.sign_confirmation(stored)), "confirmation")
    card = await bot.card(stored.id)
    shown = {f["name"]: f["value"] for f in card.embeds[0]["fields"]}
    for name in FIELD_ORDER:
        value = getattr(stored, name)
        assert_shown_literally(shown[name.capitalize()], value or "—", f"card {name}")


async def _reject(bot: Bot, server: Server, signer: FakeMember, example: Rejecting) -> None:
    fake = server.fake
    made = await bot.service.sign(
        actor(signer), SignatureForm("Target"), community=f"discord:{server.home.id}"
    )
    sig_id = made.signature.id
    card = await bot.card(sig_id)
    values = {"reason": example.reason}
    locale = example.locale
    if example.from_card:
        opener = await fake.click_button(
            card, f"pledge:reject:{sig_id}", user=server.moderator, locale=locale
        )
        modal = await fake.wait_for_modal(opener)
        submit = await fake.submit_modal(modal, values, locale=locale)
    else:
        submit = await fake.submit_modal(
            f"pledge:reject-form:{sig_id}",
            values,
            user=server.moderator,
            channel=server.mod_channel,
            locale=locale,
        )
    callback = await fake.wait_for_callback(submit)
    sig = (await bot.service.mod_queue.item(sig_id)).signature
    await _assert_reason(bot, server, signer, sig, example.reason, callback, card, locale)


async def _assert_reason(
    bot: Bot,
    server: Server,
    signer: FakeMember,
    sig: Any,
    typed: str,
    callback: InteractionCallback | StoredMessage,
    card: Any,
    locale: str,
) -> None:
    """A moderator's reason is refused in the core's words, in the moderator's language, or
    stored inert and shown literally on the card (in the mod channel's language, English here)
    and in the signer's DM."""
    if obviously_too_long(typed, "reason"):
        assert sig.status is Status.PENDING, f"decided with a reason of {len(typed)} characters"
    try:
        why = clean_reason(typed)
    except InvalidInput as exc:
        assert sig.status is Status.PENDING
        assert_shown_literally(_content(callback), reader(locale).render(exc.message), "refusal")
        assert_clear_refusal({"reason": typed}, exc)
        return
    assert sig.status in (Status.REJECTED, Status.REMOVED), sig
    assert sig.reason == why
    assert_inert(sig.reason, "reason")
    await bot.drain()
    decision = {f["name"]: f["value"] for f in card.embeds[0]["fields"]}["Decision"]
    reason = decision.split("\nReason: ", 1)[1]
    assert_shown_literally(reason, why, "card reason", line_start=False)
    if sig.status is Status.REJECTED:
        [dm] = server.fake.messages_in(server.fake.dm_channel(signer))[-1:]
        told = re.fullmatch(
            r"(?s).* was not approved\. Reason: (.*)\. You may sign again.*", dm.content
        )
        assert told is not None, dm.content
        assert_shown_literally(told.group(1), why, "notification", line_start=False)


async def _command(bot: Bot, server: Server, signer: FakeMember, example: Command) -> None:
    who, channel = {
        "moderator": (server.moderator, server.general),
        "admin": (server.admin, server.general),
        "member": (server.drummer, server.general),
        "community-admin": (server.community_admin, server.community_channel),
    }[example.role]
    options = dict(example.options)
    sig = None
    if example.target is not None:
        made = await bot.service.sign(
            actor(signer), SignatureForm("Target"), community=f"discord:{server.home.id}"
        )
        sig = made.signature
        options[example.target] = sig.id
    card = await bot.card(sig.id) if sig is not None else None
    # The reply itself, or (its work outlasting the response budget on a busy machine) the
    # follow-up that replaced the bot's "thinking…": what the user reads either way.
    callback = await bot.command(example.name, who, channel, locale=example.locale, **options)
    answer = await server.fake.answer_of(callback)
    moderator = example.role in ("moderator", "admin")
    if example.name in ("approve", "reject", "remove", "export", "audit") and not moderator:
        refused = reader(example.locale).render(NotModerator().message)
        assert answer.content == refused, answer.content
        assert not answer.files
    if sig is not None:
        now = (await bot.service.mod_queue.item(sig.id)).signature
        if not moderator:
            assert now.status is Status.PENDING
        else:
            reason = str(options["reason"])
            await _assert_reason(bot, server, signer, now, reason, answer, card, example.locale)


async def _suggest(bot: Bot, server: Server, example: Suggesting) -> None:
    user = server.moderator if example.moderator else server.drummer
    ref = await server.fake.send_autocomplete(
        example.name,
        user=user,
        channel=server.general,
        focused="signature",
        value=example.typed,
        locale=example.locale,
    )
    callback = await server.fake.wait_for_callback(ref)
    assert callback.type is CallbackType.AUTOCOMPLETE_RESULT
    choices = callback.choices
    assert len(choices) <= 25
    if not example.moderator:
        assert choices == []
    for choice in choices:
        assert 1 <= len(choice["name"]) <= 100, choice
        assert not _LIVE_MENTION.search(choice["name"]), choice


def _content(answer: InteractionCallback | StoredMessage) -> str:
    if isinstance(answer, InteractionCallback):
        assert answer.type in (CallbackType.CHANNEL_MESSAGE, CallbackType.UPDATE_MESSAGE), (
            answer.describe()
        )
    return str(answer.content or "")


# -- every message the bot sent ------------------------------------------------------------------
def _bodies(server: Server, since: int) -> list[tuple[Any, dict[str, Any]]]:
    """What the bot sent or edited since ``since``, like conftest.message_bodies (for a window)."""
    found = []
    for request in server.fake.requests.filter(lambda r: True, since=since):
        body = request.json if isinstance(request.json, dict) else None
        if body is None or request.method not in ("POST", "PATCH"):
            continue
        if request.path.startswith("/interactions/"):
            if body.get("type") in (4, 7):
                found.append((request, body.get("data") or {}))
        elif "/messages" in request.path or request.path.startswith("/webhooks/"):
            found.append((request, body))
    return found


def _assert_sent_safely(server: Server, *, since: int) -> None:
    signers = {str(m) for m in _signer_mentions(server, since)}
    for request in server.fake.requests.filter(lambda r: True, since=since):
        assert request.status < 400 or request.method == "GET", request.describe()
    for request, body in _bodies(server, since):
        where = request.describe()
        assert body.get("allowed_mentions") == NO_PINGS, where
        content = str(body.get("content") or "")
        assert len(content) <= 2000, where
        assert not any(apology in content for apology in APOLOGIES), (where, content)
        _assert_no_mention(content, signers, where)
        embeds: Sequence[dict[str, Any]] = body.get("embeds") or []
        assert len(embeds) <= 10, where
        for embed in embeds:
            _assert_embed_fits(embed, where)
            for text in _embed_texts(embed):
                _assert_no_mention(text, signers, where)


def _signer_mentions(server: Server, since: int) -> set[str]:
    """``<@id>`` the bot itself writes on a card: the signer, on the "Signer" field."""
    found = set()
    for _, body in _bodies(server, since):
        for embed in body.get("embeds") or []:
            for f in embed.get("fields") or []:
                if f.get("name") == "Signer":
                    found.update(re.findall(r"^<@\d+>", f.get("value", "")))
    return found


def _assert_no_mention(text: str, allowed: set[str], where: str) -> None:
    for found in _LIVE_MENTION.findall(text):
        assert found in allowed, (where, found, text)


def _embed_texts(embed: dict[str, Any]) -> list[str]:
    texts_ = [str(embed.get(k) or "") for k in ("title", "description")]
    texts_ += [str((embed.get("footer") or {}).get("text") or "")]
    texts_ += [str((embed.get("author") or {}).get("name") or "")]
    for f in embed.get("fields") or []:
        texts_ += [str(f.get("name") or ""), str(f.get("value") or "")]
    return texts_


def _assert_embed_fits(embed: dict[str, Any], where: str) -> None:
    title = str(embed.get("title") or "")
    description = str(embed.get("description") or "")
    footer = str((embed.get("footer") or {}).get("text") or "")
    author = str((embed.get("author") or {}).get("name") or "")
    fields = embed.get("fields") or []
    assert len(title) <= 256 and len(description) <= 4096, where
    assert len(footer) <= 2048 and len(author) <= 256 and len(fields) <= 25, where
    total = len(title) + len(description) + len(footer) + len(author)
    for f in fields:
        name, value = str(f.get("name") or ""), str(f.get("value") or "")
        assert 1 <= len(name) <= 256 and 1 <= len(value) <= 1024, (where, f)
        total += len(name) + len(value)
    assert total <= 6000, where
