"""Named domain errors. Each carries a message a person understands; adapters show it as-is
(escaped for their platform) instead of writing their own wording."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.domain import Signature

__all__ = [
    "AlreadyDecided",
    "AlreadySigned",
    "AnonymousNotAllowed",
    "CoolingDown",
    "InvalidInput",
    "NotModerator",
    "NotSigned",
    "PledgeError",
    "SignatureNotFound",
    "SignerRemoved",
    "StoreUnavailable",
]


class PledgeError(Exception):
    """Base of every error a user can cause. ``message`` is safe to show to that user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(PledgeError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class AlreadySigned(PledgeError):
    def __init__(self, signature: Signature) -> None:
        state = "is awaiting approval" if signature.status == "pending" else "is on the letter"
        super().__init__(
            f"You have already signed: signature #{signature.id} {state}. "
            "Use /status to see it or /withdraw to take it back."
        )
        self.signature = signature


class SignerRemoved(PledgeError):
    def __init__(self, signature: Signature) -> None:
        super().__init__(
            f"Your signature #{signature.id} was removed by a moderator, so you cannot sign again "
            "from this account. Please contact the organisers if you think this is a mistake."
        )
        self.signature = signature


class CoolingDown(PledgeError):
    """Signing again right after withdrawing: sign/withdraw cycles are slowed down."""

    def __init__(self, minutes: int) -> None:
        unit = "minute" if minutes == 1 else "minutes"
        super().__init__(
            f"You withdrew your signature a moment ago: you can sign again in {minutes} {unit}."
        )
        self.minutes = minutes


class AnonymousNotAllowed(PledgeError):
    def __init__(self) -> None:
        super().__init__(
            "This letter does not accept anonymous signatures: please sign with a name."
        )


class NotSigned(PledgeError):
    def __init__(self) -> None:
        super().__init__("You have no active signature on this letter. Use /sign to add your name.")


class NotModerator(PledgeError):
    def __init__(self) -> None:
        super().__init__("Only moderators can do that.")


class SignatureNotFound(PledgeError):
    def __init__(self, signature_id: int) -> None:
        super().__init__(f"There is no signature #{signature_id}.")
        self.signature_id = signature_id


class AlreadyDecided(PledgeError):
    """A decision on a signature that is no longer pending (a stale button, a double click)."""

    def __init__(self, signature: Signature) -> None:
        who = f" by {signature.decided_by}" if signature.decided_by else ""
        super().__init__(f"Signature #{signature.id} is already {signature.status}{who}.")
        self.signature = signature


class StoreUnavailable(PledgeError):
    """The database could not take the change; nothing was written."""

    def __init__(self) -> None:
        super().__init__("pledgebot is temporarily unavailable, please try again in a moment.")
