"""Discord's rules for a synced slash command, localizations included, as Discord enforces them.

Discord refuses the whole ``PUT …/commands`` (400, code 50035) when one name or description of
one command, in one locale, breaks a rule — so the fake refuses it too, and a translation that
would cost a real bot all its commands fails a test instead.
https://discord.com/developers/docs/interactions/application-commands#application-command-object
https://discord.com/developers/docs/reference#locales
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from tests.fakes.fake_discord.errors import DiscordAPIError, invalid_form
from tests.fakes.fake_discord.models import JSON, OptionType

__all__ = ["LOCALES", "check_commands"]

# As Discord's reference lists them.
_LOCALE_LIST = """
id da de en-GB en-US es-ES es-419 fr hr it lt hu nl no pl pt-BR ro fi sv-SE vi tr cs el bg ru uk
hi th zh-CN ja zh-TW ko
"""
#: The locales Discord accepts as keys of ``name_localizations`` and ``description_localizations``.
LOCALES = frozenset(_LOCALE_LIST.split())
NAME_LIMIT = 32
DESCRIPTION_LIMIT = 100
_CHAT_INPUT = 1
_GROUPS = (OptionType.SUB_COMMAND, OptionType.SUB_COMMAND_GROUP)


def check_commands(commands: Iterable[JSON]) -> None:
    """Raise Discord's "Invalid Form Body" for the first rule a list of commands breaks."""
    commands = list(commands)
    for index, command in enumerate(commands):
        _check(command, str(index), chat_input=command.get("type", _CHAT_INPUT) == _CHAT_INPUT)
    _unique([c for c in commands if c.get("type", _CHAT_INPUT) == _CHAT_INPUT], "", "command names")


def _check(item: JSON, where: str, *, chat_input: bool) -> None:
    _name(item.get("name"), f"{where}.name", lowercase=chat_input)
    for locale, name in _localizations(item, "name_localizations", where):
        _name(name, f"{where}.name_localizations.{locale}", lowercase=chat_input)
    if not chat_input:
        return
    _description(item.get("description"), f"{where}.description")
    for locale, text in _localizations(item, "description_localizations", where):
        _description(text, f"{where}.description_localizations.{locale}")
    options = list(item.get("options") or [])
    for index, option in enumerate(options):
        _check(option, f"{where}.options.{index}", chat_input=True)
        for c_index, choice in enumerate(option.get("choices") or []):
            for locale, _ in _localizations(choice, "name_localizations", where):
                if locale not in LOCALES:
                    raise _invalid(f"{where}.options.{index}.choices.{c_index}", locale)
    _unique(options, f"{where}.options", "option names")
    required = [bool(o.get("required")) for o in options if o.get("type") not in _GROUPS]
    if required != sorted(required, reverse=True):
        raise invalid_form(
            f"{where}.options",
            "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
            "Required options must be placed before non-required options",
        )


def _localizations(item: JSON, key: str, where: str) -> list[tuple[str, str]]:
    found = item.get(key) or {}
    for locale in found:
        if locale not in LOCALES:
            raise _invalid(f"{where}.{key}", locale)
    return list(found.items())


def _name(name: object, where: str, *, lowercase: bool) -> None:
    """Slash commands and options: lowercase, no spaces; context menus may have both."""
    ok = (
        isinstance(name, str)
        and 0 < len(name) <= NAME_LIMIT
        and all(
            ch in "-_'" or unicodedata.category(ch)[0] in "LN" or (ch == " " and not lowercase)
            for ch in name
        )
        and (not lowercase or name == name.lower())
    )
    if not ok:
        raise invalid_form(
            where, "APPLICATION_COMMAND_INVALID_NAME", f"Command name is invalid: {name!r}"
        )


def _description(text: object, where: str) -> None:
    if not isinstance(text, str) or not 0 < len(text) <= DESCRIPTION_LIMIT:
        raise invalid_form(
            where, "BASE_TYPE_BAD_LENGTH", f"Must be between 1 and 100 in length: {text!r}"
        )


def _unique(items: list[JSON], where: str, what: str) -> None:
    """Names are unique in every locale: the localized name where given, else the default."""
    locales = {loc for item in items for loc in (item.get("name_localizations") or {})}
    for locale in [None, *sorted(locales)]:
        seen: set[str] = set()
        for item in items:
            name = (
                item["name"]
                if locale is None
                else ((item.get("name_localizations") or {}).get(locale) or item["name"])
            )
            if name in seen:
                raise invalid_form(
                    where or "_",
                    "APPLICATION_COMMANDS_DUPLICATE_NAME",
                    f"Duplicate {what} in {locale or 'the default locale'}: {name!r}",
                )
            seen.add(name)


def _invalid(where: str, locale: str) -> DiscordAPIError:
    return invalid_form(where, "LOCALE_INVALID", f"Invalid locale: {locale!r}")
