"""Mod-queue cards: a signature waiting for approval with what helps decide it (linked
accounts, earlier signatures, look-alike names), and what became of it. Posts to the mod
channel, written in the channel's language."""

from __future__ import annotations

from bot.domain import PendingItem, Reaffirmation, Signature, Status
from bot.errors import status_word
from bot.i18n import Msg, joined, msg
from bot.texts.linking import linked_line
from bot.texts.rejection import stated_reason
from bot.texts.signatures import describe_signature, id_text

__all__ = [
    "card_update",
    "decided_by",
    "duplicate_line",
    "earlier_line",
    "mod_queue_summary",
    "reaffirmation_line",
]


def _indented(line: Msg) -> Msg:
    return Msg("  {line}", {"line": line}, verbatim=True)


def mod_queue_summary(item: PendingItem) -> Msg:
    """One plain-text block for moderators; the chat adapters render richer cards from the item."""
    sig = item.signature
    lines = [
        msg(
            "#{id} awaits approval: {signature} (from {community})",
            id=id_text(sig.id),
            signature=describe_signature(sig),
            community=sig.community,
        )
    ]
    if item.linked:
        lines.append(_indented(linked_line(item.linked)))
    lines += [_indented(earlier_line(old)) for old in item.history]
    lines += [_indented(duplicate_line(dup)) for dup in item.possible_duplicates]
    return joined(lines)


def card_update(sig: Signature) -> Msg:
    """What became of a signature that waited in the mod queue (no personal details)."""
    sid = id_text(sig.id)
    state = status_word(sig.status)
    if sig.erased:
        return msg("#{id} {state}; the signer erased their details.", id=sid, state=state)
    if sig.status is Status.WITHDRAWN:
        return msg("#{id} withdrawn by the signer.", id=sid)
    why = stated_reason(sig.reason) if sig.reason and sig.status is not Status.APPROVED else None
    who = sig.decided_by
    if who and why:
        return msg("#{id} {state} by {who}: {reason}.", id=sid, state=state, who=who, reason=why)
    if who:
        return msg("#{id} {state} by {who}.", id=sid, state=state, who=who)
    if why:
        return msg("#{id} {state}: {reason}.", id=sid, state=state, reason=why)
    return msg("#{id} {state}.", id=sid, state=state)


def decided_by(sig: Signature) -> Msg | None:
    """Who decided a signature and how ("Approved by Mira"), for a card; None while pending.
    The reason is not part of it: each platform lays it out its own way."""
    who = sig.decided_by
    match sig.status:
        case Status.PENDING:
            return None
        case Status.WITHDRAWN:
            return msg("Withdrawn by the signer")
        case Status.APPROVED:
            return msg("Approved by {who}", who=who) if who else msg("Approved")
        case Status.REJECTED:
            return msg("Rejected by {who}", who=who) if who else msg("Rejected")
        case _:
            return msg("Removed by {who}", who=who) if who else msg("Removed")


def reaffirmation_line(r: Reaffirmation) -> Msg:
    """A text of the letter a signature was reaffirmed on, and when, on a moderator's card."""
    return msg(
        "reaffirmed on text {version} ({date}), signed on text {previous} before",
        version=r.version,
        date=r.at.date().isoformat(),
        previous=r.previous,
    )


def earlier_line(old: Signature) -> Msg:
    """An earlier signature of the same account, on a moderator's card."""
    state = status_word(old.status)
    if old.reason:
        return msg(
            "earlier #{id} {state}: {reason}",
            id=id_text(old.id),
            state=state,
            reason=stated_reason(old.reason),
        )
    return msg("earlier #{id} {state}", id=id_text(old.id), state=state)


def duplicate_line(dup: Signature) -> Msg:
    """An active signature (approved, or pending too) with the same or a look-alike name, on a
    moderator's card."""
    if dup.status is Status.PENDING:
        return msg(
            "possible duplicate of pending #{id} {name}", id=id_text(dup.id), name=dup.public_name
        )
    return msg(
        "possible duplicate of approved #{id} {name}", id=id_text(dup.id), name=dup.public_name
    )
