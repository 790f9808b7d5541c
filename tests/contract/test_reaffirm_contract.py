"""The store's side of reaffirming a changed letter: signers told once, reaffirmations kept as
history, and approved signatures counted per letter version."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

from bot.domain import Reaffirmation, Signature, Status
from bot.ports import Store, WriteTx
from tests.contract.test_store_contract import T0, insert, new_sig, set_status

OLD, NEW = "aaaaaaaaaaaa", "bbbbbbbbbbbb"


async def _tell(store: Store, version: str, after: int = 0, limit: int = 10) -> list[int]:
    """Read the next batch owed a notice, then mark it told: the ids this unit told."""
    found = [s.id for s in await store.stale_signers(version, after, limit)]

    async def unit(tx: WriteTx) -> list[int]:
        return await tx.mark_told(version, found)

    return sorted(await store.write(unit))


async def _reaffirm(store: Store, sig: Signature, version: str, minutes: int = 0) -> Signature:
    async def unit(tx: WriteTx) -> Signature:
        return await tx.reaffirm(sig, version, T0 + timedelta(minutes=minutes))

    return await store.write(unit)


async def test_earlier_active_signers_are_told_once(any_store: Store) -> None:
    old = [replace(new_sig(str(n)), letter_version=OLD) for n in range(1, 6)]
    sigs = await insert(any_store, *old, replace(new_sig("6"), letter_version=NEW))
    await set_status(any_store, sigs[1], Status.APPROVED)
    await set_status(any_store, sigs[2], Status.WITHDRAWN)  # not active: never told
    await set_status(any_store, sigs[3], Status.REJECTED)

    assert await _tell(any_store, NEW, limit=1) == [sigs[0].id]
    assert await _tell(any_store, NEW, after=sigs[0].id) == [sigs[1].id, sigs[4].id]
    assert await _tell(any_store, NEW) == []  # told already, from the start again
    assert await _tell(any_store, "cccccccccccc") == [
        s.id for s in (sigs[0], sigs[1], sigs[4], sigs[5])
    ]


async def test_two_writers_tell_each_signer_once(any_store: Store) -> None:
    await insert(any_store, *(replace(new_sig(str(n)), letter_version=OLD) for n in range(40)))
    batch = [s.id for s in await any_store.stale_signers(NEW, 0, 40)]

    async def mark(tx: WriteTx) -> list[int]:
        return await tx.mark_told(NEW, batch)

    told = await asyncio.gather(*(any_store.write(mark) for _ in range(4)))
    everyone = [sid for marked in told for sid in marked]
    assert sorted(everyone) == batch  # each once, whichever unit got there first


async def test_one_who_changed_since_the_read_is_not_told(any_store: Store) -> None:
    sigs = await insert(
        any_store, *(replace(new_sig(str(n)), letter_version=OLD) for n in (1, 2, 3))
    )
    batch = [s.id for s in await any_store.stale_signers(NEW, 0, 10)]
    await _reaffirm(any_store, sigs[0], NEW)  # reaffirmed meanwhile
    await set_status(any_store, sigs[1], Status.WITHDRAWN)  # withdrew meanwhile

    async def mark(tx: WriteTx) -> list[int]:
        return await tx.mark_told(NEW, batch)

    assert await any_store.write(mark) == [sigs[2].id]


async def test_a_reaffirmation_moves_the_signature_and_keeps_history(any_store: Store) -> None:
    [sig] = await insert(any_store, replace(new_sig("1"), letter_version=OLD))
    moved = await _reaffirm(any_store, sig, NEW, minutes=5)
    assert moved.letter_version == NEW
    stored = await any_store.get_signature(sig.id)
    assert stored is not None and stored.letter_version == NEW
    await _reaffirm(any_store, moved, "cccccccccccc", minutes=9)
    assert await any_store.reaffirmations(sig.id) == [
        Reaffirmation(sig.id, NEW, OLD, T0 + timedelta(minutes=5)),
        Reaffirmation(sig.id, "cccccccccccc", NEW, T0 + timedelta(minutes=9)),
    ]
    assert await any_store.reaffirmations(sig.id + 1) == []
    # A reaffirmed signer is on the new text: not told about it.
    assert await _tell(any_store, "cccccccccccc") == []


async def test_approved_signatures_per_version(any_store: Store) -> None:
    sigs = await insert(
        any_store,
        replace(new_sig("1", status=Status.APPROVED), letter_version=OLD),
        replace(new_sig("2", status=Status.APPROVED), letter_version=OLD),
        replace(new_sig("3", status=Status.APPROVED), letter_version=NEW),
        replace(new_sig("4", status=Status.PENDING), letter_version=NEW),
    )
    await _reaffirm(any_store, sigs[0], NEW)
    assert sorted(await any_store.approved_by_version()) == [(OLD, 1), (NEW, 2)]

    async def record(tx: WriteTx) -> None:
        await tx.record_letter_version(OLD, "old text", T0)
        await tx.record_letter_version(NEW, "new text", T0 + timedelta(days=1))

    await any_store.write(record)
    assert await any_store.letter_versions() == [(OLD, T0), (NEW, T0 + timedelta(days=1))]


async def test_a_lapsed_signature_is_kept_unlisted_and_found(any_store: Store) -> None:
    sigs = await insert(
        any_store,
        replace(new_sig("1", status=Status.APPROVED), letter_version=OLD),
        replace(new_sig("2", status=Status.APPROVED), letter_version=OLD),
        replace(new_sig("3", status=Status.APPROVED), letter_version=NEW),
    )
    assert await any_store.listed_count() == 3
    assert [s.id for s in await any_store.lapse_candidates(NEW, 0, 10)] == [sigs[0].id, sigs[1].id]

    async def lapse(tx: WriteTx) -> None:
        await tx.update_signature(sigs[0].evolve(lapsed=True))

    await any_store.write(lapse)
    stored = await any_store.get_signature(sigs[0].id)
    assert stored is not None and stored.lapsed and not stored.listed and not stored.counted
    assert await any_store.listed_count() == 2
    assert [s.id for s in await any_store.lapsed_signatures(0, 10)] == [sigs[0].id]
    assert [s.id for s in await any_store.lapse_candidates(NEW, 0, 10)] == [sigs[1].id]
    assert [s.id for s in await any_store.listed_page(0, 10)] == [sigs[1].id, sigs[2].id]
