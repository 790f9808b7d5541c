"""The wording shared by every adapter and by the outbox, as catalogue messages.

Each constant and function here is a :class:`~bot.i18n.Msg`: the English source sentence and
its values. Adapters render it in the reader's language and escape it for their platform
(``translator(lang).render(m, escape=..., strong=...)``); the outbox renders it in the
recipient's language when the message is composed. Keeping the wording here means a signer reads
the same sentence wherever they signed, and each sentence is translated once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from bot.communities import CommunityRow, CommunityTable
from bot.domain import (
    AuditEntry,
    Identity,
    PendingItem,
    Reaffirmation,
    Signature,
    SignerStatus,
    SnapshotInfo,
    Status,
    WithdrawChoice,
)
from bot.errors import status_word
from bot.i18n import Command, Msg, Percent, Raw, Strong, Translator, joined, msg, nmsg, pmsg
from bot.linking import CODE_LIFETIME, LinkCode, LinkResult
from bot.reaffirm import earlier_text_note
from bot.surge import Surge

__all__ = [
    "APOLOGY",
    "AUDIT_EMPTY",
    "BULK_USAGE",
    "COMMANDS",
    "EARLIER_TEXT",
    "FIELD_LABELS",
    "NONE_PENDING",
    "NO_COMMUNITIES",
    "NO_ONE_LISTED",
    "REJECTION_REASONS",
    "SIGN_USAGE",
    "USAGE",
    "WITHDRAW_KEPT",
    "WITHDRAW_LABELS",
    "CannedReason",
    "CommandHelp",
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
    "field_question",
    "format_milestone",
    "mod_queue_summary",
    "moderators_unreadable",
    "reaffirmation_line",
    "rejected",
    "rejected_notification",
    "removed",
    "sentence",
    "sign_confirmation",
    "signatories_heading",
    "stated_reason",
    "status_text",
    "surge_alert",
    "unlisted_line",
    "withdraw_done",
    "withdraw_prompt",
]


def _id(number: int) -> str:
    """A signature's number as typed after "#": never grouped like a count ("#1234")."""
    return str(number)


def sentence(text: str) -> str:
    """A rendered summary as a sentence of its own: its first letter capitalised."""
    return text[:1].upper() + text[1:]


# -- the commands ---------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class CommandHelp:
    """One command as every platform's help, menu or command list describes it."""

    name: str
    summary: Msg  # "the demands, or demand N": follows the command in a help line
    arguments: str = ""  # as typed on the console and Telegram: "[N]", "ID REASON"
    moderator: bool = False

    @property
    def usage(self) -> str:
        """The typed form Telegram's and the console's help list: ``/demands [N]`` (their
        command names are the same in every language, :mod:`bot.i18n.commands`)."""
        return f"/{self.name} {self.arguments}".rstrip()

    def description(self, tr: Translator) -> str:
        """The summary as a sentence of its own (Discord's and Telegram's command menus)."""
        return sentence(tr.render(self.summary))


#: Every command the chat platforms offer, in the order help lists them; moderators' last.
COMMANDS: tuple[CommandHelp, ...] = (
    CommandHelp("letter", msg("read the letter")),
    CommandHelp("demands", msg("the demands, or demand N"), "[N]"),
    CommandHelp("sign", msg("sign the letter (only the name is required)")),
    CommandHelp("status", msg("your signature and where it stands")),
    CommandHelp("withdraw", msg("take your signature back, optionally erasing your details")),
    CommandHelp("reaffirm", msg("keep your signature on the letter's changed text")),
    CommandHelp("count", msg("how many have signed")),
    CommandHelp("signatories", msg("who has signed"), "[PAGE]"),
    CommandHelp(
        "link",
        msg("link your accounts on several platforms: one signature between them"),
        "[CODE]",
    ),
    CommandHelp("unlink", msg("undo {link} for this account", link=Command("link"))),
    CommandHelp("pending", msg("signatures awaiting approval"), moderator=True),
    CommandHelp("approve", msg("approve one or more"), "ID…", moderator=True),
    CommandHelp("reject", msg("reject, telling the signer why"), "ID… REASON", moderator=True),
    CommandHelp(
        "remove", msg("take a signature off the letter for good"), "ID… REASON", moderator=True
    ),
    CommandHelp(
        "export", msg("the approved signatures as CSV or JSON"), "csv|json", moderator=True
    ),
    CommandHelp("audit", msg("the last N moderator actions"), "[N]", moderator=True),
    CommandHelp("snapshot", msg("record a verifiable snapshot of the list"), moderator=True),
    CommandHelp(
        "communities", msg("which servers and groups bring the signatures"), moderator=True
    ),
)


def command(name: str) -> CommandHelp:
    """The help entry of one command (a KeyError for a command the table lacks)."""
    return _COMMANDS_BY_NAME[name]


_COMMANDS_BY_NAME = {c.name: c for c in COMMANDS}

SIGN_USAGE = msg(
    "{sign} NAME | ROLE | LOCATION | LINK (only the name is required)", sign=Command("sign")
)
#: How each command that takes typed arguments is used, for :class:`bot.errors.WrongUsage`.
USAGE: Mapping[str, Msg] = {
    "sign": SIGN_USAGE,
    "demands": msg("{demands}, or {demands} N for demand number N.", demands=Command("demands")),
    # One id (commands.reject); Telegram and the console take several, as BULK_USAGE says.
    "reject": msg("{reject} ID REASON", reject=Command("reject")),
    "remove": msg("{remove} ID REASON", remove=Command("remove")),
    "export": msg("{export} csv or {export} json", export=Command("export")),
}


#: ``/reject`` and ``/remove`` with several ids, where a platform takes them (the console and
#: Telegram; Discord picks several under ``/pending``).
BULK_USAGE: Mapping[str, Msg] = {
    "reject": msg("{reject} ID… REASON", reject=Command("reject")),
    "remove": msg("{remove} ID… REASON", remove=Command("remove")),
}


def format_milestone(template: str | None, *, count: int, title: str) -> Msg:
    """The milestone announcement: the organiser's own template when the configuration gives
    one (said as written, in every language; unknown placeholders stay literal), else the
    catalogue's, in the channel's language. ``{letter}`` is the command that shows the letter
    as the channel's platform and language name it (``/carta`` in a Spanish Discord channel)."""
    letter = Command("letter")
    if template:
        values = {"count": count, "title": title, "milestone": count, "letter": letter}
        return Msg(template, values, verbatim=True)
    return nmsg(
        "{count} artist has signed “{title}”. Read it and add your name: {letter}",
        "{count} artists have signed “{title}”. Read it and add your name: {letter}",
        count,
        title=title,
        letter=letter,
    )


APOLOGY = msg(
    "Sorry, something went wrong on our side. It has been logged; please try again later."
)


def count_line(count: int, next_milestone: int | None) -> Msg:
    """ "12 signatures so far. Next milestone: 50." — the numbers are :class:`Strong` (bold
    where the platform can)."""
    line = nmsg(
        "{count} signature so far.", "{count} signatures so far.", count, count=Strong(count)
    )
    if next_milestone is None:
        return line
    return joined(
        [line, msg("Next milestone: {milestone}.", milestone=Strong(next_milestone))], " "
    )


#: After a listed name that stands on an earlier text of the letter (it still counts).
EARLIER_TEXT = msg("(signed an earlier text)")


def describe_signature(sig: Signature, *, earlier_text: bool = False) -> Msg:
    """A signature as the list shows it: "Mira, DJ, Lisbon — https://…", then
    :data:`EARLIER_TEXT` when the core says it stands on an earlier text (``earlier_text``)."""
    name = sig.public_name
    parts: list[Msg | str] = [msg("{name} (anonymous)", name=name) if sig.anonymous else name]
    parts += [p for p in (sig.role, sig.location) if p]
    text = joined(parts, ", ")
    described = joined([text, sig.link], " — ") if sig.link else text
    return joined([described, EARLIER_TEXT], " ") if earlier_text else described


# -- signing --------------------------------------------------------------------------------
SIGN_LABEL = msg("Sign the letter")
SIGN_ANONYMOUSLY_LABEL = msg("Sign without listing my name")
SIGNING_CANCELLED = msg("Signing cancelled. Nothing was recorded.")
#: What each field of the signing form is called, in a form, a question or a summary.
FIELD_LABELS: Mapping[str, Msg] = {
    "name": msg("Public name"),
    "role": msg("Role/affiliation"),
    "location": msg("Location"),
    "link": msg("Link"),
}
_FIELD_QUESTIONS: Mapping[str, Msg] = {
    "name": FIELD_LABELS["name"],
    "role": msg("Role/affiliation (optional)"),
    "location": msg("Location (optional)"),
    "link": msg("Link (optional)"),
}


def field_question(field: str) -> Msg:
    """A field asked for on its own ("Location (optional)"): only the name is required."""
    return _FIELD_QUESTIONS[field]


# -- the list of signatories ----------------------------------------------------------------
NO_ONE_LISTED = msg("No one is listed yet.")
# A constant, not a call nested in another msg(): Babel's extractor misses nested calls.
_SIGNATORIES = msg("Signatories")


def signatories_heading(page: int, pages: int) -> Msg:
    """ "Signatories — page 2 of 5"; the word is :class:`Strong` (bold where it can be)."""
    return msg(
        "{signatories} — page {page} of {pages}",
        signatories=Strong(_SIGNATORIES),
        page=page,
        pages=pages,
    )


def unlisted_line(anonymous: int) -> Msg:
    """Under a page of names: how many signed without being listed."""
    return nmsg(
        "…and {count} more person who signed without being listed.",
        "…and {count} more people who signed without being listed.",
        anonymous,
    )


def sign_confirmation(sig: Signature) -> Msg:
    if sig.anonymous:
        listing = msg("You are counted but not listed by name.")
    else:
        listing = msg("You are signing as {name}.", name=sig.public_name)
    if sig.status is Status.PENDING:
        return msg(
            "Thank you! Signature #{id} is recorded and awaits a moderator's approval. "
            "{listing} You will get a message once it is decided.",
            id=_id(sig.id),
            listing=listing,
        )
    return msg(
        "Thank you! Signature #{id} is on the letter. {listing}", id=_id(sig.id), listing=listing
    )


def _status_line(sig: Signature, sign_again_in: int) -> Msg:
    match sig.status:
        case Status.PENDING:
            return msg("Status: awaiting a moderator's approval.")
        case Status.APPROVED:
            return msg("Status: approved — you are on the letter.")
        case Status.REJECTED if sig.reason:
            return msg(
                "Status: not approved. Reason: {reason} You may sign again.",
                reason=stated_reason(sig.reason),
            )
        case Status.REJECTED:
            return msg("Status: not approved. You may sign again.")
        case Status.WITHDRAWN if sign_again_in:
            return nmsg(
                "Status: withdrawn. You can sign again in {count} minute.",
                "Status: withdrawn. You can sign again in {count} minutes.",
                sign_again_in,
            )
        case Status.WITHDRAWN:
            return msg("Status: withdrawn. You may sign again.")
        case _:
            return msg("Status: removed by a moderator.")


SIGN = Command("sign")


def status_text(status: SignerStatus) -> Msg:
    sig = status.signature
    if sig is None:
        unsigned = msg("You have not signed yet. Use {sign} to add your name.", sign=SIGN)
        return joined([unsigned, linked_line(status.linked)]) if status.linked else unsigned
    lines = [
        msg("Signature #{id}: {signature}", id=_id(sig.id), signature=describe_signature(sig)),
        _status_line(sig, status.sign_again_in),
    ]
    if status.linked:
        lines.append(linked_line(status.linked))
    if status.letter_changed and sig.status.is_active:
        lines.append(earlier_text_note(required=status.reaffirm_required))
    return joined(lines)


# -- withdrawing ----------------------------------------------------------------------------
WITHDRAW_LABELS: Mapping[WithdrawChoice, Msg] = {
    WithdrawChoice.WITHDRAW: msg("Withdraw my signature"),
    WithdrawChoice.WITHDRAW_AND_ERASE: msg("Withdraw and erase my details"),
    WithdrawChoice.ERASE: msg("Erase my details"),
    WithdrawChoice.KEEP: msg("Keep it"),
}
WITHDRAW_KEPT = msg("Nothing changed: your signature stays as it was.")


def withdraw_prompt(status: SignerStatus) -> Msg:
    """The signer's status, and the question when ``/withdraw`` offers anything."""
    text = status_text(status)
    sig = status.signature
    choices = status.withdraw_choices
    if sig is None or not choices:
        return text
    if WithdrawChoice.WITHDRAW in choices:
        question = msg(
            "Take signature #{id} back? “{erase}” also deletes your name, role, location "
            "and link for good.",
            id=_id(sig.id),
            erase=WITHDRAW_LABELS[WithdrawChoice.WITHDRAW_AND_ERASE],
        )
    else:
        question = msg(
            "Erase your details? Your name, role, location and link will be deleted for good."
        )
    return joined([text, question], "\n\n")


def withdraw_done(withdrawn: Signature | None, *, erased: bool) -> Msg:
    """After a withdrawal: which signature was taken back (if one was active), and whether the
    details are gone."""
    said = []
    if withdrawn is not None:
        said.append(msg("Signature #{id} is withdrawn.", id=_id(withdrawn.id)))
    if erased:
        said.append(msg("Your details have been erased."))
    return joined(said, " ")


# -- one person, several accounts (/link) ------------------------------------------------------
def account(identity: Identity) -> str:
    """An account as signers and moderators read it: "telegram:12345"."""
    return str(identity)


def accounts(identities: Iterable[Identity]) -> str:
    return ", ".join(account(i) for i in identities)


def link_code_text(code: LinkCode) -> Msg:
    """The answer to ``/link``: the code, and what to do with it."""
    return msg(
        "Your linking code is {code}. Within {minutes} minutes, send {link} {code} from your "
        "other account, on any platform, to link the two: you then hold one signature between "
        "them, and either can check or withdraw it. Keep the code to yourself.",
        code=code.code,
        link=Command("link"),
        minutes=int(CODE_LIFETIME.total_seconds() // 60),
    )


def linked_text(result: LinkResult, me: Identity) -> Msg:
    """The answer to ``/link CODE``."""
    others = [a for a in result.accounts if a != me]
    said = [
        msg(
            "Linked: this account now goes with {accounts}. You hold one signature between "
            "them; {status} and {withdraw} work from any of them, and {unlink} undoes the link.",
            accounts=accounts(others),
            status=Command("status"),
            withdraw=Command("withdraw"),
            unlink=Command("unlink"),
        )
    ]
    if result.kept is not None and result.withdrawn is not None:
        said.append(
            msg(
                "You had signed from both: signature #{kept} stays, and the later one, "
                "#{withdrawn}, is withdrawn.",
                kept=_id(result.kept.id),
                withdrawn=_id(result.withdrawn.id),
            )
        )
    return joined(said, " ")


def unlinked_text(others: Sequence[Identity]) -> Msg:
    """The answer to ``/unlink``."""
    return msg(
        "Unlinked: this account no longer goes with {accounts}. A signature made from this "
        "account stays with it.",
        accounts=accounts(others),
    )


LINK_LABEL = msg("Link my accounts")
LINK_IN_PRIVATE = msg("Linking accounts happens in a private chat with me.")
LINK_CODE_VOIDED = msg(
    "Everyone here can read that code, so it no longer works. Make a new one with {link} on "
    "your other account, and send it to me in a private chat.",
    link=Command("link"),
)
UNLINK_IN_PRIVATE = msg("Unlinking happens in a private chat with me.")


def linked_line(linked: Sequence[Identity]) -> Msg:
    """Under a signer's status, or on a moderator's card: the signer's other accounts."""
    return msg("Linked accounts: {accounts}.", accounts=accounts(linked))


# -- moderating -----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class CannedReason:
    """A rejection reason a moderator picks with one press: a short ``label`` for the button,
    and the ``reason`` the signer reads in "… was not approved. Reason: …"."""

    label: Msg
    reason: Msg

    @property
    def key(self) -> str:
        """What a moderator's pick sends to the core and what is stored as the reason: the
        reason's catalogue key (its English source), so each reader, the signer first, reads it
        in their own language (:func:`stated_reason`), whoever picked it in whichever language."""
        return self.reason.text


#: Canned rejection reasons, for every platform's reject buttons or choices. A button carries a
#: reason's position (1 is the first), so this list is only ever appended to.
REJECTION_REASONS: tuple[CannedReason, ...] = (
    CannedReason(
        msg("Not a real name"),
        msg("the name does not look like a real person's or artist's name"),
    ),
    CannedReason(msg("Duplicate"), msg("it repeats a signature that is already on the letter")),
    CannedReason(msg("Cannot verify"), msg("we could not verify who signed")),
    CannedReason(msg("Spam"), msg("spam or abuse")),
)


def canned_reason(number: int) -> CannedReason | None:
    """The canned reason at this position (1 is the first); None for any other number, which
    the adapters read as "another reason, typed"."""
    return REJECTION_REASONS[number - 1] if 1 <= number <= len(REJECTION_REASONS) else None


def stated_reason(stored: str) -> Msg:
    """A stored rejection or removal reason as a reader reads it: a canned one (stored as its
    :attr:`CannedReason.key`) in the reader's language, one a moderator typed as typed."""
    for canned in REJECTION_REASONS:
        if stored == canned.key:
            return canned.reason
    return Msg("{reason}", {"reason": stored}, verbatim=True)


def approved_notification(sig: Signature, title: str) -> Msg:
    return msg(
        "Your signature #{id} on “{title}” has been approved. Thank you for signing!",
        id=_id(sig.id),
        title=title,
    )


def rejected_notification(sig: Signature, title: str) -> Msg:
    return msg(
        "Your signature #{id} on “{title}” was not approved. Reason: {reason}. "
        "You may sign again with {sign}.",
        id=_id(sig.id),
        sign=SIGN,
        title=title,
        reason=stated_reason(sig.reason or ""),
    )


# -- moderators' replies and cards ----------------------------------------------------------
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
    return msg("#{id} approved: {name}.", id=_id(sig.id), name=sig.public_name)


def rejected(sig: Signature) -> Msg:
    return msg("#{id} rejected. The signer will be told why.", id=_id(sig.id))


def removed(sig: Signature) -> Msg:
    return msg("#{id} removed from the letter. That account cannot sign again.", id=_id(sig.id))


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
            id=_id(old.id),
            state=state,
            reason=stated_reason(old.reason),
        )
    return msg("earlier #{id} {state}", id=_id(old.id), state=state)


def duplicate_line(dup: Signature) -> Msg:
    """An active signature (approved, or pending too) with the same or a look-alike name, on a
    moderator's card."""
    if dup.status is Status.PENDING:
        return msg(
            "possible duplicate of pending #{id} {name}", id=_id(dup.id), name=dup.public_name
        )
    return msg("possible duplicate of approved #{id} {name}", id=_id(dup.id), name=dup.public_name)


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
        values["id"] = _id(entry.signature_id)
    if entry.reason:
        template += " — {reason}"
        values["reason"] = stated_reason(entry.reason)
    return Msg(template, values, verbatim=True)


def card_update(sig: Signature) -> Msg:
    """What became of a signature that waited in the mod queue (no personal details)."""
    sid = _id(sig.id)
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


def moderators_unreadable(mod_chat: int | str) -> Msg:
    """To Telegram's listed moderators when the mod chat's administrators cannot be read."""
    return msg(
        "I can no longer see who administers the mod chat ({mod_chat}): I may have been removed "
        "from it, or it became a supergroup with a new id. Until that is fixed, only the "
        "moderators listed in telegram.moderator_user_ids can moderate on Telegram. Add me back "
        "to the mod chat, or update telegram.mod_chat_id.",
        mod_chat=str(mod_chat),
    )


def surge_alert(surge: Surge) -> Msg:
    return msg(
        "Unusual activity: {count} of the last {total} signatures ({share}) in {minutes} "
        "minutes came from {community}, which usually brings {usual}. Check the pending "
        "signatures before approving them.",
        count=surge.count,
        total=surge.total,
        share=Percent(surge.share),
        minutes=int(surge.window.total_seconds() // 60),
        community=surge.community,
        usual=Percent(surge.usual_share),
    )


def _indented(line: Msg) -> Msg:
    return Msg("  {line}", {"line": line}, verbatim=True)


def mod_queue_summary(item: PendingItem) -> Msg:
    """One plain-text block for moderators; the chat adapters render richer cards from the item."""
    sig = item.signature
    lines = [
        msg(
            "#{id} awaits approval: {signature} (from {community})",
            id=_id(sig.id),
            signature=describe_signature(sig),
            community=sig.community,
        )
    ]
    if item.linked:
        lines.append(_indented(linked_line(item.linked)))
    lines += [_indented(earlier_line(old)) for old in item.history]
    lines += [_indented(duplicate_line(dup)) for dup in item.possible_duplicates]
    return joined(lines)


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


# -- communities (/communities) -------------------------------------------------------------------
NO_COMMUNITIES = msg("No community has signed yet.")
_COMMUNITIES = msg("Communities")


def community_label(community: str, name: str | None) -> Msg | str:
    """A community as people read it: its name as the platform shows it, else what it is."""
    if name:
        return name
    platform, _, rest = community.partition(":")
    if community == "console":
        return msg("Console")
    if community == "discord:dm":
        return msg("Discord direct messages")
    if community == "telegram:private":
        return msg("Telegram private chats")
    if platform == "discord" and rest:
        return msg("Discord server {id}", id=rest)
    if platform == "telegram" and rest:
        return msg("Telegram chat {id}", id=rest)
    return community


def community_line(rank: int, row: CommunityRow) -> Msg:
    """ "1. Night Owls: 120 approved (40%), 3 pending, 12 in the last 24 hours"."""
    return msg(
        "{rank}. {community}: {approved} approved ({share}), {pending} pending, {recent} in the "
        "last 24 hours",
        rank=rank,
        community=community_label(row.community, row.name),
        approved=row.approved,
        share=Percent(row.share),
        pending=row.pending,
        recent=row.recent,
    )


def communities_heading(table: CommunityTable) -> Msg:
    return nmsg(
        "{communities}, most approved first — {count} approved signature in all",
        "{communities}, most approved first — {count} approved signatures in all",
        table.total,
        communities=Strong(_COMMUNITIES),
    )


def communities_text(table: CommunityTable) -> Msg:
    """The whole ``/communities`` answer as lines; the heading word is :class:`Strong`."""
    if not table.rows:
        return NO_COMMUNITIES
    lines = [communities_heading(table)]
    lines += [community_line(n, row) for n, row in enumerate(table.rows, 1)]
    return joined(lines)
