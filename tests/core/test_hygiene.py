"""Input hygiene: any text is either refused with a clear message or stored inert."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.domain import SignatureForm
from bot.errors import InvalidInput
from bot.hygiene import (
    _CHANNEL_MENTION,
    _MENTION_AT,
    LIMITS,
    clean_form,
    clean_link,
    clean_text,
    neutralise_mentions,
)
from bot.service import PledgeService
from tests.conftest import artist

LIVE_MENTION = re.compile(r"@(everyone|here)|<@[!&]?\d+>|<#\d+>|@\w", re.IGNORECASE)
HIDDEN = re.compile(
    "[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u115f\u1160\u3164\uffa0]"
)

# Text that is likely to hit the interesting cases, mixed with anything at all.
tricky = st.sampled_from(
    [
        "@everyone",
        "@here",
        "<@123>",
        "<@!42>",
        "<@&987>",
        "<#555>",
        "\u202e",
        "\u200b",
        "\u2066",
        "\x00",
        "\n",
        "\t",
        "   ",
        "**",
        "<b>",
        "&amp;",
        "ｅｖｅｒｙｏｎｅ",
        "＠",
        "\u3164",
        "e\u0301",
        "ﬁ",
        "\ufeff",
        "|",
        "javascript:",
        "https://x.y/@everyone",
    ]
)
text_strategy = st.lists(st.one_of(tricky, st.text(max_size=30)), max_size=8).map("".join)


def _assert_inert(value: str | None) -> None:
    if value is None:
        return
    assert value == value.strip() and "  " not in value
    assert not LIVE_MENTION.search(value), value
    assert not HIDDEN.search(value), value
    assert all(unicodedata.category(c) not in {"Cc", "Cf", "Cs", "Co", "Cn"} for c in value)


@given(name=text_strategy, role=text_strategy, location=text_strategy, link=text_strategy)
def test_any_form_is_rejected_cleanly_or_stored_inert(
    name: str, role: str, location: str, link: str
) -> None:
    try:
        clean = clean_form(SignatureForm(name, role, location, link))
    except InvalidInput as exc:
        assert str(exc.message) and exc.field in {"name", "role", "location", "link"}
        return
    for value, field in ((clean.name, "name"), (clean.role, "role"), (clean.location, "location")):
        _assert_inert(value)
        assert value is None or 1 <= len(value) <= LIMITS[field]
    if clean.link is not None:
        assert clean.link.startswith(("http://", "https://")) and len(clean.link) <= 200
        assert not re.search(r"@(everyone|here)", clean.link, re.IGNORECASE)
        assert not HIDDEN.search(clean.link)


@given(st.text(max_size=120))
def test_cleaning_is_idempotent(raw: str) -> None:
    try:
        once = clean_text(raw, field="name")
    except InvalidInput:
        return
    if once is not None:
        assert clean_text(once, field="name") == once


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Alice   \n Smith ", "Alice Smith"),
        ("A\u200bl\u202eice", "Alice"),
        ("@everyone", "＠everyone"),
        ("<@&123> and <#456>", "<＠&123> and <＃456>"),
        ("ＡＬＩＣＥ", "ALICE"),
        ("**bold** <b>x</b>", "**bold** <b>x</b>"),  # markup is escaped by each adapter
    ],
)
def test_examples(raw: str, expected: str) -> None:
    assert clean_text(raw, field="name") == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "cannot be empty"),
        ("\u200b\u202e\u3164 ", "cannot be empty"),
        ("x" * 81, "at most 80"),
    ],
)
def test_bad_names_get_a_clear_message(raw: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        clean_form(SignatureForm(raw))


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        "ftp://x.org",
        "https://",
        "http://localhost",
        "https://a b.com",
        "https://user:pw@evil.example",
        "data:text/html,hi",
        "https://x.org/<script>",
    ],
)
def test_bad_links_are_refused(link: str) -> None:
    with pytest.raises(InvalidInput):
        clean_link(link)


def test_good_links_are_kept() -> None:
    assert clean_link(" https://mastodon.social/@artist ") == "https://mastodon.social/@artist"
    assert clean_link("https://x.org/@everyone") == "https://x.org/%40everyone"
    assert clean_link("") is None


async def test_refused_input_changes_nothing(service: PledgeService) -> None:
    with pytest.raises(InvalidInput):
        await service.sign(artist(1), SignatureForm("ok", link="javascript:x"), community="c")
    assert (await service.status(artist(1).identity)).signature is None
    assert await service.store.outbox_messages() == []


@given(st.text(max_size=60) | st.text(alphabet=st.characters(max_codepoint=127), max_size=60))
def test_fast_paths_agree_with_the_general_rules(raw: str) -> None:
    """Printable ASCII skips Unicode work; the result must be what the full rules give."""
    try:
        cleaned = clean_text(raw, field="name")
    except InvalidInput:
        return
    if cleaned is not None:
        _assert_inert(cleaned)


def _cleaned(raw: str, field: str) -> str | InvalidInput | None:
    try:
        return clean_text(raw, field=field)
    except InvalidInput as exc:
        return exc


@given(
    st.sampled_from(sorted(LIMITS)),
    st.text(max_size=90)
    | st.text(alphabet=st.characters(max_codepoint=127), max_size=90)
    | st.text(alphabet="ab1 @<#.\t", max_size=90),
)
@example("name", "Ada Lovelace")
@example("role", "x" * LIMITS["role"])
@example("role", "x" * (LIMITS["role"] + 1))
@example("name", "Ada  Lovelace")
@example("name", "Ada @here")
@example("location", "see <#123>")
@example("location", "Oslo ")
def test_clean_text_is_returned_as_the_full_rules_return_it(field: str, raw: str) -> None:
    """Text that is already clean is returned without the cleaning steps. A leading space makes
    it take them all (they strip it), so both must give the same text or the same refusal."""
    fast, full = _cleaned(raw, field), _cleaned(" " + raw, field)
    if isinstance(fast, InvalidInput) or isinstance(full, InvalidInput):
        assert isinstance(fast, InvalidInput) and isinstance(full, InvalidInput)
        assert fast.message == full.message
    else:
        assert fast == full


@given(st.text(alphabet="@<#&!a1 \uff20", max_size=20))
def test_mentions_are_broken_whether_or_not_the_text_is_searched_first(raw: str) -> None:
    """Text without "@" or "<#" skips the substitutions: the result is what they give."""
    full = _CHANNEL_MENTION.sub("<\uff03", _MENTION_AT.sub("\uff20", raw))
    assert neutralise_mentions(raw) == full


def _outcome(link: str) -> str | InvalidInput | None:
    try:
        return clean_link(link)
    except InvalidInput as exc:
        return exc


_HOST = st.lists(
    st.sampled_from(["a", "Z9", "-", ".", "_", ":", "@", "[", "]", "%", "u:pw@", "x.org", ":80"]),
    max_size=5,
).map("".join)
_REST = st.lists(
    st.sampled_from(
        ["/", "?", "#", "@", "everyone", ":80", "a", ".", "%", " ", "\\", "<", "'", "~"]
    ),
    max_size=6,
).map("".join)


@given(
    st.sampled_from(["http://", "https://", "HTTPS://", "httpſ://", "ftp://", "http:/", ""]),
    _HOST,
    _REST,
)
@example("https://", "u:pw@x.org", "")
@example("https://", "x.org:80", "/@everyone")
@example("https://", "a_b.org", "")
@example("http://", "[::1]", "")
@example("HTTPS://", ".", "?a#@here")
def test_plain_links_are_judged_as_the_full_check_judges_them(
    scheme: str, host: str, rest: str
) -> None:
    """Printable ASCII links skip parsing. A leading space makes a link take the full check
    (it is stripped there), so both must give the same link or the same refusal."""
    link = scheme + host + rest
    fast, full = _outcome(link), _outcome(" " + link)
    if isinstance(fast, InvalidInput) or isinstance(full, InvalidInput):
        assert isinstance(fast, InvalidInput) and isinstance(full, InvalidInput)
        assert fast.message == full.message
    else:
        assert fast == full


@given(text_strategy)
def test_quoting_typed_text_back_is_inert(raw: str) -> None:
    """Error messages quote what was typed ("“…” is not a signature number"): safely."""
    from bot.forms import parse_signature_id
    from bot.hygiene import inert

    shown = inert(raw, 20)
    assert len(shown) <= 20
    _assert_inert(shown or None)
    try:
        parse_signature_id(raw)
    except InvalidInput as exc:
        assert not LIVE_MENTION.search(str(exc.message)) and not HIDDEN.search(str(exc.message))
