"""What one fake Bot API holds, declared once for the mixins that make up `FakeTelegram`.

`FakeTelegram.__init__` (server.py) sets every attribute; each mixin module (chats, updates,
polling, messages, commands, faults, journal) works on the part named here.
"""

from __future__ import annotations

import itertools
from collections import deque
from typing import TYPE_CHECKING, Any

from aiohttp import web

from tests.fakes.fake_telegram.errors import bad_request
from tests.fakes.fake_telegram.models import (
    JSON,
    ApiCall,
    ChatRef,
    ChatState,
    FakeChat,
    FakeUser,
    StoredFile,
    chat_id_of,
    json_copy,
)
from tests.fakes.fake_telegram.wakeup import Signal

if TYPE_CHECKING:
    from tests.fakes.fake_telegram.faults import Fault


class FakeTelegramState:
    """The state, the update queue, and the chat lookups every part uses."""

    bot: FakeUser
    token: str
    #: Every request, in arrival order (journal.py reads and waits on it).
    calls: list[ApiCall]
    users: dict[int, FakeUser]
    chats: dict[int, ChatState]
    #: Users who blocked the bot: sends to their private chat answer 403.
    blocked_by: set[int]
    #: The last ``setWebhook`` parameters, None when polling.
    webhook: JSON | None
    #: ``setMyCommands`` by (scope, language code).
    commands: dict[tuple[str, str], list[JSON]]
    #: ``setMyDescription`` / ``setMyShortDescription`` by ("long" | "short", language code).
    descriptions: dict[tuple[str, str], str]
    #: ``answerCallbackQuery`` parameters by query id.
    callback_answers: dict[str, JSON]
    #: Files the bot uploaded, by file_id.
    files: dict[str, StoredFile]
    #: Update ids a getUpdates answer carried.
    delivered_update_ids: set[int]

    _pending_updates: list[JSON]
    _update_ids: itertools.count[int]
    _user_ids: itertools.count[int]
    _group_ids: itertools.count[int]
    _supergroup_ids: itertools.count[int]
    _channel_ids: itertools.count[int]
    _callback_ids: itertools.count[int]
    _file_ids: itertools.count[int]
    #: Callback queries fed and not yet answered.
    _open_callbacks: set[str]
    #: (chat id, message id) of every message the bot sent, in order, and as a set.
    _sent: list[tuple[int, int]]
    _sent_keys: set[tuple[int, int]]
    _faults: dict[str, deque[Fault]]
    _broken: dict[str, tuple[Fault, float | None]]
    _poll_generation: int
    _allowed_updates: frozenset[str] | None
    _closing: bool
    _updates_signal: Signal
    _calls_signal: Signal
    _runner: web.AppRunner | None
    _port: int | None

    def feed_update(self, update: JSON) -> JSON:
        """Queue a raw update (``update_id`` assigned if missing) and wake long polls."""
        if "update_id" not in update:
            update = {"update_id": next(self._update_ids), **update}
        self._pending_updates.append(update)
        self._updates_signal.notify()
        return update

    @property
    def pending_updates(self) -> list[JSON]:
        """Updates not yet confirmed by a getUpdates offset."""
        return list(self._pending_updates)

    def message(self, chat: ChatRef, message_id: int) -> JSON | None:
        """The current state of a stored message (after edits), or None if absent/deleted."""
        state = self.chats.get(chat_id_of(chat))
        if state is None or message_id not in state.messages:
            return None
        return json_copy(state.messages[message_id])

    def add_chat(self, chat: FakeChat) -> FakeChat:
        """Register a chat (no-op if known). Feeding an update registers its chat too."""
        if chat.id not in self.chats:
            self.chats[chat.id] = ChatState(chat)
        return self.chats[chat.id].chat

    def _state(self, chat: ChatRef) -> ChatState:
        if isinstance(chat, FakeChat):
            self.add_chat(chat)
        chat_id = chat_id_of(chat)
        if chat_id not in self.chats:
            raise KeyError(f"unknown chat {chat_id}")
        return self.chats[chat_id]

    def _resolve_chat(self, chat_id: Any) -> ChatState:
        """A chat named by a request's ``chat_id`` (int or "@username"), else 400."""
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            for state in self.chats.values():
                if state.chat.username and f"@{state.chat.username}" == chat_id:
                    return state
        elif isinstance(chat_id, int) and chat_id in self.chats:
            return self.chats[chat_id]
        raise bad_request("chat not found")
