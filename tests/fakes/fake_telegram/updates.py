"""Feeding the bot: messages, commands and button clicks from users, as Telegram sends them."""

from __future__ import annotations

import time

from tests.fakes.fake_telegram.chats import ChatsMixin
from tests.fakes.fake_telegram.formatting import callback_datas, utf16_len
from tests.fakes.fake_telegram.models import JSON, FakeChat, FakeUser, json_copy, quoted


class UpdatesMixin(ChatsMixin):
    """Updates a test feeds; the bot receives them by polling (polling.py)."""

    def feed_text(
        self,
        user: FakeUser,
        chat: FakeChat | None,
        text: str,
        *,
        reply_to: JSON | int | None = None,
        entities: list[JSON] | None = None,
    ) -> JSON:
        """A text message from ``user`` in ``chat`` (None = their private chat).

        ``reply_to`` is a stored message dict (e.g. the bot's) or a message id in ``chat``.
        In a channel the update is a ``channel_post`` signed by the channel.
        """
        chat = self.add_chat(chat) if chat is not None else self.private_chat(user)
        self.users.setdefault(user.id, user)
        if chat.type == "private":
            self.blocked_by.discard(user.id)  # writing to a bot you blocked means unblocking it
        state = self.chats[chat.id]
        message: JSON = {
            "message_id": state.allocate_message_id(),
            "date": int(time.time()),
            "chat": chat.to_api(),
            "text": text,
        }
        if chat.type == "channel":
            message["sender_chat"] = chat.to_api()
        else:
            message["from"] = user.to_api()
        if entities:
            message["entities"] = entities
        if reply_to is not None:
            message["reply_to_message"] = self._reply_target(chat, reply_to)
        state.messages[message["message_id"]] = message
        kind = "channel_post" if chat.type == "channel" else "message"
        return self.feed_update({kind: json_copy(message)})

    def feed_command(
        self,
        user: FakeUser,
        chat: FakeChat | None,
        text: str,
        *,
        reply_to: JSON | int | None = None,
    ) -> JSON:
        """A command message, e.g. ``"/sign Ada | teacher"`` or ``"/start@pledge_test_bot"``.

        Adds the ``bot_command`` entity PTB's CommandHandler needs: offset 0, length of the
        first word (the command including an optional ``@botname``), in UTF-16 units.
        """
        if not text.startswith("/"):
            raise ValueError(f"a command starts with '/': {text!r}")
        command = text.split(maxsplit=1)[0]
        entity = {"type": "bot_command", "offset": 0, "length": utf16_len(command)}
        return self.feed_text(user, chat, text, reply_to=reply_to, entities=[entity])

    def feed_callback(
        self,
        user: FakeUser,
        message: JSON,
        data: str,
        *,
        check_button: bool = True,
    ) -> JSON:
        """A click on an inline button of a stored (bot) message.

        The update carries the message's *current* state. With ``check_button`` the data must
        be on one of its buttons now, as Telegram can only send data a keyboard shows.
        """
        chat_id = message["chat"]["id"]
        current = self.message(chat_id, message["message_id"])
        if current is None:
            raise ValueError(f"message {message['message_id']} in {chat_id} does not exist")
        if check_button and data not in callback_datas(current):
            raise ValueError(f"no button with callback_data {data!r} on the message now")
        self.users.setdefault(user.id, user)
        query_id = str(next(self._callback_ids))
        self._open_callbacks.add(query_id)
        query = {
            "id": query_id,
            "from": user.to_api(),
            "message": current,
            "chat_instance": f"{abs(chat_id) * 7919 % 10**12}",
            "data": data,
        }
        return self.feed_update({"callback_query": query})

    def feed_button(self, user: FakeUser, message: JSON, text: str) -> JSON:
        """Click the inline button labelled ``text`` on the message's current keyboard."""
        current = self.message(message["chat"]["id"], message["message_id"]) or message
        for row in current.get("reply_markup", {}).get("inline_keyboard", []):
            for button in row:
                if button.get("text") == text and "callback_data" in button:
                    return self.feed_callback(user, current, button["callback_data"])
        raise ValueError(f"no callback button {text!r} on the message")

    def _reply_target(self, chat: FakeChat, reply_to: JSON | int) -> JSON:
        message_id = reply_to if isinstance(reply_to, int) else reply_to["message_id"]
        target = self.chats[chat.id].messages.get(message_id)
        if target is None:
            raise ValueError(f"no message {message_id} in chat {chat.id} to reply to")
        return quoted(target)
