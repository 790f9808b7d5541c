"""Abuse limits: sign/withdraw cooldown, new accounts wait for a moderator, surge alarms."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.app import default_rules
from bot.domain import OutboxKind, SignatureForm, Status
from bot.errors import CoolingDown
from bot.milestones import MilestonePolicy
from bot.service import PledgeService
from bot.surge import SurgeMonitor
from bot.texts import status_text
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
    during = status_text(await service.status(artist(1).identity))
    assert "Status: withdrawn. You can sign again in 10 minutes." in during
    assert "You may sign again" not in during
    assert isinstance(service.clock, StepClock)
    service.clock.at += timedelta(minutes=9, seconds=30)
    assert "in 1 minute." in status_text(await service.status(artist(1).identity))
    service.clock.at += timedelta(minutes=1)
    after = status_text(await service.status(artist(1).identity))
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
    assert young.awaiting_approval and "awaits a moderator" in young.message
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
