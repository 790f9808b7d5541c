"""The bot's command menus (``setMyCommands``, ``getMyCommands``, ``deleteMyCommands`` by scope
and language) and its profile texts (``set/getMyDescription``, ``set/getMyShortDescription`` by
language)."""

from __future__ import annotations

import json
import re

from tests.fakes.fake_telegram.errors import bad_request
from tests.fakes.fake_telegram.models import JSON, ApiCall
from tests.fakes.fake_telegram.state import FakeTelegramState


def menu_key(params: JSON) -> tuple[str, str]:
    """Which menu a call names: its scope (the default scope however it is written) and
    language code."""
    scope = params.get("scope")
    scope_text = (
        "default"
        if not scope or scope == {"type": "default"}
        else json.dumps(scope, sort_keys=True)
    )
    return scope_text, params.get("language_code") or ""


class CommandsMixin(FakeTelegramState):
    """Command lists, kept per (scope, language code) as Telegram keeps them."""

    def commands_for(self, scope: JSON | None = None, language_code: str = "") -> list[JSON]:
        """Commands last set by ``setMyCommands`` for a scope (None = default scope)."""
        return list(
            self.commands.get(menu_key({"scope": scope, "language_code": language_code}), [])
        )

    async def _set_my_commands(self, call: ApiCall) -> bool:
        commands = call.params.get("commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        # Menus are per ISO 639-1 language ("pt", never "pt-br" or "pt_BR"), or for everyone.
        if not re.fullmatch(r"(?:[a-z]{2})?", call.params.get("language_code") or ""):
            raise bad_request("LANG_CODE_INVALID")
        for command in commands:
            name = command.get("command", "") if isinstance(command, dict) else ""
            if not re.fullmatch(r"[a-z0-9_]{1,32}", name):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(command.get("description", "")) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[menu_key(call.params)] = commands
        return True

    async def _get_my_commands(self, call: ApiCall) -> list[JSON]:
        return list(self.commands.get(menu_key(call.params), []))

    async def _delete_my_commands(self, call: ApiCall) -> bool:
        self.commands.pop(menu_key(call.params), None)
        return True

    def description(self, language_code: str = "", *, short: bool = False) -> str | None:
        """The (short) description last set for a language code ("" = everyone else)."""
        return self.descriptions.get(("short" if short else "long", language_code))

    async def _set_my_description(self, call: ApiCall) -> bool:
        return self._set_profile_text(call, "description", "long", 512)

    async def _set_my_short_description(self, call: ApiCall) -> bool:
        return self._set_profile_text(call, "short_description", "short", 120)

    async def _get_my_description(self, call: ApiCall) -> JSON:
        code = call.params.get("language_code") or ""
        return {"description": self.descriptions.get(("long", code), "")}

    async def _get_my_short_description(self, call: ApiCall) -> JSON:
        code = call.params.get("language_code") or ""
        return {"short_description": self.descriptions.get(("short", code), "")}

    def _set_profile_text(self, call: ApiCall, field: str, kind: str, limit: int) -> bool:
        code = call.params.get("language_code") or ""
        if not re.fullmatch(r"(?:[a-z]{2})?", code):
            raise bad_request("LANG_CODE_INVALID")
        text = call.params.get(field) or ""
        if len(text) > limit:  # Telegram counts characters here, as Python does
            raise bad_request(f"{field.upper()}_INVALID")
        if text:
            self.descriptions[(kind, code)] = text
        else:
            self.descriptions.pop((kind, code), None)
        return True
