"""Hostile text for every field a person can type, and the properties it must not break.

How hypothesis meets a long-lived bot
-------------------------------------
Starting discord.py or python-telegram-bot against a fake takes ~0.1–0.5 s, far too much to do
for each of thousands of examples, and a ``@given`` async test under pytest-asyncio would either
rebuild function-scoped fixtures per example (it does not) or share them while running each
example in a fresh ``run_until_complete`` (the bot's tasks would freeze between examples).

So each hostile-input test starts its bot ONCE, in the test's own event loop, and calls
:func:`explore`: a synchronous ``@given`` function is run in a worker thread, and every example it
draws is handed to the event loop with :func:`asyncio.run_coroutine_threadsafe` and awaited there
(``future.result()``) — the bot keeps serving between examples, and hypothesis keeps all of its
machinery: shrinking (replaying smaller examples against the same running bot), the example
database, and the "Falsifying example" report. Examples stay independent of one another by using
a fresh account each time (:class:`Counter`), so what earlier examples left in the database does
not change what a later one means.

How many examples: :func:`hostile_settings` gives 2,000 when CI is set (profile ``ci``), 200 for
a local run (``dev``) and 20,000 under ``HYPOTHESIS_PROFILE=soak``. Attacks that once got through
are passed to :func:`explore` as ``known`` examples and run first every time, and
:func:`seed_long_texts` fills the database with the longest, most markup-laden fields, so that
lists, cards and the audit log always have to be cut to fit the platform's limits.

What every platform's test asserts on stored text is here (:func:`assert_inert`,
:func:`assert_database_inert`), with the core's verdict on a form (:func:`verdict`) as the oracle
for what must be refused — checked against the tests' own copy of the limits (``MAX_LENGTH``).
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import re
import unicodedata
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TypeVar

from hypothesis import HealthCheck, given, settings
from hypothesis import example as known_example
from hypothesis import strategies as st

from bot.domain import Actor, Identity, Signature, SignatureForm
from bot.errors import InvalidInput
from bot.hygiene import CleanForm, clean_form
from bot.service import PledgeService
from tests.dbdump import Dump

__all__ = [
    "FIELD_ORDER",
    "FRAGMENTS",
    "MAX_LENGTH",
    "Counter",
    "assert_clear_refusal",
    "assert_database_inert",
    "assert_inert",
    "assert_refused_if_oversize",
    "assert_stored_as_cleaned",
    "explore",
    "field_text",
    "hostile_settings",
    "hostile_text",
    "obviously_too_long",
    "seed_long_texts",
    "sign_form",
    "sign_line",
    "verdict",
    "weighted",
]

T = TypeVar("T")

EXAMPLES_IN_CI = 2000
#: The documented limits of each field (bot.hygiene.LIMITS). The tests keep their own copy: a
#: core that stopped enforcing its limits must not be able to agree with itself.
MAX_LENGTH = {"name": 80, "role": 60, "location": 60, "link": 200, "reason": 300}
#: Seconds one example may take before it counts as hung (a lost reply, a deadlock).
EXAMPLE_TIMEOUT = 60.0
FIELD_ORDER = ("name", "role", "location", "link")


def hostile_settings(*, ci: int = EXAMPLES_IN_CI) -> settings:
    """Settings keyed off the loaded profile: ``ci`` examples in CI, a tenth locally, ten times
    as many under ``HYPOTHESIS_PROFILE=soak``."""
    profile = settings.get_current_profile_name()
    count = {"ci": ci, "soak": ci * 10}.get(profile, max(ci // 10, 20))
    return settings(
        max_examples=count,
        deadline=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
            HealthCheck.filter_too_much,
        ],
    )


async def explore(
    strategy: st.SearchStrategy[T],
    check: Callable[[T], Awaitable[None]],
    *,
    config: settings,
    known: Sequence[T] = (),
) -> None:
    """Run ``check`` on every example hypothesis draws from ``strategy``, in this event loop,
    while hypothesis itself runs in a worker thread (see the module docstring). ``known``
    examples (attacks that got through once) run first, every time, like ``@example``."""
    loop = asyncio.get_running_loop()

    def one(example: T) -> None:
        future = asyncio.run_coroutine_threadsafe(_checked(check, example), loop)
        try:
            future.result(timeout=EXAMPLE_TIMEOUT)
        except TimeoutError:
            if future.done():  # the check itself timed out waiting for the bot: say so
                raise
            future.cancel()
            raise AssertionError(f"no answer within {EXAMPLE_TIMEOUT} s") from None

    test = given(strategy)(one)
    for case in reversed(known):
        test = known_example(case)(test)
    # ``one`` has the same source for every caller, which is what hypothesis keys its example
    # database on; key it on the caller's check instead (as hypothesis's own ``find`` does).
    name = f"{check.__module__}.{check.__qualname__}"
    test._hypothesis_internal_database_key = hashlib.sha384(name.encode()).digest()  # type: ignore[attr-defined]
    await asyncio.to_thread(config(test))


async def _checked(check: Callable[[T], Awaitable[None]], example: T) -> None:
    await check(example)


def weighted(*choices: tuple[int, st.SearchStrategy[T]]) -> st.SearchStrategy[T]:
    """One of the strategies, each drawn about ``weight`` times in every sum of weights (the
    costly examples — a whole conversation — less often than a single command)."""
    strategies = [strategy for _, strategy in choices]
    indexes = [n for n, (weight, _) in enumerate(choices) for _ in range(weight)]
    return st.sampled_from(indexes).flatmap(strategies.__getitem__)


class Counter:
    """Fresh account numbers, so each example is a new signer."""

    def __init__(self, start: int = 1) -> None:
        self._next = itertools.count(start)

    def __call__(self) -> int:
        return next(self._next)


# -- the text -------------------------------------------------------------------------------
#: Pieces an attacker reaches for: pings, markup of each platform, links, ids, separators,
#: invisible and reordering characters, controls, terminal escapes, look-alikes and oddities.
FRAGMENTS: tuple[str, ...] = (
    # mentions and pings
    "@everyone", "@here", "@Everyone", "@HERE", "@@everyone", "＠everyone", "﹫here",
    "@\u200beveryone", "@\u2060here", "@ everyone", "@ada_lovelace", "@pledge_test_bot",
    "<@123456789012345678>", "<@!123456789012345678>", "<@&123456789012345678>",
    "<#123456789012345678>", "<@1>", "<#1>", "<@&1>", "<id:customize>", "</sign:1>",
    "<t:0:R>", "<:emoji:123456789012345678>", "tg://user?id=1", "tg://resolve?domain=x",
    # Telegram HTML
    "<b>", "</b>", "<i>x</i>", "<code>", "</code>", "<pre>", "<tg-spoiler>", "<blockquote>",
    "<br>", "<a href=\"tg://user?id=1\">x</a>", "<a href='https://evil.example'>x</a>",
    "<span class=\"tg-spoiler\">", "&", "&amp;", "&lt;", "&gt;", "&#64;", "&#x40;", "&quot;",
    "<", ">", "\"", "'", "<<", "</",
    # Discord markdown
    "**", "*", "__", "_", "~~", "||", "`", "```", "> ", ">>> ", "# ", "## ", "- ", "-# ",
    "[x](https://evil.example)", "[a](b) [x](https://evil.example)", "[", "](", ")",
    "\\", "\\*", "\\_", ":", "://",
    # links
    "https://", "http://x.example", "https://x.example/@everyone", "javascript:alert(1)",
    "https://user:pw@x.example", "https://x.example:99999", "https://[::1]/", "http://localhost",
    "HTTPS://X.EXAMPLE", "ftp://x.example", "data:text/html,x",
    # separators, numbers, commands
    "|", " | ", "||", "#", "#12", "12", "1", "0", "-1", "999999999999", "9" * 20, "1e3", "٣",
    "１２", "²", "/sign", "/approve 1", "/skip", "/cancel", "/start", "csv", "json", "erase",
    # invisible, reordering and control characters
    "\u202e", "\u202d", "\u202a", "\u2066", "\u2067", "\u2068", "\u2069", "\u061c", "\u200e",
    "\u200f", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u180e", "\u3164",
    "\u115f", "\u1160", "\uffa0", "\u2800", "\u17b4", "\u034f", "\U000e0041", "\U000e007f",
    "\x00", "\x07", "\x08", "\x1b[31m", "\x1b]0;title\x07", "\x7f", "\x85", "\x9b", "\u2028",
    "\u2029", "\r\n", "\r", "\t", "\n", "\x0b", "\x0c", "\x1c", "\ue000", "\U000f0000",
    "\u0378", "\ufffd", "\ufffe",
    # spaces
    " ", "  ", "\u00a0", "\u3000", "\u2003", "\u205f",
    # look-alikes and composed text
    "Ａｄａ", "ﬁ", "Å", "e\u0301", "\u0301", "𝐀𝐝𝐚", "Ꭺ", "а", "ǅ", "ß", "İ", "👩🏽‍🎤", "🏳️‍🌈",
    "\U0001f1fa\U0001f1f8", "﷽", "𒐫", "꧅",
)  # fmt: skip

_MIXED = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12)), min_size=1, max_size=8
).map("".join)
# Short hostile text with, mostly, something the core accepts as a name.
_SHORT = st.builds(
    str.__add__,
    st.sampled_from(["", "Ada ", "x", "Ω"]),
    st.lists(
        st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=8)), min_size=1, max_size=4
    ).map("".join),
)
_OVERSIZE = st.builds(
    lambda piece, n: (piece * n)[: n * 4],
    st.sampled_from(["x", "Ab ", "@everyone ", "<b>", "**", "\u200b", "ﬁ", "🏳️‍🌈", "x\u202e"]),
    st.integers(min_value=61, max_value=3000),
)


def hostile_text(*, oversize: bool = True) -> st.SearchStrategy[str]:
    """Mostly mixtures of :data:`FRAGMENTS` and arbitrary text; sometimes far too long."""
    parts = [_MIXED, _MIXED, _MIXED, _MIXED, _MIXED, st.text(max_size=40)]
    if oversize:
        parts.append(_OVERSIZE)
    return st.one_of(*parts)


def field_text(field: str) -> st.SearchStrategy[str]:
    """Hostile text for one sign-form field, often enough valid that it is stored: the optional
    fields are sometimes left empty, and a link is mostly a web address with hostile parts."""
    text = st.one_of(_SHORT, _SHORT, hostile_text())
    if field == "name":
        return text
    if field == "link":
        host = st.sampled_from(["x.example", "EXAMPLE.org", "xn--80ak6aa92e.example", "a.b.c.d"])
        web = st.builds(
            lambda scheme, host, rest: f"{scheme}://{host}/{rest}",
            st.sampled_from(["https", "http", "HTTPS"]),
            host,
            text,
        )
        return st.one_of(st.just(""), web, web, web, text)
    return st.one_of(st.just(""), text, text)


def sign_form() -> st.SearchStrategy[dict[str, str]]:
    """The four fields of a sign form."""
    return st.fixed_dictionaries({f: field_text(f) for f in FIELD_ORDER})


def sign_line() -> st.SearchStrategy[str]:
    """``NAME | ROLE | LOCATION | LINK`` with hostile fields (sometimes too many or none)."""
    return st.one_of(
        sign_form().map(lambda form: " | ".join(form.values()).rstrip(" |")),
        st.lists(hostile_text(), min_size=1, max_size=5).map(" | ".join),
        hostile_text(),
    )


def obviously_too_long(raw: str, field: str) -> bool:
    """More ASCII letters and digits than the field may hold: no normalising makes it fit."""
    limit = MAX_LENGTH[field]
    return sum(ch.isascii() and ch.isalnum() for ch in raw) > limit or len(raw) > 8 * limit


def verdict(form: SignatureForm) -> CleanForm | InvalidInput:
    """What the core makes of a form: the cleaned fields, or its refusal."""
    try:
        return clean_form(form)
    except InvalidInput as exc:
        return exc


def assert_refused_if_oversize(fields: Mapping[str, str], signed: bool) -> None:
    """A form with an oversize field is never stored."""
    oversize = [f for f, raw in fields.items() if f in MAX_LENGTH and obviously_too_long(raw, f)]
    assert not (oversize and signed), f"stored although {oversize} are too long"


def assert_clear_refusal(fields: Mapping[str, str], exc: InvalidInput) -> None:
    """A refusal of an oversize field says "too long" and gives the limit."""
    raw = fields.get(exc.field)
    if raw is not None and exc.field in MAX_LENGTH and obviously_too_long(raw, exc.field):
        assert "too long" in str(exc.message), str(exc.message)
        assert str(MAX_LENGTH[exc.field]) in str(exc.message), str(exc.message)


async def seed_long_texts(service: PledgeService, moderator: Actor, count: int = 30) -> None:
    """Signatures whose every field is as long as allowed and full of markup, half of them
    rejected with the longest reason: lists, cards and the audit log must then be cut to fit."""
    name = ("**@everyone** <b>&amp;</b> [x](https://evil.example) \u202e" * 3)[: MAX_LENGTH["name"]]
    role = ("<i>__||@here||__</i> & " * 5)[: MAX_LENGTH["role"]]
    link = ("https://x.example/?q=" + "&a=**__~~||[x](y)" * 12)[: MAX_LENGTH["link"]]
    reason = ("<code>**@everyone**</code> & `x` " * 12)[: MAX_LENGTH["reason"]]
    for n in range(count):
        signer = Actor(Identity("console", f"seed{n}"), f"seed{n}")
        form = SignatureForm(f"{n:02d}{name}"[: MAX_LENGTH["name"]], role, role, link)
        made = await service.sign(signer, form, community="console")
        if n % 2:
            await service.reject(moderator, made.signature.id, reason)


# -- what stored text must be ------------------------------------------------------------------
_BAD_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_INVISIBLE = frozenset("\u115f\u1160\u3164\uffa0\u2800\u17b4\u17b5\u180e")
# Anything Discord or Telegram would read as a mention of a person, a role, a channel or a crowd.
_LIVE_MENTION = re.compile(r"@(?:everyone|here)|<@[!&]?\d|<#\d|@[A-Za-z0-9_]", re.IGNORECASE)
_LINK_PING = re.compile(r"@(?:everyone|here)", re.IGNORECASE)


def assert_stored_as_cleaned(stored: Signature, clean: CleanForm) -> None:
    """The signature holds exactly what the core's cleaning made of the form, and each field
    is inert."""
    fields = (stored.name, stored.role, stored.location, stored.link)
    assert fields == (clean.name, clean.role, clean.location, clean.link)
    for name in FIELD_ORDER:
        assert_inert(getattr(stored, name), name)


def assert_inert(value: str | None, field: str) -> None:
    """Stored text is visible, inert and within its limit."""
    if value is None:
        return
    assert len(value) <= MAX_LENGTH[field], (field, len(value), value)
    assert value == value.strip() and value, (field, value)
    hidden = [
        f"U+{ord(ch):04X}"
        for ch in value
        if ch in _INVISIBLE or unicodedata.category(ch) in _BAD_CATEGORIES
    ]
    assert not hidden, (field, value, hidden)
    if field == "link":
        assert not _LINK_PING.search(value), (field, value)
        assert re.match(r"https?://", value, re.IGNORECASE), (field, value)
    else:
        assert "  " not in value, (field, value)
        # NFKC, but for the fullwidth ＠ and ＃ that stand in for a neutralised mention.
        plain = value.replace("\uff20", "@").replace("<\uff03", "<#")
        assert unicodedata.is_normalized("NFKC", plain), (field, value)
        assert not _LIVE_MENTION.search(value), (field, value)


def assert_database_inert(snapshot: Dump) -> None:
    """A last sweep over everything stored: every person's text inert, nothing hidden anywhere."""
    for row in snapshot.records("signatures"):
        for field in FIELD_ORDER:
            assert_inert(row[field], field)
        assert_inert(row["reason"], "reason")
        assert_inert(row["decided_by"], "name")
    for row in snapshot.records("audit_log"):
        assert_inert(row["reason"], "reason")
    for row in snapshot.records("outbox"):  # the core's sentences, with people's text in them
        hidden = [
            ch
            for ch in row["text"]
            if ch != "\n" and (ch in _INVISIBLE or unicodedata.category(ch) in _BAD_CATEGORIES)
        ]
        assert not hidden, row
