"""Named domain errors. Each carries a message a person understands, as a catalogue
:class:`~bot.i18n.Msg`: adapters render it in the reader's language
(``translator(lang).render(error.message, escape=...)``) instead of writing their own wording."""

from __future__ import annotations

from bot.domain import Signature, Status
from bot.i18n import Command, Msg, msg, nmsg, pmsg

__all__ = [
    "APOLOGY",
    "AlreadyDecided",
    "AlreadyLinked",
    "AlreadySigned",
    "AnonymousNotAllowed",
    "CoolingDown",
    "InvalidInput",
    "LinkRefused",
    "LinkToSelf",
    "NoSuchDemand",
    "NoSuchLinkCode",
    "NoSuchLivePost",
    "NoSuchPage",
    "NotALinkCode",
    "NotAPageNumber",
    "NotASignatureNumber",
    "NotAnAuditLength",
    "NotLinked",
    "NotModerator",
    "NotSigned",
    "NotWhereModeratorsWork",
    "OnCurrentText",
    "PledgeError",
    "SignatureNotFound",
    "SignerRemoved",
    "SlowDown",
    "SnapshotsUnavailable",
    "StoreMissing",
    "StoreOutdated",
    "StoreRefused",
    "StoreUnavailable",
    "TooManyAccounts",
    "TooManyDecisions",
    "TooManyLivePosts",
    "WrongUsage",
    "status_word",
]


#: What a person reads when something fails that is no :class:`PledgeError` (a bug, an outage):
#: the adapters log the error and say this instead of its details.
APOLOGY = msg(
    "Sorry, something went wrong on our side. It has been logged; please try again later."
)


class PledgeError(Exception):
    """Base of every error the core explains to the person who asked: mostly their own doing
    (bad input, a refused action), sometimes not (:class:`StoreUnavailable`). ``message`` is
    safe to show to that person; ``str(error)`` is its English text, for logs."""

    def __init__(self, message: Msg) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


class InvalidInput(PledgeError):
    def __init__(self, field: str, message: Msg) -> None:
        super().__init__(message)
        self.field = field


class WrongUsage(InvalidInput):
    """What was typed does not fit the command: say how the command is used. ``usage`` is one
    of :data:`bot.texts.command_help.USAGE`."""

    def __init__(self, field: str, usage: Msg) -> None:
        super().__init__(field, msg("Usage: {usage}", usage=usage))
        self.usage = usage


class NotASignatureNumber(InvalidInput):
    """``shown`` is what was typed, already made inert and short (:func:`bot.hygiene.inert`)."""

    def __init__(self, shown: str | None = None) -> None:
        if shown is None:
            super().__init__("signature", msg("Give at least one signature number, like 12."))
        else:
            super().__init__(
                "signature", msg("“{shown}” is not a signature number like 12.", shown=shown)
            )


class TooManyDecisions(InvalidInput):
    def __init__(self, most: int) -> None:
        super().__init__(
            "signature",
            nmsg(
                "Decide at most {count} signature at once, please.",
                "Decide at most {count} signatures at once, please.",
                most,
            ),
        )


class NotAPageNumber(InvalidInput):
    def __init__(self) -> None:
        super().__init__("page", msg("The page must be a number, like 2."))


class NoSuchPage(InvalidInput):
    def __init__(self, pages: int) -> None:
        super().__init__(
            "page",
            nmsg(
                "There is {count} page: ask for a page from 1 to {count}.",
                "There are {count} pages: ask for a page from 1 to {count}.",
                pages,
            ),
        )


class NoSuchDemand(InvalidInput):
    def __init__(self, demands: int) -> None:
        super().__init__("demand", msg("The letter has demands 1 to {demands}.", demands=demands))


class NotAnAuditLength(InvalidInput):
    def __init__(self, most: int) -> None:
        super().__init__(
            "entries",
            msg(
                "Ask for 1 to {most} entries, like {audit} {example}.",
                audit=Command("audit"),
                most=most,
                example=str(min(50, most)),
            ),
        )


class AlreadySigned(PledgeError):
    def __init__(self, signature: Signature) -> None:
        if signature.status is Status.PENDING:
            said = msg(
                "You have already signed: signature #{id} is awaiting approval. "
                "Use {status} to see it or {withdraw} to take it back.",
                id=str(signature.id),
                status=Command("status"),
                withdraw=Command("withdraw"),
            )
        else:
            said = msg(
                "You have already signed: signature #{id} is on the letter. "
                "Use {status} to see it or {withdraw} to take it back.",
                id=str(signature.id),
                status=Command("status"),
                withdraw=Command("withdraw"),
            )
        super().__init__(said)
        self.signature = signature


class SignerRemoved(PledgeError):
    def __init__(self, signature: Signature) -> None:
        super().__init__(
            msg(
                "Your signature #{id} was removed by a moderator, so you cannot sign again "
                "from this account. Please contact the organisers if you think this is a mistake.",
                id=str(signature.id),
            )
        )
        self.signature = signature


class CoolingDown(PledgeError):
    """Signing again right after withdrawing: sign/withdraw cycles are slowed down."""

    def __init__(self, minutes: int) -> None:
        super().__init__(
            nmsg(
                "You withdrew your signature a moment ago: you can sign again in {count} minute.",
                "You withdrew your signature a moment ago: you can sign again in {count} minutes.",
                minutes,
            )
        )
        self.minutes = minutes


class SlowDown(PledgeError):
    """One account sending commands faster than :mod:`bot.ratelimit` allows; nothing was done."""

    def __init__(self, seconds: int) -> None:
        super().__init__(
            msg(
                "That was a lot at once: please slow down and try again in {seconds} s.",
                seconds=seconds,
            )
        )
        self.seconds = seconds


class AnonymousNotAllowed(PledgeError):
    def __init__(self) -> None:
        super().__init__(
            msg("This letter does not accept anonymous signatures: please sign with a name.")
        )


class NotSigned(PledgeError):
    def __init__(self) -> None:
        super().__init__(
            msg(
                "You have no active signature on this letter. Use {sign} to add your name.",
                sign=Command("sign"),
            )
        )


class OnCurrentText(PledgeError):
    """``/reaffirm`` of a signature that already stands on the letter's current text."""

    def __init__(self, signature: Signature) -> None:
        super().__init__(
            msg(
                "Your signature #{id} already stands on the letter's current text: there is "
                "nothing to reaffirm.",
                id=str(signature.id),
            )
        )
        self.signature = signature


class NotModerator(PledgeError):
    def __init__(self) -> None:
        super().__init__(msg("Only moderators can do that."))


class NotWhereModeratorsWork(PledgeError):
    """A moderator command in an ordinary group chat, where its answer would expose signers
    (Telegram: moderators work in the mod chat and in private)."""

    def __init__(self) -> None:
        super().__init__(
            msg(
                "Moderator commands work in the mod chat or in a private chat with me, "
                "so that signers' details stay out of other groups."
            )
        )


class SignatureNotFound(PledgeError):
    def __init__(self, signature_id: int) -> None:
        super().__init__(msg("There is no signature #{id}.", id=str(signature_id)))
        self.signature_id = signature_id


class AlreadyDecided(PledgeError):
    """A decision on a signature that is no longer pending (a stale button, a double click)."""

    def __init__(self, signature: Signature) -> None:
        state = status_word(signature.status)
        if signature.decided_by:
            said = msg(
                "Signature #{id} is already {state} by {who}.",
                id=str(signature.id),
                state=state,
                who=signature.decided_by,
            )
        else:
            said = msg("Signature #{id} is already {state}.", id=str(signature.id), state=state)
        super().__init__(said)
        self.signature = signature


class StoreUnavailable(PledgeError):
    """The database could not take the change; nothing was written."""

    def __init__(self) -> None:
        super().__init__(msg("pledgebot is temporarily unavailable, please try again in a moment."))


class SnapshotsUnavailable(PledgeError):
    """A snapshot could not be written (no snapshot folder, or it is not writable)."""

    def __init__(self) -> None:
        super().__init__(
            msg("The snapshot could not be written right now; the details are in the bot's log.")
        )


class StoreRefused(Exception):
    """The store cannot be opened as asked, and nothing was created or changed: the database is
    missing, is not a pledgebot database (or one written by a newer pledgebot), is in use by
    another bot process, or cannot be written. Only a change to the configuration (or the file)
    helps, so the command line exits with the configuration error code and names the key."""

    @classmethod
    def missing(cls, where: str) -> StoreRefused:
        return StoreMissing(
            f"there is no pledgebot database at {where}: check the storage URL "
            "(only `pledgebot run` and `pledgebot console` create a database)"
        )

    @classmethod
    def not_pledgebot(cls, where: str, why: str) -> StoreRefused:
        return cls(f"{where} is not a pledgebot database ({why})")

    @classmethod
    def no_folder(cls, where: str, folder: str) -> StoreRefused:
        return cls(f"cannot create {where}: the folder {folder} does not exist")

    @classmethod
    def not_writable(cls, where: str, why: str) -> StoreRefused:
        return cls(f"cannot write to {where} ({why}): the bot needs to write its database")

    @classmethod
    def unreadable(cls, where: str, why: str) -> StoreRefused:
        return cls(f"cannot open {where} ({why})")

    @classmethod
    def outdated(cls, where: str, found: int, needed: int) -> StoreRefused:
        return StoreOutdated(
            f"{where} is at schema version {found} and this pledgebot needs {needed}: "
            "start the bot once (pledgebot run) to upgrade it"
        )

    @classmethod
    def in_use(cls, where: str, holder: str) -> StoreRefused:
        who = f" (pid {holder})" if holder.isdigit() else ""
        return cls(
            f"{where} is in use by another pledgebot process{who}: one bot process per SQLite "
            "file, or every message would be delivered twice. Stop the other one first "
            "(several processes can share a PostgreSQL database)."
        )


class StoreMissing(StoreRefused):
    """No pledgebot database where the URL points (yet): ``pledgebot run`` would create it."""


class StoreOutdated(StoreRefused):
    """A pledgebot database at an older schema: ``pledgebot run`` would bring it up to date."""


# -- linking accounts (/link) -----------------------------------------------------------------
class NotALinkCode(InvalidInput):
    def __init__(self) -> None:
        super().__init__(
            "code",
            msg(
                "That is not a linking code: codes look like 7KQ2M-9XD4T. Send {link} on your "
                "other account to get one.",
                link=Command("link"),
            ),
        )


class NoSuchLinkCode(PledgeError):
    """Unknown, already used or expired: which of them is not said (it would help a guesser)."""

    def __init__(self) -> None:
        super().__init__(
            msg(
                "That code does not work: it may be mistyped, already used, or older than "
                "10 minutes. Send {link} on your other account for a new one.",
                link=Command("link"),
            )
        )


class LinkToSelf(PledgeError):
    def __init__(self) -> None:
        super().__init__(
            msg(
                "That code was made by this account: send {link} CODE from your other account.",
                link=Command("link"),
            )
        )


class AlreadyLinked(PledgeError):
    def __init__(self) -> None:
        super().__init__(msg("These two accounts are already linked."))


class TooManyAccounts(PledgeError):
    def __init__(self, most: int) -> None:
        super().__init__(msg("One person can link at most {most} accounts.", most=most))
        self.most = most


class LinkRefused(PledgeError):
    """A moderator removed a signature of one side: linking (or unlinking) would let that
    person sign again from another account."""

    def __init__(self, *, unlinking: bool = False) -> None:
        if unlinking:
            super().__init__(
                msg(
                    "A moderator removed a signature of yours, so your accounts stay linked. "
                    "Please contact the organisers if you think this is a mistake."
                )
            )
        else:
            super().__init__(
                msg(
                    "A signature from one of these accounts was removed by a moderator, so they "
                    "cannot be linked. Please contact the organisers if you think this is a "
                    "mistake."
                )
            )


class NotLinked(PledgeError):
    def __init__(self) -> None:
        super().__init__(msg("This account is not linked to any other."))


class NoSuchLivePost(PledgeError):
    """Stopping a live post that is not live (a wrong number, or it already ended)."""

    def __init__(self, post_id: int) -> None:
        super().__init__(msg("There is no live post #{id}.", id=str(post_id)))
        self.post_id = post_id


class TooManyLivePosts(PledgeError):
    def __init__(self, most: int) -> None:
        super().__init__(
            nmsg(
                "At most {count} post can be live at once: stop one before posting another.",
                "At most {count} posts can be live at once: stop one before posting another.",
                most,
            )
        )


def status_word(status: Status) -> Msg:
    """A signature's state as one word in a sentence ("Signature #3 is already {approved}")."""
    match status:
        case Status.PENDING:
            return pmsg("signature status", "pending")
        case Status.APPROVED:
            return pmsg("signature status", "approved")
        case Status.REJECTED:
            return pmsg("signature status", "rejected")
        case Status.WITHDRAWN:
            return pmsg("signature status", "withdrawn")
        case Status.REMOVED:
            return pmsg("signature status", "removed")
