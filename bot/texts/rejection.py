"""Why a signature was not approved: the canned reasons a moderator picks with one press, and
any stored reason as its reader reads it."""

from __future__ import annotations

from bot.i18n import Msg, msg
from bot.values import frozen_value

__all__ = ["REJECTION_REASONS", "CannedReason", "canned_reason", "stated_reason"]


@frozen_value
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
