"""The bot's messages: sending, editing and deleting them, documents and files, chat actions,
and answering button clicks."""

from __future__ import annotations

import time

from tests.fakes.fake_telegram.chats import ChatsMixin
from tests.fakes.fake_telegram.errors import bad_request
from tests.fakes.fake_telegram.formatting import checked_markup, formatted
from tests.fakes.fake_telegram.models import (
    JSON,
    ApiCall,
    ChatRef,
    ChatState,
    StoredFile,
    chat_id_of,
    quoted,
)
from tests.fakes.fake_telegram.wire import as_int


class MessagesMixin(ChatsMixin):
    """``sendMessage``, ``sendDocument``, ``editMessage*``, ``deleteMessage``, ``getFile``, …"""

    def sent_messages(self, chat: ChatRef | None = None) -> list[JSON]:
        """Messages the bot sent and that still exist, oldest first, in their current state."""
        found = []
        for chat_id, message_id in self._sent:
            if chat is not None and chat_id != chat_id_of(chat):
                continue
            message = self.message(chat_id, message_id)
            if message is not None:
                found.append(message)
        return found

    def last_sent(self, chat: ChatRef | None = None) -> JSON:
        """The newest existing bot message (in ``chat``); AssertionError if there is none."""
        messages = self.sent_messages(chat)
        if not messages:
            raise AssertionError("the bot has sent no message" + (f" to {chat}" if chat else ""))
        return messages[-1]

    def file_bytes(self, file_id: str) -> bytes:
        return self.files[file_id].data

    def _stored_message(self, params: JSON, *, what: str) -> tuple[ChatState, JSON]:
        if "inline_message_id" in params:
            raise bad_request("inline messages are not supported by the fake")
        state = self._writable_chat(params.get("chat_id"))
        message = state.messages.get(as_int(params.get("message_id")))
        if message is None:
            raise bad_request(f"message to {what} not found")
        if (state.chat.id, message["message_id"]) not in self._sent_keys:
            raise bad_request(f"message can't be {what}ed")
        return state, message

    def _reply_for_send(self, state: ChatState, params: JSON) -> JSON | None:
        """``reply_to_message`` for a bot message, per ``reply_parameters``."""
        reply = params.get("reply_parameters")
        if reply is None and "reply_to_message_id" in params:
            reply = {
                "message_id": params["reply_to_message_id"],
                "allow_sending_without_reply": params.get("allow_sending_without_reply"),
            }
        if not isinstance(reply, dict):
            return None
        target_state = state
        if reply.get("chat_id") is not None:
            target_state = self._resolve_chat(reply["chat_id"])
        target = target_state.messages.get(as_int(reply.get("message_id")))
        if target is None:
            if reply.get("allow_sending_without_reply"):
                return None
            raise bad_request("message to be replied not found")
        return quoted(target)

    def _new_bot_message(self, state: ChatState, params: JSON) -> JSON:
        message: JSON = {
            "message_id": state.allocate_message_id(),
            "date": int(time.time()),
            "chat": state.chat.to_api(),
        }
        if state.chat.type == "channel":
            message["sender_chat"] = state.chat.to_api()
        else:
            message["from"] = self.bot.to_api()
        reply_to = self._reply_for_send(state, params)
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        return message

    def _store_bot_message(self, state: ChatState, message: JSON) -> JSON:
        state.messages[message["message_id"]] = message
        key = (state.chat.id, message["message_id"])
        self._sent.append(key)
        self._sent_keys.add(key)
        return message  # the answer is encoded at once (FakeTelegram._answer): no copy needed

    async def _send_message(self, call: ApiCall) -> JSON:
        params = call.params
        state = self._writable_chat(params.get("chat_id"))
        text, entities = formatted(
            params.get("text"), params.get("parse_mode"), params.get("entities"), caption=False
        )
        content = {
            "text": text,
            "entities": entities,
            "link_preview_options": params.get("link_preview_options"),
        }
        return self._post(state, params, content)

    async def _send_document(self, call: ApiCall) -> JSON:
        params = call.params
        state = self._writable_chat(params.get("chat_id"))
        stored = self._document_from(call)
        caption, entities = formatted(
            params.get("caption"),
            params.get("parse_mode"),
            params.get("caption_entities"),
            caption=True,
        )
        document = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": stored.filename,
            "mime_type": stored.mime_type,
            "file_size": len(stored.data),
        }
        content = {"document": document, "caption": caption, "caption_entities": entities}
        return self._post(state, params, content)

    def _post(self, state: ChatState, params: JSON, content: JSON) -> JSON:
        """A new bot message with ``content`` (empty values left out), the call's inline
        keyboard and reply: what every ``send*`` method does once its content is checked."""
        markup = checked_markup(params.get("reply_markup"))
        message = self._new_bot_message(state, params)
        message.update({key: value for key, value in content.items() if value})
        if markup is not None:
            message["reply_markup"] = markup
        return self._store_bot_message(state, message)

    def _document_from(self, call: ApiCall) -> StoredFile:
        """The uploaded file (multipart part, maybe via attach://) or a known file_id."""
        value = call.params.get("document")
        upload = call.files.get("document")
        if isinstance(value, str) and value.startswith("attach://"):
            upload = call.files.get(value.removeprefix("attach://"))
        if upload is None:
            if isinstance(value, str) and value in self.files:
                return self.files[value]
            raise bad_request("wrong file identifier/HTTP URL specified")
        number = next(self._file_ids)
        stored = StoredFile(
            file_id=f"BQACAgFake{number:08d}",
            file_unique_id=f"AgADFake{number:06d}",
            file_path=f"documents/file_{number}_{upload.filename}",
            filename=upload.filename,
            mime_type=upload.content_type,
            data=upload.data,
        )
        self.files[stored.file_id] = stored
        return stored

    async def _edit_message_text(self, call: ApiCall) -> JSON:
        """Telegram drops the inline keyboard when an edit does not resend it."""
        params = call.params
        _, message = self._stored_message(params, what="edit")
        if "text" not in message:
            raise bad_request("there is no text in the message to edit")
        text, entities = formatted(
            params.get("text"), params.get("parse_mode"), params.get("entities"), caption=False
        )
        return self._apply_edit(message, {"text": text, "entities": entities or None}, params)

    async def _edit_message_caption(self, call: ApiCall) -> JSON:
        params = call.params
        _, message = self._stored_message(params, what="edit")
        if "text" in message:
            raise bad_request("there is no caption in the message to edit")
        caption, entities = formatted(
            params.get("caption") or "",
            params.get("parse_mode"),
            params.get("caption_entities"),
            caption=True,
        )
        changes = {"caption": caption or None, "caption_entities": entities or None}
        return self._apply_edit(message, changes, params)

    async def _edit_message_reply_markup(self, call: ApiCall) -> JSON:
        _, message = self._stored_message(call.params, what="edit")
        return self._apply_edit(message, {}, call.params)

    def _apply_edit(self, message: JSON, changes: JSON, params: JSON) -> JSON:
        """Apply ``changes`` (None removes a key) and the call's keyboard: an edit that does not
        resend the keyboard removes it, as on Telegram."""
        changes = {**changes, "reply_markup": checked_markup(params.get("reply_markup"))}
        if all(message.get(key) == value for key, value in changes.items()):
            raise bad_request(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        for key, value in changes.items():
            if value is None:
                message.pop(key, None)
            else:
                message[key] = value
        message["edit_date"] = int(time.time())
        return message  # encoded at once, see _store_bot_message

    def delete_message(self, chat: ChatRef, message_id: int) -> None:
        """An administrator deletes a message: editing it fails with "message to edit not
        found", as on Telegram."""
        state = self._resolve_chat(chat if isinstance(chat, int) else chat.id)
        del state.messages[message_id]

    async def _delete_message(self, call: ApiCall) -> bool:
        state = self._resolve_chat(call.params.get("chat_id"))
        message_id = as_int(call.params.get("message_id"))
        if state.messages.pop(message_id, None) is None:
            raise bad_request("message to delete not found")
        return True

    async def _answer_callback_query(self, call: ApiCall) -> bool:
        query_id = str(call.params.get("callback_query_id", ""))
        if query_id not in self._open_callbacks:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        self._open_callbacks.discard(query_id)
        self.callback_answers[query_id] = dict(call.params)
        return True

    async def _send_chat_action(self, call: ApiCall) -> bool:
        self._writable_chat(call.params.get("chat_id"))
        return True

    async def _get_file(self, call: ApiCall) -> JSON:
        stored = self.files.get(str(call.params.get("file_id")))
        if stored is None:
            raise bad_request("invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.file_path,
        }
