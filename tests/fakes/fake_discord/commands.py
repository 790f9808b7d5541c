"""Application commands: what the bot syncs (global or per guild), kept as Discord keeps them."""

from __future__ import annotations

import copy

from aiohttp import web

from tests.fakes.fake_discord.command_rules import check_commands
from tests.fakes.fake_discord.errors import DiscordAPIError
from tests.fakes.fake_discord.models import JSON, GuildLike
from tests.fakes.fake_discord.state import FakeDiscordState
from tests.fakes.fake_discord.wire import REQUEST_BODY, json_response


class CommandsMixin(FakeDiscordState):
    """``GET``/``PUT``/``POST /applications/{app}[/guilds/{guild}]/commands``, refusing what
    Discord refuses (:mod:`~tests.fakes.fake_discord.command_rules`)."""

    def commands(self, guild: GuildLike | None = None) -> list[JSON]:
        """Application commands as last synced (global when ``guild`` is None)."""
        if guild is None:
            return copy.deepcopy(self._global_commands)
        return copy.deepcopy(self._guild_commands.get(self._guild_id(guild), []))

    def _find_command(self, name: str, guild_id: int | None, kind: int = 1) -> JSON | None:
        """A synced command by name and type (1 a slash command, 2 a user menu, 3 a message
        menu), the guild's before the global one."""
        scopes = [self._guild_commands.get(guild_id, []) if guild_id else [], self._global_commands]
        for commands in scopes:
            for command in commands:
                if command["name"] == name and command.get("type", 1) == kind:
                    return command
        return None

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
        return json_response(commands)

    async def _put_commands(self, request: web.Request) -> web.Response:
        guild_id, existing = self._command_scope(request)
        body = REQUEST_BODY.get().json
        if not isinstance(body, list):
            raise DiscordAPIError(400, 50035, "Invalid Form Body")
        check_commands(body)
        synced = [self._command_record(command, guild_id, existing) for command in body]
        existing[:] = synced
        return json_response(synced)

    async def _post_command(self, request: web.Request) -> web.Response:
        guild_id, existing = self._command_scope(request)
        body = REQUEST_BODY.get().json or {}
        check_commands([body])
        record = self._command_record(body, guild_id, existing)
        existing[:] = [c for c in existing if c["id"] != record["id"]] + [record]
        return json_response(record, status=201)
