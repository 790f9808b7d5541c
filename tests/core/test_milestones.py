"""Milestones: crossing arithmetic, and exactly-once announcements through the outbox."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from bot.domain import OutboxKind, SignatureForm
from bot.milestones import MilestonePolicy
from bot.service import PledgeService
from tests.conftest import DESTINATIONS, MOD, ServiceFactory, artist


def test_crossed_thresholds_and_every() -> None:
    policy = MilestonePolicy.of([10, 50, 100], every=100)
    assert policy.crossed(9, 10) == [10]
    assert policy.crossed(10, 11) == []
    assert policy.crossed(8, 60) == [10, 50]
    assert policy.crossed(99, 300) == [100, 200, 300]
    assert policy.crossed(10, 9) == []
    assert policy.next_after(0) == 10
    assert policy.next_after(100) == 200
    assert MilestonePolicy.of([10], every=0).next_after(10) is None
    assert MilestonePolicy.of([], every=25).crossed(0, 60) == [25, 50]
    # Counting in ones, the goal after 99 names is the 100th: the next milestone exists however
    # far the count has gone.
    assert MilestonePolicy.of([], every=1).next_after(99) == 100
    assert MilestonePolicy.of([5], every=10).next_after(10_000) == 10_005


@given(
    thresholds=st.lists(st.integers(1, 500), max_size=6),
    every=st.integers(0, 60),
    old=st.integers(0, 700),
    delta=st.integers(0, 200),
)
# The oracle once listed only the first 99 multiples of `every`, so it saw no next milestone
# after 99 when counting in ones; the policy (100) was right.
@example(thresholds=[], every=1, old=99, delta=0)
def test_crossed_matches_a_brute_force_definition(
    thresholds: list[int], every: int, old: int, delta: int
) -> None:
    policy = MilestonePolicy.of(thresholds, every)
    base = max(policy.thresholds, default=0)
    milestones = set(policy.thresholds)
    if every:
        milestones |= set(range(base + every, old + delta + 1, every))
    expected = sorted(m for m in milestones if old < m <= old + delta)
    assert policy.crossed(old, old + delta) == expected
    nxt = policy.next_after(old)
    # Every milestone up to one step past `old`: the next one, if any, is among them.
    upcoming = set(range(base + every, max(base, old) + every + 1, every)) if every else set()
    later = sorted(m for m in milestones | upcoming if m > old)
    assert nxt == (later[0] if later else None)


async def _announcements(service: PledgeService) -> list[tuple[int | None, str, str]]:
    return [
        (m.milestone, m.platform, m.destination)
        for m in await service.store.outbox_messages()
        if m.kind is OutboxKind.ANNOUNCEMENT
    ]


async def _sign_and_approve(service: PledgeService, users: range) -> None:
    ids = [
        (await service.sign(artist(n), SignatureForm(f"A{n}"), community="c")).signature.id
        for n in users
    ]
    for sig_id in ids:
        await service.approve(MOD, [sig_id])


async def test_crossing_a_milestone_announces_it_to_every_destination(
    service: PledgeService,
) -> None:
    await _sign_and_approve(service, range(9))
    assert await _announcements(service) == []
    await _sign_and_approve(service, range(9, 10))
    expected = [(10, p, d) for p, d in DESTINATIONS.announce]
    assert await _announcements(service) == expected
    [text] = {m.text for m in await service.store.outbox_messages() if m.milestone == 10}
    assert text == "10 artists have signed “No Music For ICE”."
    await _sign_and_approve(service, range(10, 12))
    assert await _announcements(service) == expected


async def test_several_crossed_at_once_announce_only_the_highest(
    make_service: ServiceFactory,
) -> None:
    service = make_service(thresholds=(3, 5, 8))
    ids = [
        (await service.sign(artist(n), SignatureForm(f"A{n}"), community="c")).signature.id
        for n in range(9)
    ]
    await service.approve(MOD, ids)  # one unit: 0 → 9 crosses 3, 5 and 8
    assert {m for m, _, _ in await _announcements(service)} == {8}
    assert await service.store.reached_milestones() == [3, 5, 8]


async def test_drop_and_rise_again_announces_nothing_new(service: PledgeService) -> None:
    await _sign_and_approve(service, range(10))
    before = await _announcements(service)
    await service.withdraw(artist(0))
    assert await service.count() == 9
    await _sign_and_approve(service, range(100, 101))
    assert await service.count() == 10
    assert await _announcements(service) == before


async def test_auto_approval_crosses_milestones_too(make_service: ServiceFactory) -> None:
    service = make_service(approval="auto", thresholds=(2,))
    await service.sign(artist(1), SignatureForm("A"), community="c")
    await service.sign(artist(2), SignatureForm("B"), community="c")
    assert {m for m, _, _ in await _announcements(service)} == {2}


async def test_letter_overview_shows_the_next_milestone(service: PledgeService) -> None:
    await _sign_and_approve(service, range(10))
    view = await service.overview()
    assert (view.count, view.next_milestone) == (10, 50)
