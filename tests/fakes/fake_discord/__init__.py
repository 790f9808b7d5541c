"""A loopback fake of Discord (REST API + gateway websocket) for driving the real discord.py.

Why a fake server rather than mocks: the Discord adapter depends on details that live inside
discord.py itself — its HTTP client and rate-limit handling, the view/modal bookkeeping that ties
a component click to the message a view was sent with, the gateway's IDENTIFY/READY/RESUME state
machine. Serving Discord-shaped answers on 127.0.0.1 exercises all of that for real, with no
token, no network and no sleeps, and lets a test look at exactly what the bot sent.

Typical use::

    fake = FakeDiscord()
    guild = fake.add_guild("Pledge HQ")
    general = fake.add_text_channel(guild, "general")
    alice = fake.add_member(guild, "alice", global_name="Alice")
    async with fake:
        with fake.point_discord_py():
            ...  # start a discord.Client with any token and wait until it is ready
            ref = await fake.send_slash_command("sign", user=alice, channel=general)
            callback = await fake.wait_for_callback(ref)
            assert callback.ephemeral

The package, by what each module holds: ``models`` (Discord's constants, snowflakes, users,
guilds, roles, members, channels), ``records`` (what the fake records: requests, messages,
interactions, callbacks, gateway frames), ``journal`` (the awaitable logs tests wait on),
``errors`` and ``faults`` (Discord-shaped errors and fault injection), ``wire`` (reading request
bodies, writing JSON answers), ``components``, ``payloads``, ``commands``, ``messages``,
``callbacks`` (how the bot answers interactions), ``driver`` (the interactions a test sends),
``gateway``, ``rest`` (the route table and middleware), ``state`` (what the fake holds) and
``server`` (`FakeDiscord` itself). The behaviours of discord.py 2.7.1 the fake relies on are
noted where they matter.
"""

from __future__ import annotations

from tests.fakes.fake_discord.errors import DiscordAPIError, FaultResponse
from tests.fakes.fake_discord.journal import Journal
from tests.fakes.fake_discord.models import (
    ALL_PERMISSIONS,
    API_PREFIX,
    DEFAULT_BOT_PERMISSIONS,
    DEFAULT_EVERYONE_PERMISSIONS,
    DISCORD_EPOCH_MS,
    DM_PERMISSIONS,
    GATEWAY_PATH,
    JSON,
    CallbackType,
    ChannelLike,
    ChannelType,
    FakeChannel,
    FakeGuild,
    FakeMember,
    FakeRole,
    FakeUser,
    GuildLike,
    InteractionType,
    MessageFlag,
    OptionType,
    OptionValue,
    Permission,
    RoleLike,
    UserLike,
    snowflake_at,
    snowflake_time,
)
from tests.fakes.fake_discord.records import (
    GatewayFrame,
    InteractionCallback,
    InteractionRef,
    OpenedModal,
    PreparedInteraction,
    RecordedFile,
    RecordedRequest,
    StoredMessage,
    compile_path,
)
from tests.fakes.fake_discord.server import FakeDiscord

__all__ = [
    "ALL_PERMISSIONS",
    "API_PREFIX",
    "DEFAULT_BOT_PERMISSIONS",
    "DEFAULT_EVERYONE_PERMISSIONS",
    "DISCORD_EPOCH_MS",
    "DM_PERMISSIONS",
    "GATEWAY_PATH",
    "JSON",
    "CallbackType",
    "ChannelLike",
    "ChannelType",
    "DiscordAPIError",
    "FakeChannel",
    "FakeDiscord",
    "FakeGuild",
    "FakeMember",
    "FakeRole",
    "FakeUser",
    "FaultResponse",
    "GatewayFrame",
    "GuildLike",
    "InteractionCallback",
    "InteractionRef",
    "InteractionType",
    "Journal",
    "MessageFlag",
    "OpenedModal",
    "OptionType",
    "OptionValue",
    "Permission",
    "PreparedInteraction",
    "RecordedFile",
    "RecordedRequest",
    "RoleLike",
    "StoredMessage",
    "UserLike",
    "compile_path",
    "snowflake_at",
    "snowflake_time",
]
