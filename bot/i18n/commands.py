"""How each platform writes a command in a text, for every reader.

Discord lists slash commands under names localized from the catalogue (``pmsg("command name",
"sign")``: a Spanish client offers ``/firmar``); Telegram and the console know one name per
command (``/sign``). Texts the core renders ahead of time (the outbox's notifications, posts)
must name commands as the reader's client shows them whichever process renders them — one
running only the Telegram adapter included — so the rule is here, a fixed table, and the Discord
adapter's command translator applies the same :func:`is_command_name` when it registers names.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

from bot.i18n.translator import CommandNames, Translator, translator

__all__ = [
    "NAME_LIMIT",
    "PLATFORM_COMMANDS",
    "discord_command",
    "is_command_name",
    "translator_for",
]

#: Discord's longest command, option or menu name.
NAME_LIMIT = 32


def is_command_name(name: str) -> bool:
    """Discord's rule for slash command and option names: 1 to 32 letters, digits, ``-`` or
    ``_``, lowercase where a letter has a lowercase form."""
    return (
        0 < len(name) <= NAME_LIMIT
        and name == name.lower()
        and all(ch in "-_" or unicodedata.category(ch)[0] in "LN" for ch in name)
    )


def discord_command(tr: Translator, name: str) -> str:
    """``/sign`` as a Discord client in ``tr``'s language lists it ("/firmar"), or the English
    name where the translation is not a valid command name (Discord then shows that too)."""
    text = tr.p("command name", name)
    return f"/{text}" if is_command_name(text) else f"/{name}"


#: Platforms whose commands are not simply ``/name``.
PLATFORM_COMMANDS: Mapping[str, CommandNames] = {"discord": discord_command}


def translator_for(platform: str, language: str) -> Translator:
    """The translator for a text the core renders for ``platform``, naming commands as that
    platform's clients list them (:data:`PLATFORM_COMMANDS`; ``/sign`` elsewhere)."""
    commands = PLATFORM_COMMANDS.get(platform)
    found = translator(language)
    return found if commands is None else found.with_commands(commands)
