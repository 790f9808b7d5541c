"""What a signer reads: the sign form, the confirmation, their status, withdrawing, and the
decision on their signature (a notification the outbox sends in the language they signed in)."""

from __future__ import annotations

from collections.abc import Mapping

from bot.domain import Signature, SignerStatus, Status, WithdrawChoice
from bot.i18n import Command, Msg, joined, msg, nmsg
from bot.reaffirm import earlier_text_note
from bot.texts.linking import linked_line
from bot.texts.rejection import stated_reason
from bot.texts.signatures import describe_signature, id_text

__all__ = [
    "FIELD_LABELS",
    "SIGNING_CANCELLED",
    "SIGN_ANONYMOUSLY_LABEL",
    "SIGN_LABEL",
    "WITHDRAW_KEPT",
    "WITHDRAW_LABELS",
    "approved_notification",
    "field_question",
    "rejected_notification",
    "sign_confirmation",
    "status_text",
    "withdraw_done",
    "withdraw_prompt",
]


# -- the form --------------------------------------------------------------------------------
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


# -- signed, and where it stands -------------------------------------------------------------
def sign_confirmation(sig: Signature) -> Msg:
    if sig.anonymous:
        listing = msg("You are counted but not listed by name.")
    else:
        listing = msg("You are signing as {name}.", name=sig.public_name)
    if sig.status is Status.PENDING:
        return msg(
            "Thank you! Signature #{id} is recorded and awaits a moderator's approval. "
            "{listing} You will get a message once it is decided.",
            id=id_text(sig.id),
            listing=listing,
        )
    return msg(
        "Thank you! Signature #{id} is on the letter. {listing}",
        id=id_text(sig.id),
        listing=listing,
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
        msg("Signature #{id}: {signature}", id=id_text(sig.id), signature=describe_signature(sig)),
        _status_line(sig, status.sign_again_in),
    ]
    if status.linked:
        lines.append(linked_line(status.linked))
    if status.letter_changed and sig.status.is_active:
        lines.append(earlier_text_note(required=status.reaffirm_required))
    return joined(lines)


# -- withdrawing -----------------------------------------------------------------------------
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
            id=id_text(sig.id),
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
        said.append(msg("Signature #{id} is withdrawn.", id=id_text(withdrawn.id)))
    if erased:
        said.append(msg("Your details have been erased."))
    return joined(said, " ")


# -- the decision, sent to the signer --------------------------------------------------------
def approved_notification(sig: Signature, title: str) -> Msg:
    return msg(
        "Your signature #{id} on “{title}” has been approved. Thank you for signing!",
        id=id_text(sig.id),
        title=title,
    )


def rejected_notification(sig: Signature, title: str) -> Msg:
    return msg(
        "Your signature #{id} on “{title}” was not approved. Reason: {reason}. "
        "You may sign again with {sign}.",
        id=id_text(sig.id),
        sign=SIGN,
        title=title,
        reason=stated_reason(sig.reason or ""),
    )
