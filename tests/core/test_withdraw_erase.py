"""Withdrawing, and erasing personal details while keeping the counting facts."""

from __future__ import annotations

import sqlite3

from bot.app import default_rules
from bot.domain import SignatureForm, Status
from bot.service import PledgeService
from storage.sqlite import SQLiteStore
from tests.conftest import DESTINATIONS, LETTER, MOD, StepClock, artist

FORM = SignatureForm("Zoë Unique-Name", "drummer", "Lagos", "https://zoe.example")


async def test_withdrawing_an_approved_signature_lowers_the_count(service: PledgeService) -> None:
    sig = (await service.sign(artist(1), FORM, community="c")).signature
    await service.approve(MOD, [sig.id])
    assert await service.count() == 1
    withdrawn = await service.withdraw(artist(1))
    assert withdrawn is not None and withdrawn.status is Status.WITHDRAWN
    assert withdrawn.name == "Zoë Unique-Name"  # kept: no erase asked
    assert await service.count() == 0
    assert (await service.signatories(1)).signatures == ()


async def test_erase_wipes_personal_fields_everywhere(service: PledgeService) -> None:
    first = (await service.sign(artist(1), FORM, community="c")).signature
    await service.reject(MOD, first.id, "typo")
    second = (await service.sign(artist(1), FORM, community="c")).signature
    await service.approve(MOD, [second.id])

    result = await service.withdraw(artist(1), erase=True)
    assert result is not None and result.erased and result.status is Status.WITHDRAWN
    for sig_id in (first.id, second.id):
        sig = await service.store.get_signature(sig_id)
        assert sig is not None and sig.erased
        assert (sig.name, sig.role, sig.location, sig.link) == (None, None, None, None)
    # The counting facts stay: who (the account), when, and the outcome.
    assert [s.status for s in await service.store.histories([artist(1).identity])] == [
        Status.REJECTED,
        Status.WITHDRAWN,
    ]
    assert await service.count() == 0
    erasures = [e for e in await service.audit(MOD) if e.action == "erase"]
    assert sorted(e.signature_id for e in erasures) == [first.id, second.id]
    # The mod-queue posts carried the details too.
    assert all("Unique-Name" not in m.text for m in await service.store.outbox_messages())


async def test_erased_details_are_gone_from_the_sqlite_file(
    sqlite_store: SQLiteStore, db_url: str
) -> None:
    service = PledgeService(sqlite_store, LETTER, default_rules(), DESTINATIONS, StepClock())
    sig = (await service.sign(artist(1), FORM, community="c")).signature
    await service.approve(MOD, [sig.id])
    await service.withdraw(artist(1), erase=True)
    # The text is gone from the database file itself, not just hidden (secure_delete).
    await sqlite_store.close()
    path = db_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw = open(path, "rb").read()
    assert b"Unique-Name" not in raw and b"zoe.example" not in raw


async def test_erase_after_withdrawal(service: PledgeService) -> None:
    await service.sign(artist(1), FORM, community="c")
    await service.withdraw(artist(1))
    assert await service.withdraw(artist(1), erase=True) is None
    [sig] = await service.store.histories([artist(1).identity])
    assert sig.erased and sig.name is None
