"""Signatures on an earlier text of the letter: whether they count, and ``/reaffirm``.

With ``[letter] require_reaffirm`` on, an approved signature on an earlier text than the current
one stops counting (it *lapses*) until its signer reaffirms it on the current text; with it off,
every approved signature counts again. The setting is read at start, so :meth:`Lapses.settle`
brings the stored signatures and the count in line with it, a batch per unit of work, each batch
changing the count (its milestones and live posts) in the same transaction as the signatures.
Telling earlier signers of the new text is :class:`bot.reaffirm.ReaffirmNotices`'.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.domain import Actor, Signature, Status
from bot.errors import NotSigned, OnCurrentText
from bot.ports import Clock, Store, WriteTx
from bot.reaffirm import only_text_ever
from bot.units import CountChange, UnitRunner

__all__ = ["LAPSE_BATCH", "Lapses"]

#: Signatures one unit of work lapses (or counts again) when ``require_reaffirm`` changes.
LAPSE_BATCH = 500


class Lapses:
    """Which approved signatures count, by the text they stand on (``require_reaffirm``)."""

    def __init__(
        self,
        store: Store,
        write: UnitRunner,
        clock: Clock,
        *,
        version: str,
        required: bool,
        count_changed: CountChange,
    ) -> None:
        self._store = store
        self._write = write
        self._clock = clock
        #: The current text's version, and whether signatures on others lapse.
        self._version = version
        self._required = required
        self._count_changed = count_changed

    def lapsed(self, sig: Signature) -> bool:
        """Whether an approved signature on this text stops counting (``require_reaffirm``,
        and an earlier text than the current one)."""
        return self._required and sig.letter_version != self._version

    async def reaffirm(self, actor: Actor) -> Signature:
        """Move the actor's active signature onto the current text; a lapsed one counts again."""
        identity, version = actor.identity, self._version

        async def unit(tx: WriteTx) -> Signature:
            sig = await tx.latest_signature(identity)
            if sig is None or not sig.status.is_active:
                raise NotSigned()
            if sig.letter_version == version:
                raise OnCurrentText(sig)
            now = self._clock.now()
            moved = await tx.reaffirm(sig, version, now)
            if moved.lapsed:  # it counts again, and is listed again
                moved = moved.evolve(lapsed=False)
                await tx.update_signature(moved)
                await self._count_changed(tx, 1, now)
            return moved

        return await self._write(unit)

    async def settle(self) -> int:
        """Lapse (or un-lapse) in batches; how many signatures changed."""
        version, required, changed, after = self._version, self._required, 0, 0
        if required and await only_text_ever(self._store, version):
            return 0
        if required and not any(
            v != version and n for v, n in await self._store.approved_by_version()
        ):
            return 0  # every approved signature stands on the current text
        while True:
            if required:
                found = await self._store.lapse_candidates(version, after, LAPSE_BATCH)
            else:
                found = await self._store.lapsed_signatures(after, LAPSE_BATCH)
            if not found:
                return changed
            after = found[-1].id
            changed += await self._write(self._lapsing([s.id for s in found]))

    def _lapsing(self, ids: list[int]) -> Callable[[WriteTx], Awaitable[int]]:
        async def unit(tx: WriteTx) -> int:
            now, delta = self._clock.now(), 0
            for sid in ids:
                sig = await tx.get_signature(sid)
                if sig is None or sig.status is not Status.APPROVED:
                    continue
                lapsed = self.lapsed(sig)
                if lapsed != sig.lapsed:  # as read, unless it changed meanwhile
                    await tx.update_signature(sig.evolve(lapsed=lapsed))
                    delta += -1 if lapsed else 1
            if delta:
                await self._count_changed(tx, delta, now)
            return abs(delta)

        return unit
