"""Taking a signature back (``/withdraw``), and erasing what it said of its signer.

Withdrawing lowers the count, in the same unit of work, when the signature counted. Erasing
keeps only what counting needs of every signature the account ever made (its status, its
dates, its community), so a signer may leave no name behind; each erasure is in the audit log,
and the outbox is redacted of the erased details before the mod-queue cards are redrawn
without them. How often an account may ask, :class:`bot.service.PledgeService` checks.
"""

from __future__ import annotations

from bot.audit import audit_label
from bot.domain import Actor, Signature, Status, WithdrawChoice
from bot.errors import NotSigned
from bot.i18n import Msg
from bot.outgoing import Outgoing
from bot.ports import Clock, WriteTx
from bot.texts import signing
from bot.units import CountChange, UnitRunner
from bot.values import frozen_value

__all__ = ["WithdrawResult", "Withdrawal"]


@frozen_value
class WithdrawResult:
    """What became of a ``/withdraw`` choice: the signature taken back, if one was active."""

    choice: WithdrawChoice
    withdrawn: Signature | None = None

    @property
    def message(self) -> Msg:
        if self.choice is WithdrawChoice.KEEP:
            return signing.WITHDRAW_KEPT
        return signing.withdraw_done(self.withdrawn, erased=self.choice.erases)


class Withdrawal:
    """The unit of work behind ``/withdraw`` and ``/withdraw erase``."""

    def __init__(
        self,
        write: UnitRunner,
        clock: Clock,
        outgoing: Outgoing,
        *,
        count_changed: CountChange,
    ) -> None:
        self._write = write
        self._clock = clock
        self._outgoing = outgoing
        self._count_changed = count_changed

    async def withdraw(self, actor: Actor, *, erase: bool) -> Signature | None:
        """Withdraw the actor's active signature, if any; with ``erase``, also wipe their
        personal fields from every signature they ever made. Every card of a changed signature
        is redrawn, and what the outbox still holds of an erased one is redacted first."""
        identity = actor.identity

        async def unit(tx: WriteTx) -> Signature | None:
            history = await tx.signatures_of(identity)
            active = next((s for s in reversed(history) if s.status.is_active), None)
            to_erase = [s for s in history if not s.erased] if erase else []
            if active is None and not to_erase:
                raise NotSigned()
            now = self._clock.now()
            result = active
            if active is not None:
                result = active.evolve(status=Status.WITHDRAWN, withdrawn_at=now)
                await tx.update_signature(result)
                if active.counted:
                    await self._count_changed(tx, -1, now)
            changed = {active.id: result} if active is not None and result is not None else {}
            for sig in to_erase:
                base = changed.get(sig.id, sig)
                erased = base.evolve(
                    name=None,
                    name_key="",
                    look_key="",
                    role=None,
                    location=None,
                    link=None,
                    erased=True,
                )
                await tx.update_signature(erased)
                await tx.add_audit(now, audit_label(actor), "erase", sig.id)
                changed[sig.id] = erased
            # Redact what the outbox holds first; then the cards are redrawn without details.
            await tx.redact_outbox([s.id for s in to_erase])
            await tx.add_outbox(
                [m for sig in changed.values() for m in self._outgoing.card_updates(sig)], now
            )
            return changed.get(active.id) if active is not None else None

        return await self._write(unit)
