"""`FakeDiscord`: the server a test starts, configures, drives and reads."""

from __future__ import annotations

import contextlib
import itertools
import re
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Self

from aiohttp import WSCloseCode, web

from tests.fakes.fake_discord.driver import DriverMixin
from tests.fakes.fake_discord.journal import Journal
from tests.fakes.fake_discord.models import (
    DEFAULT_BOT_PERMISSIONS,
    DEFAULT_EVERYONE_PERMISSIONS,
    ChannelLike,
    ChannelType,
    FakeChannel,
    FakeGuild,
    FakeMember,
    FakeRole,
    FakeUser,
    GuildLike,
    RoleLike,
    SnowflakeFactory,
    UserLike,
    now_utc,
)
from tests.fakes.fake_discord.records import (
    GatewayFrame,
    InteractionCallback,
    RecordedRequest,
    StoredMessage,
)
from tests.fakes.fake_discord.rest import RestMixin


class FakeDiscord(RestMixin, DriverMixin):
    """A Discord REST API and gateway on 127.0.0.1 (port chosen by the OS).

    Configure guilds/channels/roles/members/users before the client connects (GUILD_CREATE is
    built from them at IDENTIFY). Use as ``async with FakeDiscord() as fake`` or ``start()``/
    ``close()``; point discord.py at it with ``with fake.point_discord_py():``.
    """

    def __init__(
        self,
        *,
        bot_username: str = "pledgebot",
        bot_global_name: str | None = None,
        application_id: int | None = None,
        application_flags: int = 0,
        heartbeat_interval_ms: int = 1000,
        host: str = "127.0.0.1",
    ) -> None:
        # Every attribute is declared, with what it holds, in state.py.
        self._ids = SnowflakeFactory()
        self._host = host
        self._heartbeat_interval_ms = heartbeat_interval_ms
        self.bot_user = FakeUser(self._ids.next(), bot_username, bot_global_name, bot=True)
        self.owner_user = FakeUser(self._ids.next(), "app-owner", "App Owner")
        #: Discord gives a bot's application the bot user's id unless told otherwise.
        self.application_id = application_id or self.bot_user.id
        self.application_flags = application_flags
        self.users = {u.id: u for u in (self.bot_user, self.owner_user)}
        self.guilds = {}
        self.channels = {}

        self._dm_channel_by_user = {}
        self._closed_dms = set()
        self._messages = {}
        self._channel_messages = {}
        self._nonces = {}
        self._global_commands = []
        self._guild_commands = {}
        self._interactions = {}
        self._interaction_by_token = {}
        self._faults = []
        self._delays = []
        self._bucket_numbers = itertools.count(1)
        self.required_token = None

        self.requests = Journal(RecordedRequest.describe)
        self.callbacks = Journal(InteractionCallback.describe)
        self.message_log = Journal(StoredMessage.describe)
        self.gateway_frames = Journal(GatewayFrame.describe)

        self._sessions = {}
        self._current_session = None
        self._connections = []
        self._connection_numbers = itertools.count(1)
        self._runner = None
        self._port = None

    async def start(self) -> None:
        app = web.Application(middlewares=[self._middleware])
        app.add_routes(self._routes())
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, 0)
        await site.start()
        self._port = int(self._runner.addresses[0][1])

    async def close(self) -> None:
        """Close gateway sockets, stop the server, and cancel anyone still waiting."""
        for connection in list(self._connections):
            await connection.close(WSCloseCode.GOING_AWAY)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        for journal in (self.requests, self.callbacks, self.message_log, self.gateway_frames):
            journal.cancel_waiters()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    @contextlib.contextmanager
    def point_discord_py(self) -> Iterator[None]:
        """Point discord.py's REST base and default gateway here, restoring both on exit.

        These two class attributes cover every discord.py request, interaction callbacks and
        webhooks included; a plain Client never asks ``/gateway/bot``.
        """
        import discord.gateway
        import discord.http
        import yarl

        saved_base = discord.http.Route.BASE
        saved_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
        discord.http.Route.BASE = self.rest_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self.gateway_url)
        try:
            yield
        finally:
            discord.http.Route.BASE = saved_base
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = saved_gateway

    def add_user(
        self,
        username: str,
        *,
        global_name: str | None = None,
        created_at: datetime | None = None,
        bot: bool = False,
    ) -> FakeUser:
        """A user known to Discord; ``created_at`` becomes the timestamp in their id."""
        user = FakeUser(self._ids.next(created_at), username, global_name, bot=bot)
        self.users[user.id] = user
        return user

    def add_guild(
        self,
        name: str,
        *,
        owner: UserLike | None = None,
        everyone_permissions: int = DEFAULT_EVERYONE_PERMISSIONS,
        bot_permissions: int = DEFAULT_BOT_PERMISSIONS,
        preferred_locale: str = "en-US",
    ) -> FakeGuild:
        """A guild with @everyone, the bot's managed role, and the bot as a member."""
        guild_id = self._ids.next()
        owner_id = self._user_id(owner) if owner is not None else self.owner_user.id
        guild = FakeGuild(guild_id, name, owner_id, preferred_locale=preferred_locale)
        guild.roles[guild_id] = FakeRole(guild_id, "@everyone", everyone_permissions, 0)
        bot_role = FakeRole(self._ids.next(), self.bot_user.username, bot_permissions, 1, True)
        guild.roles[bot_role.id] = bot_role
        guild.members[self.bot_user.id] = FakeMember(
            self.bot_user, guild_id, now_utc(), roles=[bot_role.id]
        )
        self.guilds[guild_id] = guild
        return guild

    def add_text_channel(
        self, guild: GuildLike, name: str, *, position: int | None = None, topic: str | None = None
    ) -> FakeChannel:
        target = self._guild(guild)
        channel = FakeChannel(
            self._ids.next(),
            ChannelType.GUILD_TEXT,
            name,
            guild_id=target.id,
            position=len(target.channels) if position is None else position,
            topic=topic,
        )
        target.channels[channel.id] = channel
        self.channels[channel.id] = channel
        return channel

    def add_role(
        self, guild: GuildLike, name: str, *, permissions: int = 0, position: int | None = None
    ) -> FakeRole:
        target = self._guild(guild)
        role = FakeRole(
            self._ids.next(),
            name,
            int(permissions),
            len(target.roles) if position is None else position,
        )
        target.roles[role.id] = role
        return role

    def add_member(
        self,
        guild: GuildLike,
        username: str | None = None,
        *,
        user: FakeUser | None = None,
        global_name: str | None = None,
        roles: Sequence[RoleLike] = (),
        joined_at: datetime | None = None,
        created_at: datetime | None = None,
        nick: str | None = None,
        bot: bool = False,
    ) -> FakeMember:
        """Make a (new, or given existing) user a member of ``guild``."""
        target = self._guild(guild)
        if user is None:
            if username is None:
                raise TypeError("add_member needs a username or an existing user")
            user = self.add_user(username, global_name=global_name, created_at=created_at, bot=bot)
        role_ids = [role.id if isinstance(role, FakeRole) else int(role) for role in roles]
        unknown = [role_id for role_id in role_ids if role_id not in target.roles]
        if unknown:
            raise KeyError(f"roles {unknown} are not in guild {target.id}")
        member = FakeMember(user, target.id, joined_at or now_utc(), role_ids, nick)
        target.members[user.id] = member
        return member

    def requests_to(self, method: str, path: str | re.Pattern[str]) -> list[RecordedRequest]:
        return self.requests.filter(lambda r: r.matches(method, path))

    async def wait_for(
        self,
        predicate: Callable[[RecordedRequest], bool],
        timeout: float = 5.0,  # noqa: ASYNC109 - bounded waits, see Journal
        *,
        since: int = 0,
    ) -> RecordedRequest:
        """The first recorded request (from index ``since``) matching ``predicate``."""
        return await self.requests.wait_for(predicate, timeout=timeout, since=since)

    async def wait_for_request(
        self,
        method: str,
        path: str | re.Pattern[str],
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - bounded waits, see Journal
        since: int = 0,
    ) -> RecordedRequest:
        return await self.wait_for(lambda r: r.matches(method, path), timeout, since=since)

    async def wait_for_message(
        self,
        predicate: Callable[[StoredMessage], bool] | None = None,
        *,
        channel: ChannelLike | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - bounded waits, see Journal
        since: int = 0,
    ) -> StoredMessage:
        """The first created message (optionally in ``channel``) matching ``predicate``."""
        channel_id = None if channel is None else self._channel_id(channel)

        def matches(message: StoredMessage) -> bool:
            in_channel = channel_id is None or message.channel_id == channel_id
            return in_channel and (predicate is None or predicate(message))

        return await self.message_log.wait_for(matches, timeout=timeout, since=since)
