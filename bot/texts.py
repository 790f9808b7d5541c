"""Plain-text wording shared by every adapter and by the outbox.

Adapters escape these for their platform (Telegram HTML, Discord markdown); keeping the wording
here means a signer reads the same sentence wherever they signed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from bot.communities import CommunityRow, CommunityTable
from bot.domain import (
    AuditEntry,
    Identity,
    PendingItem,
    Signature,
    SignerStatus,
    SnapshotInfo,
    Status,
    WithdrawChoice,
)
from bot.linking import CODE_LIFETIME, LinkCode, LinkResult
from bot.reaffirm import earlier_text_note
from bot.surge import Surge

__all__ = [
    "APOLOGY",
    "AUDIT_EMPTY",
    "COMMANDS",
    "NONE_PENDING",
    "NO_ONE_LISTED",
    "REJECTION_REASONS",
    "SIGN_USAGE",
    "USAGE",
    "WITHDRAW_KEPT",
    "WITHDRAW_LABELS",
    "CannedReason",
    "CommandHelp",
    "Escape",
    "approved",
    "approved_notification",
    "audit_entry",
    "canned_reason",
    "card_update",
    "command",
    "communities_text",
    "community_label",
    "community_line",
    "count_line",
    "decided_by",
    "describe_signature",
    "duplicate_line",
    "earlier_line",
    "format_milestone",
    "mod_queue_summary",
    "moderators_unreadable",
    "rejected",
    "rejected_notification",
    "removed",
    "sign_confirmation",
    "signatories_heading",
    "status_text",
    "surge_alert",
    "unlisted_line",
    "withdraw_done",
    "withdraw_prompt",
]


# -- the commands ---------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class CommandHelp:
    """One command as every platform's help, menu or command list describes it."""

    name: str
    summary: str  # "the demands, or demand N": follows the command in a help line
    arguments: str = ""  # as typed on the console and Telegram: "[N]", "ID REASON"
    moderator: bool = False

    @property
    def usage(self) -> str:
        return f"/{self.name} {self.arguments}".rstrip()

    @property
    def description(self) -> str:
        """The summary as a sentence of its own (Discord's and Telegram's command menus)."""
        return self.summary[:1].upper() + self.summary[1:]


#: Every command the chat platforms offer, in the order help lists them; moderators' last.
COMMANDS: tuple[CommandHelp, ...] = (
    CommandHelp("letter", "read the letter"),
    CommandHelp("demands", "the demands, or demand N", "[N]"),
    CommandHelp("sign", "sign the letter (only the name is required)"),
    CommandHelp("status", "your signature and where it stands"),
    CommandHelp("withdraw", "take your signature back, optionally erasing your details"),
    CommandHelp("reaffirm", "keep your signature on the letter's changed text"),
    CommandHelp("count", "how many have signed"),
    CommandHelp("signatories", "who has signed", "[PAGE]"),
    CommandHelp(
        "link", "link your accounts on several platforms: one signature between them", "[CODE]"
    ),
    CommandHelp("unlink", "undo /link for this account"),
    CommandHelp("pending", "signatures awaiting approval", moderator=True),
    CommandHelp("approve", "approve one or more", "ID…", moderator=True),
    CommandHelp("reject", "reject, telling the signer why", "ID… REASON", moderator=True),
    CommandHelp("remove", "take a signature off the letter for good", "ID… REASON", moderator=True),
    CommandHelp("export", "the approved signatures as CSV or JSON", "csv|json", moderator=True),
    CommandHelp("audit", "the last N moderator actions", "[N]", moderator=True),
    CommandHelp("snapshot", "record a verifiable snapshot of the list", moderator=True),
    CommandHelp("communities", "which servers and groups bring the signatures", moderator=True),
)


def command(name: str) -> CommandHelp:
    """The help entry of one command (a KeyError for a command the table lacks)."""
    return _COMMANDS_BY_NAME[name]


_COMMANDS_BY_NAME = {c.name: c for c in COMMANDS}

SIGN_USAGE = "/sign NAME | ROLE | LOCATION | LINK (only the name is required)"
#: How each command that takes typed arguments is used, for :class:`bot.errors.WrongUsage`.
USAGE: Mapping[str, str] = {
    "sign": SIGN_USAGE,
    "demands": "/demands, or /demands N for demand number N.",
    "reject": "/reject ID REASON",  # one id (commands.reject); Telegram and the console take
    "remove": "/remove ID REASON",  # several, as BULK_USAGE says
    "export": "/export csv or /export json",
}


#: ``/reject`` and ``/remove`` with several ids, where a platform takes them (the console and
#: Telegram; Discord picks several under ``/pending``).
BULK_USAGE: Mapping[str, str] = {
    "reject": "/reject ID… REASON",
    "remove": "/remove ID… REASON",
}


class _Template(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def format_milestone(template: str, *, count: int, title: str) -> str:
    """Fill the organiser's template; unknown placeholders stay literal instead of failing."""
    values: Mapping[str, object] = _Template(count=count, title=title, milestone=count)
    return template.format_map(values)


#: How an adapter makes a person's (or the configuration's) text inert for its platform — Discord's
#: markdown escape, Telegram's HTML escape; ``str`` for plain text. Wording functions apply it to
#: the parts that came from people, never to their own sentence, so platform markup around it
#: (a bold number, a "#12" at the start of a line) stays as written.
Escape = Callable[[str], str]

APOLOGY = "Sorry, something went wrong on our side. It has been logged; please try again later."


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


# -- signing --------------------------------------------------------------------------------
SIGN_LABEL = "Sign the letter"
SIGN_ANONYMOUSLY_LABEL = "Sign without listing my name"
SIGNING_CANCELLED = "Signing cancelled. Nothing was recorded."
#: What each field of the signing form is called, in a form, a question or a summary.
FIELD_LABELS: Mapping[str, str] = {
    "name": "Public name",
    "role": "Role/affiliation",
    "location": "Location",
    "link": "Link",
}


def field_question(field: str) -> str:
    """A field asked for on its own ("Location (optional)"): only the name is required."""
    label = FIELD_LABELS[field]
    return label if field == "name" else f"{label} (optional)"


# -- the list of signatories ----------------------------------------------------------------
NO_ONE_LISTED = "No one is listed yet."


def signatories_heading(page: int, pages: int, strong: Escape = str) -> str:
    """ "Signatories — page 2 of 5"; ``strong`` marks the word up (bold) where a platform can."""
    return f"{strong('Signatories')} — page {page} of {pages}"


def unlisted_line(anonymous: int) -> str:
    """Under a page of names: how many signed without being listed."""
    who = "person" if anonymous == 1 else "people"
    return f"…and {anonymous} more {who} who signed without being listed."


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
        unsigned = "You have not signed yet. Use /sign to add your name."
        return f"{unsigned}\n{linked_line(status.linked)}" if status.linked else unsigned
    lines = [f"Signature #{sig.id}: {describe_signature(sig)}"]
    match sig.status:
        case Status.PENDING:
            lines.append("Status: awaiting a moderator's approval.")
        case Status.APPROVED:
            lines.append("Status: approved — you are on the letter.")
        case Status.REJECTED:
            reason = f" Reason: {sig.reason}" if sig.reason else ""
            lines.append(f"Status: not approved.{reason} You may sign again.")
        case Status.WITHDRAWN if status.sign_again_in:
            minutes = status.sign_again_in
            unit = "minute" if minutes == 1 else "minutes"
            lines.append(f"Status: withdrawn. You can sign again in {minutes} {unit}.")
        case Status.WITHDRAWN:
            lines.append("Status: withdrawn. You may sign again.")
        case Status.REMOVED:
            lines.append("Status: removed by a moderator.")
    if status.linked:
        lines.append(linked_line(status.linked))
    if status.letter_changed and sig.status.is_active:
        lines.append(str(earlier_text_note(required=status.reaffirm_required)))
    return "\n".join(lines)


# -- withdrawing ----------------------------------------------------------------------------
WITHDRAW_LABELS: Mapping[WithdrawChoice, str] = {
    WithdrawChoice.WITHDRAW: "Withdraw my signature",
    WithdrawChoice.WITHDRAW_AND_ERASE: "Withdraw and erase my details",
    WithdrawChoice.ERASE: "Erase my details",
    WithdrawChoice.KEEP: "Keep it",
}
WITHDRAW_KEPT = "Nothing changed: your signature stays as it was."


def withdraw_prompt(status: SignerStatus) -> str:
    """The signer's status, and the question when ``/withdraw`` offers anything."""
    text = status_text(status)
    sig = status.signature
    choices = status.withdraw_choices
    if sig is None or not choices:
        return text
    if WithdrawChoice.WITHDRAW in choices:
        erase = WITHDRAW_LABELS[WithdrawChoice.WITHDRAW_AND_ERASE]
        question = (
            f"Take signature #{sig.id} back? “{erase}” also deletes your name, role, location "
            "and link for good."
        )
    else:
        question = (
            "Erase your details? Your name, role, location and link will be deleted for good."
        )
    return f"{text}\n\n{question}"


def withdraw_done(withdrawn: Signature | None, *, erased: bool) -> str:
    """After a withdrawal: which signature was taken back (if one was active), and whether the
    details are gone."""
    said = [f"Signature #{withdrawn.id} is withdrawn."] if withdrawn is not None else []
    if erased:
        said.append("Your details have been erased.")
    return " ".join(said)


# -- one person, several accounts (/link) ------------------------------------------------------
def account(identity: Identity) -> str:
    """An account as signers and moderators read it: "telegram:12345"."""
    return str(identity)


def accounts(identities: Iterable[Identity]) -> str:
    return ", ".join(account(i) for i in identities)


def link_code_text(code: LinkCode) -> str:
    """The answer to ``/link``: the code, and what to do with it."""
    minutes = int(CODE_LIFETIME.total_seconds() // 60)
    return (
        f"Your linking code is {code.code}. Within {minutes} minutes, send /link {code.code} "
        "from your other account, on any platform, to link the two: you then hold one "
        "signature between them, and either can check or withdraw it. Keep the code to yourself."
    )


def linked_text(result: LinkResult, me: Identity) -> str:
    """The answer to ``/link CODE``."""
    others = [a for a in result.accounts if a != me]
    said = [
        f"Linked: this account now goes with {accounts(others)}. You hold one signature between "
        "them; /status and /withdraw work from any of them, and /unlink undoes the link."
    ]
    if result.kept is not None and result.withdrawn is not None:
        said.append(
            f"You had signed from both: signature #{result.kept.id} stays, and the later one, "
            f"#{result.withdrawn.id}, is withdrawn."
        )
    return " ".join(said)


def unlinked_text(others: Sequence[Identity]) -> str:
    """The answer to ``/unlink``."""
    return (
        f"Unlinked: this account no longer goes with {accounts(others)}. A signature made from "
        "this account stays with it."
    )


LINK_LABEL = "Link my accounts"
LINK_IN_PRIVATE = "Linking accounts happens in a private chat with me."
LINK_CODE_VOIDED = (
    "Everyone here can read that code, so it no longer works. Make a new one with /link on "
    "your other account, and send it to me in a private chat."
)
UNLINK_IN_PRIVATE = "Unlinking happens in a private chat with me."


def linked_line(linked: Sequence[Identity]) -> str:
    """Under a signer's status, or on a moderator's card: the signer's other accounts."""
    return f"Linked accounts: {accounts(linked)}."


# -- moderating -----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class CannedReason:
    """A rejection reason a moderator picks with one press: a short ``label`` for the button,
    and the ``reason`` the signer reads in "… was not approved. Reason: …"."""

    label: str
    reason: str


#: Canned rejection reasons, for every platform's reject buttons or choices. A button carries a
#: reason's position (1 is the first), so this list is only ever appended to.
REJECTION_REASONS: tuple[CannedReason, ...] = (
    CannedReason("Not a real name", "the name does not look like a real person's or artist's name"),
    CannedReason("Duplicate", "it repeats a signature that is already on the letter"),
    CannedReason("Cannot verify", "we could not verify who signed"),
    CannedReason("Spam", "spam or abuse"),
)


def canned_reason(number: int) -> CannedReason | None:
    """The canned reason at this position (1 is the first); None for any other number, which
    the adapters read as "another reason, typed"."""
    return REJECTION_REASONS[number - 1] if 1 <= number <= len(REJECTION_REASONS) else None


def approved_notification(sig: Signature, title: str) -> str:
    return f"Your signature #{sig.id} on “{title}” has been approved. Thank you for signing!"


def rejected_notification(sig: Signature, title: str) -> str:
    return (
        f"Your signature #{sig.id} on “{title}” was not approved. Reason: {sig.reason}. "
        "You may sign again with /sign."
    )


# -- moderators' replies and cards ----------------------------------------------------------
NONE_PENDING = "No signatures are waiting for approval."
APPROVE_LABEL = "Approve"
REJECT_LABEL = "Reject"
AUDIT_EMPTY = "The audit log is empty."


PICK_PLACEHOLDER = "Pick signatures to decide together…"


def picked_line(ids: Sequence[int]) -> str:
    """Above ``/pending`` once some signatures are picked in its menu."""
    numbers = ", ".join(f"#{i}" for i in ids)
    return f"Picked: {numbers}. Approve or reject them together with the buttons below."


def approve_picked(count: int) -> str:
    return f"Approve {count}"


def reject_picked(count: int) -> str:
    return f"Reject {count}…"


def reject_picked_title(count: int) -> str:
    noun = "signature" if count == 1 else "signatures"
    return f"Reject {count} {noun}"


def export_too_large(platform: str, megabytes: int, command: str) -> str:
    """An export bigger than a platform lets a bot send; ``command`` is the CLI command to run
    instead, already marked up as code by the adapter."""
    return (
        f"The export is larger than {platform} lets a bot send ({megabytes} MB). "
        f"Run {command} on the server instead."
    )


def approved(sig: Signature, escape: Escape = str) -> str:
    """One line of ``/approve``'s answer, for a signature it approved."""
    return f"#{sig.id} approved: {escape(sig.public_name)}."


def rejected(sig: Signature) -> str:
    return f"#{sig.id} rejected. The signer will be told why."


def removed(sig: Signature) -> str:
    return f"#{sig.id} removed from the letter. That account cannot sign again."


def decided_by(sig: Signature, escape: Escape = str) -> str | None:
    """Who decided a signature and how ("Approved by Mira"), for a card; None while pending.
    The reason is not part of it: each platform lays it out its own way."""
    match sig.status:
        case Status.PENDING:
            return None
        case Status.WITHDRAWN:
            return "Withdrawn by the signer"
    by = f" by {escape(sig.decided_by)}" if sig.decided_by else ""
    return f"{sig.status.value.capitalize()}{by}"


def earlier_line(old: Signature, escape: Escape = str) -> str:
    """An earlier signature of the same account, on a moderator's card."""
    why = f": {escape(old.reason)}" if old.reason else ""
    return f"earlier #{old.id} {old.status}{why}"


def duplicate_line(dup: Signature, escape: Escape = str) -> str:
    """An active signature (approved, or pending too) with the same or a look-alike name, on a
    moderator's card."""
    if dup.status is Status.PENDING:
        return f"possible duplicate of pending #{dup.id} {escape(dup.public_name)}"
    return f"possible duplicate of approved #{dup.id} {escape(dup.public_name)}"


def audit_entry(entry: AuditEntry, escape: Escape = str, strong: Escape = str) -> str:
    """One moderator action, without its time (each platform shows times its own way):
    "Mira (discord:1): reject #12 — spam". ``strong`` marks the action up where it can."""
    target = f" #{entry.signature_id}" if entry.signature_id is not None else ""
    reason = f" — {escape(entry.reason)}" if entry.reason else ""
    return f"{escape(entry.actor)}: {strong(entry.action)}{target}{reason}"


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


def moderators_unreadable(mod_chat: int | str) -> str:
    """To Telegram's listed moderators when the mod chat's administrators cannot be read."""
    return (
        f"I can no longer see who administers the mod chat ({mod_chat}): I may have been removed "
        "from it, or it became a supergroup with a new id. Until that is fixed, only the "
        "moderators listed in telegram.moderator_user_ids can moderate on Telegram. Add me back "
        "to the mod chat, or update telegram.mod_chat_id."
    )


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
    if item.linked:
        lines.append(f"  {linked_line(item.linked)}")
    lines += [f"  {earlier_line(old)}" for old in item.history]
    lines += [f"  {duplicate_line(dup)}" for dup in item.possible_duplicates]
    return "\n".join(lines)


# -- snapshots (``pledgebot verify``, ``/snapshot``) ----------------------------------------------
SNAPSHOT_THIS = "the snapshot"
SNAPSHOT_PREVIOUS = "the previous snapshot"


def snapshot_not_json(what: str, detail: str) -> str:
    return f"{what} is not readable JSON ({detail}): it was damaged or is not a snapshot."


def snapshot_not_a_snapshot(what: str) -> str:
    return f"{what} is not a pledgebot snapshot."


def snapshot_missing_fields(what: str, fields: list[str]) -> str:
    return f"{what} lacks {', '.join(fields)}: it was edited or is not a complete snapshot."


def snapshot_hash_mismatch(what: str, claimed: str, actual: str) -> str:
    return (
        f"{what} was changed after it was written: its contents hash to {actual}, "
        f"not to the sha256 it states ({claimed[:80]})."
    )


def snapshot_not_canonical(what: str) -> str:
    return (
        f"{what} was edited or reformatted after it was written: its contents hash correctly, "
        "but the file is not byte for byte the form pledgebot writes."
    )


def snapshot_totals_disagree(what: str) -> str:
    return f"{what} states a number of listed signatories that differs from its list."


def snapshot_chain_broken(previous: object, actual: str) -> str:
    named = "no previous snapshot" if previous is None else f"the previous snapshot {previous}"
    return f"the chain is broken: this snapshot names {named}, but the file given has {actual}."


def snapshot_out_of_order() -> str:
    return "the previous snapshot was generated after this one."


def snapshot_recorded(snapshot: SnapshotInfo, url: str | None) -> str:
    """The reply to a moderator's ``/snapshot``."""
    where = f" Published at {url}" if url else ""
    noun = "signature" if snapshot.approved == 1 else "signatures"
    return (
        f"Snapshot recorded: {snapshot.approved} {noun}, {snapshot.listed} listed by name. "
        f"SHA-256 {snapshot.sha256}.{where}"
    )


def snapshot_verified(file: str, sha256: str, listed: int, generated_at: str) -> str:
    return (
        f"OK: {file} holds: sha256 {sha256}, {listed} listed signatories, generated {generated_at}."
    )


def snapshot_chain_holds(file: str, sha256: str) -> str:
    return f"OK: the chain holds: {file} (sha256 {sha256}) is its previous snapshot."


def snapshot_missing(count: int) -> str:
    if count == 0:
        return "No signatory of the previous snapshot is missing from this one."
    who = "signatory" if count == 1 else "signatories"
    return f"{count} {who} of the previous snapshot missing from this one (withdrawn or removed):"


def snapshot_failed(file: str, problem: str) -> str:
    return f"FAILED: {file}: {problem}"


# -- communities (/communities) -------------------------------------------------------------------
NO_COMMUNITIES = "No community has signed yet."


def community_label(community: str, name: str | None, escape: Escape = str) -> str:
    """A community as people read it: its name as the platform shows it, else what it is."""
    if name:
        return escape(name)
    platform, _, rest = community.partition(":")
    if community == "console":
        return "Console"
    if community == "discord:dm":
        return "Discord direct messages"
    if community == "telegram:private":
        return "Telegram private chats"
    if platform == "discord" and rest:
        return f"Discord server {escape(rest)}"
    if platform == "telegram" and rest:
        return f"Telegram chat {escape(rest)}"
    return escape(community)


def community_line(rank: int, row: CommunityRow, escape: Escape = str) -> str:
    """ "1. Night Owls: 120 approved (40%), 3 pending, 12 in the last 24 hours"."""
    return (
        f"{rank}. {community_label(row.community, row.name, escape)}: {row.approved} approved "
        f"({row.share:.0%}), {row.pending} pending, {row.recent} in the last 24 hours"
    )


def communities_heading(table: CommunityTable, strong: Escape = str) -> str:
    noun = "signature" if table.total == 1 else "signatures"
    return f"{strong('Communities')}, most approved first — {table.total} approved {noun} in all"


def communities_text(table: CommunityTable, escape: Escape = str, strong: Escape = str) -> str:
    """The whole ``/communities`` answer as lines; ``escape`` makes names inert for a
    platform, ``strong`` marks the heading up."""
    if not table.rows:
        return NO_COMMUNITIES
    lines = [communities_heading(table, strong)]
    lines += [community_line(n, row, escape) for n, row in enumerate(table.rows, 1)]
    return "\n".join(lines)
