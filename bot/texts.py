"""Plain-text wording shared by every adapter and by the outbox.

Adapters escape these for their platform (Telegram HTML, Discord markdown); keeping the wording
here means a signer reads the same sentence wherever they signed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from bot.domain import PendingItem, Signature, SignerStatus, Status
from bot.surge import Surge

__all__ = [
    "approved_notification",
    "card_update",
    "count_line",
    "describe_signature",
    "format_milestone",
    "mod_queue_summary",
    "rejected_notification",
    "sign_confirmation",
    "status_text",
    "surge_alert",
]


class _Template(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def format_milestone(template: str, *, count: int, title: str) -> str:
    """Fill the organiser's template; unknown placeholders stay literal instead of failing."""
    values: Mapping[str, object] = _Template(count=count, title=title, milestone=count)
    return template.format_map(values)


def count_line(count: int, next_milestone: int | None, strong: Callable[[str], str] = str) -> str:
    """ "12 signatures so far. Next milestone: 50." — ``strong`` marks the numbers up (bold)."""
    noun = "signature" if count == 1 else "signatures"
    line = f"{strong(str(count))} {noun} so far."
    if next_milestone is not None:
        line += f" Next milestone: {strong(str(next_milestone))}."
    return line


def describe_signature(sig: Signature) -> str:
    parts = [sig.public_name if not sig.anonymous else f"{sig.public_name} (anonymous)"]
    parts += [p for p in (sig.role, sig.location) if p]
    text = ", ".join(parts)
    if sig.link:
        text += f" — {sig.link}"
    return text


def sign_confirmation(sig: Signature) -> str:
    listing = (
        "You are counted but not listed by name."
        if sig.anonymous
        else f"You are signing as {sig.public_name}."
    )
    if sig.status is Status.PENDING:
        return (
            f"Thank you! Signature #{sig.id} is recorded and awaits a moderator's approval. "
            f"{listing} You will get a message once it is decided."
        )
    return f"Thank you! Signature #{sig.id} is on the letter. {listing}"


def status_text(status: SignerStatus) -> str:
    sig = status.signature
    if sig is None:
        return "You have not signed yet. Use /sign to add your name."
    lines = [f"Signature #{sig.id}: {describe_signature(sig)}"]
    match sig.status:
        case Status.PENDING:
            lines.append("Status: awaiting a moderator's approval.")
        case Status.APPROVED:
            lines.append("Status: approved — you are on the letter.")
        case Status.REJECTED:
            reason = f" Reason: {sig.reason}" if sig.reason else ""
            lines.append(f"Status: not approved.{reason} You may sign again.")
        case Status.WITHDRAWN:
            lines.append("Status: withdrawn. You may sign again.")
        case Status.REMOVED:
            lines.append("Status: removed by a moderator.")
    if status.letter_changed and sig.status.is_active:
        lines.append(
            "Note: the letter's text has changed since you signed. Read it again with /letter; "
            "use /withdraw if you no longer agree."
        )
    return "\n".join(lines)


def approved_notification(sig: Signature, title: str) -> str:
    return f"Your signature #{sig.id} on “{title}” has been approved. Thank you for signing!"


def rejected_notification(sig: Signature, title: str) -> str:
    return (
        f"Your signature #{sig.id} on “{title}” was not approved. Reason: {sig.reason}. "
        "You may sign again with /sign."
    )


def card_update(sig: Signature) -> str:
    """What became of a signature that waited in the mod queue (no personal details)."""
    who = f" by {sig.decided_by}" if sig.decided_by else ""
    why = f": {sig.reason}" if sig.reason else ""
    if sig.erased:
        state = f"#{sig.id} {sig.status}; the signer erased their details."
    elif sig.status is Status.WITHDRAWN:
        state = f"#{sig.id} withdrawn by the signer."
    elif sig.status is Status.APPROVED:
        state = f"#{sig.id} approved{who}."
    else:
        state = f"#{sig.id} {sig.status}{who}{why}."
    return state


def surge_alert(surge: Surge) -> str:
    minutes = int(surge.window.total_seconds() // 60)
    return (
        f"Unusual activity: {surge.count} of the last {surge.total} signatures "
        f"({surge.share:.0%}) in {minutes} minutes came from {surge.community}, which usually "
        f"brings {surge.usual_share:.0%}. Check the pending signatures before approving them."
    )


def mod_queue_summary(item: PendingItem) -> str:
    """One plain-text block for moderators; the chat adapters render richer cards from the item."""
    sig = item.signature
    lines = [f"#{sig.id} awaits approval: {describe_signature(sig)} (from {sig.community})"]
    for old in item.history:
        why = f": {old.reason}" if old.reason else ""
        lines.append(f"  earlier #{old.id} {old.status}{why}")
    for dup in item.possible_duplicates:
        lines.append(f"  possible duplicate of approved #{dup.id} {dup.public_name}")
    return "\n".join(lines)
