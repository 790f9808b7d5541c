"""Many signers and moderators at once: exact counts, each milestone written once."""

from __future__ import annotations

import asyncio
from collections import Counter

from bot.domain import OutboxKind, SignatureForm, Status
from bot.service import PledgeService
from tests.conftest import DESTINATIONS, MOD, ServiceFactory, artist


async def test_200_concurrent_signers_and_approvals(make_service: ServiceFactory) -> None:
    service = make_service(thresholds=(10, 50, 100, 150), every=0)
    await service.start()

    async def sign_then_get_approved(n: int) -> None:
        result = await service.sign(artist(n), SignatureForm(f"Artist {n}"), community="c")
        [decision] = await service.approve(MOD, [result.signature.id])
        assert decision.error is None

    await asyncio.gather(*(sign_then_get_approved(n) for n in range(200)))

    assert await service.count() == 200
    names = [s.name for p in range(1, 11) for s in (await service.signatories(p)).signatures]
    assert sorted(names) == sorted(f"Artist {n}" for n in range(200))
    pending = await service.store.pending(1000)
    assert pending == []
    histories = await service.store.histories([artist(n).identity for n in range(200)])
    assert len(histories) == 200 and all(s.status is Status.APPROVED for s in histories)

    rows = [
        (m.milestone, m.platform, m.destination)
        for m in await service.store.outbox_messages()
        if m.kind is OutboxKind.ANNOUNCEMENT
    ]
    per_milestone = Counter(m for m, _, _ in rows)
    assert per_milestone == {m: len(DESTINATIONS.announce) for m in (10, 50, 100, 150)}
    assert len(set(rows)) == len(rows)


async def test_concurrent_double_signing_keeps_one_signature(service: PledgeService) -> None:
    attempts = [
        service.sign(artist(1), SignatureForm(f"Name {i}"), community="c") for i in range(20)
    ]
    results = await asyncio.gather(*attempts, return_exceptions=True)
    assert sum(not isinstance(r, Exception) for r in results) == 1
    assert len(await service.store.histories([artist(1).identity])) == 1


async def test_concurrent_approve_and_withdraw_keep_the_count_exact(
    make_service: ServiceFactory,
) -> None:
    service = make_service()
    ids = [
        (await service.sign(artist(n), SignatureForm(f"A{n}"), community="c")).signature.id
        for n in range(100)
    ]
    await asyncio.gather(
        *(service.approve(MOD, [i]) for i in ids),
        *(service.withdraw(artist(n)) for n in range(0, 100, 3)),
    )
    histories = await service.store.histories([artist(n).identity for n in range(100)])
    approved = sum(s.status is Status.APPROVED for s in histories)
    assert await service.count() == approved
    assert (await service.signatories(1)).listed == approved
