"""Abuse limits: sign/withdraw cooldown, new accounts wait for a moderator, surge alarms."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.app import default_rules
from bot.domain import OutboxKind, SignatureForm, Status
from bot.errors import CoolingDown
from bot.milestones import MilestonePolicy
from bot.service import PledgeService
from bot.surge import SurgeMonitor
from bot.texts.signing import status_text
from tests.conftest import DESTINATIONS, LETTER, StepClock, artist


def _service(store: object, **rules: object) -> PledgeService:
    base = {"milestones": MilestonePolicy.of([]), **rules}
    return PledgeService(store, LETTER, default_rules(**base), DESTINATIONS, StepClock())  # type: ignore[arg-type]


async def test_signing_again_right_after_withdrawing_waits(store: object) -> None:
    service = _service(store, cooldown=timedelta(minutes=10))
    await service.sign(artist(1), SignatureForm("A"), community="c")
    await service.withdraw(artist(1))
    with pytest.raises(CoolingDown, match="sign again in 10 minutes"):
        await service.sign(artist(1), SignatureForm("A"), community="c")
    with pytest.raises(CoolingDown):
        await service.check_can_sign(artist(1).identity)
    assert isinstance(service.clock, StepClock)
    service.clock.at += timedelta(minutes=9, seconds=30)
    with pytest.raises(CoolingDown, match="in 1 minute\\."):
        await service.sign(artist(1), SignatureForm("A"), community="c")
    service.clock.at += timedelta(minutes=1)
    again = await service.sign(artist(1), SignatureForm("A"), community="c")
    assert again.signature.status is Status.PENDING


async def test_status_says_when_a_withdrawn_signer_may_sign_again(store: object) -> None:
    """/status and /sign tell the same story during the cooldown."""
    service = _service(store, cooldown=timedelta(minutes=10))
    await service.sign(artist(1), SignatureForm("A"), community="c")
    await service.withdraw(artist(1))
    during = str(status_text(await service.status(artist(1).identity)))
    assert "Status: withdrawn. You can sign again in 10 minutes." in during
    assert "You may sign again" not in during
    assert isinstance(service.clock, StepClock)
    service.clock.at += timedelta(minutes=9, seconds=30)
    assert "in 1 minute." in str(status_text(await service.status(artist(1).identity)))
    service.clock.at += timedelta(minutes=1)
    after = str(status_text(await service.status(artist(1).identity)))
    assert "Status: withdrawn. You may sign again." in after
    await service.sign(artist(1), SignatureForm("A"), community="c")  # and indeed they may


async def test_new_accounts_wait_for_a_moderator_even_with_auto_approval(store: object) -> None:
    service = _service(store, approval="auto", min_account_age=timedelta(days=7))
    now = service.clock.now()
    young = await service.sign(
        artist(1), SignatureForm("New"), community="c", account_created_at=now - timedelta(days=2)
    )
    old = await service.sign(
        artist(2), SignatureForm("Old"), community="c", account_created_at=now - timedelta(days=9)
    )
    unknown = await service.sign(artist(3), SignatureForm("Telegram"), community="t")
    assert young.awaiting_approval and "awaits a moderator" in str(young.message)
    assert not old.awaiting_approval and not unknown.awaiting_approval
    queued = [m.signature_id for m in await service.store.outbox_messages()
              if m.kind is OutboxKind.MOD_QUEUE]  # fmt: skip
    assert queued == [young.signature.id]
    assert await service.count() == 2


def test_surge_monitor() -> None:
    clock = StepClock(step=timedelta(seconds=20))
    monitor = SurgeMonitor(timedelta(minutes=10), share=0.5, minimum=10)
    # A day of signing spread over three servers: nothing unusual.
    for n in range(300):
        assert monitor.record(f"server{n % 3}", clock.now()) is None
    # Then a raid from one of them: alarmed once, not once per signature.
    clock.step = timedelta(seconds=1)
    alarms = [monitor.record("server0", clock.now()) for _ in range(40)]
    found = [a for a in alarms if a is not None]
    assert len(found) == 1
    [surge] = found
    assert surge.community == "server0" and surge.share >= 0.5
    assert 0.3 < surge.usual_share < 0.4


def test_a_one_server_campaign_never_alarms() -> None:
    clock = StepClock(step=timedelta(seconds=1))
    monitor = SurgeMonitor(timedelta(minutes=10), share=0.5, minimum=10)
    assert all(monitor.record("home", clock.now()) is None for _ in range(2000))


def _surges_by_the_rule(
    events: list[tuple[str, datetime]], window: timedelta, share: float, minimum: int
) -> list[tuple[str, int, int, float] | None]:
    """The alarm rule of bot.surge, counted from scratch for every signature: per-minute
    counts over the last day, the window's minutes, at most one alarm per community a window."""
    alarms: list[tuple[str, int, int, float] | None] = []
    seen: list[tuple[datetime, str]] = []
    alarmed: dict[str, datetime] = {}
    for community, at in events:
        minute = at.replace(second=0, microsecond=0)
        seen = [(m, c) for m, c in [*seen, (minute, community)] if m > minute - timedelta(days=1)]
        start = (at - window).replace(second=0, microsecond=0)
        recent = [c for m, c in seen if m >= start]
        count, total = recent.count(community), len(recent)
        before = len(seen) - total
        usual = ([c for _, c in seen].count(community) - count) / before if before else 0.0
        last = alarmed.get(community)
        if (
            count < minimum
            or count < share * total
            or before < minimum
            or count / total < 2 * usual
            or (last is not None and at - last < window)
        ):
            alarms.append(None)
        else:
            alarmed[community] = at
            alarms.append((community, count, total, usual))
    return alarms


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "c"]),
            st.sampled_from([0, 1, 7, 20, 30, 59, 61, 300, 3600, 80_000]),
        ),
        max_size=300,
    ),
    st.sampled_from([timedelta(minutes=10), timedelta(seconds=90)]),
    st.sampled_from([(0.5, 3), (0.0, 1)]),
)
def test_surge_alarms_follow_the_rule_signature_by_signature(
    steps: list[tuple[str, int]], window: timedelta, thresholds: tuple[float, int]
) -> None:
    """However signatures arrive (bursts within a second, gaps of minutes or a day), the
    monitor raises exactly the alarms the rule gives when everything is counted again."""
    at = datetime(2026, 1, 1, tzinfo=UTC)
    events = []
    for community, seconds in steps:
        at += timedelta(seconds=seconds)
        events.append((community, at))
    share, minimum = thresholds
    monitor = SurgeMonitor(window, share=share, minimum=minimum)
    found = [monitor.record(c, when) for c, when in events]
    assert [
        (s.community, s.count, s.total, pytest.approx(s.usual_share)) if s else None for s in found
    ] == _surges_by_the_rule(events, window, share, minimum)


async def test_a_surge_alerts_the_moderators(store: object) -> None:
    service = _service(store, surge_min_signatures=5, surge_window=timedelta(minutes=10))
    assert isinstance(service.clock, StepClock)
    service.clock.step = timedelta(seconds=30)
    for n in range(40):  # the usual: two communities taking turns
        await service.sign(artist(n), SignatureForm(f"A{n}"), community=f"g{n % 2}")
    service.clock.step = timedelta(seconds=1)
    for n in range(100, 130):
        await service.sign(artist(n), SignatureForm(f"R{n}"), community="raiders")
    alerts = [m for m in await service.store.outbox_messages() if m.kind is OutboxKind.ALERT]
    assert [(m.platform, m.destination) for m in alerts] == list(DESTINATIONS.mod_queue)
    assert "came from raiders" in alerts[0].text
