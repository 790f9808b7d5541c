"""The store's side of live letter posts: kept, ended once, and one waiting edit per post."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.domain import LivePost, LivePostStatus, NewLivePost, OutboxKind, OutboxStatus
from bot.ports import LiveEditOwed, Store, WriteTx
from tests.contract.test_store_contract import T0


def new_post(chat: str = "100", *, platform: str = "discord", message: str = "9") -> NewLivePost:
    return NewLivePost(platform, chat, message, f"{platform}:1", "es", "discord:42", T0)


async def add(store: Store, post: NewLivePost) -> LivePost:
    async def unit(tx: WriteTx) -> LivePost:
        return await tx.add_live_post(post)

    return await store.write(unit)


async def owed(store: Store) -> list[LiveEditOwed]:
    async def unit(tx: WriteTx) -> list[LiveEditOwed]:
        return await tx.live_edits_owed()

    return await store.write(unit)


async def schedule(store: Store, *edits: LiveEditOwed) -> None:
    async def unit(tx: WriteTx) -> None:
        await tx.schedule_live_edits(edits, T0)

    await store.write(unit)


async def test_a_post_is_kept_with_its_community_name(any_store: Store) -> None:
    async def name(tx: WriteTx) -> None:
        await tx.name_community("discord:1", "Night Owls", T0)

    await any_store.write(name)
    post = await add(any_store, new_post())

    assert post.status is LivePostStatus.LIVE
    assert (post.platform, post.chat, post.message, post.language) == ("discord", "100", "9", "es")
    assert post.posted_at == T0
    [listed] = await any_store.live_posts()
    assert listed.id == post.id
    assert listed.community_name == "Night Owls"
    assert await any_store.live_post(post.id) == listed
    assert await any_store.live_post(post.id + 1000) is None


async def test_a_post_ends_once(any_store: Store) -> None:
    post = await add(any_store, new_post())

    async def end(tx: WriteTx) -> LivePost | None:
        return await tx.end_live_post(post.id, LivePostStatus.LOST, T0, "Unknown Message")

    first = await any_store.write(end)
    second = await any_store.write(end)

    assert first is not None and first.status is LivePostStatus.LOST
    assert second is None  # whoever ended it first has told the moderators
    assert await any_store.live_posts() == []
    stored = await any_store.live_post(post.id)
    assert stored is not None
    assert (stored.status, stored.end_reason, stored.ended_at) == (
        LivePostStatus.LOST,
        "Unknown Message",
        T0,
    )


async def test_a_new_post_in_a_chat_replaces_the_old(any_store: Store) -> None:
    old = await add(any_store, new_post("100"))
    other = await add(any_store, new_post("200"))

    async def replace(tx: WriteTx) -> tuple[list[LivePost], LivePost]:
        ended = await tx.end_live_posts_in("discord", "100", T0, "replaced")
        return ended, await tx.add_live_post(new_post("100", message="10"))

    ended, new = await any_store.write(replace)

    assert [p.id for p in ended] == [old.id]
    assert [p.id for p in await any_store.live_posts()] == [other.id, new.id]


async def test_one_edit_waits_per_post(any_store: Store) -> None:
    a = await add(any_store, new_post("100"))
    b = await add(any_store, new_post("7", platform="telegram"))
    assert await owed(any_store) == [(a.id, "discord", T0), (b.id, "telegram", T0)]

    later = T0 + timedelta(seconds=10)
    await schedule(any_store, (a.id, "discord", later))

    assert await owed(any_store) == [(b.id, "telegram", T0)]
    [edit] = [m for m in await any_store.outbox_messages() if m.kind is OutboxKind.LIVE_EDIT]
    assert (edit.platform, edit.destination, edit.status) == ("discord", f"live:{a.id}", "pending")
    # Not due before its time: nothing to claim now, and the dispatcher knows when.
    assert await any_store.claim_outbox(["discord"], T0, T0 + timedelta(minutes=1), 10) == []
    assert await any_store.next_outbox_due(["discord"]) == later

    # Once it is on its way, the post is owed an edit again, due after the one in flight.
    [claimed] = await any_store.claim_outbox(["discord"], later, later + timedelta(minutes=1), 10)
    assert claimed.id == edit.id
    assert (a.id, "discord", later) in await owed(any_store)
    await any_store.outbox_delivered(claimed.id, later, None)
    assert (a.id, "discord", later) in await owed(any_store)


async def test_an_ended_post_is_owed_nothing(any_store: Store) -> None:
    post = await add(any_store, new_post())

    async def stop(tx: WriteTx) -> None:
        await tx.end_live_post(post.id, LivePostStatus.STOPPED, T0, "stopped")

    await any_store.write(stop)
    assert await owed(any_store) == []


async def test_concurrent_count_changes_owe_one_edit(any_store: Store) -> None:
    """Units changing the count at once (one group, or several writer connections) look for a
    waiting edit from their count listeners, as the service does, and agree: one edit."""
    post = await add(any_store, new_post())

    async def listener(tx: WriteTx, old: int, new: int) -> None:
        await tx.schedule_live_edits(await tx.live_edits_owed(), T0)

    async def approve_one(tx: WriteTx) -> None:
        await tx.add_to_count(1, listener)

    await asyncio.gather(*(any_store.write(approve_one) for _ in range(20)))

    waiting = [
        m
        for m in await any_store.outbox_messages()
        if m.kind is OutboxKind.LIVE_EDIT and m.status is OutboxStatus.PENDING
    ]
    assert [m.destination for m in waiting] == [f"live:{post.id}"]


async def test_owed_edits_follow_the_posts_a_transaction_adds_schedules_and_ends(
    any_store: Store,
) -> None:
    """A store may keep the answer between the asks of one transaction (every count change
    asks); what that transaction itself does to the posts still shows in the next answer."""
    first = await add(any_store, new_post("100"))

    async def unit(tx: WriteTx) -> tuple[int, list[list[int]]]:
        async def owed_now() -> list[int]:
            return [post_id for post_id, _, _ in await tx.live_edits_owed()]

        seen = [await owed_now()]
        await tx.schedule_live_edits(await tx.live_edits_owed(), T0)
        seen.append(await owed_now())
        second = await tx.add_live_post(new_post("200"))
        seen.append(await owed_now())
        await tx.end_live_post(second.id, LivePostStatus.STOPPED, T0, "stopped")
        seen.append(await owed_now())
        return second.id, seen

    second_id, seen = await any_store.write(unit)

    assert seen == [[first.id], [], [second_id], []]
