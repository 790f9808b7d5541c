"""Live letter posts on Discord, against the fake Discord with the real discord.py: posting,
merged edits through a burst, a 429 waited out, a deleted post dropped and told once, a
restart that keeps editing the same message, and hostile server names shown inert."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from bot.app import default_rules
from bot.domain import (
    Actor,
    Identity,
    LivePostStatus,
    OutboxKind,
    OutboxMessage,
    SignatureForm,
)
from bot.milestones import MilestonePolicy
from bot.service import PledgeService, SystemClock
from storage.sqlite import SQLiteStore
from tests.adapters.discord.conftest import (
    CONSOLE_MOD,
    Bot,
    BotFactory,
    Server,
    destinations,
    settings_for,
)
from tests.conftest import LETTER
from tests.fakes.fake_discord import CallbackType, FakeChannel, FaultResponse, StoredMessage

INTERVAL = 2.0  # seconds between two edits of one post (the configuration's, shortened)
REFUSED = "Only moderators can do that."
SPREAD = 0.3  # seconds between two bursts of 50 approvals: 1,000 in about 6 s
HOSTILE = "**Loud** @everyone <@1> [x](https://evil.example) `code`"


@pytest.fixture
async def service(store: SQLiteStore, server: Server) -> PledgeService:
    """The real clock: edits are due seconds apart, and the dispatcher sleeps until then."""
    rules = default_rules(
        milestones=MilestonePolicy.of((), 0),
        cooldown=timedelta(0),
        surge_min_signatures=0,
        rate_limits=None,
        live_edit_interval=timedelta(seconds=INTERVAL),
    )
    # [i18n] channel_languages: the "artists" channel speaks Spanish; the rest, the default.
    spanish = {("discord", str(server.announce[1].id)): "es"}
    where = replace(destinations(server), languages=spanish)
    svc = PledgeService(store, LETTER, rules, where, SystemClock())
    await svc.start()
    return svc


@contextlib.asynccontextmanager
async def delivering(bot: Bot) -> AsyncIterator[None]:
    """The outbox dispatcher running as in ``pledgebot run`` (woken by each unit that owes a
    message), for as long as the block lasts."""
    bot.service.on_outbox(bot.dispatcher.notify)
    task = asyncio.create_task(bot.dispatcher.run())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def post_letter(
    bot: Bot, server: Server, channel: FakeChannel | None = None, **options: Any
) -> tuple[StoredMessage, str]:
    """``/post-letter`` by the moderator: the posted message, and the moderator's answer."""
    where = channel or server.general
    since = server.fake.message_log.mark()
    callback = await bot.command("post-letter", server.moderator, where, **options)
    posted = await server.fake.wait_for_message(
        lambda m: bool(m.embeds) and m.embeds[0].get("title") == LETTER.title, since=since
    )
    return posted, callback.content or ""


def edits(server: Server, message: StoredMessage) -> list[Any]:
    """Edits of the post Discord accepted (a 429 is recorded as faulted)."""
    path = f"/channels/{message.channel_id}/messages/{message.id}"
    return [r for r in server.fake.requests_to("PATCH", path) if not r.faulted]


def count_shown(message: StoredMessage) -> str:
    [embed] = message.embeds
    return str(embed["fields"][0]["value"])


async def shows(message: StoredMessage, text: str) -> None:
    """Until the post shows ``text`` (the outbox edits it when the interval allows)."""
    async with asyncio.timeout(30):
        while text not in count_shown(message):
            await asyncio.sleep(0.05)


async def signed(service: PledgeService, n: int, start: int = 0) -> list[int]:
    """``n`` pending signatures from console users, made in parallel (group commits)."""

    async def one(i: int) -> int:
        signer = Actor(Identity("console", f"s{i}"), f"s{i}")
        result = await service.sign(signer, SignatureForm(f"Signer {i}"), community="console")
        return result.signature.id

    ids: list[int] = []
    for chunk in range(start, start + n, 100):
        ids += await asyncio.gather(*(one(i) for i in range(chunk, min(chunk + 100, start + n))))
    return ids


async def until(condition: Callable[[], bool]) -> None:
    async with asyncio.timeout(30):
        while not condition():
            await asyncio.sleep(0.05)


async def live_edits(bot: Bot) -> list[OutboxMessage]:
    return [m for m in await bot.store.outbox_messages() if m.kind is OutboxKind.LIVE_EDIT]


def alerts_in(server: Server) -> list[StoredMessage]:
    return [
        m
        for m in server.fake.messages_in(server.mod_channel)
        if "can no longer be updated" in m.content
    ]


async def test_a_moderator_posts_the_letter_with_its_count_and_sign_buttons(
    bot: Bot, server: Server
) -> None:
    await bot.service.approve(CONSOLE_MOD, await signed(bot.service, 3))
    posted, answer = await post_letter(bot, server)

    assert answer.startswith("The letter is posted, and its count will keep itself current")
    [embed] = posted.embeds
    assert embed["title"] == LETTER.title
    assert "**1.** Terminate the contracts." in embed["description"]
    assert count_shown(posted) == "**3 artists have signed so far.**"
    assert posted.custom_ids() == ["pledge:sign:named", "pledge:sign:anon"]
    click = await server.fake.click_button(posted, "pledge:sign:named", user=server.drummer)
    assert (await server.fake.wait_for_modal(click)).custom_id == "pledge:sign-form:named"


async def test_members_cannot_post(bot: Bot, server: Server) -> None:
    callback = await bot.command("post-letter", server.artist)
    assert callback.content == REFUSED
    assert (await bot.command("live-posts", server.artist)).content == REFUSED
    assert (await bot.command("unpost", server.artist, post=1)).content == REFUSED
    assert not [m for m in server.fake.messages_in(server.general) if m.embeds]


async def test_the_channel_option_posts_elsewhere(bot: Bot, server: Server) -> None:
    news = server.announce[0]
    option = [{"name": "channel", "type": 7, "value": str(news.id)}]
    resolved = {
        "channels": {
            str(news.id): {
                "id": str(news.id),
                "type": 0,
                "name": news.name,
                "permissions": str((1 << 41) - 1),
                "guild_id": str(server.home.id),
            }
        }
    }
    since = server.fake.message_log.mark()
    ref = await server.fake.send_slash_command(
        "post-letter",
        user=server.moderator,
        channel=server.general,
        options=option,
        resolved=resolved,
    )
    callback = await server.fake.wait_for_callback(ref)
    assert (callback.content or "").startswith("The letter is posted")
    posted = await server.fake.wait_for_message(lambda m: bool(m.embeds), since=since)
    assert posted.channel_id == news.id


async def test_a_burst_of_approvals_costs_few_edits_and_ends_exact(
    bot: Bot, server: Server
) -> None:
    """1,000 approvals: at most 2 + 10 / interval edits of the post, the last one exact."""
    ids = await signed(bot.service, 1000)
    posted, _ = await post_letter(bot, server)
    async with delivering(bot):
        started = time.monotonic()
        for chunk in range(0, len(ids), 50):
            batch = ids[chunk : chunk + 50]
            await asyncio.gather(*(bot.service.approve(CONSOLE_MOD, [i]) for i in batch))
            await asyncio.sleep(SPREAD)  # over several intervals, edits in flight meanwhile
        took = time.monotonic() - started
        await shows(posted, "1,000 artists have signed so far.")

    # The bound holds for approvals spread over 10 s; slower ones earn proportionally more.
    assert len(edits(server, posted)) <= 2 + max(10.0, took) / INTERVAL
    assert await bot.service.store.count() == 1000


async def test_withdrawals_and_removals_update_the_post(bot: Bot, server: Server) -> None:
    ids = await signed(bot.service, 3)
    await bot.service.approve(CONSOLE_MOD, ids)
    posted, _ = await post_letter(bot, server)
    async with delivering(bot):
        await bot.service.withdraw(Actor(Identity("console", "s0"), "s0"))
        await shows(posted, "2 artists")
        await bot.service.remove(CONSOLE_MOD, ids[1], "spam")
        await shows(posted, "1 artist has signed so far.")


async def test_a_rate_limited_edit_is_waited_out_not_multiplied(bot: Bot, server: Server) -> None:
    posted, _ = await post_letter(bot, server)
    path = f"/channels/{posted.channel_id}/messages/{posted.id}"
    server.fake.rate_limit("PATCH", path, retry_after=0.2, times=2)

    await bot.service.approve(CONSOLE_MOD, await signed(bot.service, 4))
    async with delivering(bot):
        await shows(posted, "4 artists")
        async with asyncio.timeout(30):
            while [m.status for m in await live_edits(bot)] != ["delivered"]:
                await asyncio.sleep(0.05)

    assert len(edits(server, posted)) == 1
    assert len([r for r in server.fake.requests_to("PATCH", path) if r.faulted]) == 2


@pytest.mark.parametrize("gone", ["deleted", "forbidden"])
async def test_a_post_that_cannot_be_edited_is_dropped_and_told_once(
    bot: Bot, server: Server, gone: str
) -> None:
    posted, _ = await post_letter(bot, server)
    path = f"/channels/{posted.channel_id}/messages/{posted.id}"
    if gone == "deleted":
        server.fake.delete_message(posted)  # a member of staff deletes it
    else:
        server.fake.inject_fault("PATCH", path, FaultResponse.error(403, 50001, "Missing Access"))

    async with delivering(bot):
        await bot.service.approve(CONSOLE_MOD, await signed(bot.service, 1))
        await until(lambda: bool(alerts_in(server)))
        await bot.service.approve(CONSOLE_MOD, await signed(bot.service, 1, start=1))
    await bot.drain()

    [alert] = alerts_in(server)
    assert [m.status for m in await live_edits(bot)] == [
        "failed"
    ]  # the one tried; nothing owed since
    assert "#1" in alert.content
    assert len(server.fake.requests_to("PATCH", path)) == 1  # tried once, never again
    [post] = [p for p in [await bot.store.live_post(1)] if p is not None]
    assert post.status is LivePostStatus.LOST
    assert (await bot.command("live-posts", server.moderator)).content == (
        "No letter post is live."
    )


async def test_a_restart_keeps_editing_the_same_post(
    bots: BotFactory, server: Server, service: PledgeService
) -> None:
    async with bots() as first:
        posted, _ = await post_letter(first, server)
    await service.approve(CONSOLE_MOD, await signed(service, 2))  # while the bot is down
    async with bots() as second, delivering(second):
        await shows(posted, "2 artists")
    assert len(edits(server, posted)) == 1
    assert len([m for m in server.fake.messages_in(server.general) if m.embeds]) == 1


async def test_moderators_list_and_stop_posts(bot: Bot, server: Server) -> None:
    posted, _ = await post_letter(bot, server)
    listed = await bot.command("live-posts", server.moderator)
    assert listed.ephemeral
    lines = (listed.content or "").splitlines()
    assert lines[0] == "**Live letter posts:**"
    assert lines[1].startswith(f"\\#1 on Discord, in <#{server.general.id}> (No Music For ICE HQ)")

    stopped = await bot.command("unpost", server.moderator, post=1)
    assert stopped.content == (
        "Live post #1 is stopped: its message stays as it is and is no longer updated."
    )
    again = await bot.command("unpost", server.moderator, post=1)
    assert again.content == "There is no live post #1."
    await bot.service.approve(CONSOLE_MOD, await signed(bot.service, 1))
    await bot.drain()
    assert edits(server, posted) == []


def labels(message: StoredMessage) -> list[str]:
    return [c["label"] for row in message.components for c in row.get("components", [])]


async def test_a_post_speaks_its_channels_language_not_the_posters_or_the_servers(
    bot: Bot, server: Server
) -> None:
    """Like milestones and mod-queue cards, a post is written in its channel's language
    (``[i18n] channel_languages``, else the default), and so is every edit of it; the
    moderator's answer is in their own language."""
    server.home.preferred_locale = "fr"  # the server's own language does not decide a post
    since = server.fake.message_log.mark()
    answer = await bot.command("post-letter", server.moderator, server.general, locale="es-ES")
    english = await server.fake.wait_for_message(lambda m: bool(m.embeds), since=since)
    artists = server.announce[1]
    spanish, _ = await post_letter(bot, server, artists)

    assert (answer.content or "").startswith("La carta está publicada")
    assert count_shown(english) == "**0 artists have signed so far.**"
    assert labels(english) == ["Sign the letter", "Sign without listing my name"]
    [embed] = spanish.embeds
    assert embed["fields"][0]["name"] == "Firmas"
    assert count_shown(spanish) == "**0 artistas han firmado hasta ahora.**"
    assert embed["footer"]["text"] == (
        "Esta publicación se actualiza sola a medida que se aprueban las firmas."
    )
    assert labels(spanish)[0] == "Firmar la carta"

    await bot.service.approve(CONSOLE_MOD, await signed(bot.service, 1))
    async with delivering(bot):
        await shows(spanish, "1 artista ha firmado hasta ahora.")
        await shows(english, "1 artist has signed so far.")
    assert labels(spanish)[0] == "Firmar la carta"


async def suggestions(
    server: Server,
    user: Any,
    typed: str,
    *,
    channel: FakeChannel | None = None,
    locale: str = "en-US",
) -> list[Any]:
    """What Discord shows under ``/unpost``'s ``post`` option as ``user`` types ``typed``."""
    ref = await server.fake.send_autocomplete(
        "unpost",
        user=user,
        channel=channel or server.general,
        focused="post",
        value=typed,
        locale=locale,
    )
    callback = await server.fake.wait_for_callback(ref)
    assert callback.type is CallbackType.AUTOCOMPLETE_RESULT
    return list(callback.choices or [])


async def test_unpost_suggests_the_live_posts_to_moderators(bot: Bot, server: Server) -> None:
    await post_letter(bot, server)
    await post_letter(bot, server, server.announce[0])
    today = (await bot.store.live_posts())[0].posted_at.date().isoformat()

    assert await suggestions(server, server.moderator, "") == [
        {"name": f"#1 on Discord, in #general (No Music For ICE HQ), since {today}", "value": 1},
        {"name": f"#2 on Discord, in #news (No Music For ICE HQ), since {today}", "value": 2},
    ]
    assert [c["value"] for c in await suggestions(server, server.moderator, "NEWS")] == [2]
    assert [c["value"] for c in await suggestions(server, server.moderator, "#1")] == [1]
    [spanish] = await suggestions(server, server.moderator, "general", locale="es-ES")
    assert spanish["name"].startswith("#1 en Discord")

    await bot.command("unpost", server.moderator, post=1)  # a stopped post is no longer offered
    assert [c["value"] for c in await suggestions(server, server.moderator, "")] == [2]


async def test_unpost_suggests_nothing_to_members(bot: Bot, server: Server) -> None:
    await post_letter(bot, server)
    assert await suggestions(server, server.artist, "") == []
    admin = server.community_admin  # Manage Server in their own server is not a moderator
    assert await suggestions(server, admin, "", channel=server.community_channel) == []


async def test_a_deleted_channel_drops_its_post_at_once_and_tells_once(
    bot: Bot, server: Server
) -> None:
    kept, _ = await post_letter(bot, server)
    news = server.announce[0]
    gone, _ = await post_letter(bot, server, news)

    async with delivering(bot):
        await server.fake.delete_channel(news)
        await until(lambda: bool(alerts_in(server)))  # no approval needed: the event tells
        await bot.service.approve(CONSOLE_MOD, await signed(bot.service, 1))
        await shows(kept, "1 artist has signed so far.")

    [alert] = alerts_in(server)
    assert alert.content.startswith("Live letter post #2 (Discord, No Music For ICE HQ)")
    assert server.fake.requests_to("PATCH", f"/channels/{news.id}/messages/{gone.id}") == []
    assert [(p.id, p.status) for p in await bot.store.live_posts()] == [(1, LivePostStatus.LIVE)]
    post = await bot.store.live_post(2)
    assert post is not None and post.status is LivePostStatus.LOST


async def test_a_deleted_thread_drops_its_post_at_once(bot: Bot, server: Server) -> None:
    """A post made inside a thread (registered here as the adapter registers one), and the
    thread deleted: Discord says so with THREAD_DELETE, cached thread or not."""
    thread_id = 990_000_000_000_000_001
    view = await bot.service.live.prepare(CONSOLE_MOD, "discord", str(thread_id))
    post, _ = await bot.service.live.post(
        CONSOLE_MOD, platform="discord", chat=str(thread_id), message="990000000000000002",
        community=f"discord:{server.home.id}", shown=view,
    )  # fmt: skip
    async with delivering(bot):
        await server.fake.dispatch(
            "THREAD_DELETE",
            {
                "id": str(thread_id),
                "guild_id": str(server.home.id),
                "parent_id": str(server.general.id),
                "type": 11,
            },
        )
        await until(lambda: bool(alerts_in(server)))
    stored = await bot.store.live_post(post.id)
    assert stored is not None and stored.status is LivePostStatus.LOST


async def test_removed_from_a_server_its_posts_are_dropped_at_once(
    bots: BotFactory, server: Server
) -> None:
    helpers = server.fake.add_role(server.community, "Pledge helpers")
    helper = server.fake.add_member(server.community, "hana", roles=[helpers])
    settings = settings_for(server, moderator_role_ids=[server.mod_role.id, helpers.id])
    async with bots(settings=settings) as bot:
        kept, _ = await post_letter(bot, server)
        since = server.fake.message_log.mark()
        await bot.command("post-letter", helper, server.community_channel)
        gone = await server.fake.wait_for_message(lambda m: bool(m.embeds), since=since)
        async with delivering(bot):
            await server.fake.remove_bot_from_guild(server.community)
            await until(lambda: bool(alerts_in(server)))
            await bot.service.approve(CONSOLE_MOD, await signed(bot.service, 1))
            await shows(kept, "1 artist has signed so far.")
        listed = await bot.command("live-posts", server.moderator)

    [alert] = alerts_in(server)
    assert alert.content.startswith("Live letter post #2 (Discord, Indie Musicians)")
    path = f"/channels/{server.community_channel.id}/messages/{gone.id}"
    assert server.fake.requests_to("PATCH", path) == []
    assert [line[:3] for line in (listed.content or "").splitlines()[1:]] == ["\\#1"]


async def test_a_hostile_server_name_is_inert(
    bots: BotFactory, server: Server, service: PledgeService
) -> None:
    server.community.name = HOSTILE
    helpers = server.fake.add_role(server.community, "Pledge helpers")
    helper = server.fake.add_member(server.community, "hana", roles=[helpers])
    settings = settings_for(server, moderator_role_ids=[server.mod_role.id, helpers.id])
    async with bots(settings=settings) as bot:
        since = server.fake.message_log.mark()
        await bot.command("post-letter", helper, server.community_channel)
        posted = await server.fake.wait_for_message(lambda m: bool(m.embeds), since=since)
        async with asyncio.timeout(10):  # the name arrives with the server, at start-up
            while not (await service.store.live_posts())[0].community_name:
                await asyncio.sleep(0.02)
        listed = await bot.command("live-posts", server.moderator)
        server.fake.delete_message(posted)
        await service.approve(CONSOLE_MOD, await signed(service, 1))
        async with delivering(bot):
            await until(lambda: bool(alerts_in(server)))

    line = (listed.content or "").splitlines()[1]
    escaped = "\\*\\*Loud\\*\\* \uff20everyone <\uff201> \\[x](https://evil.example) \\`code\\`"
    assert f"<#{server.community_channel.id}> ({escaped})" in line
    [alert] = alerts_in(server)
    # Bold shown literally, mentions broken, the masked link's bracket escaped. (The shared
    # escaping leaves a code span after a masked link and a ")" as it is: no ping, no link.)
    for inert in ("\\*\\*Loud\\*\\*", "\uff20everyone <\uff201>", "\\[x](https://evil.example)"):
        assert inert in alert.content
    assert "@" not in alert.content


async def test_a_channel_the_bot_cannot_post_in_is_explained(bot: Bot, server: Server) -> None:
    server.fake.inject_fault(
        "POST",
        f"/channels/{server.general.id}/messages",
        FaultResponse.error(403, 50013, "Missing Permissions"),
    )
    callback = await bot.command("post-letter", server.moderator)
    assert callback.ephemeral
    assert (callback.content or "").startswith("I cannot post in that channel")
    assert await bot.store.live_posts() == []
