"""Core results as Discord text and embeds.

Everything a person typed (names, roles, reasons, display names) goes through :func:`safe` before
it reaches Discord, so a signer called ``**Bold** @everyone`` is shown literally and pings no one.
The letter and the milestone message are the organisers' own text and keep their markdown.
Wording shared with other platforms comes from :mod:`bot.texts`; only Discord layout lives here,
and the few headings only Discord has come from the catalogue through the reader's translator
(``tr``): a reply's in the reader's language, a channel post's in the channel's.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import discord

from bot.communities import CommunityTable
from bot.domain import (
    AuditEntry,
    Identity,
    Letter,
    LetterText,
    PendingItem,
    Reaffirmation,
    SignatoriesPage,
    Signature,
    Status,
)
from bot.i18n import Command, Msg, Translator
from bot.moderation import Decision
from bot.service import Overview
from bot.texts import cards, community_table, linking, lists, moderation, rejection, signatures

__all__ = [
    "SignerFacts",
    "audit",
    "clip",
    "count_line",
    "decisions",
    "demands",
    "letter",
    "mod_card",
    "pending",
    "safe",
    "say",
    "signatories",
]

# Discord's limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits).
CONTENT_LIMIT = 2000
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_LIMIT = 1024

_STATUS_COLOURS = {
    Status.PENDING: discord.Colour.gold(),
    Status.APPROVED: discord.Colour.green(),
    Status.REJECTED: discord.Colour.red(),
    Status.WITHDRAWN: discord.Colour.light_grey(),
    Status.REMOVED: discord.Colour.dark_red(),
}
_LETTER_COLOUR = discord.Colour.blurple()
# An unescaped "[" (after an even run of backslashes) that opens a masked link "[…](".
_MASKED_LINK_OPEN = re.compile(r"(?<!\\)((?:\\\\)*)\[(?=[^\]]*\]\()")
# "<" opening a user, role or channel mention: "<@1>", "<@!1>", "<@&1>", "<#1>".
_MENTION_OPEN = re.compile(r"<(?=@[!&]?\d|#\d)")
# One line holding no character any of the escapes below acts on (a "#", ">" or "-" matters
# only at the start of a line): most replies, e.g. "Thank you! Signature #12 is on the letter."
_NOTHING_TO_ESCAPE = re.compile(r"(?!\s*[#>-])[^*`_~|\[<@\\\n]*")


def safe(text: str) -> str:
    """User text made inert for Discord: markdown shown literally, mentions broken.

    The core already neutralises mention syntax when it stores text; escaping again here means
    text that reached the store some other way (or is echoed back in an error) still cannot
    format or ping. discord.py's escapes miss two things, patched here: mentions of ids shorter
    than a snowflake and channel mentions (``<@1>``, ``<#1>``), and every masked link but the
    first (``[a](b) [x](https://evil.example)``), even one inside what looks like a web address.
    """
    if _NOTHING_TO_ESCAPE.fullmatch(text):
        return text  # the escapes below cost ~20 µs, on every reply
    text = discord.utils.escape_mentions(discord.utils.escape_markdown(text))
    # Every "[" that opens a masked link, inside web addresses too: an address runs on over
    # ")[x](https://…", so "[x](https://a)[x](https://evil)" would keep its second link live.
    text = _MASKED_LINK_OPEN.sub(r"\1\\[", text)
    return _MENTION_OPEN.sub("<\u200b", text)


def clip(text: str, limit: int) -> str:
    """At most ``limit`` characters, ending in an ellipsis when cut (never in a lone backslash,
    which would escape the ellipsis)."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip("\\") + "…"


def _fit(lines: Sequence[str], limit: int) -> str:
    """Join lines within ``limit``; when they do not fit, each line gets an equal share."""
    text = "\n".join(lines)
    if len(text) <= limit or not lines:
        return text
    share = max(limit // len(lines) - 1, 8)
    return clip("\n".join(clip(line, share) for line in lines), limit)


def _field(value: str | None) -> str:
    return clip(value, FIELD_LIMIT) if value else "—"


# -- reading -------------------------------------------------------------------------------------
def say(text: Msg, tr: Translator) -> str:
    """A core message in the reader's language: what people typed in it made inert for
    Discord, the numbers and headings the core marks :class:`~bot.i18n.Strong` in bold. The
    catalogue's own sentence is left as written: escaping it would show ("\\#12 approved")."""
    return tr.render(text, escape=safe, strong=_bold, escape_template=False)


def count_line(count: int, next_milestone: int | None, tr: Translator) -> str:
    return say(lists.count_line(count, next_milestone), tr)


def letter(view: Overview, tr: Translator) -> discord.Embed:
    """The whole letter in one embed, as the organisers wrote it (in the reader's language when
    they translated it, saying so), with the count under it."""
    text = view.letter.in_language(tr.language)
    numbered = "\n".join(f"**{n}.** {d}" for n, d in enumerate(text.demands, 1))
    body = "\n\n".join(part for part in (text.preamble, numbered, text.closing) if part)
    embed = discord.Embed(
        title=clip(text.title, TITLE_LIMIT),
        description=clip(body, DESCRIPTION_LIMIT),
        colour=_LETTER_COLOUR,
    )
    embed.add_field(name=tr.t("Signatures"), value=count_line(view.count, view.next_milestone, tr))
    footer = [tr.t("Sign with a button below, or with {sign}.", sign=Command("sign"))]
    embed.set_footer(text="\n".join(_translation_note(text, tr) + footer))
    return embed


def demands(letter: Letter, numbers: Sequence[int], tr: Translator) -> discord.Embed:
    """Demands by number, in the reader's language when the letter is translated into it."""
    text = letter.in_language(tr.language)
    lines = [f"**{n}.** {text.demands[n - 1]}" for n in numbers]
    embed = discord.Embed(
        title=clip(tr.t("Demands of “{title}”", title=text.title), TITLE_LIMIT),
        description=_fit(lines, DESCRIPTION_LIMIT),
        colour=_LETTER_COLOUR,
    )
    note = _translation_note(text, tr)
    if note:
        embed.set_footer(text=note[0])
    return embed


def _translation_note(text: LetterText, tr: Translator) -> list[str]:
    """A translation says it is one: the original is what everyone signs."""
    return [tr.t("This is a translation of the letter.")] if text.is_translation else []


def signatories(page: SignatoriesPage, tr: Translator) -> discord.Embed:
    embed = discord.Embed(
        title=tr.render(lists.signatories_heading(page.page, page.pages)), colour=_LETTER_COLOUR
    )
    lines = [
        f"`#{s.id}` {say(signatures.describe_signature(s, earlier_text=page.earlier_text(s)), tr)}"
        for s in page.signatures
    ]
    embed.description = _fit(lines, DESCRIPTION_LIMIT) if lines else say(lists.NO_ONE_LISTED, tr)
    if page.anonymous:
        embed.set_footer(text=tr.render(lists.unlisted_line(page.anonymous)))
    return embed


# -- moderating ----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class SignerFacts:
    """What Discord knows about a signer that helps a moderator spot a throwaway account.

    Where they signed: ``guild_id`` None for a direct message; ``guild_name`` None for a server
    the bot no longer sees."""

    user_id: int
    created_at: datetime
    guild_id: int | None = None
    guild_name: str | None = None
    joined_at: datetime | None = None
    is_member: bool | None = None  # None: unknown (a DM, or Discord did not say)


def _signer(facts: SignerFacts, tr: Translator) -> str:
    """Discord renders the ``<t:…>`` timestamps in each moderator's own time zone and language."""
    dt = discord.utils.format_dt
    mention = f"<@{facts.user_id}>"
    created = tr.t(
        "{user} · account created {date} ({ago})",
        user=mention,
        date=dt(facts.created_at, "D"),
        ago=dt(facts.created_at, "R"),
    )
    if facts.guild_id is None:
        where = tr.t("Signed in a direct message")
    elif facts.guild_name is None:
        where = tr.t("Signed in server {id}", id=str(facts.guild_id))
    else:
        where = tr.t("Signed in the server {name}", name=safe(facts.guild_name))
    lines = [created, where]
    if facts.joined_at is not None:
        joined = dt(facts.joined_at, "D"), dt(facts.joined_at, "R")
        lines.append(tr.t("Joined the server {date} ({ago})", date=joined[0], ago=joined[1]))
    elif facts.is_member is False:
        lines.append(tr.t("No longer a member of that server"))
    return "\n".join(lines)


def _decision(sig: Signature, tr: Translator) -> str:
    when = sig.decided_at or sig.withdrawn_at
    at = f" {discord.utils.format_dt(when, 'R')}" if when else ""
    decided = cards.decided_by(sig)
    text = f"{say(decided, tr) if decided is not None else ''}{at}"
    if sig.reason:
        text += "\n" + tr.t("Reason: {reason}", reason=say(rejection.stated_reason(sig.reason), tr))
    return text


def _status(status: Status, tr: Translator) -> str:
    """A signature's state as one word, in the card's language."""
    match status:
        case Status.PENDING:
            return tr.p("signature status", "pending")
        case Status.APPROVED:
            return tr.p("signature status", "approved")
        case Status.REJECTED:
            return tr.p("signature status", "rejected")
        case Status.WITHDRAWN:
            return tr.p("signature status", "withdrawn")
        case Status.REMOVED:
            return tr.p("signature status", "removed")


def _card_title(sig: Signature, tr: Translator) -> str:
    match sig.status:
        case Status.PENDING:
            return tr.t("Signature #{id} awaits approval", id=str(sig.id))
        case Status.APPROVED:
            return tr.t("Signature #{id} approved", id=str(sig.id))
        case Status.REJECTED:
            return tr.t("Signature #{id} rejected", id=str(sig.id))
        case Status.WITHDRAWN:
            return tr.t("Signature #{id} withdrawn", id=str(sig.id))
        case Status.REMOVED:
            return tr.t("Signature #{id} removed", id=str(sig.id))


def mod_card(
    sig: Signature,
    tr: Translator,
    *,
    history: Sequence[Signature] = (),
    duplicates: Sequence[Signature] = (),
    facts: SignerFacts | None = None,
    linked: Sequence[Identity] = (),
    reaffirmations: Sequence[Reaffirmation] = (),
) -> discord.Embed:
    """A mod-queue card: everything needed to decide while pending, the decision afterwards.
    ``tr``: the mod channel's language (a card is a channel post, whoever's click redraws it)."""
    embed = discord.Embed(title=_card_title(sig, tr), colour=_STATUS_COLOURS.get(sig.status))
    embed.add_field(name=tr.t("Name"), value=_field(safe(sig.public_name)), inline=False)
    embed.add_field(name=tr.t("Role"), value=_field(sig.role and safe(sig.role)))
    embed.add_field(name=tr.t("Location"), value=_field(sig.location and safe(sig.location)))
    embed.add_field(name=tr.t("Link"), value=_field(sig.link and safe(sig.link)), inline=False)
    if sig.anonymous:
        embed.add_field(
            name=tr.t("Listing"), value=tr.t("Anonymous: counted, not listed"), inline=False
        )
    if facts is not None:
        embed.add_field(name=tr.t("Signer"), value=_field(_signer(facts, tr)), inline=False)
    elif sig.identity.platform != "discord" and not sig.erased:
        where = tr.t("{account} in {community}", account=sig.identity, community=sig.community)
        embed.add_field(name=tr.t("Signer"), value=_field(safe(where)))
    if linked:
        embed.add_field(
            name=tr.t("Linked accounts"), value=_field(safe(linking.accounts(linked))), inline=False
        )
    if history:
        lines = [
            f"#{old.id} {_status(old.status, tr)}"
            + (f": {say(rejection.stated_reason(old.reason), tr)}" if old.reason else "")
            for old in history
        ]
        embed.add_field(
            name=tr.t("Earlier signatures"), value=_fit(lines, FIELD_LIMIT), inline=False
        )
    if reaffirmations:
        lines = [say(cards.reaffirmation_line(r), tr) for r in reaffirmations]
        embed.add_field(
            name=tr.t("Texts of the letter"), value=_fit(lines, FIELD_LIMIT), inline=False
        )
    if duplicates:
        lines = [
            f"#{dup.id} {safe(dup.public_name)} ({_status(dup.status, tr)})" for dup in duplicates
        ]
        embed.add_field(
            name=tr.t("Possible duplicate of"), value=_fit(lines, FIELD_LIMIT), inline=False
        )
    if sig.status is not Status.PENDING:
        embed.add_field(name=tr.t("Decision"), value=_field(_decision(sig, tr)), inline=False)
    embed.timestamp = sig.created_at
    return embed


def pending(items: Sequence[PendingItem], tr: Translator) -> discord.Embed:
    if not items:
        return discord.Embed(
            title=tr.t("Nothing to decide"), description=say(moderation.NONE_PENDING, tr)
        )
    blocks = [say(cards.mod_queue_summary(item), tr) for item in items]
    embed = discord.Embed(
        title=tr.n("{count} waiting for approval", "{count} waiting for approval", len(items)),
        description=_fit(blocks, DESCRIPTION_LIMIT),
        colour=_STATUS_COLOURS[Status.PENDING],
    )
    embed.set_footer(
        text=tr.t(
            "Decide with the buttons in the mod channel, or {approve} and {reject}.",
            approve=Command("approve"),
            reject=Command("reject"),
        )
    )
    return embed


def decisions(results: Sequence[Decision], tr: Translator) -> str:
    return clip("\n".join(say(d.describe(), tr) for d in results), CONTENT_LIMIT)


def _bold(text: str) -> str:
    return f"**{text}**"


def communities(table: CommunityTable, tr: Translator) -> discord.Embed:
    """``/communities``: server names are the servers' own text, escaped like a signer's."""
    if not table.rows:
        return discord.Embed(description=say(community_table.NO_COMMUNITIES, tr))
    lines = say(community_table.communities_text(table), tr).split("\n")
    return discord.Embed(description=_fit(lines, DESCRIPTION_LIMIT))


def audit(entries: Sequence[AuditEntry], tr: Translator) -> discord.Embed:
    if not entries:
        return discord.Embed(title=tr.t("Audit log"), description=say(moderation.AUDIT_EMPTY, tr))
    lines = [
        f"{discord.utils.format_dt(e.at, 'f')} {say(moderation.audit_entry(e), tr)}"
        for e in entries
    ]
    return discord.Embed(title=tr.t("Audit log"), description=_fit(lines, DESCRIPTION_LIMIT))
