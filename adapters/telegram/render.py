"""Telegram HTML for the core's results.

Telegram's HTML mode knows a handful of tags and rejects the whole message on a stray ``<`` or
``&``, so every piece of text from a user or from the configuration must be escaped before it is
sent. The wording comes from the message catalogue (:mod:`bot.i18n`), in the language of the
``tr`` each function is handed — the reader's, or the chat's for what many read (cards); this
module escapes it and adds Telegram's markup for the core's results, the outbox's texts and the
adapter's own notices. Markup goes around a translated sentence's values (``Raw``), never inside
a translation. (Two short prompts are built where they are sent: the rejection-reason prompt in
:mod:`adapters.telegram.moderation`, around PTB's ``mention_html``, and the labels of buttons in
:mod:`adapters.telegram.keyboards`, which Telegram shows as plain text.)

A message may hold at most 4,096 characters: lengths are measured on the HTML source in UTF-16
code units, which is never less than what Telegram counts after parsing, so whatever fits here
fits there. Texts with buttons must stay one message and are fitted by
shortening the longest lines; plain replies are split between whole lines, so no tag is cut open.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from bot.communities import CommunityTable
from bot.domain import (
    AuditEntry,
    Letter,
    LetterText,
    PendingItem,
    SignatoriesPage,
    Signature,
    SignerStatus,
)
from bot.domain import Status as SignatureStatus
from bot.hygiene import CleanForm
from bot.i18n import Msg, Raw, Translator
from bot.liveposts import LIVE_COMMANDS
from bot.moderation import Decision
from bot.service import Overview
from bot.texts import (
    cards,
    command_help,
    community_table,
    linking,
    lists,
    moderation,
    rejection,
    signatures,
    signing,
)

__all__ = [
    "MAX_MESSAGE",
    "audit",
    "bold",
    "clip",
    "count_line",
    "decisions",
    "demand",
    "demands",
    "esc",
    "help_text",
    "letter",
    "mod_card",
    "moderators_unreadable",
    "pending_list",
    "say",
    "signatories",
    "split",
    "status",
    "summary",
    "translation_note",
    "units",
    "withdraw_prompt",
]

MAX_MESSAGE = 4096
ELLIPSIS = "…"
# At most this many earlier signatures and possible duplicates on a moderator's card.
CONTEXT_LINES = 5
_TAG = re.compile(r"<[^>]*>")


# -- measuring, escaping, fitting ------------------------------------------------------------
def esc(text: str) -> str:
    """User or configuration text made inert for ``parse_mode="HTML"``."""
    return html.escape(text, quote=False)


def units(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's limits."""
    if text.isascii():  # most texts: one unit a character, without encoding a copy
        return len(text)
    return len(text.encode("utf-16-le")) // 2


def clip(text: str, limit: int) -> str:
    """``text`` escaped, cut to at most ``limit`` units of HTML (ending in "…" when cut)."""
    escaped = esc(text)
    if units(escaped) <= limit:
        return escaped
    pieces: list[str] = []
    used = 0
    budget = max(limit - 1, 0)
    for char in text:
        piece = esc(char)
        size = units(piece)
        if used + size > budget:
            break
        pieces.append(piece)
        used += size
    return "".join(pieces) + ELLIPSIS


def _fit(lines: Sequence[tuple[str, str]], budget: int) -> list[str]:
    """Lines of ``(markup, plain)`` shortened so that together they fit ``budget`` units.

    Each line's markup stays whole; its plain part is escaped and, if the lines do not fit,
    clipped. Short lines keep everything and the longest share what is left, so one 300-character
    reason does not cost every other line its text.
    """
    escaped = [esc(plain) for _, plain in lines]
    fixed = [units(markup) for markup, _ in lines]
    wants = [units(text) for text in escaped]
    remaining = budget - sum(fixed)
    if sum(wants) <= remaining:  # the usual case: everything fits as it is
        return [markup + text for (markup, _), text in zip(lines, escaped, strict=True)]
    shares = [0] * len(lines)
    for done, index in enumerate(sorted(range(len(lines)), key=wants.__getitem__)):
        share = max(remaining, 0) // (len(lines) - done)
        shares[index] = min(wants[index], share)
        remaining -= shares[index]
    return [
        markup + clip(plain, share) for (markup, plain), share in zip(lines, shares, strict=True)
    ]


def _plain(html_text: str) -> str:
    return html.unescape(_TAG.sub("", html_text))


def _pieces(text: str, limit: int) -> list[str]:
    """Plain ``text`` escaped and cut into pieces of at most ``limit`` units each."""
    pieces: list[str] = []
    current: list[str] = []
    used = 0
    for char in text:
        piece = esc(char)
        size = units(piece)
        if used + size > limit and current:
            pieces.append("".join(current))
            current, used = [], 0
        current.append(piece)
        used += size
    if current:
        pieces.append("".join(current))
    return pieces


def split(lines: Iterable[str], limit: int = MAX_MESSAGE) -> list[str]:
    """Pack lines of HTML into as few messages as fit, breaking only between lines.

    A line that alone exceeds the limit (a letter paragraph of thousands of characters) loses
    its markup and is cut into plain pieces instead of being dropped.
    """
    messages: list[str] = []
    current: list[str] = []
    used = 0

    def flush() -> None:
        nonlocal current, used
        text = "\n".join(current).strip("\n")
        if text:
            messages.append(text)
        current, used = [], 0

    for line in lines:
        if units(line) > limit:
            flush()
            messages.extend(_pieces(_plain(line), limit))
            continue
        size = units(line) + (1 if current else 0)
        if used + size > limit:
            flush()
            size = units(line)
        current.append(line)
        used += size
    flush()
    return messages


# -- the letter -----------------------------------------------------------------------------
def bold(html_text: str) -> str:
    """Already escaped HTML in bold."""
    return f"<b>{html_text}</b>"


def say(tr: Translator, text: Msg) -> str:
    """A core message in the reader's language as Telegram HTML: escaped, with the numbers and
    headings the core marks :class:`~bot.i18n.Strong` in bold."""
    return tr.render(text, escape=esc, strong=bold)


def count_line(tr: Translator, count: int, next_milestone: int | None) -> str:
    return say(tr, lists.count_line(count, next_milestone))


def _numbered(numbered: Sequence[tuple[int, str]]) -> list[str]:
    return [f"{n}. {esc(d)}" for n, d in numbered]


def letter(tr: Translator, view: Overview) -> list[str]:
    """The letter as one message or, when very long, several (buttons go on the last): in the
    reader's language when the organisers translated it, saying so."""
    text = view.letter.in_language(tr.language)
    lines = [f"<b>{esc(text.title)}</b>", *translation_note(tr, text), ""]
    if text.preamble:
        lines += [esc(text.preamble), ""]
    lines += _numbered(list(enumerate(text.demands, 1)))
    if text.closing:
        lines += ["", esc(text.closing)]
    lines += ["", count_line(tr, view.count, view.next_milestone)]
    return split(lines)


def demands(tr: Translator, letter: Letter, numbers: Sequence[int]) -> list[str]:
    """Every demand by number, in the reader's language when the letter is translated."""
    text = letter.in_language(tr.language)
    head = tr.t("{title} demands:", escape=esc, title=Raw(bold(esc(text.title))))
    numbered = [(n, text.demands[n - 1]) for n in numbers]
    return split([head, *translation_note(tr, text), *_numbered(numbered)])


def demand(tr: Translator, letter: Letter, number: int) -> str:
    """One demand (``/demands N``), in the reader's language when the letter is translated."""
    text = letter.in_language(tr.language)
    note = "".join(f"\n{line}" for line in translation_note(tr, text))
    return clip(f"{number}. {text.demands[number - 1]}", MAX_MESSAGE - units(note)) + note


def translation_note(tr: Translator, text: LetterText) -> list[str]:
    """A translation says it is one (in italics): the original is what everyone signs."""
    if not text.is_translation:
        return []
    note = tr.t("This is a translation of the letter.", escape=esc)
    return [f"<i>{note}</i>"]


# -- signing --------------------------------------------------------------------------------
def summary(tr: Translator, form: CleanForm, letter: Letter, *, anonymous_allowed: bool) -> str:
    """What the signer is about to put their name to, before they press Sign."""
    frame = _summary_frame(tr, letter, anonymous_allowed=anonymous_allowed)
    values = (form.name, form.role or "—", form.location or "—", form.link or "—")
    head = [
        frame.heading,
        *(f"{label}: {esc(value)}" for label, value in zip(frame.labels, values, strict=True)),
    ]
    budget = MAX_MESSAGE - sum(units(line) for line in head) - frame.rest
    return "\n".join([*head, "", frame.intro, *_fit(frame.demands, budget), "", frame.choice])


_SUMMARY_FIELDS = ("name", "role", "location", "link")


@dataclass(frozen=True, slots=True)
class _SummaryFrame:
    """The summary's words that depend on the language and the letter, not on the signer."""

    heading: str
    labels: tuple[str, ...]  # name, role, location, link
    intro: str
    choice: str
    demands: tuple[tuple[str, str], ...]  # (number, demand) for :func:`_fit`
    #: Units of everything but the head and the demands: intro, choice, blank lines, newlines,
    #: and a newline per demand.
    rest: int


@lru_cache(maxsize=64)
def _summary_frame(tr: Translator, letter: Letter, *, anonymous_allowed: bool) -> _SummaryFrame:
    """Translated once per language and letter, where every /sign used to render the same
    seven sentences again (with :func:`_fit`'s shortcut, a summary went from 17.5 to 6.7 µs)."""
    choice = (
        tr.t(
            "Sign with your name, sign without it (counted but not listed), or cancel.",
            escape=esc,
        )
        if anonymous_allowed
        else tr.t("Sign, or cancel.", escape=esc)
    )
    intro = tr.t(
        "You are signing “{title}”, which demands:",
        escape=esc,
        title=Raw(bold(esc(letter.title))),
    )
    demands = tuple((f"{n}. ", d) for n, d in enumerate(letter.demands, 1))
    labels = tuple(say(tr, signing.FIELD_LABELS[field]) for field in _SUMMARY_FIELDS)
    # "\n".join([*head (5 lines), "", intro, "", "", choice]) has 9 newlines; each demand adds one.
    rest = units(intro) + units(choice) + 9 + len(demands)
    heading = bold(tr.t("Please check your signature", escape=esc))
    return _SummaryFrame(heading, labels, intro, choice, demands, rest)


def status(tr: Translator, state: SignerStatus) -> str:
    return clip(tr.render(signing.status_text(state)), MAX_MESSAGE)


def withdraw_prompt(tr: Translator, state: SignerStatus) -> str:
    return clip(tr.render(signing.withdraw_prompt(state)), MAX_MESSAGE)


def signatories(tr: Translator, page: SignatoriesPage) -> str:
    """One page of names; always one message, as its ◀ ▶ buttons edit it in place."""
    if page.signatures:
        head = say(tr, lists.signatories_heading(page.page, page.pages))
    else:
        head = say(tr, lists.NO_ONE_LISTED)
    tail = say(tr, lists.unlisted_line(page.anonymous)) if page.anonymous else ""
    lines = [
        (
            f"#{s.id} ",
            tr.render(signatures.describe_signature(s, earlier_text=page.earlier_text(s))),
        )
        for s in page.signatures
    ]
    budget = MAX_MESSAGE - units(head) - units(tail) - len(lines) - 1
    return "\n".join([head, *_fit(lines, budget), tail]).strip("\n")


# -- moderation -----------------------------------------------------------------------------
_DECISION_MARKS = {
    SignatureStatus.APPROVED: "✅ ",
    SignatureStatus.REJECTED: "❌ ",
    SignatureStatus.REMOVED: "🗑 ",
    SignatureStatus.WITHDRAWN: "↩️ ",
}


def decision_line(tr: Translator, sig: Signature) -> tuple[str, str] | None:
    """Who decided a signature and how, for the card's last line; None while it is pending."""
    decided = cards.decided_by(sig)
    if decided is None:
        return None
    shown = sig.reason and sig.status is not SignatureStatus.WITHDRAWN
    why = f": {tr.render(rejection.stated_reason(sig.reason))}" if shown and sig.reason else ""
    return _DECISION_MARKS.get(sig.status, ""), f"{tr.render(decided)}{why}"


def _card_lines(tr: Translator, item: PendingItem) -> list[tuple[str, str]]:
    sig = item.signature
    lines = [
        (f"<b>#{sig.id}</b> ", tr.render(signatures.describe_signature(sig))),
        ("", tr.t("from {community}", community=sig.community)),
    ]
    if item.linked:
        lines.append(("", tr.render(linking.linked_line(item.linked))))
    earlier = item.history[-CONTEXT_LINES:]
    if len(item.history) > len(earlier):
        hidden = len(item.history) - len(earlier)
        lines.append(
            (
                "",
                tr.n(
                    "{count} earlier signature not shown",
                    "{count} earlier signatures not shown",
                    hidden,
                ),
            )
        )
    lines += [("", tr.render(cards.earlier_line(old))) for old in earlier]
    lines += [
        ("", tr.render(cards.reaffirmation_line(r))) for r in item.reaffirmations[-CONTEXT_LINES:]
    ]
    lines += [
        ("⚠️ ", tr.render(cards.duplicate_line(d))) for d in item.possible_duplicates[:CONTEXT_LINES]
    ]
    return lines


def mod_card(tr: Translator, item: PendingItem) -> str:
    """A moderator's card for one signature: who, from where, their history, look-alikes, and —
    once decided — who decided and how. ``tr``: the mod chat's language, not the presser's."""
    lines = _card_lines(tr, item)
    decided = decision_line(tr, item.signature)
    if decided is not None:
        lines.append(decided)
    return "\n".join(_fit(lines, MAX_MESSAGE - len(lines)))


def pending_list(tr: Translator, items: Sequence[PendingItem], *, more: bool) -> str:
    """Signatures awaiting a decision, oldest first, in one message (its buttons decide them)."""
    if not items:
        return say(tr, moderation.NONE_PENDING)
    shown = tr.number(len(items)) + ("+" if more else "")
    heading = tr.t("Awaiting approval", escape=esc)
    head = tr.t(
        "{heading} (oldest first, {count}):", escape=esc, heading=Raw(bold(heading)), count=shown
    )
    tail = (
        tr.t("More are waiting: decide these first, or use /approve ID…", escape=esc)
        if more
        else ""
    )
    per_item = max((MAX_MESSAGE - units(head) - units(tail) - 2) // len(items) - 1, 40)
    blocks = []
    for item in items:
        lines = _card_lines(tr, item)
        blocks.append("\n".join(_fit(lines, per_item - len(lines))))
    return "\n\n".join([head, *blocks, tail]).strip("\n")


def decisions(tr: Translator, results: Sequence[Decision]) -> list[str]:
    return split([say(tr, d.describe()) for d in results])


def audit(tr: Translator, entries: Sequence[AuditEntry]) -> list[str]:
    if not entries:
        return [say(tr, moderation.AUDIT_EMPTY)]
    return split(
        [
            f"<code>{e.at:%Y-%m-%d %H:%M}</code> {clip(tr.render(moderation.audit_entry(e)), 600)}"
            for e in entries
        ]
    )


def communities(tr: Translator, table: CommunityTable) -> list[str]:
    """``/communities``: group titles and server names are other people's text, escaped."""
    if not table.rows:
        return [say(tr, community_table.NO_COMMUNITIES)]
    return split(say(tr, community_table.communities_text(table)).split("\n"))


# -- help -----------------------------------------------------------------------------------
def help_text(tr: Translator, title: str, *, moderator: bool) -> str:
    """The core's command list; a moderator (where moderators work) also sees theirs."""
    intro = tr.t(
        "I gather signatures for the open letter “{title}”.",
        escape=esc,
        title=Raw(bold(esc(title))),
    )
    lines = [intro, ""]
    lines += [
        f"{esc(c.usage)} — {say(tr, c.summary)}" for c in command_help.COMMANDS if not c.moderator
    ]
    if moderator:
        word = tr.t("Moderators", escape=esc)
        heading = tr.t(
            "{moderators} (in the mod chat or here in private):",
            escape=esc,
            moderators=Raw(bold(word)),
        )
        lines += ["", heading]
        lines += [
            f"{esc(c.usage)} — {say(tr, c.summary)}" for c in command_help.COMMANDS if c.moderator
        ]
        lines += [
            esc(f"/{c.telegram_name} {c.arguments}".rstrip() + f" — {tr.render(c.summary)}")
            for c in LIVE_COMMANDS
        ]
    return "\n".join(lines)


def moderators_unreadable(tr: Translator, mod_chat: int) -> str:
    """To the listed moderators when the mod chat's administrators cannot be read."""
    return html.escape(tr.render(moderation.moderators_unreadable(mod_chat)))
