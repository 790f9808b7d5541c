"""Moderators' decisions on signatures: approve, reject, remove — a batch at a time.

A batch is one unit of work: every signature's new state, its audit entry, the signer's
notification, the redrawn mod-queue cards and one change of the count commit together. Each id
gets its own :class:`Decision` (done, not found, already decided), so one stale id in a spam wave
does not undo the rest. Who may decide, and how often, :class:`bot.service.PledgeService` checks
before it asks this module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
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
from bot.values import frozen_value

__all__ = ["Decision", "Moderation", "only"]

Action = Literal["approve", "reject", "remove"]


@frozen_value
class Decision:
    """The outcome of one moderator decision in a batch: a signature, or why not."""

    signature_id: int
    signature: Signature | None = None
    error: PledgeError | None = None
    action: Action = "approve"

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
            decisions, _, notes = await self._decide(
                tx,
                actor,
                ids,
                "approve",
                open_to=lambda sig: sig.decidable,
                decided=lambda sig: sig.evolve(
                    status=Status.APPROVED,
                    decided_at=now,
                    decided_by=shown_name(actor),
                    lapsed=self._lapses(sig),  # not counted until reaffirmed
                ),
                at=now,
                notice=signing.approved_notification,
            )
            counted = sum(d.signature.counted for d in decisions if d.error is None and d.signature)
            if notes:
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
            decisions, _, notes = await self._decide(
                tx,
                actor,
                ids,
                "reject",
                open_to=lambda sig: sig.decidable,
                decided=lambda sig: sig.evolve(
                    status=Status.REJECTED, decided_at=now, decided_by=shown_name(actor), reason=why
                ),
                at=now,
                reason=why,
                notice=signing.rejected_notification,
            )
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
            decisions, before, notes = await self._decide(
                tx,
                actor,
                ids,
                "remove",
                open_to=lambda sig: sig.status is not Status.REMOVED,
                decided=lambda sig: sig.evolve(
                    status=Status.REMOVED, decided_at=now, decided_by=shown_name(actor), reason=why
                ),
                at=now,
                reason=why,
            )
            await tx.add_outbox(notes, now)
            were_approved = sum(sig.counted for sig in before)
            if were_approved:
                await self._count_changed(tx, -were_approved, now)
            return decisions

        return await self._write(unit)

    async def _decide(
        self,
        tx: WriteTx,
        actor: Actor,
        ids: list[int],
        action: Action,
        *,
        open_to: Callable[[Signature], bool],
        decided: Callable[[Signature], Signature],
        at: datetime,
        reason: str | None = None,
        notice: Callable[[Signature, str], Msg] | None = None,
    ) -> tuple[list[Decision], list[Signature], list[OutboxMessage]]:
        """What every batch does to each id, in order: a missing id or one not ``open_to`` this
        action is refused; any other is changed to ``decided``, audited, its cards redrawn and
        its signer told ``notice``. Returns the decisions, the decided signatures as they were
        before (a removal uncounts those that counted), and the messages owed."""
        decisions: list[Decision] = []
        before: list[Signature] = []
        notes: list[OutboxMessage] = []
        for sid in ids:
            sig = await tx.get_signature(sid)
            if sig is None:
                decisions.append(Decision(sid, error=SignatureNotFound(sid), action=action))
                continue
            if not open_to(sig):
                decisions.append(Decision(sid, sig, AlreadyDecided(sig), action=action))
                continue
            done = decided(sig)
            await tx.update_signature(done)
            await tx.add_audit(at, audit_label(actor), action, sid, reason)
            if notice is not None:
                notes.append(self._outgoing.notification(done, notice))
            notes += self._outgoing.card_updates(done)
            before.append(sig)
            decisions.append(Decision(sid, done, action=action))
        return decisions, before, notes


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
