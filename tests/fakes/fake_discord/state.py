"""What one fake Discord holds, declared once for the mixins that make up `FakeDiscord`.

`FakeDiscord.__init__` (server.py) sets every attribute; each mixin module (faults, commands,
messages, driver, callbacks, gateway, rest) works on the part named here.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar, TypeVar

from aiohttp import web

from tests.fakes.fake_discord.errors import DiscordAPIError
from tests.fakes.fake_discord.journal import Journal
from tests.fakes.fake_discord.models import (
    API_PREFIX,
    GATEWAY_PATH,
    JSON,
    ChannelLike,
    FakeChannel,
    FakeGuild,
    FakeMember,
    FakeUser,
    GuildLike,
    SnowflakeFactory,
    UserLike,
)
from tests.fakes.fake_discord.records import (
    GatewayFrame,
    InteractionCallback,
    InteractionRecord,
    InteractionRef,
    RecordedRequest,
    StoredMessage,
)

if TYPE_CHECKING:
    from tests.fakes.fake_discord.faults import DelayRule, FaultRule
    from tests.fakes.fake_discord.gateway import GatewayConnection, GatewaySession

T = TypeVar("T")


def find_or_404(table: Mapping[int, T], key: str, code: int, what: str) -> T:
    """``table[int(key)]`` for an id taken from a URL, else Discord's 404 "Unknown {what}"."""
    found = table.get(int(key)) if key.isdigit() else None
    if found is None:
        raise DiscordAPIError(404, code, f"Unknown {what}")
    return found


class FakeDiscordState:
    """The state, and the small lookups every part uses."""

    #: How long a (channel, nonce) pair dedups a repeated POST with ``enforce_nonce``.
    NONCE_WINDOW_SECONDS: ClassVar[float] = 300.0
    ATTACHMENT_SIZE_LIMIT: ClassVar[int] = 10 * 1024 * 1024

    _ids: SnowflakeFactory
    _host: str
    _port: int | None
    _runner: web.AppRunner | None
    bot_user: FakeUser
    owner_user: FakeUser
    application_id: int
    application_flags: int
    users: dict[int, FakeUser]
    guilds: dict[int, FakeGuild]
    channels: dict[int, FakeChannel]
    #: When set, bot requests must carry ``Authorization: Bot <token>`` (else 401) and
    #: IDENTIFY must carry it (else close 4004), so a wrong token fails like on Discord.
    required_token: str | None

    # messages.py
    _dm_channel_by_user: dict[int, int]
    _closed_dms: set[int]
    _messages: dict[int, StoredMessage]
    _channel_messages: dict[int, list[int]]
    _nonces: dict[tuple[int, str], tuple[float, int]]
    # commands.py
    _global_commands: list[JSON]
    _guild_commands: dict[int, list[JSON]]
    # driver.py and callbacks.py
    _interactions: dict[int, InteractionRecord]
    _interaction_by_token: dict[str, int]
    # faults.py
    _faults: list[FaultRule]
    _delays: list[DelayRule]
    _bucket_numbers: itertools.count[int]
    # gateway.py
    _heartbeat_interval_ms: int
    _sessions: dict[str, GatewaySession]
    _current_session: GatewaySession | None
    _connections: list[GatewayConnection]
    _connection_numbers: itertools.count[int]

    #: Every REST request, in order.
    requests: Journal[RecordedRequest]
    #: Every interaction callback the bot made, in order.
    callbacks: Journal[InteractionCallback]
    #: Every message created (channel posts, interaction replies, follow-ups), in order.
    message_log: Journal[StoredMessage]
    #: Every frame a client sent on the gateway, in order.
    gateway_frames: Journal[GatewayFrame]

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeDiscord is not started")
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://{self._host}:{self.port}"

    @property
    def rest_base(self) -> str:
        """What ``discord.http.Route.BASE`` must be: ``http://127.0.0.1:PORT/api/v10``."""
        return f"{self.base_url}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        """The websocket URL, also sent as READY's ``resume_gateway_url``."""
        return f"ws://{self._host}:{self.port}{GATEWAY_PATH}"

    def _user_id(self, user: UserLike) -> int:
        if isinstance(user, FakeMember):
            return user.user.id
        if isinstance(user, FakeUser):
            return user.id
        return int(user)

    def _guild_id(self, guild: GuildLike) -> int:
        return guild.id if isinstance(guild, FakeGuild) else int(guild)

    def _guild(self, guild: GuildLike) -> FakeGuild:
        return self.guilds[self._guild_id(guild)]

    def _channel_id(self, channel: ChannelLike) -> int:
        return channel.id if isinstance(channel, FakeChannel) else int(channel)

    @staticmethod
    def _interaction_id(interaction: InteractionRef | int) -> int:
        return interaction.id if isinstance(interaction, InteractionRef) else int(interaction)

    def _guild_or_404(self, guild_id: str) -> FakeGuild:
        return find_or_404(self.guilds, guild_id, 10004, "Guild")

    def _channel_or_404(self, channel_id: str) -> FakeChannel:
        return find_or_404(self.channels, channel_id, 10003, "Channel")
