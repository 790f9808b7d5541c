"""Messages: posting, editing and deleting them, DMs, attachments and ``enforce_nonce``."""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Sequence

from aiohttp import web

from tests.fakes.fake_discord.components import with_component_ids
from tests.fakes.fake_discord.errors import DiscordAPIError, invalid_form
from tests.fakes.fake_discord.models import (
    JSON,
    ChannelLike,
    ChannelType,
    FakeChannel,
    MessageFlag,
    UserLike,
    iso,
    now_utc,
)
from tests.fakes.fake_discord.records import InteractionRecord, RecordedFile, StoredMessage
from tests.fakes.fake_discord.state import FakeDiscordState
from tests.fakes.fake_discord.wire import REQUEST_BODY, json_response

MESSAGE_TYPE_DEFAULT = 0
MESSAGE_TYPE_CHAT_INPUT_COMMAND = 20
MAX_CONTENT = 2000
MAX_EMBEDS = 10


def too_long(field_name: str, limit: int) -> DiscordAPIError:
    return invalid_form(field_name, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")


class MessagesMixin(FakeDiscordState):
    """Channel and DM messages, and the edits interaction replies make to them."""

    def messages_in(
        self, channel: ChannelLike, *, include_deleted: bool = False
    ) -> list[StoredMessage]:
        """Messages in a channel, oldest first (ephemeral interaction replies included)."""
        ids = self._channel_messages.get(self._channel_id(channel), [])
        messages = [self._messages[message_id] for message_id in ids]
        return [m for m in messages if include_deleted or not m.deleted]

    def message(self, message_id: int) -> StoredMessage:
        return self._messages[message_id]

    def delete_message(self, message: StoredMessage | int) -> None:
        """Someone with Manage Messages deletes it: later edits get 404 "Unknown Message"."""
        message_id = message if isinstance(message, int) else message.id
        self._messages[message_id].deleted = True

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

    def _validate_message(self, body: JSON, files: Sequence[RecordedFile]) -> None:
        content = body.get("content") or ""
        if len(content) > MAX_CONTENT:
            raise too_long("content", MAX_CONTENT)
        if len(body.get("embeds") or []) > MAX_EMBEDS:
            raise too_long("embeds", MAX_EMBEDS)
        has_body = content or body.get("embeds") or body.get("components") or body.get("poll")
        if not (has_body or files or body.get("sticker_ids")):
            raise DiscordAPIError(400, 50006, "Cannot send an empty message")

    def _create_message(
        self,
        channel: FakeChannel,
        body: JSON,
        files: Sequence[RecordedFile],
        *,
        message_type: int = MESSAGE_TYPE_DEFAULT,
        from_interaction: InteractionRecord | None = None,
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
            "timestamp": iso(now_utc()),
            "edited_timestamp": None,
            "tts": bool(body.get("tts", False)),
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": self._attachments(channel.id, body.get("attachments"), files),
            "embeds": list(body.get("embeds") or []),
            "components": with_component_ids(body.get("components") or []),
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
        if "content" in body and len(body["content"] or "") > MAX_CONTENT:
            raise too_long("content", MAX_CONTENT)
        if "content" in body:
            payload["content"] = body["content"] or ""
        if "embeds" in body:
            payload["embeds"] = list(body["embeds"] or [])
        if "components" in body:
            payload["components"] = with_component_ids(body["components"] or [])
        kept_flags = payload.get("flags", 0) & int(MessageFlag.EPHEMERAL)
        if body.get("flags") is not None:
            settable = ~int(MessageFlag.EPHEMERAL | MessageFlag.LOADING)
            payload["flags"] = kept_flags | (int(body["flags"]) & settable)
        else:
            payload["flags"] = payload.get("flags", 0) & ~int(MessageFlag.LOADING)
        if "attachments" in body or files:
            self._edit_attachments(stored, body.get("attachments"), files)
        payload["edited_timestamp"] = iso(now_utc())
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

    async def _post_message(self, request: web.Request) -> web.Response:
        channel = self._channel_or_404(request.match_info["channel_id"])
        if channel.is_dm and channel.recipient_id in self._closed_dms:
            raise DiscordAPIError(403, 50007, "Cannot send messages to this user")
        parsed = REQUEST_BODY.get()
        body = parsed.json or {}
        duplicate = self._dedup_by_nonce(channel.id, body)
        if duplicate is not None:
            return json_response(duplicate.payload)
        stored = self._create_message(channel, body, parsed.files)
        if body.get("nonce") is not None and body.get("enforce_nonce"):
            self._nonces[(channel.id, str(body["nonce"]))] = (time.monotonic(), stored.id)
        return json_response(stored.payload)

    def _channel_message(self, request: web.Request) -> StoredMessage:
        channel = self._channel_or_404(request.match_info["channel_id"])
        return self._message_or_404(channel.id, request.match_info["message_id"])

    def _message_routes(
        self, path: str, find: Callable[[web.Request], StoredMessage]
    ) -> list[web.RouteDef]:
        """GET, PATCH and DELETE of one message. They are the same for a channel message and
        an interaction's own message (``/webhooks/{app}/{token}/messages/{id}``); only ``find``,
        which resolves the message or raises Discord's 404, differs."""

        async def get(request: web.Request) -> web.Response:
            return json_response(find(request).payload)

        async def patch(request: web.Request) -> web.Response:
            stored = find(request)
            parsed = REQUEST_BODY.get()
            self._edit_message(stored, parsed.json or {}, parsed.files)
            return json_response(stored.payload)

        async def delete(request: web.Request) -> web.Response:
            find(request).deleted = True
            return web.Response(status=204)

        return [web.get(path, get), web.patch(path, patch), web.delete(path, delete)]
