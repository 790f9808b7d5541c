"""Discord's constants, snowflakes, and the users, guilds, roles, members and channels a test
configures (kept local, so the fake does not lean on discord.py internals)."""

from __future__ import annotations

import enum
import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeAlias

JSON: TypeAlias = dict[str, Any]
OptionValue: TypeAlias = str | int | float | bool

API_PREFIX = "/api/v10"
GATEWAY_PATH = "/ws"
DISCORD_EPOCH_MS = 1_420_070_400_000


class Permission(enum.IntFlag):
    """The permission bits tests are likely to care about (Discord's values)."""

    CREATE_INSTANT_INVITE = 1 << 0
    KICK_MEMBERS = 1 << 1
    BAN_MEMBERS = 1 << 2
    ADMINISTRATOR = 1 << 3
    MANAGE_CHANNELS = 1 << 4
    MANAGE_GUILD = 1 << 5
    ADD_REACTIONS = 1 << 6
    VIEW_CHANNEL = 1 << 10
    SEND_MESSAGES = 1 << 11
    MANAGE_MESSAGES = 1 << 13
    EMBED_LINKS = 1 << 14
    ATTACH_FILES = 1 << 15
    READ_MESSAGE_HISTORY = 1 << 16
    MENTION_EVERYONE = 1 << 17
    USE_EXTERNAL_EMOJIS = 1 << 18
    CHANGE_NICKNAME = 1 << 26
    MANAGE_ROLES = 1 << 28
    USE_APPLICATION_COMMANDS = 1 << 31


#: What Discord reports for an owner or an administrator: every bit it knows about.
ALL_PERMISSIONS = (1 << 51) - 1

#: A realistic @everyone role on a fresh server.
DEFAULT_EVERYONE_PERMISSIONS = int(
    Permission.CREATE_INSTANT_INVITE
    | Permission.ADD_REACTIONS
    | Permission.VIEW_CHANNEL
    | Permission.SEND_MESSAGES
    | Permission.EMBED_LINKS
    | Permission.ATTACH_FILES
    | Permission.READ_MESSAGE_HISTORY
    | Permission.USE_EXTERNAL_EMOJIS
    | Permission.CHANGE_NICKNAME
    | Permission.USE_APPLICATION_COMMANDS
)

#: What the bot's own managed role grants unless a test says otherwise.
DEFAULT_BOT_PERMISSIONS = DEFAULT_EVERYONE_PERMISSIONS

#: The permissions Discord reports for the bot in a DM with a user.
DM_PERMISSIONS = int(
    Permission.ADD_REACTIONS
    | Permission.VIEW_CHANNEL
    | Permission.SEND_MESSAGES
    | Permission.EMBED_LINKS
    | Permission.ATTACH_FILES
    | Permission.READ_MESSAGE_HISTORY
    | Permission.USE_EXTERNAL_EMOJIS
    | Permission.USE_APPLICATION_COMMANDS
)


class ChannelType(enum.IntEnum):
    GUILD_TEXT = 0
    DM = 1


class InteractionType(enum.IntEnum):
    PING = 1
    APPLICATION_COMMAND = 2
    MESSAGE_COMPONENT = 3
    AUTOCOMPLETE = 4
    MODAL_SUBMIT = 5


class CallbackType(enum.IntEnum):
    PONG = 1
    CHANNEL_MESSAGE = 4
    DEFERRED_CHANNEL_MESSAGE = 5
    DEFERRED_UPDATE_MESSAGE = 6
    UPDATE_MESSAGE = 7
    AUTOCOMPLETE_RESULT = 8
    MODAL = 9


class MessageFlag(enum.IntFlag):
    SUPPRESS_EMBEDS = 1 << 2
    EPHEMERAL = 1 << 6
    LOADING = 1 << 7
    SUPPRESS_NOTIFICATIONS = 1 << 12
    IS_COMPONENTS_V2 = 1 << 15


class OptionType(enum.IntEnum):
    SUB_COMMAND = 1
    SUB_COMMAND_GROUP = 2
    STRING = 3
    INTEGER = 4
    BOOLEAN = 5
    USER = 6
    CHANNEL = 7
    ROLE = 8
    NUMBER = 10


# --------------------------------------------------------------------------------------------
# Snowflakes and time
# --------------------------------------------------------------------------------------------


def snowflake_at(when: datetime, increment: int = 0) -> int:
    """A snowflake whose embedded timestamp is ``when`` — how Discord dates accounts and joins."""
    millis = int(when.timestamp() * 1000) - DISCORD_EPOCH_MS
    return (millis << 22) | (1 << 17) | (increment & 0xFFF)


def snowflake_time(snowflake: int) -> datetime:
    """The creation time embedded in a snowflake (what ``discord.User.created_at`` reports)."""
    return datetime.fromtimestamp(((snowflake >> 22) + DISCORD_EPOCH_MS) / 1000, tz=UTC)


def iso(when: datetime) -> str:
    return when.isoformat()


def now_utc() -> datetime:
    return datetime.now(UTC)


class SnowflakeFactory:
    """Hands out unique snowflakes; the increment keeps ids distinct within one millisecond."""

    def __init__(self) -> None:
        self._increments = itertools.count(1)

    def next(self, when: datetime | None = None) -> int:
        return snowflake_at(when or now_utc(), next(self._increments))


# --------------------------------------------------------------------------------------------
# Configurable state: users, guilds, roles, members, channels
# --------------------------------------------------------------------------------------------


@dataclass
class FakeUser:
    """A Discord account. Its creation time is the timestamp inside ``id``."""

    id: int
    username: str
    global_name: str | None = None
    bot: bool = False

    @property
    def created_at(self) -> datetime:
        return snowflake_time(self.id)

    def to_payload(self) -> JSON:
        return {
            "id": str(self.id),
            "username": self.username,
            "discriminator": "0",
            "global_name": self.global_name,
            "avatar": None,
            "banner": None,
            "accent_color": None,
            "avatar_decoration_data": None,
            "bot": self.bot,
            "public_flags": 0,
            "flags": 0,
        }


@dataclass
class FakeRole:
    id: int
    name: str
    permissions: int = 0
    position: int = 0
    managed: bool = False

    def to_payload(self) -> JSON:
        return {
            "id": str(self.id),
            "name": self.name,
            "permissions": str(self.permissions),
            "position": self.position,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "managed": self.managed,
            "mentionable": False,
            "flags": 0,
        }


@dataclass
class FakeMember:
    """A user's membership of one guild. ``roles`` excludes @everyone, as Discord does."""

    user: FakeUser
    guild_id: int
    joined_at: datetime
    roles: list[int] = field(default_factory=list)
    nick: str | None = None

    @property
    def id(self) -> int:
        return self.user.id

    def to_payload(self, *, permissions: int | None = None) -> JSON:
        payload: JSON = {
            "user": self.user.to_payload(),
            "nick": self.nick,
            "avatar": None,
            "banner": None,
            "roles": [str(role_id) for role_id in self.roles],
            "joined_at": iso(self.joined_at),
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "pending": False,
            "flags": 0,
            "communication_disabled_until": None,
        }
        if permissions is not None:
            payload["permissions"] = str(permissions)
        return payload


@dataclass
class FakeChannel:
    """A guild text channel or a DM channel (``recipient_id`` set, ``guild_id`` None)."""

    id: int
    type: ChannelType
    name: str = ""
    guild_id: int | None = None
    position: int = 0
    topic: str | None = None
    recipient_id: int | None = None

    @property
    def is_dm(self) -> bool:
        return self.type is ChannelType.DM


@dataclass
class FakeGuild:
    """A server. The @everyone role's id is the guild id, as on Discord."""

    id: int
    name: str
    owner_id: int
    preferred_locale: str = "en-US"
    roles: dict[int, FakeRole] = field(default_factory=dict)
    channels: dict[int, FakeChannel] = field(default_factory=dict)
    members: dict[int, FakeMember] = field(default_factory=dict)

    @property
    def everyone_role(self) -> FakeRole:
        return self.roles[self.id]

    @property
    def member_count(self) -> int:
        return len(self.members)

    def permissions_for(self, user_id: int) -> int:
        """Guild-level permissions (no channel overwrites are modelled)."""
        if user_id == self.owner_id:
            return ALL_PERMISSIONS
        member = self.members[user_id]
        value = self.everyone_role.permissions
        for role_id in member.roles:
            value |= self.roles[role_id].permissions
        return ALL_PERMISSIONS if value & Permission.ADMINISTRATOR else value


UserLike: TypeAlias = FakeUser | FakeMember | int
GuildLike: TypeAlias = FakeGuild | int
ChannelLike: TypeAlias = FakeChannel | int
RoleLike: TypeAlias = FakeRole | int
