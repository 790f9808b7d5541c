"""Moderators' replies: the queue's buttons and picks, what a decision answers, the audit log,
snapshots and exports."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.domain import AuditEntry, Signature, SnapshotInfo
from bot.i18n import Msg, Raw, Strong, joined, msg, nmsg, pmsg
from bot.texts.rejection import stated_reason
from bot.texts.signatures import id_text

__all__ = [
    "APPROVE_LABEL",
    "AUDIT_EMPTY",
    "NONE_PENDING",
    "PICK_PLACEHOLDER",
    "REJECT_LABEL",
    "approve_picked",
    "approved",
    "audit_entry",
    "export_too_large",
    "moderators_unreadable",
    "picked_line",
    "reject_picked",
    "reject_picked_title",
    "rejected",
    "removed",
    "snapshot_recorded",
]


NONE_PENDING = msg("No signatures are waiting for approval.")
APPROVE_LABEL = msg("Approve")
REJECT_LABEL = msg("Reject")
AUDIT_EMPTY = msg("The audit log is empty.")


PICK_PLACEHOLDER = msg("Pick signatures to decide together…")


def picked_line(ids: Sequence[int]) -> Msg:
    """Above ``/pending`` once some signatures are picked in its menu."""
    # Only digits and "#": nothing any platform would read as markup.
    numbers = Raw(", ".join(f"#{i}" for i in ids))
    return msg(
        "Picked: {numbers}. Approve or reject them together with the buttons below.",
        numbers=numbers,
    )


def approve_picked(count: int) -> Msg:
    return msg("Approve {count}", count=count)


def reject_picked(count: int) -> Msg:
    return msg("Reject {count}…", count=count)


def reject_picked_title(count: int) -> Msg:
    return nmsg("Reject {count} signature", "Reject {count} signatures", count)


def export_too_large(platform: str, megabytes: int, command: str) -> Msg:
    """An export bigger than a platform lets a bot send; ``command`` is the CLI command to run
    instead, already marked up as code by the adapter (so :class:`Raw`)."""
    return msg(
        "The export is larger than {platform} lets a bot send ({megabytes} MB). "
        "Run {command} on the server instead.",
        platform=platform,
        megabytes=megabytes,
        command=Raw(command),
    )


def approved(sig: Signature) -> Msg:
    """One line of ``/approve``'s answer, for a signature it approved."""
    return msg("#{id} approved: {name}.", id=id_text(sig.id), name=sig.public_name)


def rejected(sig: Signature) -> Msg:
    return msg("#{id} rejected. The signer will be told why.", id=id_text(sig.id))


def removed(sig: Signature) -> Msg:
    return msg("#{id} removed from the letter. That account cannot sign again.", id=id_text(sig.id))


_ACTIONS: Mapping[str, Msg] = {
    "approve": pmsg("audit action", "approve"),
    "reject": pmsg("audit action", "reject"),
    "remove": pmsg("audit action", "remove"),
    "erase": pmsg("audit action", "erase"),
}


def audit_entry(entry: AuditEntry) -> Msg:
    """One moderator action, without its time (each platform shows times its own way):
    "Mira (discord:1): reject #12 — spam". The action is :class:`Strong`."""
    template = "{actor}: {action}"
    values: dict[str, object] = {
        "actor": entry.actor,
        "action": Strong(_ACTIONS.get(entry.action, entry.action)),
    }
    if entry.signature_id is not None:
        template += " #{id}"
        values["id"] = id_text(entry.signature_id)
    if entry.reason:
        template += " — {reason}"
        values["reason"] = stated_reason(entry.reason)
    return Msg(template, values, verbatim=True)


def snapshot_recorded(snapshot: SnapshotInfo, url: str | None) -> Msg:
    """The reply to a moderator's ``/snapshot``."""
    recorded = nmsg(
        "Snapshot recorded: {count} signature, {listed} listed by name. SHA-256 {sha256}.",
        "Snapshot recorded: {count} signatures, {listed} listed by name. SHA-256 {sha256}.",
        snapshot.approved,
        listed=snapshot.listed,
        sha256=snapshot.sha256,
    )
    if not url:
        return recorded
    return joined([recorded, msg("Published at {url}", url=url)], " ")


def moderators_unreadable(mod_chat: int | str) -> Msg:
    """To Telegram's listed moderators when the mod chat's administrators cannot be read."""
    return msg(
        "I can no longer see who administers the mod chat ({mod_chat}): I may have been removed "
        "from it, or it became a supergroup with a new id. Until that is fixed, only the "
        "moderators listed in telegram.moderator_user_ids can moderate on Telegram. Add me back "
        "to the mod chat, or update telegram.mod_chat_id.",
        mod_chat=str(mod_chat),
    )
