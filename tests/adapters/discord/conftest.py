"""The Discord adapter under test: the real discord.py, the real core over SQLite, the real
outbox dispatcher — and a fake Discord on 127.0.0.1 (tests/fakes/fake_discord/).

Tests act as Discord users (slash commands, button clicks, modal submits) and assert on what the
fake received and on what the core reports, never on the adapter's insides.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest

from adapters.discord import DiscordAdapter
from bot.config import DiscordSettings
from bot.domain import Actor, Destinations, Identity, SignatureForm, SignerStatus
from bot.outbox import OutboxDispatcher
from bot.service import PledgeService
from storage.sqlite import SQLiteStore
from tests.fakes.fake_discord import (
    FakeChannel,
    FakeDiscord,
    FakeGuild,
    FakeMember,
    FakeRole,
    InteractionCallback,
    OptionValue,
    Permission,
    RecordedRequest,
    StoredMessage,
)

TOKEN = "test-token"
#: A moderator acting through the core directly, as the console or Telegram adapter would.
CONSOLE_MOD = Actor(Identity("console", "mod"), "mod", is_moderator=True)
ServiceFactory = Callable[..., PledgeService]
NO_PINGS = {"parse": []}


class _DropVoiceLibraryWarning(logging.Filter):
    """discord.Client logs once that PyNaCl/davey are missing; voice is irrelevant here."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "voice will NOT be supported" not in record.getMessage()


@pytest.fixture(autouse=True)
def _quiet_voice_warning() -> Iterator[None]:
    logger = logging.getLogger("discord.client")
    voice_filter = _DropVoiceLibraryWarning()
    logger.addFilter(voice_filter)
    yield
    logger.removeFilter(voice_filter)


# -- the server --------------------------------------------------------------------------------
@dataclass
class Server:
    """The campaign's home server and one community server where the bot was also added."""

    fake: FakeDiscord
    home: FakeGuild
    general: FakeChannel
    mod_channel: FakeChannel
    announce: tuple[FakeChannel, FakeChannel]
    mod_role: FakeRole  # listed in moderator_role_ids
    moderator: FakeMember  # holds mod_role, no special permissions
    admin: FakeMember  # has Manage Server in the home server
    artist: FakeMember
    drummer: FakeMember
    community: FakeGuild
    community_channel: FakeChannel
    community_admin: FakeMember  # has Manage Server in the community server only

    @property
    def guild_ids(self) -> list[int]:
        return [self.home.id, self.community.id]


def build_server(fake: FakeDiscord) -> Server:
    home = fake.add_guild("No Music For ICE HQ")
    general = fake.add_text_channel(home, "general")
    mod_channel = fake.add_text_channel(home, "mod-queue")
    announce = (fake.add_text_channel(home, "news"), fake.add_text_channel(home, "artists"))
    mod_role = fake.add_role(home, "Pledge moderators")
    admins = fake.add_role(home, "Admins", permissions=Permission.MANAGE_GUILD)
    moderator = fake.add_member(home, "mira", global_name="Mira Mod", roles=[mod_role])
    admin = fake.add_member(home, "ada", global_name="Ada Admin", roles=[admins])
    artist = fake.add_member(
        home,
        "alice",
        global_name="Alice Artist",
        created_at=datetime(2019, 7, 1, tzinfo=UTC),
        joined_at=datetime(2024, 3, 2, tzinfo=UTC),
    )
    drummer = fake.add_member(home, "dan", global_name="Dan Drums")
    community = fake.add_guild("Indie Musicians")
    community_channel = fake.add_text_channel(community, "chat")
    community_admins = fake.add_role(community, "Owners", permissions=Permission.MANAGE_GUILD)
    community_admin = fake.add_member(community, "carl", roles=[community_admins])
    fake.add_member(community, user=artist.user)
    return Server(
        fake,
        home,
        general,
        mod_channel,
        announce,
        mod_role,
        moderator,
        admin,
        artist,
        drummer,
        community,
        community_channel,
        community_admin,
    )


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as server:
        yield server
        assert_no_pings(server)


@pytest.fixture
def server(fake: FakeDiscord) -> Server:
    return build_server(fake)


def message_bodies(fake: FakeDiscord) -> list[tuple[RecordedRequest, dict[str, Any]]]:
    """Every body the bot sent that creates or edits a message, with its request."""
    found = []
    for request in fake.requests:
        body = request.json if isinstance(request.json, dict) else None
        if body is None or request.method not in ("POST", "PATCH"):
            continue
        if request.path.startswith("/interactions/"):
            if body.get("type") in (4, 7):  # a message, or an update of one
                found.append((request, body.get("data") or {}))
        elif "/messages" in request.path or request.path.startswith("/webhooks/"):
            found.append((request, body))
    return found


def assert_no_pings(fake: FakeDiscord) -> None:
    """AllowedMentions.none() on every message the bot sent or edited, in every test."""
    for request, body in message_bodies(fake):
        assert body.get("allowed_mentions") == NO_PINGS, request.describe()


# -- the core ----------------------------------------------------------------------------------
@pytest.fixture
async def store(db_url: str) -> AsyncIterator[SQLiteStore]:
    """The adapter's tests run on SQLite; the core's contract suite covers every store."""
    async with SQLiteStore(db_url) as s:
        yield s


def destinations(server: Server) -> Destinations:
    return Destinations(
        announce=tuple(("discord", str(c.id)) for c in server.announce),
        mod_queue=(("discord", str(server.mod_channel.id)),),
    )


@pytest.fixture
async def service(make_service: ServiceFactory, server: Server) -> PledgeService:
    svc = make_service(destinations=destinations(server), thresholds=(2, 5))
    await svc.start()
    return svc


def settings_for(server: Server, **changes: Any) -> DiscordSettings:
    values: dict[str, Any] = {
        "token": TOKEN,
        "api_base_url": server.fake.rest_base,
        "gateway_url": server.fake.gateway_url,
        "guild_ids": server.guild_ids,
        "moderator_role_ids": [server.mod_role.id],
        "announce_channel_ids": [c.id for c in server.announce],
        "mod_channel_id": server.mod_channel.id,
    }
    return DiscordSettings(**(values | changes))


def actor(member: FakeMember, *, moderator: bool = False) -> Actor:
    return Actor(Identity("discord", str(member.id)), member.user.username, moderator)


# -- the bot -----------------------------------------------------------------------------------
@dataclass
class Bot:
    """A running adapter and the helpers tests act through."""

    server: Server
    service: PledgeService
    store: SQLiteStore
    adapter: DiscordAdapter
    dispatcher: OutboxDispatcher
    task: asyncio.Task[None] | None = field(default=None, repr=False)

    @property
    def fake(self) -> FakeDiscord:
        return self.server.fake

    async def command(
        self,
        name: str,
        user: FakeMember,
        channel: FakeChannel | None = None,
        *,
        locale: str = "en-US",
        **options: OptionValue,
    ) -> InteractionCallback:
        """``/name`` as ``user``, whose Discord client is set to ``locale``."""
        ref = await self.fake.send_slash_command(
            name,
            user=user,
            channel=channel or self.server.general,
            options=options or None,
            locale=locale,
        )
        return await self.fake.wait_for_callback(ref)

    async def click(
        self, message: StoredMessage, custom_id: str, user: FakeMember, *, locale: str = "en-US"
    ) -> InteractionCallback:
        ref = await self.fake.click_button(message, custom_id, user=user, locale=locale)
        return await self.fake.wait_for_callback(ref)

    async def sign(
        self,
        user: FakeMember,
        values: Mapping[str, str] | None = None,
        *,
        anonymous: bool = False,
    ) -> InteractionCallback:
        """``/sign`` and submit the modal (the pre-filled display name unless ``values`` say)."""
        options: dict[str, OptionValue] = {"anonymous": True} if anonymous else {}
        opener = await self.fake.send_slash_command(
            "sign", user=user, channel=self.server.general, options=options or None
        )
        modal = await self.fake.wait_for_modal(opener)
        submit = await self.fake.submit_modal(modal, dict(values or {}))
        return await self.fake.wait_for_callback(submit)

    async def drain(self) -> int:
        """Deliver everything the outbox owes Discord now."""
        return await self.dispatcher.drain()

    async def card(self, signature_id: int) -> StoredMessage:
        """The mod-queue card of a signature, once the outbox has posted it."""
        await self.drain()
        wanted = f"pledge:approve:{signature_id}"
        # Newest first: the card is almost always among the last posts, and a property test
        # posts thousands of cards (scanning them all for each one made it quadratic).
        for message in reversed(self.fake.messages_in(self.server.mod_channel)):
            if wanted in message.custom_ids():
                return message
        return await self.fake.wait_for_message(
            lambda m: wanted in m.custom_ids(),
            channel=self.server.mod_channel,
            since=self.fake.message_log.mark(),
        )

    async def status(self, member: FakeMember) -> SignerStatus:
        return await self.service.status(Identity("discord", str(member.id)))

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
            self.task = None


async def start_bot(
    server: Server,
    service: PledgeService,
    store: SQLiteStore,
    *,
    settings: DiscordSettings | None = None,
    response_budget: float = 2.0,
) -> Bot:
    """Run a new adapter until it has logged in, synced its commands and identified."""
    adapter = DiscordAdapter(
        service,
        settings or settings_for(server),
        response_budget=response_budget,
    )
    dispatcher = OutboxDispatcher(store, [adapter], service.clock)
    since = server.fake.gateway_frames.mark()
    task = asyncio.create_task(adapter.run())
    identified = asyncio.ensure_future(server.fake.wait_for_gateway(2, since=since))
    done, _ = await asyncio.wait({task, identified}, return_when=asyncio.FIRST_COMPLETED)
    if task in done:
        identified.cancel()
        task.result()
        raise AssertionError("the adapter stopped before connecting")
    identified.result()
    return Bot(server, service, store, adapter, dispatcher, task)


BotFactory = Callable[..., "contextlib.AbstractAsyncContextManager[Bot]"]


@pytest.fixture
def bots(server: Server, service: PledgeService, store: SQLiteStore) -> BotFactory:
    """``async with bots() as bot``: a bot that is stopped at the end of the block."""

    @contextlib.asynccontextmanager
    async def running(**kwargs: Any) -> AsyncIterator[Bot]:
        bot = await start_bot(server, service, store, **kwargs)
        try:
            yield bot
        finally:
            await bot.stop()

    return running


@pytest.fixture
async def bot(bots: BotFactory) -> AsyncIterator[Bot]:
    async with bots() as running:
        yield running


# -- shortcuts ----------------------------------------------------------------------------------
async def pending_signature(service: PledgeService, member: FakeMember, name: str) -> int:
    """A signature made through the core directly, as if signed on another platform's adapter
    but with this Discord identity."""
    result = await service.sign(
        actor(member), SignatureForm(name, role="Drummer"), community=f"discord:{member.guild_id}"
    )
    return result.signature.id


async def approved_signatures(service: PledgeService, count: int) -> None:
    """``count`` approved signatures from console users, for lists and counts."""
    ids = []
    for n in range(count):
        signer = Actor(Identity("console", f"signer{n}"), f"signer{n}")
        result = await service.sign(signer, SignatureForm(f"Signer {n:02d}"), community="console")
        ids.append(result.signature.id)
    await service.approve(CONSOLE_MOD, ids)
