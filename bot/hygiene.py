"""Normalising and checking what people type, once, for every adapter.

The aim is that stored text is plain, visible, and inert: no control, zero-width or bidi
characters that could hide or reorder text, and no mention syntax that could ping a crowd when
a name is posted. Platform escaping (Discord markdown, Telegram HTML) is a rendering concern and
stays in the adapters.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

from bot.confusables import name_keys
from bot.domain import SignatureForm
from bot.errors import InvalidInput
from bot.i18n import Msg, msg

__all__ = [
    "LIMITS",
    "CleanForm",
    "clean_form",
    "clean_link",
    "clean_reason",
    "clean_text",
    "inert",
]

LIMITS = {"name": 80, "role": 60, "location": 60, "link": 200, "reason": 300}

# Characters with no visible glyph that Unicode classes as letters or symbols, used to fake an
# empty or spoofed name (Hangul fillers, braille blank, Khmer vowel inherents).
_INVISIBLE = frozenset("\u115f\u1160\u3164\uffa0\u2800\u17b4\u17b5\u180e")
# Categories removed outright: control, format (zero-width, bidi), surrogate, private use,
# unassigned.
_DROP_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
# `@everyone`, `@here`, `@user` (Telegram), `<@123>`, `<@!123>`, `<@&123>`: an @ that starts a
# mention becomes a fullwidth at sign, which reads the same and pings no one.
_MENTION_AT = re.compile(r"@(?=[\w&!])")
_CHANNEL_MENTION = re.compile(r"<#(?=\d)")
_LINK_MENTION = re.compile(r"@(?=everyone|here)", re.IGNORECASE)
_FORBIDDEN_IN_LINK = re.compile(r"[\s<>\"'`\\]")
# A link that needs no parsing to be accepted: http(s), a host of ASCII letters, digits, dots and
# hyphens with a dot in it, no user, password or port, then nothing or a path, query or fragment
# of printable ASCII but the forbidden characters (so one match decides it). urlsplit would
# accept every such link unchanged; anything else takes the full check.
_PLAIN_LINK_TAIL = "".join(
    c for c in map(chr, range(0x21, 0x7F)) if not _FORBIDDEN_IN_LINK.match(c)
)
_PLAIN_LINK = re.compile(
    rf"(?i:https?)://[A-Za-z0-9-]*\.[A-Za-z0-9.-]*(?:[/?#][{re.escape(_PLAIN_LINK_TAIL)}]*)?",
    re.ASCII,
)


def _strip_invisible(text: str) -> str:
    if text.isascii() and text.isprintable():
        return text  # nothing to strip: the usual case, and the cheap one
    out = []
    for ch in text:
        if ch in "\t\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029":
            out.append(" ")
        elif ch in _INVISIBLE or unicodedata.category(ch) in _DROP_CATEGORIES:
            continue
        else:
            out.append(ch)
    return "".join(out)


def _normalise(text: str) -> str:
    if text.isascii() and text.isprintable():  # NFKC leaves printable ASCII unchanged
        return " ".join(text.split())
    text = unicodedata.normalize("NFKC", text)
    text = _strip_invisible(text)
    # NFKC again: removing a joiner can bring two combinable characters together.
    text = unicodedata.normalize("NFKC", text)
    return " ".join(text.split())


def neutralise_mentions(text: str) -> str:
    # Most fields hold neither sign: a substring test is a tenth of a regex substitution.
    if "@" in text:
        text = _MENTION_AT.sub("\uff20", text)
    if "<#" in text:
        text = _CHANNEL_MENTION.sub("<\uff03", text)
    return text


def inert(raw: str, limit: int = 30) -> str:
    """A piece of what someone typed, safe to quote back in a reply: normalised, invisible
    characters gone, mentions broken, and short."""
    text = _normalise(raw[: limit * 4])
    return neutralise_mentions(text[:limit].rstrip())


def _too_long(field: str, limit: int, length: int | None) -> Msg:
    """A field over its limit, in a sentence of its own per field (so each language can make
    its words agree), with the length counted when it was worth counting."""
    if length is None:
        match field:
            case "name":
                return msg(
                    "Your public name is too long: at most {limit} characters, please.", limit=limit
                )
            case "role":
                return msg(
                    "Role/affiliation is too long: at most {limit} characters, please.", limit=limit
                )
            case "location":
                return msg("Location is too long: at most {limit} characters, please.", limit=limit)
            case _:
                return msg(
                    "The reason is too long: at most {limit} characters, please.", limit=limit
                )
    match field:
        case "name":
            return msg(
                "Your public name is too long ({length} characters): at most {limit}, please.",
                length=length,
                limit=limit,
            )
        case "role":
            return msg(
                "Role/affiliation is too long ({length} characters): at most {limit}, please.",
                length=length,
                limit=limit,
            )
        case "location":
            return msg(
                "Location is too long ({length} characters): at most {limit}, please.",
                length=length,
                limit=limit,
            )
        case _:
            return msg(
                "The reason is too long ({length} characters): at most {limit}, please.",
                length=length,
                limit=limit,
            )


def _empty(field: str) -> Msg:
    if field == "name":
        return msg("Your public name cannot be empty.")
    return msg("The reason cannot be empty.")


def clean_text(raw: str, *, field: str, required: bool = False) -> str | None:
    """Normalise one free-text field (a key of :data:`LIMITS`); ``None`` when an optional
    field is left empty."""
    limit = LIMITS[field]
    if (
        raw
        and len(raw) <= limit
        and raw.isascii()
        and raw.isprintable()
        and "  " not in raw
        and raw.strip() == raw
        and "@" not in raw
        and "<#" not in raw
    ):
        # Already clean, the usual case: printable ASCII is its own NFKC form with nothing
        # invisible, single spaces inside and none at the ends leave the spacing as it is, and
        # no mention sign leaves nothing to break; the steps below would return it unchanged,
        # at twice the cost (their calls).
        return raw
    if len(raw) > limit * 8:  # refuse absurd input before doing work on it
        raise InvalidInput(field, _too_long(field, limit, None))
    text = _normalise(raw)
    if not text:
        if required:
            raise InvalidInput(field, _empty(field))
        return None
    if len(text) > limit:
        raise InvalidInput(field, _too_long(field, limit, len(text)))
    # Neutralising happens last and never changes the length, so the limit above holds.
    return neutralise_mentions(text)


def clean_link(raw: str) -> str | None:
    if len(raw) <= LIMITS["link"] and _PLAIN_LINK.fullmatch(raw):
        # The usual case, at a tenth of the cost: printable ASCII is its own NFKC form.
        return _LINK_MENTION.sub("%40", raw) if "@" in raw else raw
    limit = LIMITS["link"]
    if len(raw) > limit * 8:
        raise InvalidInput("link", _link_too_long(limit))
    text = _strip_invisible(unicodedata.normalize("NFKC", raw)).strip()
    if not text:
        return None
    if len(text) > limit:
        raise InvalidInput("link", _link_too_long(limit))
    if _FORBIDDEN_IN_LINK.search(text):
        raise _not_a_link()
    try:
        parts = urlsplit(text)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        raise _not_a_link() from None
    if parts.scheme.lower() not in ("http", "https") or not host or "." not in host:
        raise _not_a_link()
    if parts.username is not None or parts.password is not None:
        raise InvalidInput("link", msg("The link must not contain a user name or password."))
    return _LINK_MENTION.sub("%40", text)


def _link_too_long(limit: int) -> Msg:
    return msg("The link is too long: at most {limit} characters, please.", limit=limit)


def _not_a_link() -> InvalidInput:
    return InvalidInput(
        "link", msg("The link must be a web address starting with http:// or https://.")
    )


def clean_reason(raw: str) -> str:
    reason = clean_text(raw, field="reason", required=True)
    assert reason is not None
    return reason


class CleanForm:
    """A :class:`SignatureForm` after hygiene: every field normalised, limited and inert."""

    __slots__ = ("key", "link", "location", "look_key", "name", "role")

    def __init__(self, form: SignatureForm) -> None:
        name = clean_text(form.name, field="name", required=True)
        assert name is not None
        self.name: str = name
        self.key, self.look_key = name_keys(name)
        if not self.key:
            raise InvalidInput("name", msg("Your public name needs at least one letter or digit."))
        self.role = clean_text(form.role, field="role")
        self.location = clean_text(form.location, field="location")
        self.link = clean_link(form.link)


def clean_form(form: SignatureForm) -> CleanForm:
    return CleanForm(form)
