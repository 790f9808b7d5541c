"""Moderators' decisions on signatures: approve, reject, remove — a batch at a time.

A batch is one unit of work: every signature's new state, its audit entry, the signer's
notification, the redrawn mod-queue cards and one change of the count commit together. Each id
gets its own :class:`Decision` (done, not found, already decided), so one stale id in a spam wave
does not undo the rest. Who may decide, and how often, :class:`bot.service.PledgeService` checks
before it asks this module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from bot.audit import audit_label, shown_name
from bot.domain import Actor, OutboxMessage, Signature, Status
from bot.errors import (
    AlreadyDecided,
    NotASignatureNumber,
    PledgeError,
    SignatureNotFound,
    TooManyDecisions,
)
from bot.hygiene import clean_reason
from bot.i18n import Msg
from bot.limits import MAX_BATCH_DECISIONS
from bot.outgoing import Outgoing
from bot.ports import Clock, WriteTx
from bot.texts import moderation, signing
from bot.units import CountChange, UnitRunner

__all__ = ["Decision", "Moderation", "only"]


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome of one moderator decision in a batch: a signature, or why not."""

    signature_id: int
    signature: Signature | None = None
    error: PledgeError | None = None
    action: Literal["approve", "reject", "remove"] = "approve"

    def describe(self) -> Msg:
        """One line of ``/approve``'s (``/reject``'s, ``/remove``'s) answer: what was done,
        or the core's reason why not."""
        if self.error is not None:
            return self.error.message
        assert self.signature is not None
        if self.action == "reject":
            return moderation.rejected(self.signature)
        if self.action == "remove":
            return moderation.removed(self.signature)
        return moderation.approved(self.signature)


class Moderation:
    """The units of work behind ``/approve``, ``/reject`` and ``/remove``."""

    def __init__(
        self,
        write: UnitRunner,
        clock: Clock,
        outgoing: Outgoing,
        *,
        count_changed: CountChange,
        lapses: Callable[[Signature], bool],
    ) -> None:
        self._write = write
        self._clock = clock
        self._outgoing = outgoing
        self._count_changed = count_changed
        #: Whether an approved signature stops counting (its text lapsed; bot.reaffirm).
        self._lapses = lapses

    async def approve(self, actor: Actor, signature_ids: Iterable[int]) -> list[Decision]:
        """Approve several signatures in one unit: one count change, one milestone check."""
        ids = _unique_ids(signature_ids)

        async def unit(tx: WriteTx) -> list[Decision]:
            now = self._clock.now()
            decisions: list[Decision] = []
            notes: list[OutboxMessage] = []
            for sid in ids:
                sig = await tx.get_signature(sid)
                if sig is None:
                    decisions.append(Decision(sid, error=SignatureNotFound(sid)))
                    continue
                if not sig.decidable:
                    decisions.append(Decision(sid, sig, AlreadyDecided(sig)))
                    continue
                done = sig.evolve(
                    status=Status.APPROVED,
                    decided_at=now,
                    decided_by=shown_name(actor),
                    lapsed=self._lapses(sig),  # not counted until reaffirmed
                )
                await tx.update_signature(done)
                await tx.add_audit(now, audit_label(actor), "approve", sid)
                notes.append(self._outgoing.notification(done, signing.approved_notification))
                notes += self._outgoing.card_updates(done)
                decisions.append(Decision(sid, done))
            approved = sum(d.error is None for d in decisions)
            counted = sum(d.signature.counted for d in decisions if d.error is None and d.signature)
            if approved:
                await tx.add_outbox(notes, now)
            if counted:
                await self._count_changed(tx, counted, now)
            return decisions

        return await self._write(unit)

    async def reject(
        self, actor: Actor, signature_ids: Iterable[int], reason: str
    ) -> list[Decision]:
        """Reject several signatures for one reason in one unit, each told to its signer; each
        id gets its own outcome, as with :meth:`approve` (not found, already decided)."""
        ids = _unique_ids(signature_ids)
        why = clean_reason(reason)

        async def unit(tx: WriteTx) -> list[Decision]:
            now = self._clock.now()
            decisions: list[Decision] = []
            notes: list[OutboxMessage] = []
            for sid in ids:
                sig = await tx.get_signature(sid)
                if sig is None:
                    decisions.append(Decision(sid, error=SignatureNotFound(sid), action="reject"))
                    continue
                if not sig.decidable:
                    decisions.append(Decision(sid, sig, AlreadyDecided(sig), action="reject"))
                    continue
                done = sig.evolve(
                    status=Status.REJECTED, decided_at=now, decided_by=shown_name(actor), reason=why
                )
                await tx.update_signature(done)
                await tx.add_audit(now, audit_label(actor), "reject", sid, why)
                notes.append(self._outgoing.notification(done, signing.rejected_notification))
                notes += self._outgoing.card_updates(done)
                decisions.append(Decision(sid, done, action="reject"))
            await tx.add_outbox(notes, now)
            return decisions

        return await self._write(unit)

    async def remove(
        self, actor: Actor, signature_ids: Iterable[int], reason: str
    ) -> list[Decision]:
        """Remove several signatures for one reason in one unit (a spam wave): one count change,
        and each id gets its own outcome (not found, already removed)."""
        ids = _unique_ids(signature_ids)
        why = clean_reason(reason)

        async def unit(tx: WriteTx) -> list[Decision]:
            now = self._clock.now()
            decisions: list[Decision] = []
            notes: list[OutboxMessage] = []
            were_approved = 0
            for sid in ids:
                sig = await tx.get_signature(sid)
                if sig is None:
                    decisions.append(Decision(sid, error=SignatureNotFound(sid), action="remove"))
                    continue
                if sig.status is Status.REMOVED:
                    decisions.append(Decision(sid, sig, AlreadyDecided(sig), action="remove"))
                    continue
                done = sig.evolve(
                    status=Status.REMOVED, decided_at=now, decided_by=shown_name(actor), reason=why
                )
                await tx.update_signature(done)
                await tx.add_audit(now, audit_label(actor), "remove", sid, why)
                notes += self._outgoing.card_updates(done)
                were_approved += sig.counted
                decisions.append(Decision(sid, done, action="remove"))
            await tx.add_outbox(notes, now)
            if were_approved:
                await self._count_changed(tx, -were_approved, now)
            return decisions

        return await self._write(unit)


def only(decisions: list[Decision]) -> Signature:
    """The signature of a one-id batch, or the error that refused it."""
    [decision] = decisions
    if decision.error is not None:
        raise decision.error
    assert decision.signature is not None
    return decision.signature


def _unique_ids(ids: Iterable[int]) -> list[int]:
    unique = list(dict.fromkeys(ids))
    if not unique:
        raise NotASignatureNumber()
    if len(unique) > MAX_BATCH_DECISIONS:
        raise TooManyDecisions(MAX_BATCH_DECISIONS)
    return unique
