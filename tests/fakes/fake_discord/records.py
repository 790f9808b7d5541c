"""What the fake records: requests, stored messages, interactions, callbacks, gateway frames."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from multidict import CIMultiDictProxy

from tests.fakes.fake_discord.components import walk_components, with_component_ids
from tests.fakes.fake_discord.models import JSON, CallbackType, InteractionType, MessageFlag


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
        return [c["custom_id"] for c in walk_components(self.components) if "custom_id" in c]

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
        return [c["custom_id"] for c in walk_components(self.components) if "custom_id" in c]


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
            components=with_component_ids(self.data.get("components") or []),
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


@dataclass
class InteractionRecord:
    """What the fake keeps about an interaction it dispatched: how the bot has answered it."""

    ref: InteractionRef
    source_message_id: int | None = None
    acknowledged: bool = False
    callback_type: CallbackType | None = None
    original_message_id: int | None = None
    followup_ids: list[int] = field(default_factory=list)
    #: How many callbacks the fake held when this interaction was sent: its own comes later, so
    #: waiting for it need not look at the earlier ones (thousands, in a long property test).
    callbacks_before: int = 0
