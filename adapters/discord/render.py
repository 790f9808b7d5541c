"""Core results as Discord text and embeds.

Everything a person typed (names, roles, reasons, display names) goes through :func:`safe` before
it reaches Discord, so a signer called ``**Bold** @everyone`` is shown literally and pings no one.
The letter and the milestone message are the organisers' own text and keep their markdown.
Wording shared with other platforms comes from :mod:`bot.texts`; only Discord layout lives here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import discord

from bot import texts
from bot.communities import CommunityTable
from bot.domain import AuditEntry, Identity, PendingItem, SignatoriesPage, Signature, Status
from bot.service import Decision, Overview

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
def count_line(count: int, next_milestone: int | None) -> str:
    return texts.count_line(count, next_milestone, _bold)


def letter(view: Overview) -> discord.Embed:
    """The whole letter in one embed, as the organisers wrote it, with the count under it."""
    text = view.letter
    numbered = "\n".join(f"**{n}.** {d}" for n, d in enumerate(text.demands, 1))
    body = "\n\n".join(part for part in (text.preamble, numbered, text.closing) if part)
    embed = discord.Embed(
        title=clip(text.title, TITLE_LIMIT),
        description=clip(body, DESCRIPTION_LIMIT),
        colour=_LETTER_COLOUR,
    )
    embed.add_field(name="Signatures", value=count_line(view.count, view.next_milestone))
    embed.set_footer(text="Sign with a button below, or with /sign.")
    return embed


def demands(title: str, numbered: Sequence[tuple[int, str]]) -> discord.Embed:
    lines = [f"**{n}.** {d}" for n, d in numbered]
    return discord.Embed(
        title=clip(f"Demands of “{title}”", TITLE_LIMIT),
        description=_fit(lines, DESCRIPTION_LIMIT),
        colour=_LETTER_COLOUR,
    )


def signatories(page: SignatoriesPage) -> discord.Embed:
    embed = discord.Embed(
        title=texts.signatories_heading(page.page, page.pages), colour=_LETTER_COLOUR
    )
    lines = [f"`#{s.id}` {safe(texts.describe_signature(s))}" for s in page.signatures]
    embed.description = _fit(lines, DESCRIPTION_LIMIT) if lines else texts.NO_ONE_LISTED
    if page.anonymous:
        embed.set_footer(text=texts.unlisted_line(page.anonymous))
    return embed


# -- moderating ----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class SignerFacts:
    """What Discord knows about a signer that helps a moderator spot a throwaway account."""

    user_id: int
    created_at: datetime
    where: str
    joined_at: datetime | None = None
    is_member: bool | None = None  # None: unknown (a DM, or Discord did not say)


def _signer(facts: SignerFacts) -> str:
    dt = discord.utils.format_dt
    lines = [
        f"<@{facts.user_id}> · account created {dt(facts.created_at, 'D')} "
        f"({dt(facts.created_at, 'R')})",
        f"Signed in {safe(facts.where)}",
    ]
    if facts.joined_at is not None:
        lines.append(f"Joined the server {dt(facts.joined_at, 'D')} ({dt(facts.joined_at, 'R')})")
    elif facts.is_member is False:
        lines.append("No longer a member of that server")
    return "\n".join(lines)


def _decision(sig: Signature) -> str:
    when = sig.decided_at or sig.withdrawn_at
    at = f" {discord.utils.format_dt(when, 'R')}" if when else ""
    text = f"{texts.decided_by(sig, safe)}{at}"
    if sig.reason:
        text += f"\nReason: {safe(sig.reason)}"
    return text


def mod_card(
    sig: Signature,
    *,
    history: Sequence[Signature] = (),
    duplicates: Sequence[Signature] = (),
    facts: SignerFacts | None = None,
    linked: Sequence[Identity] = (),
) -> discord.Embed:
    """A mod-queue card: everything needed to decide while pending, the decision afterwards."""
    state = "awaits approval" if sig.status is Status.PENDING else sig.status.value
    embed = discord.Embed(
        title=f"Signature #{sig.id} {state}", colour=_STATUS_COLOURS.get(sig.status)
    )
    embed.add_field(name="Name", value=_field(safe(sig.public_name)), inline=False)
    embed.add_field(name="Role", value=_field(sig.role and safe(sig.role)))
    embed.add_field(name="Location", value=_field(sig.location and safe(sig.location)))
    embed.add_field(name="Link", value=_field(sig.link and safe(sig.link)), inline=False)
    if sig.anonymous:
        embed.add_field(name="Listing", value="Anonymous: counted, not listed", inline=False)
    if facts is not None:
        embed.add_field(name="Signer", value=_field(_signer(facts)), inline=False)
    elif sig.identity.platform != "discord" and not sig.erased:
        embed.add_field(name="Signer", value=_field(safe(f"{sig.identity} in {sig.community}")))
    if linked:
        embed.add_field(
            name="Linked accounts", value=_field(safe(texts.accounts(linked))), inline=False
        )
    if history:
        lines = [
            f"#{old.id} {old.status.value}" + (f": {safe(old.reason)}" if old.reason else "")
            for old in history
        ]
        embed.add_field(name="Earlier signatures", value=_fit(lines, FIELD_LIMIT), inline=False)
    if duplicates:
        lines = [f"#{dup.id} {safe(dup.public_name)} ({dup.status.value})" for dup in duplicates]
        embed.add_field(name="Possible duplicate of", value=_fit(lines, FIELD_LIMIT), inline=False)
    if sig.status is not Status.PENDING:
        embed.add_field(name="Decision", value=_field(_decision(sig)), inline=False)
    embed.timestamp = sig.created_at
    return embed


def pending(items: Sequence[PendingItem]) -> discord.Embed:
    if not items:
        return discord.Embed(title="Nothing to decide", description=texts.NONE_PENDING)
    blocks = [safe(texts.mod_queue_summary(item)) for item in items]
    embed = discord.Embed(
        title=f"{len(items)} waiting for approval",
        description=_fit(blocks, DESCRIPTION_LIMIT),
        colour=_STATUS_COLOURS[Status.PENDING],
    )
    embed.set_footer(text="Decide with the buttons in the mod channel, or /approve and /reject.")
    return embed


def decisions(results: Sequence[Decision]) -> str:
    return clip("\n".join(d.describe(safe) for d in results), CONTENT_LIMIT)


def _bold(text: str) -> str:
    return f"**{text}**"


def communities(table: CommunityTable) -> discord.Embed:
    """``/communities``: server names are the servers' own text, escaped like a signer's."""
    if not table.rows:
        return discord.Embed(description=texts.NO_COMMUNITIES)
    lines = texts.communities_text(table, safe, _bold).split("\n")
    return discord.Embed(description=_fit(lines, DESCRIPTION_LIMIT))


def audit(entries: Sequence[AuditEntry]) -> discord.Embed:
    if not entries:
        return discord.Embed(title="Audit log", description=texts.AUDIT_EMPTY)
    lines = [
        f"{discord.utils.format_dt(e.at, 'f')} {texts.audit_entry(e, safe, _bold)}" for e in entries
    ]
    return discord.Embed(title="Audit log", description=_fit(lines, DESCRIPTION_LIMIT))
