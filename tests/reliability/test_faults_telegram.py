"""Telegram misbehaving: bursts of 429, server errors, a slow answer, and getUpdates failing for
a while. The bot answers again afterwards, and every announcement and notification the outbox
owes is delivered exactly once.

In-process, set up like the adapter's harness (tests/adapters/telegram/conftest.py): the real
python-telegram-bot application started by the adapter's own ``run()``, the real core over SQLite
and the outbox dispatcher running as in ``pledgebot run`` (short backoffs), against the fake
Bot API's fault injection.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from adapters.telegram import TelegramAdapter
from bot.app import default_rules
from bot.config import TelegramSettings
from bot.domain import Actor, Destinations, Identity, OutboxMessage, SignatureForm
from bot.milestones import MilestonePolicy
from bot.outbox import OutboxDispatcher
from bot.service import PledgeService, SystemClock
from storage.sqlite import SQLiteStore
from tests.conftest import LETTER, MOD
from tests.fakes.fake_telegram import ApiCall, FakeChat, FakeTelegram, FakeUser

pytestmark = pytest.mark.slow

MILESTONES = (2, 4)
ANNOUNCEMENT = "{count} artists have signed “{title}”."  # what the tests look for


def milestone(n: int) -> str:
    return f"{n} artists have signed “{LETTER.title}”."


@dataclass
class Campaign:
    fake: FakeTelegram
    service: PledgeService
    store: SQLiteStore
    signers: list[FakeUser]
    mod_chat: FakeChat
    announce: tuple[FakeChat, FakeChat]

    async def sign_all(self) -> list[int]:
        """Signatures made through the core, as in a private chat; their cards are posted."""
        ids = []
        for user in self.signers:
            signer = Actor(Identity("telegram", str(user.id)), user.first_name)
            result = await self.service.sign(
                signer, SignatureForm(user.first_name), community="telegram:private"
            )
            ids.append(result.signature.id)
        await settled(self.store)
        return ids

    async def count(self, user: FakeUser, *, since: int | None = None) -> str:
        """``/count`` in the user's private chat (unless sent already, at ``since``); the
        bot's answer."""
        if since is None:
            since = self.fake.mark()
            self.fake.feed_command(user, None, "/count")
        call = await self.fake.wait_for("sendMessage", _count_for(user), since=since, timeout=15)
        return str(call.params["text"])

    def assert_delivered_once(self) -> None:
        """Each milestone once in each announce chat, one notice in each signer's chat."""
        for chat in self.announce:
            posted = sorted(m["text"] for m in self.fake.sent_messages(chat))
            assert posted == [milestone(n) for n in MILESTONES], chat.title
        for user in self.signers:
            notices = [
                m["text"]
                for m in self.fake.sent_messages(self.fake.private_chat(user))
                if "has been approved" in m["text"]
            ]
            assert len(notices) == 1, (user.first_name, notices)


def _count_for(user: FakeUser) -> Callable[[ApiCall], bool]:
    return lambda c: (
        c.method == "sendMessage"
        and c.params.get("chat_id") == user.id
        and "so far." in c.params["text"]
    )


async def settled(store: SQLiteStore, timeout: float = 20) -> list[OutboxMessage]:  # noqa: ASYNC109
    """The outbox rows once none is pending or in flight (every one delivered, none failed)."""
    async with asyncio.timeout(timeout):
        while True:
            rows = await store.outbox_messages()
            if all(r.status in ("delivered", "failed") for r in rows):
                assert {r.status for r in rows} <= {"delivered"}, [
                    (r.id, r.kind, r.status) for r in rows
                ]
                return rows
            await asyncio.sleep(0.02)


@pytest.fixture
async def campaign(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> AsyncIterator[Campaign]:
    # As in the adapter's harness: PTB's future timedelta type, and no CA bundle to load for
    # plain HTTP to 127.0.0.1.
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    (tmp_path / "no-certificates").mkdir()
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path / "no-certificates"))
    async with FakeTelegram() as fake, SQLiteStore(f"sqlite:///{tmp_path / 'f.db'}") as store:
        signers = [fake.new_user(name) for name in ("Ada", "Bob", "Cy", "Di")]
        for user in signers:
            fake.private_chat(user)
        maud = fake.new_user("Maud", username="maud")
        mod_chat = fake.new_supergroup("Letter moderators")
        announce = (fake.new_group("Music makers"), fake.new_channel("Letter news"))
        service = PledgeService(
            store,
            LETTER,
            default_rules(
                milestones=MilestonePolicy.of(MILESTONES), milestone_message=ANNOUNCEMENT
            ),
            Destinations(
                announce=tuple(("telegram", str(chat.id)) for chat in announce),
                mod_queue=(("telegram", str(mod_chat.id)),),
            ),
            SystemClock(),
        )
        await service.start()
        settings = TelegramSettings(
            token=fake.token,  # type: ignore[arg-type]
            api_base_url=fake.base_url,
            moderator_user_ids=[maud.id],
            announce_chat_ids=[chat.id for chat in announce],
            mod_chat_id=mod_chat.id,
        )
        adapter = TelegramAdapter(service, settings)
        outbox = OutboxDispatcher(store, [adapter], service.clock, base_backoff=0.05)
        service.on_outbox(outbox.notify)
        mark = fake.mark()
        tasks = [asyncio.create_task(adapter.run()), asyncio.create_task(outbox.run())]
        try:
            await fake.wait_for("getUpdates", since=mark, answered=False, timeout=10)
            yield Campaign(fake, service, store, signers, mod_chat, announce)
        finally:
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
    # The faults cost retries, never an error of pledgebot's own.
    ours = [r for r in caplog.records if r.name.startswith(("adapters", "bot"))]
    assert not [r.getMessage() for r in ours if r.levelno >= logging.ERROR]


async def test_flood_limits_server_errors_slow_answers_and_a_polling_outage(
    campaign: Campaign,
) -> None:
    c, fake = campaign, campaign.fake
    ada, bob = c.signers[:2]
    ids = await c.sign_all()

    # Polling breaks: the poll waiting now returns one last update, the next ones get 502s.
    mark = fake.mark()
    fake.fail_get_updates()
    assert (await c.count(ada)).startswith("<b>0</b> signatures so far.")
    await fake.wait_for("getUpdates", lambda call: call.status == 502, since=mark)
    bob_asks = fake.mark()
    fake.feed_command(bob, None, "/count")  # waits for polling to come back

    # Meanwhile the outbox posts through: four 429s in a row (PTB's rate limiter waits out
    # three, the outbox the fourth), a 502 and a 500 (retried by the outbox), and an answer
    # that comes one and a half seconds late (after the message was posted).
    fake.inject_rate_limit("sendMessage", retry_after=0.2, times=4)
    fake.inject_server_error("sendMessage", status=502)
    fake.inject_server_error("sendMessage", status=500)
    fake.inject_delay("sendMessage", 1.5, process_first=True)
    await c.service.approve(MOD, ids[:2])  # crosses 2
    await c.service.approve(MOD, ids[2:])  # crosses 4
    rows = await settled(c.store)
    c.assert_delivered_once()
    statuses = Counter(call.status for call in fake.calls_to("sendMessage"))
    assert (statuses[429], statuses[502], statuses[500]) == (4, 1, 1)
    waits = [c.answered_at - c.time for c in fake.calls_to("sendMessage") if c.answered_at]
    assert max(waits) >= 1.5  # the slow answer came, and cost nothing else
    assert all(r.attempts <= 2 for r in rows)
    assert not [call for call in fake.calls[bob_asks:] if _count_for(bob)(call)]

    # Polling comes back: Bob's question is answered, and so is a new one.
    fake.repair_method("getUpdates")
    assert (await c.count(bob, since=bob_asks)).startswith("<b>4</b> signatures so far.")
    assert (await c.count(ada)).startswith("<b>4</b> signatures so far.")
    c.assert_delivered_once()
