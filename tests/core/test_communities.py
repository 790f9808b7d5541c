"""Which communities bring the signatures (``/communities``), on every store: the figures are
the store's own, the names the platforms' latest, and only moderators read them unless the
campaign makes them public."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest

from bot.communities import RECENT
from bot.domain import Actor, Identity, SignatureForm, Status
from bot.errors import NotModerator
from bot.service import PledgeService
from tests.conftest import MOD, ServiceFactory, StepClock, artist


async def _sign(service: PledgeService, n: int, community: str) -> int:
    signer = Actor(Identity("telegram", str(n)), f"s{n}")
    result = await service.sign(signer, SignatureForm(f"Signer {n}"), community=community)
    return result.signature.id


async def test_the_figures_equal_a_count_from_the_store(service: PledgeService) -> None:
    plan = {"telegram:-1": 7, "discord:5": 4, "console": 2, "telegram:private": 3}
    ids: list[int] = []
    n = 0
    for community, signatures in plan.items():
        for _ in range(signatures):
            n += 1
            ids.append(await _sign(service, n, community))
    await service.approve(MOD, ids[0:5] + ids[7:10] + ids[11:13])
    await service.reject(MOD, ids[5], "spam")
    await service.remove(MOD, ids[1], "impersonation")
    await service.withdraw(Actor(Identity("telegram", "8"), "s8"))  # approved, then withdrawn

    table = await service.communities(actor=MOD)

    signatures = [await service.store.get_signature(i) for i in ids]
    approved = Counter(s.community for s in signatures if s and s.status is Status.APPROVED)
    pending = Counter(s.community for s in signatures if s and s.status is Status.PENDING)
    made = Counter(s.community for s in signatures if s)
    total = await service.store.count()
    assert table.total == total == sum(approved.values())
    assert {r.community: (r.approved, r.pending, r.recent) for r in table.rows} == {
        c: (approved[c], pending[c], made[c]) for c in plan
    }
    assert [r.community for r in table.rows] == sorted(
        plan, key=lambda c: (-approved[c], -pending[c], -made[c], c)
    )
    for row in table.rows:
        assert row.share == pytest.approx(approved[row.community] / total)


async def test_recent_counts_only_the_last_day(make_service: ServiceFactory) -> None:
    service = make_service()
    clock = service.clock
    assert isinstance(clock, StepClock)
    await _sign(service, 1, "telegram:-1")
    clock.at += RECENT + timedelta(minutes=1)
    await _sign(service, 2, "telegram:-1")

    [row] = (await service.communities(actor=MOD)).rows

    assert (row.pending, row.recent) == (2, 1)


async def test_the_top_twenty_most_approved(service: PledgeService) -> None:
    ids = [await _sign(service, n, f"telegram:-{n}") for n in range(1, 26)]
    await service.approve(MOD, ids[20:])  # the last five lead

    table = await service.communities(actor=MOD)

    assert len(table.rows) == 20
    assert [r.community for r in table.rows[:5]] == [f"telegram:-{n}" for n in range(21, 26)]
    assert table.total == 5


async def test_names_are_inert_and_follow_renames(service: PledgeService) -> None:
    await _sign(service, 1, "discord:5")
    await service.community_seen("discord:5", "Night\u200b Owls @everyone\n")
    [row] = (await service.communities(actor=MOD)).rows
    assert row.name == "Night Owls \uff20everyone"

    await service.community_seen("discord:5", "Early Birds")
    await service.community_seen("discord:5", "")  # no name given: the last one stays
    [row] = (await service.communities(actor=MOD)).rows
    assert row.name == "Early Birds"


async def test_only_moderators_unless_it_is_public(make_service: ServiceFactory) -> None:
    private = make_service()
    with pytest.raises(NotModerator):
        await private.communities(actor=artist(1))
    with pytest.raises(NotModerator):
        await private.communities()  # the public page asks only when it is public

    public = make_service(public_communities=True)
    await _sign(public, 1, "console")
    assert [r.community for r in (await public.communities(actor=artist(1))).rows] == ["console"]
    assert (await public.communities()).rows[0].pending == 1
