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

Facts this file relies on (checked against discord.py 2.7.1) are in
``/work/shared/notes/platform-fakes.md``; the notable ones are repeated where they matter.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import copy
import enum
import itertools
import json
import math
import re
import secrets
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar, Generic, Self, TypeAlias, TypeVar

from aiohttp import BodyPartReader, WSCloseCode, WSMsgType, hdrs, web
from multidict import CIMultiDictProxy

JSON: TypeAlias = dict[str, Any]
OptionValue: TypeAlias = str | int | float | bool

API_PREFIX = "/api/v10"
GATEWAY_PATH = "/ws"
DISCORD_EPOCH_MS = 1_420_070_400_000


# --------------------------------------------------------------------------------------------
# Discord constants the fake needs (kept local so the fake does not lean on discord.py internals)
# --------------------------------------------------------------------------------------------


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


_SELECT_TYPES = frozenset({3, 5, 6, 7, 8})
_BUTTON = 2
_TEXT_INPUT = 4
_ACTION_ROW = 1
_LABEL = 18
_MESSAGE_TYPE_DEFAULT = 0
_MESSAGE_TYPE_CHAT_INPUT_COMMAND = 20
_MAX_CONTENT = 2000
_MAX_EMBEDS = 10
#: JSON as Discord sends it, without the spaces json.dumps puts after "," and ":".
_COMPACT = (",", ":")


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


def _iso(when: datetime) -> str:
    return when.isoformat()


def _now() -> datetime:
    return datetime.now(UTC)


class _SnowflakeFactory:
    """Hands out unique snowflakes; the increment keeps ids distinct within one millisecond."""

    def __init__(self) -> None:
        self._increments = itertools.count(1)

    def next(self, when: datetime | None = None) -> int:
        return snowflake_at(when or _now(), next(self._increments))


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
            "joined_at": _iso(self.joined_at),
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


# --------------------------------------------------------------------------------------------
# What the fake records
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordedFile:
    """One file part of a multipart request (``field`` is e.g. ``files[0]``)."""

    field: str
    filename: str
    content_type: str
    data: bytes


@dataclass
class RecordedRequest:
    """One REST request as the fake saw it, plus what it answered.

    ``path`` is relative to ``/api/v10`` and percent-decoded
    (``/webhooks/1/tok/messages/@original``).
    ``json`` is the JSON body, or the ``payload_json`` part of a multipart body.
    ``response`` is the JSON the fake answered (None when the answer had no JSON body).
    """

    index: int
    method: str
    path: str
    query: dict[str, str]
    headers: CIMultiDictProxy[str]
    json: Any
    files: list[RecordedFile]
    raw_body: bytes
    status: int = 0
    faulted: bool = False
    # The answer's JSON body, decoded only when ``response`` is read: most never are, and
    # decoding each one again would cost a busy fake (a benchmark's) a good share of its time.
    _response_body: bytes | None = field(default=None, repr=False, compare=False)
    _response: Any = field(default=None, repr=False)

    @property
    def response(self) -> Any:
        if self._response_body is not None:
            self._response, self._response_body = json.loads(self._response_body), None
        return self._response

    @response.setter
    def response(self, value: Any) -> None:
        self._response, self._response_body = value, None

    def matches(self, method: str, path: str | re.Pattern[str]) -> bool:
        """Whether this request is ``method`` (or ``*``) on a path pattern (see `compile_path`)."""
        method_ok = method == "*" or method.upper() == self.method
        return method_ok and compile_path(path).fullmatch(self.path) is not None

    def describe(self) -> str:
        return f"#{self.index} {self.method} {self.path} -> {self.status}"


@dataclass
class StoredMessage:
    """A message the fake holds; ``payload`` is the live message object (edits mutate it)."""

    payload: JSON
    files: list[RecordedFile] = field(default_factory=list)
    interaction_id: int | None = None
    deleted: bool = False
    edit_count: int = 0

    @property
    def id(self) -> int:
        return int(self.payload["id"])

    @property
    def channel_id(self) -> int:
        return int(self.payload["channel_id"])

    @property
    def content(self) -> str:
        return str(self.payload.get("content") or "")

    @property
    def embeds(self) -> list[JSON]:
        return list(self.payload.get("embeds") or [])

    @property
    def components(self) -> list[JSON]:
        return list(self.payload.get("components") or [])

    @property
    def attachments(self) -> list[JSON]:
        return list(self.payload.get("attachments") or [])

    @property
    def flags(self) -> int:
        return int(self.payload.get("flags") or 0)

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & MessageFlag.EPHEMERAL)

    @property
    def nonce(self) -> str | int | None:
        return self.payload.get("nonce")

    def custom_ids(self) -> list[str]:
        """Every component custom_id in the message, depth first."""
        return [c["custom_id"] for c in _walk_components(self.components) if "custom_id" in c]

    def describe(self) -> str:
        return f"message {self.id} in {self.channel_id}: {self.content!r}"


@dataclass(frozen=True)
class InteractionRef:
    """An interaction the fake dispatched; ``payload`` is exactly what discord.py received."""

    id: int
    token: str
    type: InteractionType
    channel_id: int
    guild_id: int | None
    user_id: int
    payload: JSON


@dataclass(frozen=True)
class PreparedInteraction:
    """An interaction built ahead of time (`FakeDiscord.prepare_modal_submit`), its gateway
    payload already serialised; `FakeDiscord.dispatch_prepared` sends it. For load generators:
    the fake then spends a burst sending, not building payloads."""

    ref: InteractionRef
    encoded: str  # ref.payload as JSON


@dataclass(frozen=True)
class OpenedModal:
    """A modal the bot opened (callback type 9); pass it to `FakeDiscord.submit_modal`."""

    interaction_id: int
    custom_id: str
    title: str
    components: list[JSON]

    def custom_ids(self) -> list[str]:
        return [c["custom_id"] for c in _walk_components(self.components) if "custom_id" in c]


@dataclass(frozen=True)
class InteractionCallback:
    """The bot's answer to an interaction (``POST /interactions/{id}/{token}/callback``)."""

    interaction: InteractionRef
    type: CallbackType
    data: JSON
    files: tuple[RecordedFile, ...]
    message: StoredMessage | None

    @property
    def interaction_id(self) -> int:
        return self.interaction.id

    @property
    def content(self) -> str | None:
        return self.data.get("content")

    @property
    def flags(self) -> int:
        return int(self.data.get("flags") or 0)

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & MessageFlag.EPHEMERAL)

    @property
    def choices(self) -> list[JSON]:
        """Autocomplete choices (callback type 8)."""
        return list(self.data.get("choices") or [])

    @property
    def modal(self) -> OpenedModal | None:
        if self.type is not CallbackType.MODAL:
            return None
        return OpenedModal(
            interaction_id=self.interaction.id,
            custom_id=self.data["custom_id"],
            title=self.data.get("title", ""),
            components=_with_component_ids(self.data.get("components") or []),
        )

    def describe(self) -> str:
        return f"callback type {int(self.type)} for interaction {self.interaction.id}"


@dataclass(frozen=True)
class GatewayFrame:
    """A frame the client sent on the gateway (heartbeats included)."""

    connection: int
    op: int
    d: Any

    def describe(self) -> str:
        return f"conn {self.connection} op {self.op}"


T = TypeVar("T")


class Journal(Generic[T]):
    """An append-only, awaitable log: tests wait on what happened instead of sleeping.

    The waits take a ``timeout`` (a test must never hang) and, on timeout, say what *was* seen,
    which a caller-side ``asyncio.timeout`` could not.
    """

    def __init__(self, describe: Callable[[T], str]) -> None:
        self._items: list[T] = []
        self._waiters: list[tuple[Callable[[T], bool], asyncio.Future[T]]] = []
        self._describe = describe

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[T]:
        return iter(list(self._items))

    def __getitem__(self, index: int) -> T:
        return self._items[index]

    def mark(self) -> int:
        """The current length: pass it as ``since`` to wait only for later items."""
        return len(self._items)

    def filter(self, predicate: Callable[[T], bool], *, since: int = 0) -> list[T]:
        return [item for item in self._items[since:] if predicate(item)]

    def append(self, item: T) -> None:
        self._items.append(item)
        for predicate, future in list(self._waiters):
            if future.done():
                continue
            try:
                matched = predicate(item)
            except Exception as exc:  # surface predicate bugs in the waiting test
                future.set_exception(exc)
            else:
                if matched:
                    future.set_result(item)

    async def wait_for(
        self,
        predicate: Callable[[T], bool],
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - bounded waits, see Journal
        since: int = 0,
    ) -> T:
        """The first item from ``since`` on that satisfies ``predicate``, waiting if need be."""
        for item in self._items[since:]:
            if predicate(item):
                return item
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        waiter = (predicate, future)
        self._waiters.append(waiter)
        try:
            async with asyncio.timeout(timeout):
                return await future
        except TimeoutError:
            raise TimeoutError(self._timeout_message(timeout, since)) from None
        finally:
            self._waiters.remove(waiter)

    def cancel_waiters(self) -> None:
        for _, future in self._waiters:
            future.cancel()

    def _timeout_message(self, timeout: float, since: int) -> str:
        recent = [self._describe(item) for item in self._items[since:][-15:]]
        seen = "\n  ".join(recent) if recent else "(nothing)"
        return f"nothing matched within {timeout}s; seen since #{since}:\n  {seen}"


# --------------------------------------------------------------------------------------------
# Faults and Discord-shaped errors
# --------------------------------------------------------------------------------------------


def _json_response(
    payload: Any, *, status: int = 200, headers: Mapping[str, str] | None = None
) -> web.Response:
    """A JSON response with Content-Type exactly ``application/json``.

    discord.py parses a body as JSON only on that exact header; aiohttp's ``json_response``
    appends ``; charset=utf-8`` and discord.py would then see a str.
    """
    all_headers = {hdrs.CONTENT_TYPE: "application/json", **(headers or {})}
    body = json.dumps(payload, separators=_COMPACT).encode()
    return web.Response(status=status, body=body, headers=all_headers)


class DiscordAPIError(Exception):
    """Raised by handlers to answer with Discord's error shape ``{"message", "code"}``."""

    def __init__(self, status: int, code: int, message: str, errors: JSON | None = None) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors

    def to_response(self) -> web.Response:
        body: JSON = {"message": self.message, "code": self.code}
        if self.errors is not None:
            body["errors"] = self.errors
        return _json_response(body, status=self.status)


def _invalid_form(field_name: str, code: str, message: str) -> DiscordAPIError:
    errors = {field_name: {"_errors": [{"code": code, "message": message}]}}
    return DiscordAPIError(400, 50035, "Invalid Form Body", errors)


@dataclass(frozen=True)
class FaultResponse:
    """A canned answer that replaces the real handler for a matching request."""

    status: int
    body: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)
    text: str | None = None

    @classmethod
    def rate_limited(
        cls,
        retry_after: float = 0.05,
        *,
        is_global: bool = False,
        scope: str = "user",
        bucket: str = "fake-bucket",
    ) -> FaultResponse:
        """A 429 as Discord sends it.

        discord.py treats a 429 without a ``Via`` header, or with a non-JSON body, as a
        Cloudflare ban and raises instead of retrying; ``retry_after`` comes from the JSON body.
        """
        headers = {
            "Via": "1.1 google",
            "Retry-After": str(max(1, math.ceil(retry_after))),
            "X-RateLimit-Scope": "global" if is_global else scope,
        }
        if is_global:
            headers["X-RateLimit-Global"] = "true"
        else:
            headers.update(
                {
                    "X-RateLimit-Limit": "5",
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Reset": f"{time.time() + retry_after:.3f}",
                    "X-RateLimit-Reset-After": f"{retry_after:.3f}",
                    "X-RateLimit-Bucket": bucket,
                }
            )
        body = {
            "message": "You are being rate limited.",
            "retry_after": retry_after,
            "global": is_global,
            "code": 0,
        }
        return cls(status=429, body=body, headers=headers)

    @classmethod
    def server_error(cls, status: int = 500) -> FaultResponse:
        """A 5xx; discord.py retries 500/502/504/524 after a hard-coded sleep of >= 1 s."""
        return cls(status=status, body={"message": f"{status}: Server Error", "code": 0})

    @classmethod
    def error(cls, status: int, code: int, message: str) -> FaultResponse:
        """Any Discord-shaped error, e.g. ``error(403, 50013, "Missing Permissions")``."""
        return cls(status=status, body={"message": message, "code": code})

    def to_response(self) -> web.Response:
        if self.text is not None:
            return web.Response(
                status=self.status, text=self.text, content_type="text/html", headers=self.headers
            )
        if self.body is None:
            return web.Response(status=self.status, headers=self.headers)
        return _json_response(self.body, status=self.status, headers=self.headers)


@dataclass
class _FaultRule:
    method: str
    pattern: re.Pattern[str]
    response: FaultResponse
    remaining: int

    def matches(self, method: str, path: str) -> bool:
        method_ok = self.method == "*" or self.method == method
        return method_ok and self.pattern.fullmatch(path) is not None


@dataclass
class _DelayRule:
    """A late answer (`FakeDiscord.delay_response`)."""

    method: str
    pattern: re.Pattern[str]
    seconds: float
    process_first: bool
    remaining: int

    def matches(self, method: str, path: str) -> bool:
        method_ok = self.method == "*" or self.method == method
        return method_ok and self.pattern.fullmatch(path) is not None


def compile_path(path: str | re.Pattern[str]) -> re.Pattern[str]:
    """Turn ``/channels/{channel_id}/messages`` (or ``/channels/*/messages``) into a regex.

    ``{name}`` and ``*`` match one path segment; everything else is literal. A compiled
    pattern is used as is (matched with ``fullmatch`` against the path below ``/api/v10``).
    """
    if isinstance(path, re.Pattern):
        return path
    parts = re.split(r"(\{[^{}/]*\}|\*)", path)
    regex = "".join(
        "[^/]+" if part == "*" or (part.startswith("{") and part.endswith("}")) else re.escape(part)
        for part in parts
    )
    return re.compile(regex)


# --------------------------------------------------------------------------------------------
# Component helpers
# --------------------------------------------------------------------------------------------


def _child_components(component: JSON) -> list[JSON]:
    children = list(component.get("components") or [])
    for key in ("component", "accessory"):
        if isinstance(component.get(key), dict):
            children.append(component[key])
    return children


def _walk_components(components: Iterable[JSON]) -> Iterator[JSON]:
    for component in components:
        yield component
        yield from _walk_components(_child_components(component))


def _with_component_ids(components: Sequence[JSON]) -> list[JSON]:
    """A copy with numeric ``id``s filled in depth first, as Discord does when it stores them."""
    if not components:
        return []
    result = copy.deepcopy(list(components))
    used = {c["id"] for c in _walk_components(result) if isinstance(c.get("id"), int)}
    counter = itertools.count(1)
    for component in _walk_components(result):
        if component.get("id") is None:
            new_id = next(counter)
            while new_id in used:
                new_id = next(counter)
            component["id"] = new_id
            used.add(new_id)
    return result


def _find_component(components: Iterable[JSON], custom_id: str) -> JSON | None:
    return next((c for c in _walk_components(components) if c.get("custom_id") == custom_id), None)


def _submitted_component(component: JSON, values: Mapping[str, str | Sequence[str]]) -> JSON:
    """Mirror one modal component as Discord sends it back on submit (type 5 interaction)."""
    kind = component["type"]
    answer: JSON = {"type": kind, "id": component.get("id")}
    if kind == _ACTION_ROW:
        answer["components"] = [_submitted_component(c, values) for c in component["components"]]
    elif kind == _LABEL:
        answer["component"] = _submitted_component(component["component"], values)
    elif kind == _TEXT_INPUT:
        custom_id = component["custom_id"]
        value = values.get(custom_id, component.get("value"))
        if value is None and component.get("required", True):
            raise ValueError(f"modal text input {custom_id!r} is required; give it a value")
        answer.update(custom_id=custom_id, value=str(value or ""))
    elif kind in _SELECT_TYPES:
        answer.update(
            custom_id=component["custom_id"], values=list(values.get(component["custom_id"], []))
        )
    elif "custom_id" in component:
        answer["custom_id"] = component["custom_id"]
    return answer


def _label_wrapped_inputs(values: Mapping[str, str | Sequence[str]]) -> list[JSON]:
    """The submit structure of a discord.py 2.7 modal whose inputs are each in a ``ui.Label``."""
    components: list[JSON] = []
    for index, (custom_id, value) in enumerate(values.items()):
        inner: JSON = {"type": _TEXT_INPUT, "id": 2 * index + 2, "custom_id": custom_id}
        if isinstance(value, str):
            inner["value"] = value
        else:
            inner.update(type=3, values=list(value))
        components.append({"type": _LABEL, "id": 2 * index + 1, "component": inner})
    return components


def _infer_option_type(value: OptionValue) -> OptionType:
    # bool first: it is an int subclass
    if isinstance(value, bool):
        return OptionType.BOOLEAN
    if isinstance(value, int):
        return OptionType.INTEGER
    if isinstance(value, float):
        return OptionType.NUMBER
    if isinstance(value, str):
        return OptionType.STRING
    raise TypeError(f"cannot infer a Discord option type for {value!r}; pass raw option dicts")


# --------------------------------------------------------------------------------------------
# Internal per-interaction and per-gateway bookkeeping
# --------------------------------------------------------------------------------------------


@dataclass
class _InteractionRecord:
    ref: InteractionRef
    source_message_id: int | None = None
    acknowledged: bool = False
    callback_type: CallbackType | None = None
    original_message_id: int | None = None
    followup_ids: list[int] = field(default_factory=list)


@dataclass
class _ParsedBody:
    json: Any
    files: list[RecordedFile]
    raw: bytes


_BODY: contextvars.ContextVar[_ParsedBody] = contextvars.ContextVar("fake_discord_body")


class _GatewayConnection:
    """One websocket from a client; frames are plain TEXT JSON (discord.py accepts them)."""

    def __init__(self, number: int, ws: web.WebSocketResponse) -> None:
        self.number = number
        self.ws = ws
        self.session: _GatewaySession | None = None

    async def send(self, frame: JSON, text: str | None = None) -> bool:
        """Send ``frame``; ``text``, when given, is its JSON already (see PreparedInteraction)."""
        if self.ws.closed:
            return False
        try:
            await self.ws.send_str(text or json.dumps(frame, separators=_COMPACT))
        except ConnectionError:
            return False
        return True

    async def close(self, code: int) -> None:
        await self.ws.close(code=code)


@dataclass
class _GatewaySession:
    """A READY session: keeps sequence numbers and history so RESUME can replay missed events."""

    session_id: str
    identify: JSON
    seq: int = 0
    history: list[JSON] = field(default_factory=list)
    connection: _GatewayConnection | None = None

    HISTORY_LIMIT: ClassVar[int] = 1000

    def next_frame(self, event: str, data: Any) -> JSON:
        self.seq += 1
        frame = {"op": 0, "t": event, "s": self.seq, "d": data}
        self.history.append(frame)
        del self.history[: -self.HISTORY_LIMIT]
        return frame


# --------------------------------------------------------------------------------------------
# The fake
# --------------------------------------------------------------------------------------------


class FakeDiscord:
    """A Discord REST API and gateway on 127.0.0.1 (port chosen by the OS).

    Configure guilds/channels/roles/members/users before the client connects (GUILD_CREATE is
    built from them at IDENTIFY). Use as ``async with FakeDiscord() as fake`` or ``start()``/
    ``close()``; point discord.py at it with ``with fake.point_discord_py():``.
    """

    #: How long a (channel, nonce) pair dedups a repeated POST with ``enforce_nonce``.
    NONCE_WINDOW_SECONDS: ClassVar[float] = 300.0
    ATTACHMENT_SIZE_LIMIT: ClassVar[int] = 10 * 1024 * 1024

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
        self._ids = _SnowflakeFactory()
        self._host = host
        self._heartbeat_interval_ms = heartbeat_interval_ms
        self.bot_user = FakeUser(self._ids.next(), bot_username, bot_global_name, bot=True)
        self.owner_user = FakeUser(self._ids.next(), "app-owner", "App Owner")
        #: Discord gives a bot's application the bot user's id unless told otherwise.
        self.application_id = application_id or self.bot_user.id
        self.application_flags = application_flags
        self.users: dict[int, FakeUser] = {u.id: u for u in (self.bot_user, self.owner_user)}
        self.guilds: dict[int, FakeGuild] = {}
        self.channels: dict[int, FakeChannel] = {}

        self._dm_channel_by_user: dict[int, int] = {}
        self._closed_dms: set[int] = set()
        self._messages: dict[int, StoredMessage] = {}
        self._channel_messages: dict[int, list[int]] = {}
        self._nonces: dict[tuple[int, str], tuple[float, int]] = {}
        self._global_commands: list[JSON] = []
        self._guild_commands: dict[int, list[JSON]] = {}
        self._interactions: dict[int, _InteractionRecord] = {}
        self._interaction_by_token: dict[str, int] = {}
        self._faults: list[_FaultRule] = []
        self._delays: list[_DelayRule] = []
        self._bucket_numbers = itertools.count(1)
        #: When set, bot requests must carry ``Authorization: Bot <token>`` (else 401) and
        #: IDENTIFY must carry it (else close 4004), so a wrong token fails like on Discord.
        self.required_token: str | None = None

        #: Every REST request, in order.
        self.requests: Journal[RecordedRequest] = Journal(RecordedRequest.describe)
        #: Every interaction callback the bot made, in order.
        self.callbacks: Journal[InteractionCallback] = Journal(InteractionCallback.describe)
        #: Every message created (channel posts, interaction replies, follow-ups), in order.
        self.message_log: Journal[StoredMessage] = Journal(StoredMessage.describe)
        #: Every frame a client sent on the gateway, in order.
        self.gateway_frames: Journal[GatewayFrame] = Journal(GatewayFrame.describe)

        self._sessions: dict[str, _GatewaySession] = {}
        self._current_session: _GatewaySession | None = None
        self._connections: list[_GatewayConnection] = []
        self._connection_numbers = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    # ---------------------------------------------------------------- lifecycle and addresses

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

    # ---------------------------------------------------------------- state configuration

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
            self.bot_user, guild_id, _now(), roles=[bot_role.id]
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
        member = FakeMember(user, target.id, joined_at or _now(), role_ids, nick)
        target.members[user.id] = member
        return member

    def dm_channel(self, user: UserLike) -> FakeChannel:
        """The DM channel between the bot and ``user`` (created on first use, like Discord)."""
        user_id = self._user_id(user)
        if user_id not in self.users:
            raise KeyError(f"unknown user {user_id}")
        channel_id = self._dm_channel_by_user.get(user_id)
        if channel_id is None:
            channel = FakeChannel(self._ids.next(), ChannelType.DM, recipient_id=user_id)
            self.channels[channel.id] = channel
            self._dm_channel_by_user[user_id] = channel.id
            return channel
        return self.channels[channel_id]

    def close_dms(self, user: UserLike) -> None:
        """Make messages to ``user``'s DM channel fail with 403 / code 50007, as for closed DMs."""
        self._closed_dms.add(self._user_id(user))

    def open_dms(self, user: UserLike) -> None:
        self._closed_dms.discard(self._user_id(user))

    # ---------------------------------------------------------------- fault injection

    def inject_fault(
        self, method: str, path: str | re.Pattern[str], response: FaultResponse, *, times: int = 1
    ) -> None:
        """Answer the next ``times`` matching requests with ``response`` instead of the handler.

        ``path`` is below ``/api/v10``, e.g. ``/channels/{channel_id}/messages``; ``method``
        may be ``*``. Faulted requests are still recorded (``faulted=True``).
        """
        self._faults.append(_FaultRule(method.upper(), compile_path(path), response, times))

    def rate_limit(
        self,
        method: str,
        path: str | re.Pattern[str],
        *,
        retry_after: float = 0.05,
        is_global: bool = False,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` matching requests with a realistic 429."""
        bucket = f"fake-bucket-{next(self._bucket_numbers)}"
        response = FaultResponse.rate_limited(retry_after, is_global=is_global, bucket=bucket)
        self.inject_fault(method, path, response, times=times)

    def fail_with_server_error(
        self, method: str, path: str | re.Pattern[str], *, status: int = 500, times: int = 1
    ) -> None:
        self.inject_fault(method, path, FaultResponse.server_error(status), times=times)

    def delay_response(
        self,
        method: str,
        path: str | re.Pattern[str],
        seconds: float,
        *,
        times: int = 1,
        process_first: bool = True,
    ) -> None:
        """Answer the next ``times`` matching requests ``seconds`` late (a slow or hung Discord).

        With ``process_first`` (the default) the request takes effect at once and only its
        answer is late: the "posted, but the answer never came in time" case, in which a client
        that gives up and retries would post twice without a nonce. Otherwise the wait comes
        first. An injected fault for the same request wins over the delay.
        """
        rule = _DelayRule(method.upper(), compile_path(path), seconds, process_first, times)
        self._delays.append(rule)

    def faults_remaining(self) -> int:
        """How many injected answers (and delays) have not been used yet (0 once all were hit)."""
        faults = sum(rule.remaining for rule in self._faults)
        return faults + sum(rule.remaining for rule in self._delays)

    def _take_delay(self, method: str, path: str) -> _DelayRule | None:
        for rule in self._delays:
            if rule.matches(method, path):
                rule.remaining -= 1
                if rule.remaining <= 0:
                    self._delays.remove(rule)
                return rule
        return None

    def _take_fault(self, method: str, path: str) -> FaultResponse | None:
        for rule in self._faults:
            if rule.matches(method, path):
                rule.remaining -= 1
                if rule.remaining <= 0:
                    self._faults.remove(rule)
                return rule.response
        return None

    # ---------------------------------------------------------------- reading what happened

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

    async def wait_for_callback(
        self,
        interaction: InteractionRef | int,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - bounded waits, see Journal
    ) -> InteractionCallback:
        """The bot's callback to ``interaction`` (it can answer only once)."""
        interaction_id = interaction.id if isinstance(interaction, InteractionRef) else interaction
        return await self.callbacks.wait_for(
            lambda c: c.interaction.id == interaction_id, timeout=timeout
        )

    async def wait_for_modal(
        self,
        interaction: InteractionRef | int,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - bounded waits, see Journal
    ) -> OpenedModal:
        callback = await self.wait_for_callback(interaction, timeout=timeout)
        modal = callback.modal
        if modal is None:
            raise AssertionError(f"expected a modal, the bot answered {callback.describe()}")
        return modal

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

    def messages_in(
        self, channel: ChannelLike, *, include_deleted: bool = False
    ) -> list[StoredMessage]:
        """Messages in a channel, oldest first (ephemeral interaction replies included)."""
        ids = self._channel_messages.get(self._channel_id(channel), [])
        messages = [self._messages[message_id] for message_id in ids]
        return [m for m in messages if include_deleted or not m.deleted]

    def message(self, message_id: int) -> StoredMessage:
        return self._messages[message_id]

    def commands(self, guild: GuildLike | None = None) -> list[JSON]:
        """Application commands as last synced (global when ``guild`` is None)."""
        if guild is None:
            return copy.deepcopy(self._global_commands)
        return copy.deepcopy(self._guild_commands.get(self._guild_id(guild), []))

    def original_response(self, interaction: InteractionRef | int) -> StoredMessage | None:
        record = self._interactions[self._interaction_id(interaction)]
        if record.original_message_id is None:
            return None
        return self._messages[record.original_message_id]

    def followups(self, interaction: InteractionRef | int) -> list[StoredMessage]:
        record = self._interactions[self._interaction_id(interaction)]
        return [self._messages[message_id] for message_id in record.followup_ids]

    # ---------------------------------------------------------------- gateway controls

    @property
    def gateway_connection_count(self) -> int:
        return len(self._connections)

    async def wait_for_gateway(
        self,
        op: int,
        *,
        predicate: Callable[[GatewayFrame], bool] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - bounded waits, see Journal
        since: int = 0,
    ) -> GatewayFrame:
        """A client frame with opcode ``op`` (2 IDENTIFY, 6 RESUME, ...), after it was handled."""
        return await self.gateway_frames.wait_for(
            lambda f: f.op == op and (predicate is None or predicate(f)),
            timeout=timeout,
            since=since,
        )

    async def dispatch(self, event: str, data: Any) -> int:
        """Send a DISPATCH (op 0) to the current session; returns its sequence number.

        While the client is disconnected the event is only kept, and replayed on RESUME.
        """
        return await self._dispatch(event, data, None)

    async def _dispatch(self, event: str, data: Any, encoded: str | None) -> int:
        session = self._current_session
        if session is None:
            raise RuntimeError("no gateway session: the client has not sent IDENTIFY yet")
        frame = session.next_frame(event, data)
        if session.connection is not None:
            text = None
            if encoded is not None:  # the frame's JSON around the data's, already serialised
                text = f'{{"op":0,"t":{json.dumps(event)},"s":{frame["s"]},"d":{encoded}}}'
            await session.connection.send(frame, text)
        return int(frame["s"])

    async def request_reconnect(self) -> None:
        """Send op 7 RECONNECT: discord.py closes and RESUMEs at ``resume_gateway_url``."""
        await self._send_to_current({"op": 7, "d": None, "s": None, "t": None})

    async def invalidate_session(self, *, resumable: bool = False) -> None:
        """Send op 9 INVALID_SESSION; with ``resumable=False`` the client identifies afresh."""
        await self._send_to_current({"op": 9, "d": resumable, "s": None, "t": None})

    async def drop_gateway(self, code: int = 4000) -> None:
        """Close every gateway socket with ``code`` (4000 makes discord.py try to RESUME)."""
        for connection in list(self._connections):
            await connection.close(code)

    async def _send_to_current(self, frame: JSON) -> None:
        session = self._current_session
        if session is None or session.connection is None:
            raise RuntimeError("no connected gateway session")
        await session.connection.send(frame)

    # ---------------------------------------------------------------- interactions (to the bot)

    async def send_slash_command(
        self,
        name: str,
        *,
        user: UserLike,
        channel: ChannelLike | None = None,
        options: Mapping[str, OptionValue] | Sequence[JSON] | None = None,
        subcommand: str | None = None,
        resolved: JSON | None = None,
        locale: str = "en-US",
    ) -> InteractionRef:
        """Dispatch a chat-input command (type 2) as ``user`` in ``channel`` (None: their DM).

        Option types come from the synced command's schema when it was synced to the fake,
        else from the Python type (bool 5, int 4, float 10, str 3). Pass raw option dicts (and
        ``resolved``) for user/role/channel options. Sync guild commands first: only a command
        synced to the channel's guild gets ``data.guild_id``, which discord.py needs to find it.
        """
        target = self._interaction_channel(user, channel)
        data = self._command_data(name, target, options, subcommand, focused=None)
        if resolved is not None:
            data["resolved"] = resolved
        return await self._dispatch_interaction(
            InteractionType.APPLICATION_COMMAND, target, user, data, locale=locale
        )

    async def send_autocomplete(
        self,
        name: str,
        *,
        user: UserLike,
        focused: str,
        value: str,
        channel: ChannelLike | None = None,
        options: Mapping[str, OptionValue] | Sequence[JSON] | None = None,
        subcommand: str | None = None,
        locale: str = "en-US",
    ) -> InteractionRef:
        """Dispatch an autocomplete (type 4): option ``focused`` is being typed, as ``value``."""
        target = self._interaction_channel(user, channel)
        data = self._command_data(name, target, options, subcommand, focused=(focused, value))
        return await self._dispatch_interaction(
            InteractionType.AUTOCOMPLETE, target, user, data, locale=locale
        )

    async def click_button(
        self,
        message: StoredMessage | int,
        custom_id: str,
        *,
        user: UserLike,
        locale: str = "en-US",
    ) -> InteractionRef:
        """Dispatch a button click (type 3) on a message the fake holds.

        The interaction carries that message as it is now, which is how discord.py finds the
        view it stored for the message id. Unknown or disabled buttons raise, as a real client
        cannot click them.
        """
        return await self._component_interaction(message, custom_id, user, None, locale)

    async def select_values(
        self,
        message: StoredMessage | int,
        custom_id: str,
        values: Sequence[str],
        *,
        user: UserLike,
        locale: str = "en-US",
    ) -> InteractionRef:
        """Dispatch a select-menu choice (type 3) on a message the fake holds."""
        return await self._component_interaction(message, custom_id, user, list(values), locale)

    async def submit_modal(
        self,
        modal: OpenedModal | str,
        values: Mapping[str, str | Sequence[str]],
        *,
        user: UserLike | None = None,
        channel: ChannelLike | None = None,
        locale: str = "en-US",
    ) -> InteractionRef:
        """Dispatch a modal submit (type 5) with ``values`` by component custom_id.

        Given an `OpenedModal` (from `wait_for_modal`), the submit mirrors the modal's own
        structure (ActionRow- or Label-wrapped inputs) and defaults to the opener's user and
        channel. Given a bare modal ``custom_id``, each value is sent Label-wrapped (type 18),
        as discord.py 2.7 builds modals with ``ui.Label``; ``user`` is then required.
        """
        prepared = self.prepare_modal_submit(
            modal, values, user=user, channel=channel, locale=locale
        )
        return await self.dispatch_prepared(prepared)

    def prepare_modal_submit(
        self,
        modal: OpenedModal | str,
        values: Mapping[str, str | Sequence[str]],
        *,
        user: UserLike | None = None,
        channel: ChannelLike | None = None,
        locale: str = "en-US",
    ) -> PreparedInteraction:
        """`submit_modal` in two steps, for load generators: build the interaction now (its
        id and token are valid from now on), send it with `dispatch_prepared` later."""
        source_message: StoredMessage | None = None
        if isinstance(modal, OpenedModal):
            opener = self._interactions[modal.interaction_id]
            unknown = set(values) - set(modal.custom_ids())
            if unknown:
                raise KeyError(
                    f"modal has no inputs {sorted(unknown)}; it has {modal.custom_ids()}"
                )
            components = [_submitted_component(c, values) for c in modal.components]
            custom_id = modal.custom_id
            user = opener.ref.user_id if user is None else user
            channel = opener.ref.channel_id if channel is None else channel
            if opener.source_message_id is not None:
                source_message = self._messages[opener.source_message_id]
        else:
            if user is None:
                raise TypeError("submit_modal with a bare custom_id needs user=")
            custom_id, components = modal, _label_wrapped_inputs(values)
        target = self._interaction_channel(user, channel)
        data = {"custom_id": custom_id, "components": components}
        ref = self._new_interaction(
            InteractionType.MODAL_SUBMIT, target, user, data, message=source_message, locale=locale
        )
        return PreparedInteraction(ref, json.dumps(ref.payload, separators=_COMPACT))

    async def dispatch_prepared(self, prepared: PreparedInteraction) -> InteractionRef:
        """Send a prepared interaction's INTERACTION_CREATE (each one once)."""
        await self._dispatch("INTERACTION_CREATE", prepared.ref.payload, prepared.encoded)
        return prepared.ref

    async def _component_interaction(
        self,
        message: StoredMessage | int,
        custom_id: str,
        user: UserLike,
        values: list[str] | None,
        locale: str,
    ) -> InteractionRef:
        stored = message if isinstance(message, StoredMessage) else self._messages[message]
        component = _find_component(stored.components, custom_id)
        if component is None:
            raise LookupError(
                f"no component {custom_id!r} in {stored.describe()}: {stored.custom_ids()}"
            )
        if component.get("disabled"):
            raise ValueError(f"component {custom_id!r} is disabled")
        is_select = component["type"] in _SELECT_TYPES
        if (values is not None) != is_select:
            raise ValueError(f"component {custom_id!r} has type {component['type']}")
        data: JSON = {"custom_id": custom_id, "component_type": component["type"]}
        if values is not None:
            data["values"] = values
        target = self.channels[stored.channel_id]
        return await self._dispatch_interaction(
            InteractionType.MESSAGE_COMPONENT, target, user, data, message=stored, locale=locale
        )

    def _command_data(
        self,
        name: str,
        channel: FakeChannel,
        options: Mapping[str, OptionValue] | Sequence[JSON] | None,
        subcommand: str | None,
        focused: tuple[str, str] | None,
    ) -> JSON:
        command = self._find_command(name, channel.guild_id)
        schema: list[JSON] = list(command.get("options") or []) if command else []
        if subcommand is not None:
            sub = next((o for o in schema if o.get("name") == subcommand), None)
            schema = list(sub.get("options") or []) if sub else []
        built = self._build_options(options, schema)
        if focused is not None:
            focus_name, focus_value = focused
            focus_type = self._schema_type(schema, focus_name) or OptionType.STRING
            built.append(
                {"name": focus_name, "type": int(focus_type), "value": focus_value, "focused": True}
            )
        if subcommand is not None:
            built = [{"name": subcommand, "type": int(OptionType.SUB_COMMAND), "options": built}]
        data: JSON = {
            "id": command["id"] if command else str(self._ids.next()),
            "name": name,
            "type": 1,
            "options": built,
        }
        if command and command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        return data

    def _build_options(
        self, options: Mapping[str, OptionValue] | Sequence[JSON] | None, schema: list[JSON]
    ) -> list[JSON]:
        if options is None:
            return []
        if not isinstance(options, Mapping):
            return copy.deepcopy(list(options))
        built = []
        for name, value in options.items():
            option_type = self._schema_type(schema, name) or _infer_option_type(value)
            built.append({"name": name, "type": int(option_type), "value": value})
        return built

    @staticmethod
    def _schema_type(schema: list[JSON], name: str) -> OptionType | None:
        found = next((o for o in schema if o.get("name") == name), None)
        return OptionType(found["type"]) if found and "type" in found else None

    def _find_command(self, name: str, guild_id: int | None) -> JSON | None:
        scopes = [self._guild_commands.get(guild_id, []) if guild_id else [], self._global_commands]
        for commands in scopes:
            for command in commands:
                if command["name"] == name and command.get("type", 1) == 1:
                    return command
        return None

    def _interaction_channel(self, user: UserLike, channel: ChannelLike | None) -> FakeChannel:
        if channel is None:
            return self.dm_channel(user)
        target = self.channels[self._channel_id(channel)]
        if target.is_dm and target.recipient_id != self._user_id(user):
            raise ValueError(f"user {self._user_id(user)} is not the recipient of DM {target.id}")
        return target

    async def _dispatch_interaction(
        self,
        kind: InteractionType,
        channel: FakeChannel,
        user: UserLike,
        data: JSON,
        *,
        message: StoredMessage | None = None,
        locale: str,
    ) -> InteractionRef:
        ref = self._new_interaction(kind, channel, user, data, message=message, locale=locale)
        await self.dispatch("INTERACTION_CREATE", ref.payload)
        return ref

    def _new_interaction(
        self,
        kind: InteractionType,
        channel: FakeChannel,
        user: UserLike,
        data: JSON,
        *,
        message: StoredMessage | None = None,
        locale: str,
    ) -> InteractionRef:
        """Build an interaction and register it, so its callback is accepted once it is sent."""
        user_id = self._user_id(user)
        interaction_id = self._ids.next()
        token = secrets.token_urlsafe(32)
        payload: JSON = {
            "id": str(interaction_id),
            "application_id": str(self.application_id),
            "type": int(kind),
            "token": token,
            "version": 1,
            "data": data,
            "channel_id": str(channel.id),
            "locale": locale,
            "attachment_size_limit": self.ATTACHMENT_SIZE_LIMIT,
            "entitlements": [],
            "entitlement_sku_ids": [],
        }
        payload.update(self._interaction_context(channel, user_id))
        if message is not None:
            payload["message"] = copy.deepcopy(message.payload)
        ref = InteractionRef(
            interaction_id, token, kind, channel.id, channel.guild_id, user_id, payload
        )
        record = _InteractionRecord(ref, source_message_id=message.id if message else None)
        self._interactions[interaction_id] = record
        self._interaction_by_token[token] = interaction_id
        return ref

    def _interaction_context(self, channel: FakeChannel, user_id: int) -> JSON:
        """Guild interactions carry ``member`` (with permissions), DMs carry ``user``."""
        user = self.users[user_id]
        if channel.guild_id is None:
            return {
                "user": user.to_payload(),
                "channel": self._channel_payload(channel),
                "app_permissions": str(DM_PERMISSIONS),
                "authorizing_integration_owners": {"0": "0"},
                "context": 1,
            }
        guild = self.guilds[channel.guild_id]
        member = guild.members.get(user_id)
        if member is None:
            raise LookupError(f"user {user_id} is not a member of guild {guild.id}")
        permissions = guild.permissions_for(user_id)
        return {
            "guild_id": str(guild.id),
            "guild": {"id": str(guild.id), "locale": guild.preferred_locale, "features": []},
            "guild_locale": guild.preferred_locale,
            "member": member.to_payload(permissions=permissions),
            "channel": {**self._channel_payload(channel), "permissions": str(permissions)},
            "app_permissions": str(guild.permissions_for(self.bot_user.id)),
            "authorizing_integration_owners": {"0": str(guild.id)},
            "context": 0,
        }

    # ---------------------------------------------------------------- payload builders

    def _channel_payload(self, channel: FakeChannel) -> JSON:
        last_ids = self._channel_messages.get(channel.id)
        last_message_id = str(last_ids[-1]) if last_ids else None
        if channel.is_dm:
            recipient = self.users[channel.recipient_id or 0]
            return {
                "id": str(channel.id),
                "type": int(ChannelType.DM),
                "last_message_id": last_message_id,
                "flags": 0,
                "recipients": [recipient.to_payload()],
            }
        return {
            "id": str(channel.id),
            "type": int(channel.type),
            "guild_id": str(channel.guild_id),
            "name": channel.name,
            "position": channel.position,
            "parent_id": None,
            "topic": channel.topic,
            "nsfw": False,
            "permission_overwrites": [],
            "rate_limit_per_user": 0,
            "last_message_id": last_message_id,
            "flags": 0,
        }

    def _guild_create_payload(self, guild: FakeGuild) -> JSON:
        """GUILD_CREATE with ``member_count == len(members)`` so discord.py never asks to chunk."""
        return {
            "id": str(guild.id),
            "name": guild.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "owner_id": str(guild.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "preferred_locale": guild.preferred_locale,
            "features": [],
            "emojis": [],
            "stickers": [],
            "roles": [role.to_payload() for role in guild.roles.values()],
            "channels": [self._channel_payload(c) for c in guild.channels.values()],
            "members": [m.to_payload() for m in guild.members.values()],
            "member_count": guild.member_count,
            "large": guild.member_count >= 250,
            "unavailable": False,
            "joined_at": _iso(guild.members[self.bot_user.id].joined_at),
            "threads": [],
            "presences": [],
            "voice_states": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "premium_progress_bar_enabled": False,
        }

    def _bot_user_payload(self) -> JSON:
        return {
            **self.bot_user.to_payload(),
            "verified": True,
            "mfa_enabled": False,
            "locale": "en-US",
            "email": None,
        }

    def _application_payload(self) -> JSON:
        return {
            "id": str(self.application_id),
            "name": self.bot_user.username,
            "icon": None,
            "description": "",
            "summary": "",
            "type": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "verify_key": "0" * 64,
            "owner": self.owner_user.to_payload(),
            "team": None,
            "flags": self.application_flags,
            "bot": self.bot_user.to_payload(),
            "interactions_endpoint_url": None,
            "redirect_uris": [],
            "tags": [],
        }

    # ---------------------------------------------------------------- messages

    def _validate_message(self, body: JSON, files: Sequence[RecordedFile]) -> None:
        content = body.get("content") or ""
        if len(content) > _MAX_CONTENT:
            raise _invalid_form(
                "content", "BASE_TYPE_MAX_LENGTH", "Must be 2000 or fewer in length."
            )
        if len(body.get("embeds") or []) > _MAX_EMBEDS:
            raise _invalid_form("embeds", "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")
        has_body = content or body.get("embeds") or body.get("components") or body.get("poll")
        if not (has_body or files or body.get("sticker_ids")):
            raise DiscordAPIError(400, 50006, "Cannot send an empty message")

    def _create_message(
        self,
        channel: FakeChannel,
        body: JSON,
        files: Sequence[RecordedFile],
        *,
        message_type: int = _MESSAGE_TYPE_DEFAULT,
        from_interaction: _InteractionRecord | None = None,
        allow_empty: bool = False,
    ) -> StoredMessage:
        if not allow_empty:
            self._validate_message(body, files)
        message_id = self._ids.next()
        flags = int(body.get("flags") or 0)
        if from_interaction is None:
            flags &= ~int(MessageFlag.EPHEMERAL | MessageFlag.LOADING)
        payload: JSON = {
            "id": str(message_id),
            "channel_id": str(channel.id),
            "type": message_type,
            "author": self.bot_user.to_payload(),
            "content": body.get("content") or "",
            "timestamp": _iso(_now()),
            "edited_timestamp": None,
            "tts": bool(body.get("tts", False)),
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": self._attachments(channel.id, body.get("attachments"), files),
            "embeds": list(body.get("embeds") or []),
            "components": _with_component_ids(body.get("components") or []),
            "flags": flags,
            "pinned": False,
        }
        if body.get("nonce") is not None:
            payload["nonce"] = body["nonce"]
        if from_interaction is not None:
            payload["webhook_id"] = str(self.application_id)
            payload["application_id"] = str(self.application_id)
        self._add_reference(payload, body.get("message_reference"), channel.id)
        stored = StoredMessage(
            payload,
            list(files),
            interaction_id=from_interaction.ref.id if from_interaction else None,
        )
        self._messages[message_id] = stored
        self._channel_messages.setdefault(channel.id, []).append(message_id)
        self.message_log.append(stored)
        return stored

    def _add_reference(self, payload: JSON, reference: JSON | None, channel_id: int) -> None:
        if not reference or reference.get("message_id") is None:
            return
        referenced_id = int(reference["message_id"])
        payload["message_reference"] = {
            "type": reference.get("type", 0),
            "message_id": str(referenced_id),
            "channel_id": str(reference.get("channel_id") or channel_id),
        }
        referenced = self._messages.get(referenced_id)
        payload["referenced_message"] = copy.deepcopy(referenced.payload) if referenced else None

    def _attachments(
        self, channel_id: int, declared: list[JSON] | None, files: Sequence[RecordedFile]
    ) -> list[JSON]:
        """Attachment objects for uploaded files, honouring filenames declared in the payload."""
        by_field = {f"files[{d['id']}]": d for d in declared or [] if "id" in d}
        result = []
        for upload in files:
            meta = by_field.get(upload.field, {})
            attachment_id = self._ids.next()
            filename = meta.get("filename") or upload.filename
            url = f"{self.base_url}/attachments/{channel_id}/{attachment_id}/{filename}"
            attachment: JSON = {
                "id": str(attachment_id),
                "filename": filename,
                "size": len(upload.data),
                "url": url,
                "proxy_url": url,
                "content_type": upload.content_type,
            }
            if meta.get("description"):
                attachment["description"] = meta["description"]
            result.append(attachment)
        return result

    def _edit_message(
        self, stored: StoredMessage, body: JSON, files: Sequence[RecordedFile]
    ) -> None:
        """Apply a PATCH: only the keys present change; editing ends a "thinking" state."""
        payload = stored.payload
        if "content" in body and len(body["content"] or "") > _MAX_CONTENT:
            raise _invalid_form(
                "content", "BASE_TYPE_MAX_LENGTH", "Must be 2000 or fewer in length."
            )
        if "content" in body:
            payload["content"] = body["content"] or ""
        if "embeds" in body:
            payload["embeds"] = list(body["embeds"] or [])
        if "components" in body:
            payload["components"] = _with_component_ids(body["components"] or [])
        kept_flags = payload.get("flags", 0) & int(MessageFlag.EPHEMERAL)
        if body.get("flags") is not None:
            settable = ~int(MessageFlag.EPHEMERAL | MessageFlag.LOADING)
            payload["flags"] = kept_flags | (int(body["flags"]) & settable)
        else:
            payload["flags"] = payload.get("flags", 0) & ~int(MessageFlag.LOADING)
        if "attachments" in body or files:
            self._edit_attachments(stored, body.get("attachments"), files)
        payload["edited_timestamp"] = _iso(_now())
        stored.edit_count += 1

    def _edit_attachments(
        self, stored: StoredMessage, declared: list[JSON] | None, files: Sequence[RecordedFile]
    ) -> None:
        current = stored.payload.get("attachments") or []
        if declared is None:
            kept = list(current)
        else:
            keep_ids = {str(d["id"]) for d in declared}
            kept = [a for a in current if a["id"] in keep_ids]
        new = self._attachments(stored.channel_id, declared, files)
        stored.payload["attachments"] = kept + new
        stored.files.extend(files)

    def _channel_or_404(self, channel_id: str) -> FakeChannel:
        channel = self.channels.get(int(channel_id)) if channel_id.isdigit() else None
        if channel is None:
            raise DiscordAPIError(404, 10003, "Unknown Channel")
        return channel

    def _message_or_404(self, channel_id: int, message_id: str) -> StoredMessage:
        stored = self._messages.get(int(message_id)) if message_id.isdigit() else None
        if stored is None or stored.deleted or stored.channel_id != channel_id:
            raise DiscordAPIError(404, 10008, "Unknown Message")
        return stored

    def _dedup_by_nonce(self, channel_id: int, body: JSON) -> StoredMessage | None:
        """Discord's ``enforce_nonce``: a repeat within a few minutes returns the first message."""
        nonce = body.get("nonce")
        if nonce is None or not body.get("enforce_nonce"):
            return None
        seen = self._nonces.get((channel_id, str(nonce)))
        if seen is None or time.monotonic() - seen[0] > self.NONCE_WINDOW_SECONDS:
            return None
        return self._messages.get(seen[1])

    # ---------------------------------------------------------------- HTTP plumbing

    def _routes(self) -> list[web.RouteDef]:
        p = API_PREFIX
        app_commands = f"{p}/applications/{{app_id}}/commands"
        guild_commands = f"{p}/applications/{{app_id}}/guilds/{{guild_id}}/commands"
        channel_message = f"{p}/channels/{{channel_id}}/messages/{{message_id}}"
        webhook_message = f"{p}/webhooks/{{app_id}}/{{token}}/messages/{{message_id}}"
        return [
            web.get(GATEWAY_PATH, self._gateway),
            web.get(f"{p}/gateway", self._get_gateway),
            web.get(f"{p}/gateway/bot", self._get_gateway_bot),
            web.get(f"{p}/users/@me", self._get_me),
            web.post(f"{p}/users/@me/channels", self._create_dm),
            web.get(f"{p}/users/{{user_id}}", self._get_user),
            web.get(f"{p}/oauth2/applications/@me", self._get_application),
            web.get(app_commands, self._get_commands),
            web.put(app_commands, self._put_commands),
            web.post(app_commands, self._post_command),
            web.get(guild_commands, self._get_commands),
            web.put(guild_commands, self._put_commands),
            web.post(guild_commands, self._post_command),
            web.get(f"{p}/guilds/{{guild_id}}/members/{{user_id}}", self._get_member),
            web.get(f"{p}/channels/{{channel_id}}", self._get_channel),
            web.post(f"{p}/channels/{{channel_id}}/messages", self._post_message),
            web.get(channel_message, self._get_message),
            web.patch(channel_message, self._patch_message),
            web.delete(channel_message, self._delete_message),
            web.post(f"{p}/interactions/{{interaction_id}}/{{token}}/callback", self._callback),
            web.post(f"{p}/webhooks/{{app_id}}/{{token}}", self._post_followup),
            web.get(webhook_message, self._get_webhook_message),
            web.patch(webhook_message, self._patch_webhook_message),
            web.delete(webhook_message, self._delete_webhook_message),
        ]

    @web.middleware
    async def _middleware(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        """Record every API request, apply injected faults, and shape errors like Discord."""
        if not request.path.startswith(f"{API_PREFIX}/"):
            return await handler(request)
        body = await _parse_body(request)
        path = request.path[len(API_PREFIX) :]
        record = RecordedRequest(
            index=len(self.requests),
            method=request.method,
            path=path,
            query=dict(request.query),
            headers=request.headers,  # already a read-only copy of what was sent
            json=body.json,
            files=body.files,
            raw_body=body.raw,
        )
        fault = self._take_fault(request.method, path)
        if fault is not None:
            response: web.StreamResponse = fault.to_response()
            record.faulted = True
        else:
            _BODY.set(body)
            delay = self._take_delay(request.method, path)
            if delay is not None and not delay.process_first:
                await asyncio.sleep(delay.seconds)
            response = await self._run_handler(handler, request, self._check_auth)
            if delay is not None and delay.process_first:
                await asyncio.sleep(delay.seconds)
        record.status = response.status
        record._response_body = _response_json_body(response)
        self.requests.append(record)
        return response

    @staticmethod
    async def _run_handler(
        handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
        request: web.Request,
        check_auth: Callable[[web.Request], None],
    ) -> web.StreamResponse:
        try:
            check_auth(request)
            return await handler(request)
        except DiscordAPIError as exc:
            return exc.to_response()
        except web.HTTPMethodNotAllowed:
            return DiscordAPIError(405, 0, "405: Method Not Allowed").to_response()
        except web.HTTPNotFound:
            return DiscordAPIError(404, 0, "404: Not Found").to_response()

    def _check_auth(self, request: web.Request) -> None:
        """Interaction callbacks and webhooks authenticate by token in the URL, not a header."""
        if self.required_token is None:
            return
        path = request.path[len(API_PREFIX) :]
        if path.startswith(("/interactions/", "/webhooks/")):
            return
        if request.headers.get(hdrs.AUTHORIZATION) != f"Bot {self.required_token}":
            raise DiscordAPIError(401, 0, "401: Unauthorized")

    # ---------------------------------------------------------------- REST handlers

    async def _get_gateway(self, request: web.Request) -> web.Response:
        return _json_response({"url": self.gateway_url})

    async def _get_gateway_bot(self, request: web.Request) -> web.Response:
        limit = {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}
        return _json_response({"url": self.gateway_url, "shards": 1, "session_start_limit": limit})

    async def _get_me(self, request: web.Request) -> web.Response:
        return _json_response(self._bot_user_payload())

    async def _get_user(self, request: web.Request) -> web.Response:
        user_id = request.match_info["user_id"]
        user = self.users.get(int(user_id)) if user_id.isdigit() else None
        if user is None:
            raise DiscordAPIError(404, 10013, "Unknown User")
        return _json_response(user.to_payload())

    async def _get_application(self, request: web.Request) -> web.Response:
        return _json_response(self._application_payload())

    async def _create_dm(self, request: web.Request) -> web.Response:
        body = _BODY.get().json or {}
        recipient = str(body.get("recipient_id", ""))
        if not recipient.isdigit() or int(recipient) not in self.users:
            raise DiscordAPIError(400, 50033, "Invalid Recipient(s)")
        return _json_response(self._channel_payload(self.dm_channel(int(recipient))))

    async def _get_member(self, request: web.Request) -> web.Response:
        guild = self._guild_or_404(request.match_info["guild_id"])
        user_id = request.match_info["user_id"]
        member = guild.members.get(int(user_id)) if user_id.isdigit() else None
        if member is None:
            raise DiscordAPIError(404, 10007, "Unknown Member")
        return _json_response(member.to_payload())

    async def _get_channel(self, request: web.Request) -> web.Response:
        channel = self._channel_or_404(request.match_info["channel_id"])
        return _json_response(self._channel_payload(channel))

    # commands

    def _command_scope(self, request: web.Request) -> tuple[int | None, list[JSON]]:
        if request.match_info["app_id"] != str(self.application_id):
            raise DiscordAPIError(404, 10002, "Unknown Application")
        guild_id_text = request.match_info.get("guild_id")
        if guild_id_text is None:
            return None, self._global_commands
        guild = self._guild_or_404(guild_id_text)
        return guild.id, self._guild_commands.setdefault(guild.id, [])

    def _command_record(self, body: JSON, guild_id: int | None, existing: list[JSON]) -> JSON:
        """Upsert by (name, type): Discord keeps a command's id across syncs."""
        kind = body.get("type", 1)
        previous = next(
            (c for c in existing if (c["name"], c.get("type", 1)) == (body["name"], kind)), None
        )
        record: JSON = {
            "type": 1,
            "description": "",
            "options": [],
            "default_member_permissions": None,
            "dm_permission": True,
            "nsfw": False,
            **copy.deepcopy(body),
            "id": previous["id"] if previous else str(self._ids.next()),
            "application_id": str(self.application_id),
            "version": str(self._ids.next()),
        }
        if guild_id is not None:
            record["guild_id"] = str(guild_id)
        return record

    async def _get_commands(self, request: web.Request) -> web.Response:
        _, commands = self._command_scope(request)
        return _json_response(commands)

    async def _put_commands(self, request: web.Request) -> web.Response:
        guild_id, existing = self._command_scope(request)
        body = _BODY.get().json
        if not isinstance(body, list):
            raise DiscordAPIError(400, 50035, "Invalid Form Body")
        synced = [self._command_record(command, guild_id, existing) for command in body]
        existing[:] = synced
        return _json_response(synced)

    async def _post_command(self, request: web.Request) -> web.Response:
        guild_id, existing = self._command_scope(request)
        body = _BODY.get().json or {}
        record = self._command_record(body, guild_id, existing)
        existing[:] = [c for c in existing if c["id"] != record["id"]] + [record]
        return _json_response(record, status=201)

    # channel messages

    async def _post_message(self, request: web.Request) -> web.Response:
        channel = self._channel_or_404(request.match_info["channel_id"])
        if channel.is_dm and channel.recipient_id in self._closed_dms:
            raise DiscordAPIError(403, 50007, "Cannot send messages to this user")
        parsed = _BODY.get()
        body = parsed.json or {}
        duplicate = self._dedup_by_nonce(channel.id, body)
        if duplicate is not None:
            return _json_response(duplicate.payload)
        stored = self._create_message(channel, body, parsed.files)
        if body.get("nonce") is not None and body.get("enforce_nonce"):
            self._nonces[(channel.id, str(body["nonce"]))] = (time.monotonic(), stored.id)
        return _json_response(stored.payload)

    async def _get_message(self, request: web.Request) -> web.Response:
        channel = self._channel_or_404(request.match_info["channel_id"])
        stored = self._message_or_404(channel.id, request.match_info["message_id"])
        return _json_response(stored.payload)

    async def _patch_message(self, request: web.Request) -> web.Response:
        channel = self._channel_or_404(request.match_info["channel_id"])
        stored = self._message_or_404(channel.id, request.match_info["message_id"])
        parsed = _BODY.get()
        self._edit_message(stored, parsed.json or {}, parsed.files)
        return _json_response(stored.payload)

    async def _delete_message(self, request: web.Request) -> web.Response:
        channel = self._channel_or_404(request.match_info["channel_id"])
        self._message_or_404(channel.id, request.match_info["message_id"]).deleted = True
        return web.Response(status=204)

    # interaction callbacks

    def _interaction_or_404(self, interaction_id: str, token: str) -> _InteractionRecord:
        record = self._interactions.get(int(interaction_id)) if interaction_id.isdigit() else None
        if record is None or record.ref.token != token:
            raise DiscordAPIError(404, 10062, "Unknown interaction")
        return record

    async def _callback(self, request: web.Request) -> web.Response:
        """``POST /interactions/{id}/{token}/callback``: one answer per interaction."""
        record = self._interaction_or_404(
            request.match_info["interaction_id"], request.match_info["token"]
        )
        if record.acknowledged:
            raise DiscordAPIError(400, 40060, "Interaction has already been acknowledged.")
        parsed = _BODY.get()
        body = parsed.json or {}
        try:
            kind = CallbackType(int(body.get("type", 0)))
        except ValueError:
            raise _invalid_form(
                "type", "BASE_TYPE_CHOICES", "Value must be one of {1, 4..9}."
            ) from None
        data: JSON = body.get("data") or {}
        message = self._apply_callback(record, kind, data, parsed.files)
        record.acknowledged = True
        record.callback_type = kind
        callback = InteractionCallback(record.ref, kind, data, tuple(parsed.files), message)
        self.callbacks.append(callback)
        if request.query.get("with_response") not in ("1", "true", "True"):
            return web.Response(status=204)
        return _json_response(self._callback_response(record, kind, message))

    def _apply_callback(
        self,
        record: _InteractionRecord,
        kind: CallbackType,
        data: JSON,
        files: Sequence[RecordedFile],
    ) -> StoredMessage | None:
        channel = self.channels[record.ref.channel_id]
        is_command = record.ref.type is InteractionType.APPLICATION_COMMAND
        reply_type = _MESSAGE_TYPE_CHAT_INPUT_COMMAND if is_command else _MESSAGE_TYPE_DEFAULT
        if kind is CallbackType.CHANNEL_MESSAGE:
            message = self._create_message(
                channel, data, files, message_type=reply_type, from_interaction=record
            )
            record.original_message_id = message.id
            return message
        if kind is CallbackType.DEFERRED_CHANNEL_MESSAGE:
            flags = int(MessageFlag.LOADING) | (int(data.get("flags") or 0) & MessageFlag.EPHEMERAL)
            message = self._create_message(
                channel,
                {"content": "", "flags": flags},
                [],
                message_type=reply_type,
                from_interaction=record,
                allow_empty=True,
            )
            record.original_message_id = message.id
            return message
        if kind in (CallbackType.DEFERRED_UPDATE_MESSAGE, CallbackType.UPDATE_MESSAGE):
            if record.source_message_id is None:
                raise DiscordAPIError(400, 40004, "Interaction has no message to update")
            message = self._messages[record.source_message_id]
            if kind is CallbackType.UPDATE_MESSAGE:
                self._edit_message(message, data, files)
            record.original_message_id = message.id
            return message
        if kind is CallbackType.AUTOCOMPLETE_RESULT:
            if record.ref.type is not InteractionType.AUTOCOMPLETE:
                raise DiscordAPIError(400, 50035, "Autocomplete result for a non-autocomplete")
            return None
        if kind is CallbackType.MODAL:
            if record.ref.type in (InteractionType.MODAL_SUBMIT, InteractionType.AUTOCOMPLETE):
                raise DiscordAPIError(400, 50035, "Cannot open a modal from this interaction")
            if not data.get("custom_id") or not data.get("components"):
                raise _invalid_form(
                    "data", "BASE_TYPE_REQUIRED", "Modal needs custom_id and components"
                )
            return None
        raise DiscordAPIError(400, 50035, f"Callback type {int(kind)} is not valid here")

    @staticmethod
    def _callback_response(
        record: _InteractionRecord, kind: CallbackType, message: StoredMessage | None
    ) -> JSON:
        """The ``?with_response=1`` shape; ``response_message_id`` ties a View to its message."""
        interaction: JSON = {"id": str(record.ref.id), "type": int(record.ref.type)}
        resource: JSON = {"type": int(kind)}
        if message is not None:
            interaction.update(
                response_message_id=str(message.id),
                response_message_loading=bool(message.flags & MessageFlag.LOADING),
                response_message_ephemeral=message.ephemeral,
            )
            resource["message"] = message.payload
        return {"interaction": interaction, "resource": resource}

    # webhooks (interaction follow-ups and @original)

    def _webhook_interaction(self, request: web.Request) -> _InteractionRecord:
        app_id, token = request.match_info["app_id"], request.match_info["token"]
        interaction_id = self._interaction_by_token.get(token)
        if app_id != str(self.application_id) or interaction_id is None:
            raise DiscordAPIError(404, 10015, "Unknown Webhook")
        record = self._interactions[interaction_id]
        if not record.acknowledged:
            raise DiscordAPIError(404, 10015, "Unknown Webhook")
        return record

    def _webhook_message(self, record: _InteractionRecord, message_id: str) -> StoredMessage:
        own_ids = {record.original_message_id, *record.followup_ids}
        if message_id == "@original":
            target = record.original_message_id
        elif message_id.isdigit() and int(message_id) in own_ids:
            target = int(message_id)
        else:
            target = None
        if target is None or self._messages[target].deleted:
            raise DiscordAPIError(404, 10008, "Unknown Message")
        return self._messages[target]

    async def _post_followup(self, request: web.Request) -> web.Response:
        """A follow-up; the first one after a deferred reply replaces the "thinking" message."""
        record = self._webhook_interaction(request)
        parsed = _BODY.get()
        body = parsed.json or {}
        original = (
            self._messages.get(record.original_message_id) if record.original_message_id else None
        )
        if original is not None and original.flags & MessageFlag.LOADING:
            self._validate_message(body, parsed.files)
            self._edit_message(
                original, {k: v for k, v in body.items() if k != "flags"}, parsed.files
            )
            stored = original
        else:
            channel = self.channels[record.ref.channel_id]
            stored = self._create_message(channel, body, parsed.files, from_interaction=record)
            record.followup_ids.append(stored.id)
        if request.query.get("wait") not in ("1", "true", "True"):
            return web.Response(status=204)
        return _json_response(stored.payload)

    async def _get_webhook_message(self, request: web.Request) -> web.Response:
        record = self._webhook_interaction(request)
        return _json_response(
            self._webhook_message(record, request.match_info["message_id"]).payload
        )

    async def _patch_webhook_message(self, request: web.Request) -> web.Response:
        record = self._webhook_interaction(request)
        stored = self._webhook_message(record, request.match_info["message_id"])
        parsed = _BODY.get()
        self._edit_message(stored, parsed.json or {}, parsed.files)
        return _json_response(stored.payload)

    async def _delete_webhook_message(self, request: web.Request) -> web.Response:
        record = self._webhook_interaction(request)
        self._webhook_message(record, request.match_info["message_id"]).deleted = True
        return web.Response(status=204)

    # ---------------------------------------------------------------- gateway

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(timeout=2.0)
        await ws.prepare(request)
        connection = _GatewayConnection(next(self._connection_numbers), ws)
        self._connections.append(connection)
        try:
            hello = {"heartbeat_interval": self._heartbeat_interval_ms, "_trace": ["fake-discord"]}
            await connection.send({"op": 10, "d": hello, "s": None, "t": None})
            async for frame in ws:
                if frame.type is WSMsgType.TEXT:
                    await self._on_gateway_frame(connection, json.loads(frame.data))
        finally:
            self._connections.remove(connection)
            session = connection.session
            if session is not None and session.connection is connection:
                session.connection = None
        return ws

    async def _on_gateway_frame(self, connection: _GatewayConnection, frame: JSON) -> None:
        op, data = frame.get("op"), frame.get("d")
        if op == 1:
            await connection.send({"op": 11, "d": None, "s": None, "t": None})
        elif op == 2:
            await self._identify(connection, data or {})
        elif op == 6:
            await self._resume(connection, data or {})
        elif op == 8:
            await self._send_member_chunk(connection, data or {})
        self.gateway_frames.append(GatewayFrame(connection.number, int(op or 0), data))

    async def _identify(self, connection: _GatewayConnection, identify: JSON) -> None:
        """READY (guilds unavailable), then one GUILD_CREATE per guild."""
        if self.required_token is not None and identify.get("token") != self.required_token:
            await connection.close(4004)
            return
        session = _GatewaySession(secrets.token_hex(16), identify, connection=connection)
        self._sessions[session.session_id] = session
        self._current_session = session
        connection.session = session
        ready: JSON = {
            "v": 10,
            "user": self._bot_user_payload(),
            "guilds": [{"id": str(guild_id), "unavailable": True} for guild_id in self.guilds],
            "session_id": session.session_id,
            "session_type": "normal",
            "resume_gateway_url": self.gateway_url,
            "application": {"id": str(self.application_id), "flags": self.application_flags},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "user_settings": {},
            "_trace": ["fake-discord"],
        }
        if "shard" in identify:
            ready["shard"] = identify["shard"]
        await connection.send(session.next_frame("READY", ready))
        for guild in self.guilds.values():
            await connection.send(
                session.next_frame("GUILD_CREATE", self._guild_create_payload(guild))
            )

    async def _resume(self, connection: _GatewayConnection, resume: JSON) -> None:
        """Replay what the client missed, then RESUMED; unknown sessions get INVALID_SESSION."""
        session = self._sessions.get(str(resume.get("session_id")))
        if session is None:
            await connection.send({"op": 9, "d": False, "s": None, "t": None})
            return
        session.connection = connection
        connection.session = session
        self._current_session = session
        last_seen = int(resume.get("seq") or 0)
        for frame in session.history:
            if frame["s"] > last_seen:
                await connection.send(frame)
        await connection.send(session.next_frame("RESUMED", {"_trace": ["fake-discord"]}))

    async def _send_member_chunk(self, connection: _GatewayConnection, request: JSON) -> None:
        if connection.session is None:
            return
        guild = self.guilds.get(int(request.get("guild_id") or 0))
        if guild is None:
            return
        chunk = {
            "guild_id": str(guild.id),
            "members": [m.to_payload() for m in guild.members.values()],
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [],
            "nonce": request.get("nonce"),
        }
        await connection.send(connection.session.next_frame("GUILD_MEMBERS_CHUNK", chunk))

    # ---------------------------------------------------------------- small lookups

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
        guild = self.guilds.get(int(guild_id)) if guild_id.isdigit() else None
        if guild is None:
            raise DiscordAPIError(404, 10004, "Unknown Guild")
        return guild


async def _parse_body(request: web.Request) -> _ParsedBody:
    """JSON, or multipart with a ``payload_json`` part and ``files[n]`` parts."""
    if request.content_type.startswith("multipart/"):
        payload: Any = None
        files: list[RecordedFile] = []
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader):
                continue
            data = bytes(await part.read(decode=False))
            if part.name == "payload_json":
                payload = json.loads(data)
            else:
                content_type = part.headers.get(hdrs.CONTENT_TYPE, "application/octet-stream")
                files.append(RecordedFile(part.name or "", part.filename or "", content_type, data))
        return _ParsedBody(payload, files, b"")
    raw = await request.read()
    if raw and request.content_type == "application/json":
        return _ParsedBody(json.loads(raw), [], raw)
    return _ParsedBody(None, [], raw)


def _response_json_body(response: web.StreamResponse) -> bytes | None:
    """The JSON body of an answer, if it has one (``RecordedRequest.response`` decodes it)."""
    if not isinstance(response, web.Response) or response.content_type != "application/json":
        return None
    body = response.body
    return bytes(body) if isinstance(body, bytes | bytearray) and body else None
