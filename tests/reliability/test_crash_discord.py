"""Crash safety on Discord: kill -9 the real bot mid-burst, again and again, and lose nothing.

The fake Discord runs in the test; ``pledgebot run`` runs as a subprocess pointed at it. Each
round starts the bot on the same SQLite file, fires sign-form submits from members and
``/approve`` commands from a moderator, and SIGKILLs the bot after a random number of requests
reached the fake (or once it falls idle). What a member was told (an interaction answer the fake
received) must be in the database after every crash, and the approved count must equal the
approved rows. After a last run has drained the outbox, every crossed milestone is in each
announce channel exactly once, and no outbox message of any kind was posted twice: every post
carries the outbox id as its nonce, and Discord (like the fake) answers a repeat with the first
message. Rows a killed run left "sending" are sent again by the next run; the test prints how
many, and how many of those had in fact reached the fake already.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.fakes.fake_discord import (
    FakeChannel,
    FakeDiscord,
    FakeGuild,
    FakeMember,
    InteractionRef,
)
from tests.reliability.botproc import (
    BotProcess,
    outbox_rows,
    snapshot,
    wait_until_drained,
    write_config,
)

pytestmark = pytest.mark.slow

ROUNDS = int(os.environ.get("CRASH_ROUNDS", "5"))  # `make soak` runs 50
MEMBERS = 100
PER_ROUND = 12  # sign-form submits per round (members told nothing try again later)
MILESTONES = (5, 15, 30)
#: One approval that crosses two milestones announces only the higher (by design), so no batch
#: of approvals is big enough to cross two of these.
APPROVE_AT_ONCE = 10
TOKEN = "crash-test-discord-token"
SIGNED = re.compile(r"Signature #(\d+) is recorded|already signed: signature #(\d+)")
APPROVED = re.compile(r"^#(\d+) approved: |^Signature #(\d+) is already approved", re.M)
ANNOUNCED = re.compile(r"^(\d+) artists have signed")


@dataclass
class Campaign:
    fake: FakeDiscord
    home: FakeGuild
    general: FakeChannel
    mod_channel: FakeChannel
    announce: tuple[FakeChannel, FakeChannel]
    moderator: FakeMember
    members: list[FakeMember]


def build_campaign(fake: FakeDiscord) -> Campaign:
    """The server, set up before the bot connects (GUILD_CREATE is built at IDENTIFY)."""
    home = fake.add_guild("No Music For ICE HQ")
    general = fake.add_text_channel(home, "general")
    mod_channel = fake.add_text_channel(home, "mod-queue")
    announce = (fake.add_text_channel(home, "news"), fake.add_text_channel(home, "artists"))
    mod_role = fake.add_role(home, "Pledge moderators")
    moderator = fake.add_member(home, "mira", global_name="Mira Mod", roles=[mod_role])
    members = [
        fake.add_member(home, f"artist{n:03d}", global_name=f"Artist {n:03d}")
        for n in range(MEMBERS)
    ]
    fake.required_token = TOKEN
    return Campaign(fake, home, general, mod_channel, announce, moderator, members)


def discord_section(c: Campaign) -> str:
    return (
        "[discord]\n"
        f'token = "{TOKEN}"\n'
        f'api_base_url = "{c.fake.rest_base}"\n'
        f'gateway_url = "{c.fake.gateway_url}"\n'
        f"guild_ids = [{c.home.id}]\n"
        f"moderator_role_ids = [{c.moderator.roles[0]}]\n"
        f"announce_channel_ids = [{c.announce[0].id}, {c.announce[1].id}]\n"
        f"mod_channel_id = {c.mod_channel.id}\n"
    )


@dataclass
class Told:
    """What the fake shows users were told: the answers to the interactions fired."""

    signs: list[tuple[InteractionRef, FakeMember]] = field(default_factory=list)
    approvals: list[InteractionRef] = field(default_factory=list)
    signed: dict[int, int] = field(default_factory=dict)  # signature id -> member id
    approved: set[int] = field(default_factory=set)

    def read(self, fake: FakeDiscord) -> None:
        """Collect every answer that reached the fake (a direct reply, or a deferred one)."""
        for ref, member in self.signs:
            answer = fake.original_response(ref)
            if answer is not None and (m := SIGNED.search(answer.content)):
                self.signed[int(m.group(1) or m.group(2))] = member.id
        for ref in self.approvals:
            answer = fake.original_response(ref)
            if answer is not None:
                self.approved |= {int(a or b) for a, b in APPROVED.findall(answer.content)}

    def unsigned(self, members: list[FakeMember]) -> list[FakeMember]:
        done = set(self.signed.values())
        return [m for m in members if m.id not in done]


async def burst(c: Campaign, told: Told, rng: random.Random, signers: list[FakeMember]) -> None:
    """Members submit the sign form; every few submits the moderator approves what was
    acknowledged so far and is not yet known to be approved."""
    fake = c.fake
    for n, member in enumerate(signers, 1):
        ref = await fake.submit_modal(
            "pledge:sign-form:named",
            {"name": member.user.global_name or member.user.username, "role": "singer"},
            user=member,
            channel=c.general,
        )
        told.signs.append((ref, member))
        await asyncio.sleep(rng.uniform(0, 0.03))
        if n % 3 == 0 or n == len(signers):
            told.read(fake)
            waiting = sorted(set(told.signed) - told.approved)[:APPROVE_AT_ONCE]
            if waiting:
                ids = " ".join(map(str, waiting))
                ref = await fake.send_slash_command(
                    "approve", user=c.moderator, channel=c.general, options={"signature": ids}
                )
                told.approvals.append(ref)


async def requests_reach(fake: FakeDiscord, count: int, *, idle: float = 1.0) -> None:
    """Until ``count`` requests reached the fake, or none came for ``idle`` seconds."""
    while len(fake.requests) < count:
        try:
            await fake.requests.wait_for(lambda _: True, since=len(fake.requests), timeout=idle)
        except TimeoutError:
            return


async def run_round(
    c: Campaign,
    bot: BotProcess,
    told: Told,
    rng: random.Random,
    kill_after: int | None,
    signers: int = PER_ROUND,
) -> None:
    """Start the bot, fire a burst of ``signers`` sign forms, and SIGKILL it once
    ``kill_after`` more requests reached the fake (None: leave it running once every submit
    of the burst is answered)."""
    fake = c.fake
    since = fake.gateway_frames.mark()
    await bot.start()
    await fake.wait_for_gateway(2, since=since, timeout=30)  # IDENTIFY: connected
    mark = fake.requests.mark()
    first = len(told.signs)
    firing = asyncio.create_task(burst(c, told, rng, told.unsigned(c.members)[:signers]))
    if kill_after is None:
        await firing
        for ref, _ in told.signs[first:]:
            await fake.answer_of(await fake.wait_for_callback(ref, timeout=20), timeout=20)
        told.read(fake)
        return
    await requests_reach(fake, mark + kill_after)
    await bot.kill()
    firing.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await firing
    await asyncio.sleep(0.05)  # let the fake finish any request the bot had in flight
    told.read(fake)


def bot_posts(fake: FakeDiscord) -> list[tuple[int, str]]:
    """(channel, nonce) of every message the bot posted outside an interaction answer."""
    return [
        (m.channel_id, str(m.nonce))
        for m in fake.message_log
        if m.interaction_id is None and not m.deleted
    ]


def resent_posts(fake: FakeDiscord) -> int:
    """Posts the bot sent again with a nonce it had used before (after a kill)."""
    sends = Counter(
        (r.path, r.json.get("nonce"))
        for r in fake.requests_to("POST", "/channels/*/messages")
        if r.status == 200 and isinstance(r.json, dict) and r.json.get("nonce")
    )
    return sum(n - 1 for n in sends.values())


async def test_kill_9_repeatedly_on_discord_loses_and_doubles_nothing(tmp_path: Path) -> None:
    db = tmp_path / "crash.db"
    async with FakeDiscord() as fake:
        c = build_campaign(fake)
        bot = BotProcess(write_config(tmp_path, db, discord_section(c)), tmp_path)
        # Where each kill falls is seeded on its own, so the kill points are the same in
        # every run; the jitter between submits has its own generator.
        kill_points = random.Random(7)
        rng = random.Random(8)
        told = Told()
        try:
            for round_no in range(ROUNDS):
                await run_round(c, bot, told, rng, kill_after=kill_points.randint(5, 90))
                # After every crash: what members and the moderator were told is stored.
                state = snapshot(db)
                missing = set(told.signed) - set(state.statuses)
                assert not missing, f"round {round_no}: acknowledged but not stored: {missing}"
                assert all(state.statuses[i] == "approved" for i in told.approved), round_no
                assert state.approved_counter == state.approved, round_no

            # A last run: enough signers to cross every milestone however many the kills let
            # through (on a loaded machine a round may die after a few signatures), approve
            # what is still waiting, deliver everything owed, stop cleanly.
            told.read(fake)
            enough = max(PER_ROUND, MILESTONES[-1] - len(told.signed))
            await run_round(c, bot, told, rng, kill_after=None, signers=enough)
            leftover = sorted(set(told.signed) - told.approved)
            for start in range(0, len(leftover), APPROVE_AT_ONCE):
                ids = " ".join(map(str, leftover[start : start + APPROVE_AT_ONCE]))
                ref = await fake.send_slash_command(
                    "approve", user=c.moderator, channel=c.general, options={"signature": ids}
                )
                await fake.wait_for_callback(ref, timeout=10)
                told.approvals.append(ref)
            told.read(fake)
            state = await wait_until_drained(db, timeout=30)
            assert await bot.stop() == 0, bot.log_text()
        finally:
            await bot.kill()

        assert state.approved_counter == state.approved
        assert set(told.approved) <= {i for i, s in state.statuses.items() if s == "approved"}
        crossed = [m for m in MILESTONES if m <= state.approved]
        assert len(crossed) == len(MILESTONES), f"only {state.approved} approved"
        # Every crossed milestone in each announce channel, exactly once.
        for channel in c.announce:
            posted = [
                int(m.group(1))
                for message in fake.messages_in(channel)
                if (m := ANNOUNCED.match(message.content))
            ]
            assert sorted(posted) == crossed, (channel.name, posted)
        # Nothing the outbox owed was posted twice, to any channel or DM: one post per delivered
        # row, each with its own nonce, and the row's ref is that post.
        rows = outbox_rows(db, "discord")
        assert {r["status"] for r in rows} == {"delivered"}
        posted_rows = [r for r in rows if r["ref"] is not None]
        posts = bot_posts(fake)
        doubled = [key for key, n in Counter(posts).items() if n > 1]
        assert not doubled
        assert sorted(nonce for _, nonce in posts) == sorted(
            f"pledgebot:{r['id']}" for r in posted_rows
        )
        for row in posted_rows:
            assert fake.message(int(row["ref"])).nonce == f"pledgebot:{row['id']}"
        released = bot.released_claims()
        print(
            f"\ndiscord: {len(told.signed)} signatures and {len(told.approved)} approvals "
            f"acknowledged over {ROUNDS} crashes; {sum(released)} outbox rows were found "
            f"'sending' after a kill {released}; {resent_posts(fake)} posts were sent again after "
            "a kill and answered with the first message (nonce); none posted twice"
        )
