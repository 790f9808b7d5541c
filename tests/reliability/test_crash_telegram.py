"""Crash safety on Telegram: kill -9 the real bot mid-burst, again and again, and lose nothing.

The fake Bot API runs in the test; ``pledgebot run`` runs as a subprocess polling it. Each round
starts the bot on the same SQLite file; artists sign in their private chats (``/sign Name |
role``, then the summary's Sign button) while a moderator sends ``/approve ID…`` in the mod chat,
and the bot is SIGKILLed after a random number of Bot API calls. What anyone was told (a
sendMessage the fake accepted) must be in the database after every crash, and the approved count
must equal the approved rows. After a last run has drained the outbox, every crossed milestone is
in each announce chat, and nothing is owed.

Telegram has no idempotency key: the outbox marks a row "sending" before the call, and a run that
finds rows left "sending" by a killed one sends them again, so a message whose sendMessage was
answered just before the kill, but not yet recorded as delivered, is posted twice. That is the
only way a message repeats, and the test holds it to it: no more messages are posted again than
the rows the kills left "sending" (which each next run logs).
"""

from __future__ import annotations

import asyncio
import os
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.fakes.fake_telegram import ApiCall, FakeChat, FakeTelegram, FakeUser
from tests.reliability.botproc import (
    BotProcess,
    outbox_rows,
    snapshot,
    wait_until_drained,
    write_config,
)

pytestmark = pytest.mark.slow

ROUNDS = int(os.environ.get("CRASH_ROUNDS", "5"))  # `make soak` runs 50
ARTISTS = 100
PER_ROUND = 12
MILESTONES = (5, 15, 30)
#: One approval that crosses two milestones announces only the higher (by design), so no batch
#: of approvals is big enough to cross two of these.
APPROVE_AT_ONCE = 10
SIGNED = re.compile(r"Signature #(\d+) is recorded|already signed: signature #(\d+)")
APPROVED = re.compile(r"^#(\d+) approved: |^Signature #(\d+) is already approved", re.M)
ANNOUNCED = re.compile(r"^(\d+) artists have signed")
CARD = re.compile(r"^<b>#(\d+)</b> ")
NOTIFIED = re.compile(r"^Your signature #(\d+) on .* has been approved")


@dataclass
class Campaign:
    fake: FakeTelegram
    artists: list[FakeUser]
    mod: FakeUser
    mod_chat: FakeChat
    announce: tuple[FakeChat, FakeChat]


def build_campaign(fake: FakeTelegram) -> Campaign:
    artists = [fake.new_user(f"Artist {n:03d}") for n in range(ARTISTS)]
    for artist in artists:
        fake.private_chat(artist)
    mod = fake.new_user("Maud", username="maud")
    mod_chat = fake.new_supergroup("Letter moderators")
    fake.set_member_status(mod_chat, mod, "member")  # a moderator by user id, not by admin
    announce = (fake.new_group("Music makers"), fake.new_channel("Letter news"))
    return Campaign(fake, artists, mod, mod_chat, announce)


def telegram_section(c: Campaign) -> str:
    return (
        "[telegram]\n"
        f'token = "{c.fake.token}"\n'
        f'api_base_url = "{c.fake.base_url}"\n'
        f"moderator_user_ids = [{c.mod.id}]\n"
        f"announce_chat_ids = [{c.announce[0].id}, {c.announce[1].id}]\n"
        f"mod_chat_id = {c.mod_chat.id}\n"
    )


def sent(fake: FakeTelegram) -> list[ApiCall]:
    """Every sendMessage the fake accepted: what someone in a chat now sees."""
    return [call for call in fake.calls_to("sendMessage") if call.ok]


@dataclass
class Told:
    """What the fake shows people were told."""

    signed: dict[int, int] = field(default_factory=dict)  # signature id -> user id
    approved: set[int] = field(default_factory=set)

    def read(self, c: Campaign) -> None:
        for call in sent(c.fake):
            chat, text = call.params["chat_id"], call.params["text"]
            if chat == c.mod_chat.id:
                self.approved |= {int(a or b) for a, b in APPROVED.findall(text)}
            elif (m := SIGNED.search(text)) is not None:
                self.signed[int(m.group(1) or m.group(2))] = chat

    def unsigned(self, artists: list[FakeUser]) -> list[FakeUser]:
        done = set(self.signed.values())
        return [a for a in artists if a.id not in done]


def _summary_for(user: FakeUser) -> Callable[[ApiCall], bool]:
    def match(call: ApiCall) -> bool:
        markup = call.params.get("reply_markup") or {}
        buttons = [b for row in markup.get("inline_keyboard", []) for b in row]
        return call.params.get("chat_id") == user.id and any(
            b.get("callback_data") == "pledge:confirm:named" for b in buttons
        )

    return match


def _signed_for(user: FakeUser) -> Callable[[ApiCall], bool]:
    def match(call: ApiCall) -> bool:
        told = call.params.get("chat_id") == user.id
        return told and SIGNED.search(call.params["text"]) is not None

    return match


async def sign(c: Campaign, user: FakeUser) -> None:
    """``/sign Name | singer`` in private, then the summary's Sign button, until the signer is
    told their signature's number (a round that kills the bot cancels the wait)."""
    fake = c.fake
    mark = fake.mark()
    fake.feed_command(user, None, f"/sign {user.first_name} | singer")
    call = await fake.wait_for("sendMessage", _summary_for(user), since=mark, timeout=20)
    summary = fake.message(user.id, call.result["message_id"])
    assert summary is not None
    mark = fake.mark()
    fake.feed_button(user, summary, "✍️ Sign")
    await fake.wait_for("sendMessage", _signed_for(user), since=mark, timeout=20)


async def moderate(c: Campaign, told: Told) -> None:
    """The moderator approves, now and then, what was acknowledged and is not yet approved."""
    asked: set[int] = set()
    while True:
        await asyncio.sleep(0.15)
        told.read(c)
        waiting = sorted(set(told.signed) - told.approved - asked)[:APPROVE_AT_ONCE]
        if waiting:
            asked |= set(waiting)
            c.fake.feed_command(c.mod, c.mod_chat, "/approve " + " ".join(map(str, waiting)))


async def calls_reach(fake: FakeTelegram, count: int, *, idle: float = 1.0) -> None:
    """Until ``count`` Bot API calls reached the fake, or none came for ``idle`` seconds."""
    loop = asyncio.get_running_loop()
    seen, quiet_since = len(fake.calls), loop.time()
    while len(fake.calls) < count and loop.time() - quiet_since < idle:
        await asyncio.sleep(0.002)
        if len(fake.calls) != seen:
            seen, quiet_since = len(fake.calls), loop.time()


async def run_round(
    c: Campaign,
    bot: BotProcess,
    told: Told,
    rng: random.Random,
    kill_after: int | None,
    signers: int = PER_ROUND,
) -> None:
    """Start the bot, let ``signers`` artists sign while the moderator approves, and SIGKILL it
    once ``kill_after`` more Bot API calls reached the fake (None: until every one was told)."""
    fake = c.fake
    mark = fake.mark()
    await bot.start()
    await fake.wait_for("getUpdates", since=mark, answered=False, timeout=30)  # polling
    mark = fake.mark()
    jobs = [asyncio.create_task(moderate(c, told))]
    for artist in told.unsigned(c.artists)[:signers]:
        jobs.append(asyncio.create_task(sign(c, artist)))
        await asyncio.sleep(rng.uniform(0, 0.03))
    if kill_after is None:
        await asyncio.gather(*jobs[1:])
    else:
        await calls_reach(fake, mark + kill_after)
        await bot.kill()
    for job in jobs:
        job.cancel()
    await asyncio.gather(*jobs, return_exceptions=True)
    await asyncio.sleep(0.05)  # let the fake finish any call the bot had in flight
    told.read(c)


def duplicates(c: Campaign) -> dict[str, list[str]]:
    """What the outbox posted more than once: a milestone to the same chat, a signature's
    mod-queue card (whatever state it showed), a signer's approval notice."""
    announce = {chat.id for chat in c.announce}
    posts: dict[tuple[str, int, int], list[str]] = {}
    for call in sent(c.fake):
        chat, text = call.params["chat_id"], call.params["text"]
        if chat in announce and (m := ANNOUNCED.match(text)):
            kind = "announcements"
        elif chat == c.mod_chat.id and (m := CARD.match(text)):
            kind = "cards"
        elif m := NOTIFIED.match(text):
            kind = "notices"
        else:
            continue
        posts.setdefault((kind, chat, int(m.group(1))), []).append(text)
    found: dict[str, list[str]] = {"announcements": [], "cards": [], "notices": []}
    for (kind, chat, _), texts in posts.items():
        found[kind] += [f"in chat {chat}: {text[:60]!r}" for text in texts[1:]]
    return found


async def test_kill_9_repeatedly_on_telegram_loses_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "crash.db"
    certificates = tmp_path / "no-certificates"
    certificates.mkdir()
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    async with FakeTelegram() as fake:
        c = build_campaign(fake)
        bot = BotProcess(
            write_config(tmp_path, db, telegram_section(c)),
            tmp_path,
            # No CA bundle to load for plain HTTP to 127.0.0.1; PTB's future timedelta type.
            {"SSL_CERT_DIR": str(certificates), "PTB_TIMEDELTA": "true"},
            module="tests.reliability.scaled_telegram",
        )
        # Where each kill falls is seeded on its own, so the kill points are the same in
        # every run; the jitter between submits has its own generator.
        kill_points = random.Random(7)
        rng = random.Random(8)
        told = Told()
        try:
            for round_no in range(ROUNDS):
                await run_round(c, bot, told, rng, kill_after=kill_points.randint(5, 120))
                state = snapshot(db)
                missing = set(told.signed) - set(state.statuses)
                assert not missing, f"round {round_no}: acknowledged but not stored: {missing}"
                assert all(state.statuses[i] == "approved" for i in told.approved), round_no
                assert state.approved_counter == state.approved, round_no

            # A last run: enough signers to cross every milestone however many the kills let
            # through (on a loaded machine a round may die after a few signatures), approve
            # what is still waiting, deliver everything owed, stop cleanly.
            told.read(c)
            enough = max(PER_ROUND, MILESTONES[-1] - len(told.signed))
            await run_round(c, bot, told, rng, kill_after=None, signers=enough)
            await asyncio.sleep(0.3)
            told.read(c)
            leftover = sorted(set(told.signed) - told.approved)
            for start in range(0, len(leftover), APPROVE_AT_ONCE):
                ids = " ".join(map(str, leftover[start : start + APPROVE_AT_ONCE]))
                mark = fake.mark()
                fake.feed_command(c.mod, c.mod_chat, f"/approve {ids}")
                await fake.wait_for(
                    "sendMessage", lambda call: call.params["chat_id"] == c.mod_chat.id
                    and APPROVED.search(call.params["text"]) is not None, since=mark, timeout=10,
                )  # fmt: skip
            told.read(c)
            state = await wait_until_drained(db, timeout=30)
            assert await bot.stop() == 0, bot.log_text()
        finally:
            await bot.kill()

    assert state.approved_counter == state.approved
    assert told.approved <= {i for i, s in state.statuses.items() if s == "approved"}
    crossed = [m for m in MILESTONES if m <= state.approved]
    assert len(crossed) == len(MILESTONES), f"only {state.approved} approved"
    # Every crossed milestone reached each announce chat, at least once.
    for chat in c.announce:
        posted = {
            int(m.group(1))
            for call in sent(fake)
            if call.params["chat_id"] == chat.id and (m := ANNOUNCED.match(call.params["text"]))
        }
        assert posted == set(crossed), (chat.title, posted)
    # Nothing owed, nothing given up on.
    assert {r["status"] for r in outbox_rows(db, "telegram")} == {"delivered"}
    # The duplicate window: a message is posted again only if a kill left its row "sending".
    doubled = duplicates(c)
    released = bot.released_claims()
    again = [repeat for repeats in doubled.values() for repeat in repeats]
    assert len(again) <= sum(released), (
        f"{len(again)} posted again, but the kills left only {sum(released)} rows in flight "
        f"{released}: {again}"
    )
