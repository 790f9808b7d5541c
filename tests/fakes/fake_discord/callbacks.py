"""How the bot answers interactions: the callback, follow-ups and edits through the webhook."""

from __future__ import annotations

from collections.abc import Sequence

from aiohttp import web

from tests.fakes.fake_discord.errors import DiscordAPIError, invalid_form
from tests.fakes.fake_discord.messages import (
    MESSAGE_TYPE_CHAT_INPUT_COMMAND,
    MESSAGE_TYPE_DEFAULT,
    MessagesMixin,
)
from tests.fakes.fake_discord.models import JSON, CallbackType, InteractionType, MessageFlag
from tests.fakes.fake_discord.records import (
    InteractionCallback,
    InteractionRecord,
    InteractionRef,
    OpenedModal,
    RecordedFile,
    StoredMessage,
)
from tests.fakes.fake_discord.wire import REQUEST_BODY, json_response


class CallbacksMixin(MessagesMixin):
    """``POST /interactions/{id}/{token}/callback`` and ``/webhooks/{app}/{token}…``."""

    async def wait_for_callback(
        self,
        interaction: InteractionRef | int,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - bounded waits, see Journal
    ) -> InteractionCallback:
        """The bot's callback to ``interaction`` (it can answer only once)."""
        interaction_id = self._interaction_id(interaction)
        record = self._interactions.get(interaction_id)
        return await self.callbacks.wait_for(
            lambda c: c.interaction.id == interaction_id,
            timeout=timeout,
            since=record.callbacks_before if record is not None else 0,
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

    async def answer_of(
        self,
        callback: InteractionCallback,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - bounded waits, see Journal
    ) -> InteractionCallback | StoredMessage:
        """What the user reads in answer to an interaction: the callback's own message, or, when
        the bot deferred it ("thinking…", because its work outlasted the bot's response budget,
        as on a busy machine), the message its follow-up turned that placeholder into. Both
        have ``content`` and ``files``."""
        if callback.type is not CallbackType.DEFERRED_CHANNEL_MESSAGE:
            return callback
        ref = callback.interaction

        def answered() -> StoredMessage | None:
            message = self.original_response(ref)
            if message is None or message.flags & MessageFlag.LOADING:
                return None
            return message

        # Requests are journalled once handled, so the follow-up's edit is visible by then.
        await self.requests.wait_for(lambda _: answered() is not None, timeout=timeout)
        message = answered()
        assert message is not None
        return message

    def original_response(self, interaction: InteractionRef | int) -> StoredMessage | None:
        record = self._interactions[self._interaction_id(interaction)]
        if record.original_message_id is None:
            return None
        return self._messages[record.original_message_id]

    def followups(self, interaction: InteractionRef | int) -> list[StoredMessage]:
        record = self._interactions[self._interaction_id(interaction)]
        return [self._messages[message_id] for message_id in record.followup_ids]

    def _interaction_or_404(self, interaction_id: str, token: str) -> InteractionRecord:
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
        parsed = REQUEST_BODY.get()
        body = parsed.json or {}
        try:
            kind = CallbackType(int(body.get("type", 0)))
        except ValueError:
            raise invalid_form(
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
        return json_response(self._callback_response(record, kind, message))

    def _apply_callback(
        self,
        record: InteractionRecord,
        kind: CallbackType,
        data: JSON,
        files: Sequence[RecordedFile],
    ) -> StoredMessage | None:
        channel = self.channels[record.ref.channel_id]
        is_command = record.ref.type is InteractionType.APPLICATION_COMMAND
        reply_type = MESSAGE_TYPE_CHAT_INPUT_COMMAND if is_command else MESSAGE_TYPE_DEFAULT
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
                raise invalid_form(
                    "data", "BASE_TYPE_REQUIRED", "Modal needs custom_id and components"
                )
            return None
        raise DiscordAPIError(400, 50035, f"Callback type {int(kind)} is not valid here")

    @staticmethod
    def _callback_response(
        record: InteractionRecord, kind: CallbackType, message: StoredMessage | None
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

    def _webhook_interaction(self, request: web.Request) -> InteractionRecord:
        app_id, token = request.match_info["app_id"], request.match_info["token"]
        interaction_id = self._interaction_by_token.get(token)
        if app_id != str(self.application_id) or interaction_id is None:
            raise DiscordAPIError(404, 10015, "Unknown Webhook")
        record = self._interactions[interaction_id]
        if not record.acknowledged:
            raise DiscordAPIError(404, 10015, "Unknown Webhook")
        return record

    def _webhook_message(self, record: InteractionRecord, message_id: str) -> StoredMessage:
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
        parsed = REQUEST_BODY.get()
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
        return json_response(stored.payload)

    def _webhook_target(self, request: web.Request) -> StoredMessage:
        """The message ``/webhooks/{app}/{token}/messages/{id}`` names (``@original`` too)."""
        record = self._webhook_interaction(request)
        return self._webhook_message(record, request.match_info["message_id"])
