"""A running pledgebot Telegram adapter against the loopback fake Bot API.

Everything is real but Telegram: python-telegram-bot's Application started by the adapter's own
``run()``, the core :class:`PledgeService` over a real SQLite file, and the core's outbox
dispatcher delivering through the adapter. Tests feed real-shaped updates into the fake and assert
on the Bot API calls the bot makes and on what the service reports.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from adapters.telegram import TelegramAdapter
from bot.app import default_rules
from bot.config import TelegramSettings
from bot.domain import Actor, Destinations, Identity, Letter, Signature, SignatureForm
from bot.milestones import MilestonePolicy
from bot.outbox import OutboxDispatcher
from bot.ports import Clock
from bot.ratelimit import RateLimits
from bot.service import PledgeService
from storage.sqlite import SQLiteStore
from tests.conftest import LETTER, MOD, StepClock, artist
from tests.fakes.fake_telegram import ApiCall, FakeChat, FakeTelegram, FakeUser

JSON = dict[str, Any]


@dataclass
class Bot:
    """The adapter under test, the people and chats around it, and ways to talk to it."""

    fake: FakeTelegram
    service: PledgeService
    settings: TelegramSettings
    ada: FakeUser  # an artist
    bob: FakeUser  # another artist
    mod: FakeUser  # a moderator by user id (moderator_user_ids)
    admin: FakeUser  # a moderator by being an administrator of the mod chat
    mod_chat: FakeChat
    group: FakeChat  # a basic group the bot announces to
    supergroup: FakeChat  # a supergroup it announces to
    channel: FakeChat  # a channel it announces to (the bot is an admin there)
    adapter: TelegramAdapter  # for handing it an outbox row directly
    #: The running adapter and outbox dispatcher (:meth:`stop` ends them, as a shutdown would).
    tasks: tuple[asyncio.Task[None], ...] = ()

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    @property
    def announce_chats(self) -> list[FakeChat]:
        return [self.group, self.supergroup, self.channel]

    async def say(
        self,
        user: FakeUser,
        chat: FakeChat | None,
        text: str,
        *,
        reply_to: JSON | int | None = None,
        method: str = "sendMessage",
    ) -> ApiCall:
        """Send a message or command; the bot's first answer of ``method`` to it. In a group
        that is the one quoting it (outbox posts may arrive there meanwhile)."""
        mark = self.fake.mark()
        feed = self.fake.feed_command if text.startswith("/") else self.fake.feed_text
        sent = feed(user, chat, text, reply_to=reply_to)["message"]
        where = chat or self.fake.private_chat(user)

        def answers(call: ApiCall) -> bool:
            if call.params.get("chat_id") != where.id:
                return False
            quoted = call.params.get("reply_parameters", {}).get("message_id")
            return where.type == "private" or quoted == sent["message_id"]

        return await self.fake.wait_for(method, answers, since=mark)

    async def answer(self, chat: FakeChat, method: str = "sendMessage", *, since: int) -> ApiCall:
        return await self.fake.wait_for(
            method, lambda c: c.params.get("chat_id") == chat.id, since=since
        )

    async def press(self, user: FakeUser, message: JSON, label: str) -> ApiCall:
        """Click a button; the bot's answer to that click (answerCallbackQuery)."""
        mark = self.fake.mark()
        update = self.fake.feed_button(user, message, label)
        query_id = update["callback_query"]["id"]
        return await self.fake.wait_for(
            "answerCallbackQuery",
            lambda c: c.params.get("callback_query_id") == query_id,
            since=mark,
        )

    async def press_data(
        self, user: FakeUser, message: JSON, data: str, *, check_button: bool = True
    ) -> ApiCall:
        """Send a button's callback data (``check_button=False``: one no longer shown, as a
        client with a stale view would)."""
        mark = self.fake.mark()
        update = self.fake.feed_callback(user, message, data, check_button=check_button)
        query_id = update["callback_query"]["id"]
        return await self.fake.wait_for(
            "answerCallbackQuery",
            lambda c: c.params.get("callback_query_id") == query_id,
            since=mark,
        )

    def sent(self, call: ApiCall) -> JSON:
        """The message a sendMessage call created, as it is now (after any edits)."""
        message = self.fake.message(call.params["chat_id"], call.result["message_id"])
        assert message is not None
        return message

    async def sign(
        self, user: FakeUser, name: str, *, anonymous: bool = False, **fields: str
    ) -> Signature:
        """A signature made through the core directly (for tests about something else)."""
        result = await self.service.sign(
            _actor(user),
            SignatureForm(name, **fields),
            community="telegram:private",
            anonymous=anonymous,
        )
        return result.signature

    async def approve(self, *signatures: Signature) -> None:
        """Approve through the core, as a moderator elsewhere would."""
        await self.service.approve(MOD, [s.id for s in signatures])

    async def approved(self, count: int, name: str = "Artist") -> list[Signature]:
        """``count`` approved signatures from console accounts (their notifications are not
        Telegram's business), made and approved through the core."""
        made = []
        for n in range(count):
            result = await self.service.sign(
                artist(f"{name}{n}"), SignatureForm(f"{name} {n}"), community="console"
            )
            made.append(result.signature)
        await self.service.approve(MOD, [s.id for s in made])
        return made

    async def signed(self, user: FakeUser, *, since: int) -> Signature:
        """The signature a Sign press made, once the bot has answered the signer."""
        await self.answer(self.fake.private_chat(user), since=since)
        signature = await self.signature_of(user)
        assert signature is not None
        return signature

    async def signature_of(self, user: FakeUser) -> Signature | None:
        return (await self.service.status(Identity("telegram", str(user.id)))).signature

    async def card(self, signature_id: int) -> JSON:
        """The mod-queue card the outbox posted for a signature (waits for it), as it is now."""

        def is_card(call: ApiCall) -> bool:
            text = call.params.get("text", "")
            return call.params.get("chat_id") == self.mod_chat.id and text.startswith(
                f"<b>#{signature_id}</b> "
            )

        return self.sent(await self.fake.wait_for("sendMessage", is_card))


def _actor(user: FakeUser) -> Actor:
    return Actor(Identity("telegram", str(user.id)), user.first_name)


Start = Callable[..., Awaitable[Bot]]


@pytest.fixture
async def store(sqlite_store: SQLiteStore) -> SQLiteStore:
    """SQLite only: these tests are about Telegram, and the store contract is tested elsewhere."""
    return sqlite_store


@pytest.fixture(scope="session")
def no_certificates(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("no-certificates"))


@pytest.fixture
async def fake(
    monkeypatch: pytest.MonkeyPatch, no_certificates: str
) -> AsyncIterator[FakeTelegram]:
    # RetryAfter warns about its future timedelta type unless this opts in.
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    # httpx loads the whole CA bundle for each client (two per application, ~45 ms each). The
    # tests speak plain HTTP to 127.0.0.1 and need no certificate: an empty directory will do.
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.setenv("SSL_CERT_DIR", no_certificates)
    async with FakeTelegram() as server:
        yield server


@pytest.fixture
async def start_bot(
    fake: FakeTelegram, sqlite_store: SQLiteStore, caplog: pytest.LogCaptureFixture
) -> AsyncIterator[Start]:
    """Start the adapter and the outbox dispatcher; stop both (by cancelling) at the end and
    fail the test if anything was logged as an error on the way."""
    stack = AsyncExitStack()

    async def start(
        *,
        approval: str = "manual",
        thresholds: tuple[int, ...] = (10, 50, 100),
        allow_anonymous: bool = True,
        letter: Letter = LETTER,
        webhook: dict[str, Any] | None = None,
        moderator_cache: float = 300.0,
        rate_limits: RateLimits | None = None,
        public_communities: bool = False,
        language: str = "en",
        chat_languages: dict[str, str] | None = None,
        greet_groups: bool = False,
        clock: Clock | None = None,
        live_edit_interval: float = 10.0,
    ) -> Bot:
        ada = fake.new_user("Ada", username="ada")
        bob = fake.new_user("Bob")
        mod = fake.new_user("Maud", username="maud")
        admin = fake.new_user("Adam")
        mod_chat = fake.new_supergroup("Letter moderators")
        fake.add_admin(mod_chat, admin)
        fake.set_member_status(mod_chat, mod, "member")
        for artist_user in (ada, bob):
            fake.private_chat(artist_user)  # they have talked to the bot before
        group = fake.new_group("Music makers")
        supergroup = fake.new_supergroup("Producers")
        channel = fake.new_channel("Letter news")
        announce = [group, supergroup, channel]
        chats = {"mod_chat": mod_chat, "group": group, "supergroup": supergroup, "channel": channel}
        service = PledgeService(
            sqlite_store,
            letter,
            default_rules(
                approval=approval,  # type: ignore[arg-type]
                allow_anonymous=allow_anonymous,
                milestones=MilestonePolicy.of(thresholds),
                milestone_message="{count} artists have signed “{title}”.",
                # No per-account limits unless a test asks, as on the other platforms: tests
                # have one moderator decide hundreds of cards faster than any person would.
                rate_limits=rate_limits,
                public_communities=public_communities,
                live_edit_interval=timedelta(seconds=live_edit_interval),
            ),
            Destinations(
                announce=tuple(("telegram", str(c.id)) for c in announce),
                mod_queue=(("telegram", str(mod_chat.id)),),
                default_language=language,
                # ``[i18n] channel_languages``, by the chats' names here: {"mod_chat": "es"}.
                languages={
                    ("telegram", str(chats[name].id)): spoken
                    for name, spoken in (chat_languages or {}).items()
                },
            ),
            clock or StepClock(),
        )
        await service.start()
        settings = TelegramSettings(
            token=fake.token,  # type: ignore[arg-type]
            api_base_url=fake.base_url,
            moderator_user_ids=[mod.id],
            announce_chat_ids=[c.id for c in announce],
            mod_chat_id=mod_chat.id,
            greet_groups=greet_groups,
            **(webhook or {}),
        )
        adapter = TelegramAdapter(
            service, settings, moderator_cache=moderator_cache, language=language
        )
        # Retries after a transient failure come after milliseconds, not seconds.
        dispatcher = OutboxDispatcher(service.store, [adapter], service.clock, base_backoff=0.01)
        service.on_outbox(dispatcher.notify)
        mark = fake.mark()
        runner = asyncio.create_task(adapter.run(), name="telegram adapter")
        delivery = asyncio.create_task(dispatcher.run(), name="outbox")
        stack.push_async_callback(_stop, runner, delivery)
        if webhook is None:
            await fake.wait_for("getUpdates", since=mark, answered=False)
        else:
            await fake.wait_for("setWebhook", since=mark)
        return Bot(
            fake,
            service,
            settings,
            ada,
            bob,
            mod,
            admin,
            mod_chat,
            group,
            supergroup,
            channel,
            adapter,
            (runner, delivery),
        )

    yield start
    await stack.aclose()
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage() for r in errors]


async def _stop(runner: asyncio.Task[None], delivery: asyncio.Task[None]) -> None:
    """Stop like ``pledgebot run`` on SIGTERM: cancel, then wait for a clean finish."""
    for task in (runner, delivery):
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


@pytest.fixture
async def bot(start_bot: Start) -> Bot:
    return await start_bot()
