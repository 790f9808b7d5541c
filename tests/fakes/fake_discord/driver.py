"""Driving the bot: the interactions a test sends as users (commands, autocomplete, button
clicks, select menus, modal submits), built as Discord builds them."""

from __future__ import annotations

import copy
import json
import secrets
from collections.abc import Mapping, Sequence

from tests.fakes.fake_discord.commands import CommandsMixin
from tests.fakes.fake_discord.components import (
    SELECT_TYPES,
    find_component,
    infer_option_type,
    label_wrapped_inputs,
    submitted_component,
)
from tests.fakes.fake_discord.gateway import GatewayMixin
from tests.fakes.fake_discord.messages import MessagesMixin
from tests.fakes.fake_discord.models import (
    DM_PERMISSIONS,
    JSON,
    ChannelLike,
    FakeChannel,
    InteractionType,
    OptionType,
    OptionValue,
    UserLike,
)
from tests.fakes.fake_discord.records import (
    InteractionRecord,
    InteractionRef,
    OpenedModal,
    PreparedInteraction,
    StoredMessage,
)
from tests.fakes.fake_discord.wire import COMPACT


class DriverMixin(CommandsMixin, MessagesMixin, GatewayMixin):
    """Interactions to the bot, dispatched as INTERACTION_CREATE on the gateway."""

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

    async def send_user_command(
        self,
        name: str,
        *,
        user: UserLike,
        target: UserLike,
        channel: ChannelLike,
        locale: str = "en-US",
    ) -> InteractionRef:
        """Dispatch a user context-menu command (type 2, command type 2): ``user`` picked
        ``name`` on ``target``'s member menu in ``channel``'s guild. ``data.resolved`` carries
        the target as Discord sends it (the user, and the member without its ``user``)."""
        where = self._interaction_channel(user, channel)
        target_id = self._user_id(target)
        command = self._find_command(name, where.guild_id, kind=2)
        if command is None:
            raise LookupError(f"no user command {name!r} synced for guild {where.guild_id}")
        resolved: JSON = {"users": {str(target_id): self.users[target_id].to_payload()}}
        if where.guild_id is not None:
            guild = self.guilds[where.guild_id]
            member = guild.members.get(target_id)
            if member is not None:
                payload = member.to_payload(permissions=guild.permissions_for(target_id))
                payload.pop("user")
                resolved["members"] = {str(target_id): payload}
        data: JSON = {
            "id": command["id"],
            "name": name,
            "type": 2,
            "target_id": str(target_id),
            "resolved": resolved,
        }
        if command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        return await self._dispatch_interaction(
            InteractionType.APPLICATION_COMMAND, where, user, data, locale=locale
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
            components = [submitted_component(c, values) for c in modal.components]
            custom_id = modal.custom_id
            user = opener.ref.user_id if user is None else user
            channel = opener.ref.channel_id if channel is None else channel
            if opener.source_message_id is not None:
                source_message = self._messages[opener.source_message_id]
        else:
            if user is None:
                raise TypeError("submit_modal with a bare custom_id needs user=")
            custom_id, components = modal, label_wrapped_inputs(values)
        target = self._interaction_channel(user, channel)
        data = {"custom_id": custom_id, "components": components}
        ref = self._new_interaction(
            InteractionType.MODAL_SUBMIT, target, user, data, message=source_message, locale=locale
        )
        return PreparedInteraction(ref, json.dumps(ref.payload, separators=COMPACT))

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
        component = find_component(stored.components, custom_id)
        if component is None:
            raise LookupError(
                f"no component {custom_id!r} in {stored.describe()}: {stored.custom_ids()}"
            )
        if component.get("disabled"):
            raise ValueError(f"component {custom_id!r} is disabled")
        is_select = component["type"] in SELECT_TYPES
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
            option_type = self._schema_type(schema, name) or infer_option_type(value)
            built.append({"name": name, "type": int(option_type), "value": value})
        return built

    @staticmethod
    def _schema_type(schema: list[JSON], name: str) -> OptionType | None:
        found = next((o for o in schema if o.get("name") == name), None)
        return OptionType(found["type"]) if found and "type" in found else None

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
        record = InteractionRecord(
            ref,
            source_message_id=message.id if message else None,
            callbacks_before=len(self.callbacks),
        )
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
