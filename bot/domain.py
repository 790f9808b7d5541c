"""The pledge domain: the letter, who signs it, and what a signature is.

Everything here is a small frozen value. State changes happen in :mod:`bot.service`, which
produces new values and hands them to the store inside one transaction.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import field, replace
from datetime import datetime
from enum import StrEnum

from bot.values import frozen_value

__all__ = [
    "Actor",
    "AuditEntry",
    "CommunityCount",
    "Destinations",
    "Identity",
    "Letter",
    "LetterText",
    "LivePost",
    "LivePostStatus",
    "NewLivePost",
    "NewSignature",
    "OutboxKind",
    "OutboxMessage",
    "OutboxStatus",
    "PendingItem",
    "Reaffirmation",
    "SignatoriesPage",
    "Signature",
    "SignatureForm",
    "SignerStatus",
    "SnapshotInfo",
    "Status",
    "TranslationCheck",
    "VersionCount",
    "WithdrawChoice",
    "on_earlier_text",
]


class Status(StrEnum):
    """Where a signature stands. Only ``pending`` and ``approved`` are *active*."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    REMOVED = "removed"

    @property
    def is_active(self) -> bool:
        return self in (Status.PENDING, Status.APPROVED)


@frozen_value
class Identity:
    """A signer is a platform account, never a display handle (handles change and collide)."""

    platform: str
    user_id: str

    def __str__(self) -> str:
        return f"{self.platform}:{self.user_id}"

    @classmethod
    def parse(cls, account: str) -> Identity:
        """Back from ``str(identity)``: a platform name never holds a colon, a user id may."""
        platform, _, user_id = account.partition(":")
        return cls(platform, user_id)


@frozen_value
class Actor:
    """Whoever acts: the adapter vouches for ``is_moderator`` from the platform's own facts
    (a role, an admin list, the console config); the core decides what that allows."""

    identity: Identity
    display_name: str
    is_moderator: bool = False

    def __str__(self) -> str:
        return self.display_name or str(self.identity)


@frozen_value
class LetterText:
    """The letter's words as one reader sees them: the original, or a translation of it.

    ``language`` is the translation's language (a code of :data:`bot.i18n.LANGUAGES`), None
    for the original, whose language the configuration does not state."""

    title: str
    preamble: str
    demands: tuple[str, ...]
    closing: str
    language: str | None = None

    @property
    def is_translation(self) -> bool:
        """Readers are told a translation is one, and where the original is."""
        return self.language is not None

    @property
    def text(self) -> str:
        demands = "\n".join(f"{n}. {d}" for n, d in enumerate(self.demands, 1))
        parts = [self.title, self.preamble, demands, self.closing]
        return "\n\n".join(p for p in parts if p)


@frozen_value
class TranslationCheck:
    """How far one translation covers the original (for ``check-config``).

    A reader is offered only a complete translation: one missing a demand would have them sign
    demands they never read, so until it is complete they see the original."""

    language: str
    demands: int
    of_demands: int
    #: Parts the original has and the translation leaves empty: "title", "preamble", "closing".
    missing: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return not self.missing and self.demands == self.of_demands


@frozen_value
class Letter:
    title: str
    preamble: str
    demands: tuple[str, ...]
    closing: str
    #: Translations, each with its ``language`` set; they are not part of :attr:`version`.
    translations: tuple[LetterText, ...] = ()

    @property
    def version(self) -> str:
        """A short hash of the original text, so a signature records exactly what its signer
        read. Translations are left out: fixing a translation's wording does not ask everyone
        who signed to look at the letter again, and every reader signs the same original."""
        text = "\x1f".join((self.title, self.preamble, *self.demands, self.closing))
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    @property
    def original(self) -> LetterText:
        return LetterText(self.title, self.preamble, self.demands, self.closing)

    @property
    def text(self) -> str:
        return self.original.text

    def check(self, translation: LetterText) -> TranslationCheck:
        """Which parts of the original ``translation`` lacks, and how many demands it has."""
        missing = tuple(
            part
            for part, original, translated in (
                ("title", self.title, translation.title),
                ("preamble", self.preamble, translation.preamble),
                ("closing", self.closing, translation.closing),
            )
            if original and not translated
        )
        return TranslationCheck(
            translation.language or "", len(translation.demands), len(self.demands), missing
        )

    def translation_checks(self) -> tuple[TranslationCheck, ...]:
        return tuple(self.check(t) for t in self.translations)

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages a reader can read this letter in besides the original's."""
        return tuple(t.language for t in self.translations if t.language and self.check(t).complete)

    def in_language(self, language: str | None) -> LetterText:
        """The letter as a reader of ``language`` sees it: its complete translation into that
        language if there is one, else the original (every adapter asks here, so the rule is
        the same on every platform)."""
        for translation in self.translations:
            if translation.language == language and self.check(translation).complete:
                return translation
        return self.original


@frozen_value
class SignatureForm:
    """What a signer typed, before hygiene: from a modal, a conversation or a line."""

    name: str
    role: str = ""
    location: str = ""
    link: str = ""


@frozen_value
class NewSignature:
    """A cleaned signature about to be stored; the store assigns its id."""

    identity: Identity
    name: str
    name_key: str
    role: str | None
    location: str | None
    link: str | None
    anonymous: bool
    community: str
    status: Status
    letter_version: str
    created_at: datetime
    decided_at: datetime | None = None
    look_key: str = ""
    #: The language the signer was spoken to in (bot.i18n.LANGUAGES), for their notifications.
    language: str | None = None

    @property
    def listed(self) -> bool:
        return _listed(self.status, self.anonymous, erased=False)

    def stored_as(self, signature_id: int, person: str) -> Signature:
        """The signature the store made of it (one construction: this runs for every sign)."""
        return Signature(
            signature_id, self.identity, self.name, self.name_key, self.role, self.location,
            self.link, self.anonymous, self.community, self.status, self.letter_version,
            self.created_at, self.decided_at, look_key=self.look_key, person=person,
            language=self.language,
        )  # fmt: skip


def _listed(status: Status, anonymous: bool, *, erased: bool, lapsed: bool = False) -> bool:
    """Shown by name on the public list: approved (and counted), not anonymous, not erased."""
    return status is Status.APPROVED and not anonymous and not erased and not lapsed


@frozen_value
class Signature:
    id: int
    identity: Identity
    name: str | None
    name_key: str
    role: str | None
    location: str | None
    link: str | None
    anonymous: bool
    community: str
    status: Status
    letter_version: str
    created_at: datetime
    decided_at: datetime | None = None
    decided_by: str | None = None
    reason: str | None = None
    withdrawn_at: datetime | None = None
    erased: bool = False
    #: Look-alike keys (bot.confusables): equal keys flag a possible duplicate.
    look_key: str = ""
    #: Who signed, across linked accounts (/link): the account's own "platform:user_id" until it
    #: is linked, then an id every account linked with it shares. One active signature each.
    person: str = ""
    #: Approved on an earlier text while ``[letter] require_reaffirm`` is on: active, but
    #: neither counted nor listed until its signer reaffirms (bot.reaffirm).
    lapsed: bool = False
    #: The language the signer signed in (bot.i18n.LANGUAGES); None: not known.
    language: str | None = None

    @property
    def listed(self) -> bool:
        return _listed(self.status, self.anonymous, erased=self.erased, lapsed=self.lapsed)

    @property
    def counted(self) -> bool:
        """Part of the approved count: approved, and not lapsed."""
        return self.status is Status.APPROVED and not self.lapsed

    @property
    def decidable(self) -> bool:
        """Approving or rejecting applies only while a signature waits for a decision: the
        service refuses it otherwise, and cards offer the buttons only then."""
        return self.status is Status.PENDING

    @property
    def public_name(self) -> str:
        if self.erased or self.name is None:
            return "(erased)"
        return self.name

    def evolve(self, **changes: object) -> Signature:
        return replace(self, **changes)  # type: ignore[arg-type]


class WithdrawChoice(StrEnum):
    """What ``/withdraw`` may offer a signer (see :attr:`SignerStatus.withdraw_choices`)."""

    WITHDRAW = "withdraw"  # take the active signature back, keep the details
    WITHDRAW_AND_ERASE = "withdraw_and_erase"  # take it back and erase every signature's details
    ERASE = "erase"  # nothing active: erase the details of the signatures already taken back
    KEEP = "keep"  # change nothing

    @property
    def erases(self) -> bool:
        return self in (WithdrawChoice.WITHDRAW_AND_ERASE, WithdrawChoice.ERASE)


@frozen_value
class SignerStatus:
    """What ``/status`` tells a signer about themselves."""

    signature: Signature | None
    letter_changed: bool
    count: int
    #: Minutes before this account may sign again after withdrawing (0: it may now).
    sign_again_in: int = 0
    #: The other accounts this one is linked with (/link).
    linked: tuple[Identity, ...] = ()
    #: Whether a signature on an earlier text stops counting until reaffirmed (bot.reaffirm).
    reaffirm_required: bool = False

    @property
    def withdraw_choices(self) -> tuple[WithdrawChoice, ...]:
        """What ``/withdraw`` offers, on every platform: withdrawing (with or without erasing)
        while a signature is active; erasing alone once none is; nothing when there is nothing
        left to take back or erase. Erasing clears every signature of the account, so a latest
        signature that is erased means all of them are."""
        sig = self.signature
        if sig is None or sig.erased:
            return ()
        if sig.status.is_active:
            return (
                WithdrawChoice.WITHDRAW,
                WithdrawChoice.WITHDRAW_AND_ERASE,
                WithdrawChoice.KEEP,
            )
        return (WithdrawChoice.ERASE, WithdrawChoice.KEEP)


@frozen_value
class PendingItem:
    """A signature awaiting a decision, with what a moderator needs to decide well."""

    signature: Signature
    history: tuple[Signature, ...] = ()
    possible_duplicates: tuple[Signature, ...] = ()
    #: The signer's other accounts (/link), on any platform.
    linked: tuple[Identity, ...] = ()
    #: The texts of the letter it was reaffirmed on, oldest first (one card's, not a list's:
    #: :meth:`bot.modqueue.ModQueue.with_texts`).
    reaffirmations: tuple[Reaffirmation, ...] = ()


def on_earlier_text(sig: Signature, version: str) -> bool:
    """Whether a listed signature stands on an earlier text than ``version``, the current one:
    it still counts (``[letter] require_reaffirm`` off) and every list marks it so. Decided
    from the row already read, so a page costs no extra query at a million signatures. An
    empty ``version`` (a page built without a letter) marks nothing."""
    return bool(version) and sig.letter_version != version


@frozen_value
class SignatoriesPage:
    page: int
    pages: int
    signatures: tuple[Signature, ...]
    listed: int
    anonymous: int
    #: The letter's current version: a signature on another stood on an earlier text.
    version: str = ""

    def earlier_text(self, sig: Signature) -> bool:
        """Whether ``sig`` is shown as signed on an earlier text (see :func:`on_earlier_text`)."""
        return on_earlier_text(sig, self.version)

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


@frozen_value
class Reaffirmation:
    """A signer kept their name on a changed letter: from text ``previous`` to ``version``."""

    signature_id: int
    version: str
    previous: str
    at: datetime


@frozen_value
class VersionCount:
    """How many approved signatures stand on one version of the letter's text."""

    version: str
    approved: int
    #: When this pledgebot first ran with that text (None: a version it never recorded).
    first_seen: datetime | None
    current: bool


@frozen_value
class AuditEntry:
    id: int
    at: datetime
    actor: str
    action: str
    signature_id: int | None
    reason: str | None = None


class OutboxKind(StrEnum):
    ANNOUNCEMENT = "announcement"
    NOTIFICATION = "notification"
    MOD_QUEUE = "mod_queue"
    MOD_UPDATE = "mod_update"  # a signature with a mod-queue card changed: redraw the card
    REAFFIRM = "reaffirm"  # the letter changed: its signer may reaffirm or withdraw (bot.reaffirm)
    ALERT = "alert"  # something moderators should look at (a surge from one community)
    LIVE_EDIT = "live_edit"  # the count changed: redraw live post "live:<id>" as it is then


class OutboxStatus(StrEnum):
    """Where an owed message stands (the store's ``outbox.status`` holds these values)."""

    PENDING = "pending"  # due at its next attempt time
    SENDING = "sending"  # claimed by a dispatcher until its lease ends
    DELIVERED = "delivered"  # posted; ``ref`` is the platform's id for it
    FAILED = "failed"  # given up on, or cancelled by an erase


@frozen_value
class OutboxMessage:
    """One message owed to one destination. Written in the same transaction as its cause."""

    kind: OutboxKind
    platform: str
    destination: str
    text: str
    signature_id: int | None = None
    milestone: int | None = None
    id: int = 0
    attempts: int = 0
    created_at: datetime | None = None
    status: OutboxStatus = OutboxStatus.PENDING
    ref: str | None = None


@frozen_value
class Destinations:
    """Where announcements and mod-queue posts go, per platform, decided by configuration."""

    announce: Sequence[tuple[str, str]] = field(default_factory=tuple)
    mod_queue: Sequence[tuple[str, str]] = field(default_factory=tuple)
    #: The language of posts to a channel without one of its own (``[i18n] default_language``),
    #: and of a signer's messages when their language is not known.
    default_language: str = "en"
    #: ``(platform, destination)`` -> the language its posts are written in.
    languages: Mapping[tuple[str, str], str] = field(default_factory=dict)

    def language_of(self, platform: str, destination: str) -> str:
        """The language posts to this channel are written in."""
        return self.languages.get((platform, destination), self.default_language)


@frozen_value
class CommunityCount:
    """One community's signatures as the store counts them (``/communities``)."""

    community: str  # "discord:<server id>", "telegram:<chat id>", "console", …
    name: str | None  # as the platform last showed it; None until it was seen
    approved: int
    pending: int
    recent: int  # made since the time asked about, whatever became of them


@frozen_value
class SnapshotInfo:
    """A written snapshot as the store records it (bot.snapshot writes and checks the file)."""

    sha256: str
    generated_at: datetime
    approved: int
    listed: int
    previous: str | None


class LivePostStatus(StrEnum):
    """Whether a live letter post is still kept current (the store's ``live_posts.status``)."""

    LIVE = "live"
    STOPPED = "stopped"  # a moderator's /unpost, or a newer post in the same chat
    LOST = "lost"  # the message was deleted, or the bot lost its rights there


@frozen_value
class NewLivePost:
    """A letter a moderator has just posted as a live message; the store assigns its id."""

    platform: str
    chat: str  # the channel or chat the message is in
    message: str  # the platform's id of the message
    community: str  # whose signers its Sign button brings ("discord:<server>", "telegram:<chat>")
    language: str  # the catalogue language it is written in (bot.i18n.LANGUAGES)
    posted_by: str  # the moderator, as the audit log names them
    posted_at: datetime


@frozen_value
class LivePost:
    """A live letter post as stored: where it is, and whether it is still kept current."""

    id: int
    platform: str
    chat: str
    message: str
    community: str
    language: str
    posted_by: str
    posted_at: datetime
    status: LivePostStatus = LivePostStatus.LIVE
    #: The community's name as the platform last showed it (inert), where one was recorded.
    community_name: str | None = None
    ended_at: datetime | None = None
    end_reason: str | None = None
