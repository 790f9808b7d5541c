"""Live letter posts in the core: who may post, merged edits, the exact count after a burst,
withdrawals and removals, lost posts told once, and stopping a post."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from bot.domain import LivePost, OutboxKind, OutboxMessage, OutboxStatus, SignatureForm
from bot.errors import NoSuchLivePost, NotModerator, TooManyLivePosts
from bot.i18n import translator
from bot.limits import LIVE_POSTS_MAX
from bot.liveposts import post_of
from bot.outbox import OutboxDispatcher
from bot.service import PledgeService
from tests.conftest import DESTINATIONS, MOD, ServiceFactory, StepClock, artist

INTERVAL = timedelta(seconds=2)


class LiveSender:
    """What an adapter's sender does with a live edit: draw the post as it is *now*."""

    def __init__(self, service: PledgeService, platform: str = "discord") -> None:
        self.service = service
        self.platform = platform
        self.shown: dict[int, list[int]] = {}
        self.other: list[OutboxMessage] = []

    async def deliver(self, message: OutboxMessage) -> str | None:
        if message.kind is not OutboxKind.LIVE_EDIT:
            self.other.append(message)
            return None
        post_id = post_of(message.destination)
        assert post_id is not None
        view = await self.service.live.view(post_id)
        if view is not None:
            self.shown.setdefault(post_id, []).append(view.count)
        return None


def _service(make_service: ServiceFactory) -> PledgeService:
    return make_service(approval="manual", thresholds=(), live_edit_interval=INTERVAL)


async def _post(service: PledgeService, chat: str = "100", platform: str = "discord") -> LivePost:
    view = await service.live.prepare(MOD, platform, chat)
    post, _ = await service.live.post(
        MOD, platform=platform, chat=chat, message="55", community=f"{platform}:1", shown=view
    )
    return post


async def _signed(service: PledgeService, n: int, start: int = 0) -> list[int]:
    ids = []
    for i in range(start, start + n):
        sig = await service.sign(artist(i), SignatureForm(f"Artist {i}"), community="c")
        ids.append(sig.signature.id)
    return ids


async def _deliver(service: PledgeService, sender: LiveSender) -> None:
    await OutboxDispatcher(service.store, [sender], service.clock).drain()


def _later(service: PledgeService, by: timedelta) -> None:
    clock = service.clock
    assert isinstance(clock, StepClock)
    clock.at += by


async def _waiting_edits(service: PledgeService) -> list[OutboxMessage]:
    return [
        m
        for m in await service.store.outbox_messages()
        if m.kind is OutboxKind.LIVE_EDIT and m.status is OutboxStatus.PENDING
    ]


async def test_only_moderators_post_list_and_stop(make_service: ServiceFactory) -> None:
    service = _service(make_service)
    post = await _post(service)
    member = artist("member")
    with pytest.raises(NotModerator):
        await service.live.prepare(member, "discord", "100")
    with pytest.raises(NotModerator):
        await service.live.listing(member)
    with pytest.raises(NotModerator):
        await service.live.stop(member, post.id)
    assert [p.id for p in await service.live.listing(MOD)] == [post.id]


async def test_a_burst_costs_few_edits_and_ends_exact(make_service: ServiceFactory) -> None:
    """300 approvals over 10 s, delivering as the dispatcher would: at most 2 + 10 / interval
    edits, and the last shows the exact count."""
    service = _service(make_service)
    post = await _post(service)
    ids = await _signed(service, 300)
    sender = LiveSender(service)
    for sid in ids:
        await service.approve(MOD, [sid])
        _later(service, timedelta(milliseconds=33))  # 300 approvals in about 10 s
        await _deliver(service, sender)
    _later(service, INTERVAL)
    await _deliver(service, sender)

    shown = sender.shown[post.id]
    assert len(shown) <= 2 + 10 / INTERVAL.total_seconds()
    assert shown[-1] == await service.store.count() == 300
    assert await _waiting_edits(service) == []


async def test_edits_waiting_are_merged(make_service: ServiceFactory) -> None:
    service = _service(make_service)
    post = await _post(service)
    ids = await _signed(service, 5)
    for sid in ids:
        await service.approve(MOD, [sid])
    [edit] = await _waiting_edits(service)
    assert edit.destination == f"live:{post.id}"


async def test_withdrawals_and_removals_update_posts(make_service: ServiceFactory) -> None:
    service = _service(make_service)
    post = await _post(service)
    ids = await _signed(service, 3)
    await service.approve(MOD, ids)
    sender = LiveSender(service)
    _later(service, INTERVAL)
    await _deliver(service, sender)
    assert sender.shown[post.id] == [3]

    await service.withdraw(artist(0))
    _later(service, INTERVAL)
    await _deliver(service, sender)
    await service.remove(MOD, ids[1], "spam")
    _later(service, INTERVAL)
    await _deliver(service, sender)

    assert sender.shown[post.id] == [3, 2, 1]


async def test_a_lost_post_is_dropped_and_told_once(make_service: ServiceFactory) -> None:
    service = _service(make_service)
    post = await _post(service)
    await service.live.lost(post.id, "404 Unknown Message")
    await service.live.lost(post.id, "404 Unknown Message")

    alerts = [m for m in await service.store.outbox_messages() if m.kind is OutboxKind.ALERT]
    assert len(alerts) == 1
    assert f"#{post.id}" in alerts[0].text
    assert await service.live.view(post.id) is None
    assert await service.live.listing(MOD) == []
    await service.approve(MOD, await _signed(service, 1))
    assert await _waiting_edits(service) == []  # a dropped post is owed nothing


async def test_a_chat_the_bot_left_drops_its_posts_at_once(make_service: ServiceFactory) -> None:
    service = _service(make_service)
    gone = await _post(service, chat="100")
    kept = await _post(service, chat="200")
    other_platform = await _post(service, chat="100", platform="telegram")

    dropped = await service.live.chat_gone("discord", "100")
    again = await service.live.chat_gone("discord", "100")  # a repeated event

    assert [p.id for p in dropped] == [gone.id] and again == []
    stored = await service.store.live_post(gone.id)
    assert stored is not None and (stored.status, stored.end_reason) == ("lost", "chat-gone")
    alerts = [m for m in await service.store.outbox_messages() if m.kind is OutboxKind.ALERT]
    assert [(m.platform, m.destination) for m in alerts] == [("console", "mod-queue")]
    assert alerts[0].text.startswith(f"Live letter post #{gone.id} (Discord,")
    assert [p.id for p in await service.live.listing(MOD)] == [kept.id, other_platform.id]
    await service.approve(MOD, await _signed(service, 1))
    assert {post_of(m.destination) for m in await _waiting_edits(service)} == {
        kept.id,
        other_platform.id,
    }


async def test_a_chat_gone_that_is_the_mod_queue_is_not_told_there(
    make_service: ServiceFactory,
) -> None:
    service = _service(make_service)
    await _post(service, chat="mod-queue", platform="console")
    await service.live.chat_gone("console", "mod-queue")
    alerts = [m for m in await service.store.outbox_messages() if m.kind is OutboxKind.ALERT]
    assert alerts == []  # the only moderators' place is the one gone; the log still says it


async def test_a_community_gone_drops_every_post_in_it(make_service: ServiceFactory) -> None:
    service = _service(make_service)
    first = await _post(service, chat="100")
    second = await _post(service, chat="200")
    elsewhere = await _post(service, chat="100", platform="telegram")  # community telegram:1

    dropped = await service.live.community_gone("discord:1")

    assert [p.id for p in dropped] == [first.id, second.id]
    alerts = [m for m in await service.store.outbox_messages() if m.kind is OutboxKind.ALERT]
    assert len(alerts) == 2
    assert [p.id for p in await service.live.listing(MOD)] == [elsewhere.id]


async def test_a_post_speaks_its_chats_language_and_alerts_the_moderators_place(
    make_service: ServiceFactory,
) -> None:
    """``[i18n] channel_languages`` for the post's chat and the moderators' place; the default
    language elsewhere. A post follows its chat's language when the configuration changes."""
    languages = {("discord", "100"): "es", ("console", "mod-queue"): "fr"}
    spanish = replace(DESTINATIONS, languages=languages)
    service = make_service(thresholds=(), live_edit_interval=INTERVAL, destinations=spanish)
    assert (await service.live.prepare(MOD, "discord", "100")).language == "es"
    assert (await service.live.prepare(MOD, "discord", "200")).language == "en"
    post = await _post(service, chat="100")
    assert post.language == "es"
    view = await service.live.view(post.id)
    assert view is not None and view.language == "es"
    said = translator(view.language).render(view.count_line)
    assert said == "0 artistas han firmado hasta ahora."

    await service.live.chat_gone("discord", "100")
    [alert] = [m for m in await service.store.outbox_messages() if m.kind is OutboxKind.ALERT]
    assert alert.text.startswith(f"La publication en direct de la lettre #{post.id}")


async def test_a_stopped_post_is_not_drawn_again(make_service: ServiceFactory) -> None:
    service = _service(make_service)
    post = await _post(service)
    await service.approve(MOD, await _signed(service, 1))
    assert await _waiting_edits(service)

    stopped = await service.live.stop(MOD, post.id)
    assert stopped.id == post.id
    with pytest.raises(NoSuchLivePost):
        await service.live.stop(MOD, post.id)
    sender = LiveSender(service)
    _later(service, INTERVAL)
    await _deliver(service, sender)
    assert sender.shown == {}  # the edit owed before the stop draws nothing


async def test_a_new_post_replaces_the_one_in_its_chat(make_service: ServiceFactory) -> None:
    service = _service(make_service)
    first = await _post(service, chat="100")
    other = await _post(service, chat="200")
    view = await service.live.prepare(MOD, "discord", "100")
    second, replaced = await service.live.post(
        MOD, platform="discord", chat="100", message="56", community="discord:1", shown=view
    )
    assert [p.id for p in replaced] == [first.id]
    assert [p.id for p in await service.live.listing(MOD)] == [other.id, second.id]


async def test_posts_are_limited(make_service: ServiceFactory) -> None:
    service = _service(make_service)
    for chat in range(LIVE_POSTS_MAX):
        await _post(service, chat=str(chat))
    with pytest.raises(TooManyLivePosts):
        await service.live.prepare(MOD, "discord", "100")


async def test_approvals_while_posting_are_caught_up(make_service: ServiceFactory) -> None:
    service = _service(make_service)
    view = await service.live.prepare(MOD, "discord", "1")
    await service.approve(MOD, await _signed(service, 2))  # meanwhile, before it is registered
    post, _ = await service.live.post(
        MOD, platform="discord", chat="1", message="2", community="discord:1", shown=view
    )
    [edit] = await _waiting_edits(service)
    assert edit.destination == f"live:{post.id}"


async def test_telegram_edits_keep_to_its_flood_limit(make_service: ServiceFactory) -> None:
    service = make_service(live_edit_interval=timedelta(seconds=1))
    post = await _post(service, chat="-100", platform="telegram")
    await service.approve(MOD, await _signed(service, 1))
    due = await service.store.next_outbox_due(["telegram"])
    assert due is not None
    assert due - post.posted_at >= timedelta(seconds=3)  # about 20 messages a minute per group
