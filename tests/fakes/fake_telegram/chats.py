"""Users and chats: creating them, who is a member or an administrator, the bot blocked,
removed or re-added, and the ``getChat*`` methods that answer from that state."""

from __future__ import annotations

import dataclasses
import time
from typing import Any

from tests.fakes.fake_telegram.errors import BotApiError, bad_request
from tests.fakes.fake_telegram.models import (
    JSON,
    ApiCall,
    ChatRef,
    ChatState,
    FakeChat,
    FakeUser,
    MemberStatus,
    chat_member_api,
)
from tests.fakes.fake_telegram.state import FakeTelegramState
from tests.fakes.fake_telegram.wire import as_int


class ChatsMixin(FakeTelegramState):
    """Chat state a test sets up, and what the bot may ask or do in each chat."""

    def new_user(
        self,
        first_name: str = "Test",
        *,
        username: str | None = None,
        last_name: str | None = None,
        language_code: str | None = "en",
        id: int | None = None,
    ) -> FakeUser:
        """Create and register a user with a fresh positive id."""
        user = FakeUser(
            id=id if id is not None else next(self._user_ids),
            first_name=first_name,
            username=username,
            last_name=last_name,
            language_code=language_code,
        )
        self.users[user.id] = user
        return user

    def private_chat(self, user: FakeUser) -> FakeChat:
        """The user's private chat with the bot (registered)."""
        self.users.setdefault(user.id, user)
        return self.add_chat(FakeChat.private(user))

    def rename_chat(self, chat: ChatRef, title: str, *, by: FakeUser) -> FakeChat:
        """A group, supergroup or channel given a new title by ``by``: later updates carry it,
        and the bot receives the ``new_chat_title`` service message, as in Telegram."""
        state = self._state(chat)
        state.chat = dataclasses.replace(state.chat, title=title)
        message: JSON = {
            "message_id": state.allocate_message_id(),
            "date": int(time.time()),
            "chat": state.chat.to_api(),
            "new_chat_title": title,
        }
        if state.chat.type == "channel":
            message["sender_chat"] = state.chat.to_api()
        else:
            message["from"] = by.to_api()
        state.messages[message["message_id"]] = message
        kind = "channel_post" if state.chat.type == "channel" else "message"
        self.feed_update({kind: dict(message)})
        return state.chat

    def new_group(self, title: str = "Test group") -> FakeChat:
        return self.add_chat(FakeChat.group(next(self._group_ids), title))

    def new_supergroup(
        self, title: str = "Test supergroup", username: str | None = None
    ) -> FakeChat:
        return self.add_chat(FakeChat.supergroup(next(self._supergroup_ids), title, username))

    def new_channel(self, title: str = "Test channel", username: str | None = None) -> FakeChat:
        """A channel where the bot is an administrator (it must be, to post)."""
        chat = self.add_chat(FakeChat.channel(next(self._channel_ids), title, username))
        self.set_member_status(chat, self.bot, "administrator")
        return chat

    def set_member_status(self, chat: ChatRef, user: FakeUser, status: MemberStatus) -> None:
        """Set what ``getChatMember`` answers (and whether ``getChatAdministrators`` lists)."""
        self.users.setdefault(user.id, user)
        self._state(chat).members[user.id] = status

    def add_admin(self, chat: ChatRef, user: FakeUser, *, owner: bool = False) -> None:
        """Make ``user`` an administrator (or the creator) of ``chat``."""
        self.set_member_status(chat, user, "creator" if owner else "administrator")

    def member_status(self, chat: ChatRef, user_id: int) -> MemberStatus:
        """Explicit status, else "member" if the user ever posted there / it is their DM."""
        state = self._state(chat)
        if user_id in state.members:
            return state.members[user_id]
        if state.chat.type == "private":
            return "member" if user_id in (state.chat.id, self.bot.id) else "left"
        if user_id == self.bot.id:
            return "left" if state.bot_removed else "member"
        posted = any(m.get("from", {}).get("id") == user_id for m in state.messages.values())
        return "member" if posted else "left"

    def block_bot(self, user: FakeUser, *, notify: bool = False) -> None:
        """The user blocked the bot: sends to their private chat answer 403.

        With ``notify`` the ``my_chat_member`` update Telegram sends (member → kicked) is fed.
        """
        chat = self.private_chat(user)
        self.blocked_by.add(user.id)
        if notify:
            self._feed_my_chat_member(chat, user, "member", "kicked")

    def unblock_bot(self, user: FakeUser, *, notify: bool = False) -> None:
        """Undo ``block_bot`` (a message from the user in their private chat also does)."""
        chat = self.private_chat(user)
        self.blocked_by.discard(user.id)
        if notify:
            self._feed_my_chat_member(chat, user, "kicked", "member")

    def remove_bot(
        self, chat: ChatRef, *, by: FakeUser | None = None, notify: bool = False
    ) -> None:
        """The bot was kicked from a group/supergroup/channel: sends there answer 403.

        With ``notify`` (needs ``by``) the matching ``my_chat_member`` update is fed.
        """
        state = self._state(chat)
        old = self.member_status(state.chat, self.bot.id)
        state.bot_removed = True
        state.members[self.bot.id] = "kicked"
        if notify:
            if by is None:
                raise ValueError("notify needs the user who removed the bot (by=...)")
            self._feed_my_chat_member(state.chat, by, old, "kicked")

    def add_bot(
        self,
        chat: ChatRef,
        *,
        by: FakeUser,
        status: MemberStatus = "member",
        notify: bool = True,
    ) -> None:
        """The bot joins (or is re-added to) a chat; feeds ``my_chat_member`` by default."""
        state = self._state(chat)
        old = "left" if state.bot_removed else self.member_status(state.chat, self.bot.id)
        state.bot_removed = False
        state.members[self.bot.id] = status
        self.users.setdefault(by.id, by)
        if notify:
            self._feed_my_chat_member(state.chat, by, old, status)

    def _feed_my_chat_member(
        self, chat: FakeChat, by: FakeUser, old: MemberStatus, new: MemberStatus
    ) -> JSON:
        return self.feed_update(
            {
                "my_chat_member": {
                    "chat": chat.to_api(),
                    "from": by.to_api(),
                    "date": int(time.time()),
                    "old_chat_member": chat_member_api(self.bot, old),
                    "new_chat_member": chat_member_api(self.bot, new),
                }
            }
        )

    def _writable_chat(self, chat_id: Any) -> ChatState:
        """A chat the bot may post in, else the 403 Telegram answers."""
        state = self._resolve_chat(chat_id)
        chat = state.chat
        if chat.type == "private" and chat.id in self.blocked_by:
            raise BotApiError(403, "Forbidden: bot was blocked by the user")
        if state.bot_removed:
            reason = {
                "group": "Forbidden: bot was kicked from the group chat",
                "supergroup": "Forbidden: bot was kicked from the supergroup chat",
            }.get(chat.type, "Forbidden: bot is not a member of the channel chat")
            raise BotApiError(403, reason)
        if chat.type == "channel" and self.member_status(chat, self.bot.id) not in (
            "creator",
            "administrator",
        ):
            raise BotApiError(403, "Forbidden: bot is not a member of the channel chat")
        return state

    async def _get_chat_administrators(self, call: ApiCall) -> list[JSON]:
        state = self._resolve_chat(call.params.get("chat_id"))
        if state.chat.type == "private":
            raise bad_request("there are no administrators in the private chat")
        return [
            chat_member_api(self.users[user_id], status)
            for user_id, status in state.members.items()
            if status in ("creator", "administrator")
        ]

    async def _get_chat_member(self, call: ApiCall) -> JSON:
        state = self._resolve_chat(call.params.get("chat_id"))
        user = self.users.get(as_int(call.params.get("user_id")))
        if user is None:
            raise bad_request("user not found")
        return chat_member_api(user, self.member_status(state.chat, user.id))

    async def _get_chat(self, call: ApiCall) -> JSON:
        state = self._resolve_chat(call.params.get("chat_id"))
        return {
            **state.chat.to_api(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }
