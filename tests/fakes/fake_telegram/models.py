"""Telegram's users and chats, the files and calls the fake records, and what it knows about
each chat (messages, members, whether the bot was removed)."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any, Literal

JSON = dict[str, Any]
ChatType = Literal["private", "group", "supergroup", "channel"]
MemberStatus = Literal["creator", "administrator", "member", "restricted", "left", "kicked"]

DEFAULT_BOT_ID = 7_000_000_001
DEFAULT_BOT_USERNAME = "pledge_test_bot"


@dataclass(frozen=True)
class FakeUser:
    """A Telegram user (or bot) as the fake knows it; ``to_api()`` gives the Bot API dict."""

    id: int
    first_name: str
    username: str | None = None
    last_name: str | None = None
    is_bot: bool = False
    language_code: str | None = "en"

    def to_api(self) -> JSON:
        data: JSON = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code and not self.is_bot:
            data["language_code"] = self.language_code
        return data


@dataclass(frozen=True)
class FakeChat:
    """A chat: private (id = the user's id), group, supergroup or channel (negative ids)."""

    id: int
    type: ChatType
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None

    @classmethod
    def private(cls, user: FakeUser) -> FakeChat:
        """The private chat between ``user`` and the bot; Telegram gives it the user's id."""
        return cls(
            id=user.id,
            type="private",
            username=user.username,
            first_name=user.first_name,
            last_name=user.last_name,
        )

    @classmethod
    def group(cls, id: int, title: str) -> FakeChat:
        """A basic group; ids are negative (e.g. ``-4012345678``)."""
        return cls(id=negative(id), type="group", title=title)

    @classmethod
    def supergroup(cls, id: int, title: str, username: str | None = None) -> FakeChat:
        """A supergroup; ids look like ``-100XXXXXXXXXX``."""
        return cls(id=negative(id), type="supergroup", title=title, username=username)

    @classmethod
    def channel(cls, id: int, title: str, username: str | None = None) -> FakeChat:
        """A channel; ids look like ``-100XXXXXXXXXX``, posts come as ``channel_post``."""
        return cls(id=negative(id), type="channel", title=title, username=username)

    def to_api(self) -> JSON:
        data: JSON = {"id": self.id, "type": self.type}
        for key in ("title", "username", "first_name", "last_name"):
            value = getattr(self, key)
            if value:
                data[key] = value
        return data


@dataclass(frozen=True)
class UploadedFile:
    """One multipart file part of a request, as the client sent it."""

    field: str
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class StoredFile:
    """A file the fake holds (uploaded by the bot); served by ``getFile`` and the file URL."""

    file_id: str
    file_unique_id: str
    file_path: str
    filename: str
    mime_type: str
    data: bytes


@dataclass
class ApiCall:
    """One request to the fake, recorded in arrival order.

    ``params`` are decoded (JSON where the field is not a string field); ``files`` hold the
    multipart uploads by field name. ``status``/``answer`` (the JSON text sent back, which
    ``response`` decodes) are filled when the fake answers; ``cancelled`` is set when the client
    went away first (timeouts, shutdown of polling).
    """

    method: str
    params: JSON
    files: dict[str, UploadedFile]
    time: float
    http_method: str = "POST"
    status: int | None = None
    answer: str | None = None
    answered_at: float | None = None
    cancelled: bool = False

    @property
    def response(self) -> JSON | None:
        """The answer sent, decoded (a fresh copy on every read), or None while pending."""
        return None if self.answer is None else json.loads(self.answer)

    @property
    def answered(self) -> bool:
        return self.status is not None

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def result(self) -> Any:
        """The ``result`` of a successful answer (raises if the call failed or is pending)."""
        response = self.response
        if not self.ok or response is None:
            raise AssertionError(f"{self.method} did not succeed: {self.status} {response}")
        return response["result"]

    @property
    def error(self) -> str | None:
        """The error ``description`` of a failed answer, else ``None``."""
        response = self.response
        if response is None or response.get("ok"):
            return None
        return str(response.get("description"))


@dataclass
class ChatState:
    """Everything the fake knows about one chat."""

    chat: FakeChat
    messages: dict[int, JSON] = field(default_factory=dict)
    next_message_id: int = 1
    members: dict[int, MemberStatus] = field(default_factory=dict)
    bot_removed: bool = False

    def allocate_message_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id


ADMIN_RIGHTS: JSON = {
    "can_be_edited": False,
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": True,
    "can_edit_stories": True,
    "can_delete_stories": True,
    "can_pin_messages": True,
}
RESTRICTED_RIGHTS: JSON = {
    "is_member": True,
    "can_change_info": False,
    "can_invite_users": False,
    "can_pin_messages": False,
    "can_send_messages": False,
    "can_send_polls": False,
    "can_send_other_messages": False,
    "can_add_web_page_previews": False,
    "can_manage_topics": False,
    "until_date": 0,
    "can_send_audios": False,
    "can_send_documents": False,
    "can_send_photos": False,
    "can_send_videos": False,
    "can_send_video_notes": False,
    "can_send_voice_notes": False,
    "can_edit_tag": False,
    "can_react_to_messages": False,
}


def chat_member_api(user: FakeUser, status: MemberStatus) -> JSON:
    """A ChatMember dict PTB can parse (each status has its own required fields)."""
    data: JSON = {"status": status, "user": user.to_api()}
    if status == "creator":
        data["is_anonymous"] = False
    elif status == "administrator":
        data.update(ADMIN_RIGHTS)
    elif status == "restricted":
        data.update(RESTRICTED_RIGHTS)
    elif status == "kicked":
        data["until_date"] = 0
    return data


ChatRef = FakeChat | int


def chat_id_of(chat: ChatRef) -> int:
    return chat.id if isinstance(chat, FakeChat) else chat


def negative(chat_id: int) -> int:
    return chat_id if chat_id < 0 else -chat_id


_SCALARS = frozenset({str, int, float, bool, type(None)})


def json_copy(value: Any) -> Any:
    """A deep copy of a JSON value (dicts, lists, str, int, float, bool, None), several times
    cheaper than :func:`copy.deepcopy`, which the fake paid for on every message it stored,
    returned or delivered (it was the hottest thing in the fake's profile under a burst). Any
    other type inside is handed to :func:`copy.deepcopy`. Unlike ``deepcopy`` it does not keep
    two references to one object shared in the copy: the fake's messages are trees."""
    kind = type(value)
    if kind is dict:
        return {key: json_copy(item) for key, item in value.items()}
    if kind is list:
        return [json_copy(item) for item in value]
    if kind in _SCALARS:
        return value
    return copy.deepcopy(value)


def quoted(message: JSON) -> JSON:
    """A message as another message's ``reply_to_message`` shows it: a copy, one level deep."""
    return {key: json_copy(value) for key, value in message.items() if key != "reply_to_message"}
