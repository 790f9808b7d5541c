"""PledgeService: every rule of signing and moderating, once, for every adapter.

Each public method is one use case, and the one door adapters use: it spends the asker's rate
limit and checks that a moderator asks where one must, then does the work or hands it to the
module that holds it — :mod:`bot.moderation` (approve, reject, remove), :mod:`bot.withdrawal`
(withdraw, erase), :mod:`bot.accounts` (link, unlink), :mod:`bot.lapses` (reaffirm, and which
signatures on an earlier text count), each given the collaborators it needs; the messages the
outbox is owed are worded by :mod:`bot.outgoing`. Signing stays here, in full: it runs for every
signature, and a layer between the adapter and its unit of work would cost each one.

Writes run as a single unit of work through :meth:`bot.ports.Store.write`, so a signature, the
count, a crossed milestone, its outbox rows and the audit entry commit together or not at all;
:class:`bot.units.UnitRunner` runs them and wakes the outbox when a unit owed messages. What
mod-queue cards are drawn from, which the outbox needs and which acts for no one, is
:attr:`PledgeService.mod_queue`, beside the use cases.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from bot.accounts import AccountLinks
from bot.archive import SnapshotArchive
from bot.communities import Communities, CommunityTable
from bot.domain import (
    Actor,
    AuditEntry,
    Destinations,
    Identity,
    Letter,
    NewSignature,
    PendingItem,
    SignatoriesPage,
    Signature,
    SignatureForm,
    SignerStatus,
    SnapshotInfo,
    Status,
    WithdrawChoice,
)
from bot.errors import (
    AlreadySigned,
    AnonymousNotAllowed,
    CoolingDown,
    NoSuchDemand,
    NoSuchPage,
    NotModerator,
    PledgeError,
    SignerRemoved,
    SnapshotsUnavailable,
)
from bot.export import ExportFormat, export_chunks
from bot.hygiene import LIMITS, clean_form
from bot.i18n import LANGUAGES, Msg
from bot.lapses import Lapses
from bot.limits import AUDIT_DEFAULT, AUDIT_MAX, PAGE_SIZE, PENDING_DEFAULT
from bot.linking import LinkCode, LinkResult, is_linked_person
from bot.liveposts import LivePosts
from bot.lookup import SignerReport, find_signatures, signer_report
from bot.moderation import Decision, Moderation, only
from bot.modqueue import ModQueue
from bot.outgoing import Outgoing
from bot.ports import Clock, Store, WriteTx
from bot.public import PublicLetter
from bot.ratelimit import Family, RateLimiter
from bot.reaffirm import ReaffirmNotices, VersionReport, version_counts
from bot.rules import Rules
from bot.surge import SurgeMonitor
from bot.texts import announcements, signing
from bot.units import UnitRunner
from bot.values import frozen_value
from bot.withdrawal import Withdrawal, WithdrawResult

if TYPE_CHECKING:
    from bot.progress import Advance

__all__ = [
    "CountView",
    "Overview",
    "PledgeService",
    "SignResult",
    "SystemClock",
]

_log = logging.getLogger(__name__)


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@frozen_value
class Overview:
    letter: Letter
    count: int
    next_milestone: int | None


@frozen_value
class CountView:
    """What ``/count`` shows: the overview, and for moderators the counts per letter text."""

    overview: Overview
    versions: VersionReport | None = None


@frozen_value
class SignResult:
    signature: Signature

    @property
    def awaiting_approval(self) -> bool:
        return self.signature.status is Status.PENDING

    @property
    def message(self) -> Msg:
        return signing.sign_confirmation(self.signature)


class PledgeService:
    def __init__(
        self,
        store: Store,
        letter: Letter,
        rules: Rules,
        destinations: Destinations,
        clock: Clock | None = None,
    ) -> None:
        self.store = store
        self.letter = letter
        self.version = letter.version  # hashed once, stamped on every signature
        self.rules = rules
        self.destinations = destinations
        self.clock: Clock = clock or SystemClock()
        #: Plumbing for the adapters' outbox senders: a card's contents, where it was posted.
        self.mod_queue = ModQueue(store)
        self._outgoing = Outgoing(letter, destinations, rules.milestone_message)
        self._write = UnitRunner(store)
        #: The communities: names as the platforms show them, the figures of ``/communities``.
        self.community_register = Communities(store, self._write, self.clock)
        #: What the public may read (the web page, the static site): the communities table
        #: only when the campaign made it public.
        self.public = PublicLetter(
            store,
            letter,
            rules.milestones,
            self.clock,
            self.community_register if rules.public_communities else None,
        )
        #: Where snapshots are written; the composition root sets it (see bot.archive).
        self.snapshots: SnapshotArchive | None = None
        #: Which signatures on an earlier text count, and /reaffirm (bot.lapses).
        self._lapses = Lapses(
            store,
            self._write,
            self.clock,
            version=self.version,
            required=rules.require_reaffirm,
            count_changed=self._count_changed,
        )
        #: Taking a signature back, and erasing the signer's details (bot.withdrawal).
        self._withdrawal = Withdrawal(
            self._write, self.clock, self._outgoing, count_changed=self._count_changed
        )
        #: What moderators decide (bot.moderation), once they may.
        self._moderation = Moderation(
            self._write,
            self.clock,
            self._outgoing,
            count_changed=self._count_changed,
            lapses=self._lapses.lapsed,
        )
        #: Joining one person's accounts (bot.accounts).
        self._accounts = AccountLinks(
            store, self._write, self.clock, self._outgoing, count_changed=self._count_changed
        )
        self._surges = SurgeMonitor(
            rules.surge_window, rules.surge_share, rules.surge_min_signatures
        )
        #: Checked first by every use case that acts for someone (see :meth:`_slow_down`).
        self.limits = RateLimiter(rules.rate_limits)
        #: Telling earlier signers of a changed text; the bot runs it (bot.reaffirm).
        self.reaffirm_notices = ReaffirmNotices(
            store,
            self._write,
            self.clock,
            letter,
            per_minute=rules.reaffirm_notices_per_minute,
            required=rules.require_reaffirm,
            language=destinations.default_language,
        )
        #: Live letter posts: posting, listing and stopping them, and keeping them current.
        self.live = LivePosts(
            store,
            self._write,
            self.clock,
            letter=letter,
            milestones=rules.milestones,
            interval=rules.live_edit_interval,
            destinations=destinations,
            limits=self.limits,
        )

    @property
    def default_language(self) -> str:
        """``[i18n] default_language``: what an adapter speaks to a reader whose language it
        does not know."""
        return self.destinations.default_language

    # -- lifecycle ---------------------------------------------------------------------------
    async def start(self) -> None:
        """Record the configured letter text, so later signers' versions can be compared."""
        letter, now = self.letter, self.clock.now()

        async def unit(tx: WriteTx) -> bool:
            return await tx.record_letter_version(letter.version, letter.text, now)

        if await self._write(unit):
            _log.info("letter version %s recorded", letter.version)

    async def destination_lost(
        self, platform: str, destination: str, *, tell: Sequence[str] = ()
    ) -> None:
        """The bot was removed from a chat it posts to (an announcement channel, the mod
        chat): every moderator is told, once — in the other mod-queue destinations and in the
        private chats ``tell`` names on that platform (when it was the mod chat, the only
        place left to reach its moderators). Nothing more is sent there: the adapter drops it
        from its deliveries until it is added back. Adapters call it from the platform's own
        event, which names no one to rate-limit."""
        lost = (platform, destination)
        if lost in self.destinations.mod_queue:
            mod_chat = True
        elif lost in self.destinations.announce:
            mod_chat = False
        else:
            return
        notice = announcements.removed_from(f"{platform}:{destination}", mod_chat=mod_chat)
        await self._alert_moderators(notice, skip=lost, also=[(platform, user) for user in tell])

    def on_outbox(self, listener: Callable[[], None]) -> None:
        """Be told when a unit wrote outbox rows (the dispatcher wakes up instead of polling)."""
        self._write.on_outbox(listener)

    async def follow_the_text(self, *, forever: bool = True) -> None:
        """Beside the bot: make the count follow ``require_reaffirm`` (approved signatures on
        an earlier text stop counting while it is on, and count again once it is off), then
        tell earlier signers of the current text (:class:`~bot.reaffirm.ReaffirmNotices`).
        ``forever=False``: all at once, then return (the console)."""
        try:
            await self._lapses.settle()
        except PledgeError as exc:  # a database that takes no changes now: the next start
            _log.warning("require_reaffirm: cannot update the count now: %s", exc)
        if forever:
            await self.reaffirm_notices.run()
        else:
            await self.reaffirm_notices.tell_everyone(paced=False)

    # -- reading -----------------------------------------------------------------------------
    async def count(self, *, actor: Actor | Identity | None = None) -> int:
        self._slow_down(actor, Family.READING)
        return await self.store.count()

    async def overview(self, *, actor: Actor | Identity | None = None) -> Overview:
        """The letter, the count and the next milestone. ``actor``: who asks, when someone
        does (a chat command; not the public page), for their rate limit."""
        self._slow_down(actor, Family.READING)
        count = await self.store.count()
        return Overview(self.letter, count, self.rules.milestones.next_after(count))

    def demand(self, number: int) -> str:
        demands = self.letter.demands
        if not 1 <= number <= len(demands):
            raise NoSuchDemand(len(demands))
        return demands[number - 1]

    def demands(
        self, number: int | None = None, *, actor: Actor | Identity | None = None
    ) -> list[tuple[int, str]]:
        """``/demands [N]``: every demand with its number, or only demand ``number``."""
        self._slow_down(actor, Family.READING)
        if number is None:
            return list(enumerate(self.letter.demands, 1))
        return [(number, self.demand(number))]

    async def status(self, identity: Identity) -> SignerStatus:
        """The signer's latest signature, whichever of their linked accounts made it."""
        self._slow_down(identity, Family.READING)
        sig = await self.store.latest_signature(identity)
        changed = sig is not None and sig.letter_version != self.version
        wait = self._cooldown_left(sig, self.clock.now())
        linked = await self._accounts.linked_with(identity)
        required = self.rules.require_reaffirm
        return SignerStatus(sig, changed, await self.store.count(), wait, linked, required)

    async def signatories(
        self, page: int = 1, *, actor: Actor | Identity | None = None
    ) -> SignatoriesPage:
        self._slow_down(actor, Family.READING)
        listed = await self.store.listed_count()
        approved = await self.store.count()
        pages = max(1, -(-listed // PAGE_SIZE))
        if page < 1 or page > pages:
            raise NoSuchPage(pages)
        rows = await self.store.listed_page((page - 1) * PAGE_SIZE, PAGE_SIZE)
        anonymous = max(approved - listed, 0)
        return SignatoriesPage(page, pages, tuple(rows), listed, anonymous, self.version)

    async def communities(self, *, actor: Actor | None = None) -> CommunityTable:
        """``/communities``: per community, approved and pending signatures, share of the
        approved total, and signatures in the last 24 hours; the top
        :data:`~bot.limits.COMMUNITIES_SHOWN`. For moderators, unless ``public_communities``
        opens it to everyone (``actor`` None: the public page, which asks only then)."""
        if self.rules.public_communities:
            self._slow_down(actor, Family.READING)
        else:
            self._slow_down(actor, Family.MODERATING)
            if actor is None:
                raise NotModerator()
            self.require_moderator(actor)
        return await self.community_register.table()

    async def community_seen(self, community: str, name: str | None) -> None:
        """A platform showed this name for a community (a server, a group): keep it current.
        Adapters call it whenever they meet one; it writes only when the name changed."""
        await self.community_register.seen(community, name)

    # -- signing -----------------------------------------------------------------------------
    async def sign(
        self,
        actor: Actor,
        form: SignatureForm,
        *,
        community: str,
        anonymous: bool = False,
        account_created_at: datetime | None = None,
        language: str | None = None,
    ) -> SignResult:
        """``account_created_at``: when the platform account was made, where the platform says
        (Discord); a very new account waits for a moderator even with automatic approval.
        ``language``: the language the signer is spoken to in, remembered with the signature so
        that its notifications (approved, rejected) reach them in it."""
        self._slow_down(actor, Family.SIGNING)
        if anonymous and not self.rules.allow_anonymous:
            raise AnonymousNotAllowed()
        clean = clean_form(form)  # raises InvalidInput before anything is touched
        identity = actor.identity
        auto = self.rules.approval == "auto" and not self._too_new(account_created_at)

        async def unit(tx: WriteTx) -> Signature:
            now = self.clock.now()
            person = await tx.claim_account(identity)  # held until COMMIT: no link passes us
            self._refuse_signing_again(await tx.latest_signature(identity), now)
            sig = await tx.insert_signature(
                NewSignature(
                    identity=identity,
                    name=clean.name,
                    name_key=clean.key,
                    look_key=clean.look_key,
                    role=clean.role,
                    location=clean.location,
                    link=clean.link,
                    anonymous=anonymous,
                    community=community,
                    status=Status.APPROVED if auto else Status.PENDING,
                    letter_version=self.version,
                    created_at=now,
                    decided_at=now if auto else None,
                    language=language if language in LANGUAGES else None,
                )
            )
            if auto:
                await self._count_changed(tx, 1, now)
            else:
                linked: tuple[Identity, ...] = ()
                if is_linked_person(person):
                    linked = tuple(a for _, a in await tx.accounts_of([person]) if a != identity)
                cards = self._outgoing.mod_queue_cards(PendingItem(sig, linked=linked))
                await tx.add_outbox(cards, now)
            return sig

        sig = await self._write(unit)
        surge = self._surges.record(community, sig.created_at)
        if surge is not None:
            await self._alert_moderators(announcements.surge_alert(surge))
        return SignResult(sig)

    async def reaffirm(self, actor: Actor) -> Signature:
        """``/reaffirm``: keep one's active signature on the letter's current text. The
        version it stood on is kept in its history (:meth:`bot.ports.Store.reaffirmations`)."""
        self._slow_down(actor, Family.SIGNING)
        return await self._lapses.reaffirm(actor)

    async def count_view(self, actor: Actor) -> CountView:
        """``/count``: the count and the next milestone; for a moderator, also how many
        approved signatures stand on each text of the letter."""
        overview = await self.overview(actor=actor)
        if not actor.is_moderator:
            return CountView(overview)
        return CountView(overview, await version_counts(self.store, self.version))

    async def versions(self, actor: Actor) -> VersionReport:
        """How many approved signatures stand on each text of the letter (moderators)."""
        self._slow_down(actor, Family.MODERATING)
        self.require_moderator(actor)
        return await version_counts(self.store, self.version)

    async def check_can_sign(self, identity: Identity) -> None:
        """Say before a form is shown, not after it is filled in, that this account cannot
        sign (it already has, or was removed). :meth:`sign` checks again when it stores."""
        self._slow_down(identity, Family.READING)
        self._refuse_signing_again(await self.store.latest_signature(identity), self.clock.now())

    async def withdraw(self, actor: Actor, *, erase: bool = False) -> Signature | None:
        """Take a signature back; with ``erase`` also wipe the signer's personal fields from
        every signature they ever made, keeping only what counting needs."""
        self._slow_down(actor, Family.SIGNING)
        return await self._withdrawal.withdraw(actor, erase=erase)

    async def withdraw_as_chosen(self, actor: Actor, choice: WithdrawChoice) -> WithdrawResult:
        """Carry out what the signer picked among :attr:`SignerStatus.withdraw_choices` (a
        button pressed, or ``/withdraw [erase]`` typed). A choice that no longer applies (a
        stale button) is refused as :meth:`withdraw` refuses it."""
        self._slow_down(actor, Family.SIGNING)
        if choice is WithdrawChoice.KEEP:
            return WithdrawResult(choice)
        return WithdrawResult(choice, await self._withdrawal.withdraw(actor, erase=choice.erases))

    # -- one person, several accounts ------------------------------------------------------
    async def link_code(self, actor: Actor) -> LinkCode:
        """``/link``: a one-time code for the person's other account to type (``/link CODE``)
        within :data:`~bot.linking.CODE_LIFETIME`. A new code replaces the account's earlier
        one. Refused to an account a moderator removed a signature of."""
        self._slow_down(actor, Family.SIGNING)
        return await self._accounts.link_code(actor)

    async def link(self, actor: Actor, typed_code: str) -> LinkResult:
        """``/link CODE``: join this account with the one that made the code, as one person
        holding one active signature at most. When both held one, the earlier stays and the
        later is withdrawn. Refused when either side had a signature removed by a moderator."""
        self._slow_down(actor, Family.SIGNING)
        return await self._accounts.link(actor, typed_code)

    async def void_link_code(self, actor: Actor, typed_code: str) -> None:
        """A code typed where others can read it (a Telegram group) no longer works, so no one
        who saw it can join their account to its maker's. Says nothing of whether it existed;
        text that is no code changes nothing."""
        self._slow_down(actor, Family.SIGNING)
        await self._accounts.void_link_code(typed_code)

    async def unlink(self, actor: Actor) -> tuple[Identity, ...]:
        """``/unlink``: this account is a person of its own again, keeping the signatures it
        made itself (and so is the other, when only one was left). Returns the accounts it was
        linked with."""
        self._slow_down(actor, Family.SIGNING)
        return await self._accounts.unlink(actor)

    # -- moderation --------------------------------------------------------------------------
    @staticmethod
    def require_moderator(actor: Actor) -> None:
        if not actor.is_moderator:
            raise NotModerator()

    async def pending(self, actor: Actor, limit: int = PENDING_DEFAULT) -> list[PendingItem]:
        self._slow_down(actor, Family.MODERATING)
        self.require_moderator(actor)
        return await self.mod_queue.with_context(await self.store.pending(limit))

    async def find_signatures(self, actor: Actor, typed: str, limit: int) -> list[Signature]:
        """Signatures a moderator may take off the letter that match what they typed (a
        number, a name): ``/remove``'s suggestions (see :func:`bot.lookup.find_signatures`)."""
        self._slow_down(actor, Family.MODERATING)
        self.require_moderator(actor)
        return await find_signatures(self.store, typed[: LIMITS["name"]], limit)

    async def signer(self, actor: Actor, identity: Identity) -> SignerReport:
        """One account as a moderator looks it up (Discord's "Signature status" member menu):
        its signature with history, possible duplicates and linked accounts."""
        self._slow_down(actor, Family.MODERATING)
        self.require_moderator(actor)
        return await signer_report(self.store, identity)

    async def approve(self, actor: Actor, signature_ids: Iterable[int]) -> list[Decision]:
        """Approve several signatures in one unit: one count change, one milestone check."""
        self._slow_down(actor, Family.MODERATING)
        self.require_moderator(actor)
        return await self._moderation.approve(actor, signature_ids)

    async def reject(self, actor: Actor, signature_id: int, reason: str) -> Signature:
        """Reject one signature; the signer is told ``reason``. Raises why it cannot be."""
        return only(await self.reject_all(actor, [signature_id], reason))

    async def reject_all(
        self, actor: Actor, signature_ids: Iterable[int], reason: str
    ) -> list[Decision]:
        """Reject several signatures for one reason in one unit, each told to its signer; each
        id gets its own outcome, as with :meth:`approve` (not found, already decided)."""
        self._slow_down(actor, Family.MODERATING)
        self.require_moderator(actor)
        return await self._moderation.reject(actor, signature_ids, reason)

    async def remove(self, actor: Actor, signature_id: int, reason: str) -> Signature:
        """Take a signature off the letter for good (spam, impersonation), even once approved.
        The account cannot sign again. Raises why it cannot be."""
        return only(await self.remove_all(actor, [signature_id], reason))

    async def remove_all(
        self, actor: Actor, signature_ids: Iterable[int], reason: str
    ) -> list[Decision]:
        """Remove several signatures for one reason in one unit (a spam wave): one count change,
        and each id gets its own outcome (not found, already removed)."""
        self._slow_down(actor, Family.MODERATING)
        self.require_moderator(actor)
        return await self._moderation.remove(actor, signature_ids, reason)

    async def audit(self, actor: Actor, limit: int = AUDIT_DEFAULT) -> list[AuditEntry]:
        """The latest moderator actions, newest first (at most :data:`~bot.limits.AUDIT_MAX`)."""
        self._slow_down(actor, Family.MODERATING)
        self.require_moderator(actor)
        return await self.store.audit_log(max(1, min(limit, AUDIT_MAX)))

    async def take_snapshot(self, actor: Actor) -> SnapshotInfo:
        """A moderator's ``/snapshot``: the listing written, hashed, chained and recorded."""
        self._slow_down(actor, Family.MODERATING)
        self.require_moderator(actor)
        if self.snapshots is None:
            raise SnapshotsUnavailable()
        return await self.snapshots.take()

    def snapshot_url(self, snapshot: SnapshotInfo) -> str | None:
        """Where the public page serves a snapshot, when its address is configured."""
        return self.snapshots.url_of(snapshot.sha256) if self.snapshots is not None else None

    def export(
        self, fmt: ExportFormat, *, with_ids: bool = False, progress: Advance = lambda _: None
    ) -> AsyncIterator[str]:
        """Approved signatures as CSV or JSON text chunks, streamed from the store;
        ``progress`` is told how many signatures each chunk held."""
        return export_chunks(self.store, self.letter, fmt, with_ids=with_ids, progress=progress)

    def export_for(self, actor: Actor, fmt: ExportFormat) -> AsyncIterator[str]:
        self._slow_down(actor, Family.MODERATING)
        self.require_moderator(actor)
        return self.export(fmt)

    # -- internals ---------------------------------------------------------------------------
    def _slow_down(self, who: Actor | Identity | None, family: Family) -> None:
        """Spend one command of ``family`` for whoever asks, or raise
        :class:`~bot.errors.SlowDown`: first thing in a use case, before any store work, so a
        flooding account never reaches the database. ``None``: nobody in particular (the
        public page, the command line, the outbox), which has limits of its own."""
        if who is not None:
            self.limits.take(who.identity if isinstance(who, Actor) else who, family)

    def _refuse_signing_again(self, latest: Signature | None, now: datetime) -> None:
        """One active signature per account; a removed account may not sign again; and an
        account that just withdrew waits a while, so sign/withdraw cycles cannot flood."""
        if latest is None:
            return
        if latest.status.is_active:
            raise AlreadySigned(latest)
        if latest.status is Status.REMOVED:
            raise SignerRemoved(latest)
        wait = self._cooldown_left(latest, now)
        if wait:
            raise CoolingDown(wait)

    def _cooldown_left(self, latest: Signature | None, now: datetime) -> int:
        """Minutes (rounded up) before an account that withdrew may sign again; 0: it may."""
        if latest is None or latest.status is not Status.WITHDRAWN or latest.withdrawn_at is None:
            return 0
        wait = latest.withdrawn_at + self.rules.cooldown - now
        if wait <= timedelta(0):
            return 0
        return max(1, -(-int(wait.total_seconds()) // 60))

    def _too_new(self, account_created_at: datetime | None) -> bool:
        if account_created_at is None or not self.rules.min_account_age:
            return False
        return self.clock.now() - account_created_at < self.rules.min_account_age

    async def _alert_moderators(
        self,
        text: Msg,
        *,
        skip: tuple[str, str] | None = None,
        also: Sequence[tuple[str, str]] = (),
    ) -> None:
        """Tell every mod-queue destination something they should look at (a surge), but
        ``skip``, and ``also`` these (a moderator's private chat), each in its language."""
        messages = self._outgoing.alerts(text, skip=skip, also=also)
        now = self.clock.now()
        _log.warning("%s", text)

        async def unit(tx: WriteTx) -> None:
            await tx.add_outbox(messages, now)

        await self._write(unit)

    async def _count_changed(self, tx: WriteTx, delta: int, now: datetime) -> None:
        """Apply a change to the approved count; milestones follow once the store knows the
        exact count before and after it (see :meth:`_announce_milestones`), and every live
        post is owed an edit (merged, see :mod:`bot.liveposts`)."""

        async def crossed(tx: WriteTx, old: int, new: int) -> None:
            reached = self.rules.milestones.crossed(old, new)
            if reached:  # rarely: checked here, as this runs for every signature
                await self._announce_milestones(tx, reached, now)
            if old != new:
                await self.live.refresh(tx, now)

        await tx.add_to_count(delta, crossed)

    async def _announce_milestones(self, tx: WriteTx, crossed: list[int], now: datetime) -> None:
        """Announce the highest milestone of those this change crossed that is newly reached;
        lower ones are marked reached silently, and none is ever announced twice."""
        fresh = await tx.claim_milestones(crossed, now)
        if not fresh:
            return
        await tx.add_outbox(self._outgoing.milestone_announcements(max(fresh)), now)
