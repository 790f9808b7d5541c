"""Slash commands in every language: names, descriptions and options from the catalogue.

Discord shows each user the command names and descriptions of their client's locale, if the
bot registered them (``name_localizations`` and ``description_localizations`` on every command
and option); a Spanish client then offers ``/firmar`` while the bot still receives ``sign``.
discord.py asks an :class:`~discord.app_commands.Translator` for every text of every command in
every locale when it syncs; :class:`CatalogueTranslator` answers from the catalogue.

A text to translate is a :class:`~discord.app_commands.locale_str` made by :func:`localized`
(which carries how to render it in any language); any other text — ``csv`` and ``json`` — is
the same in every language. A description that names a command (``/unlink``'s "undo {link} for
this account") names it as a client in that language lists it: "deshacer /vincular…".

Discord refuses a whole sync over one bad name, so a translated name that breaks its rules (a
slash command's or option's: lowercase, no spaces; any name: at most 32 characters) or a
description longer than 100 characters is left out with a warning, and that locale sees the
English one; the adapter's tests sync every translation to a fake Discord that applies Discord's
rules.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import discord
from discord import app_commands
from discord.app_commands import TranslationContextLocation, TranslationContextTypes, locale_str

from adapters.discord.language import discord_translator
from bot.i18n import DEFAULT_LANGUAGE, Msg, Translator, match_language
from bot.i18n.commands import NAME_LIMIT, is_command_name
from bot.texts import command_help

__all__ = ["CatalogueTranslator", "described", "localized"]

_log = logging.getLogger(__name__)

DESCRIPTION_LIMIT = 100
_NAMES = (
    TranslationContextLocation.command_name,
    TranslationContextLocation.group_name,
    TranslationContextLocation.parameter_name,
)
Render = Callable[[Translator], str]


def localized(message: Msg) -> locale_str:
    """A command's or option's name or description: English for the code, any language for
    Discord (command names are ``pmsg("command name", …)``, option names
    ``pmsg("option name", …)``)."""

    def render(tr: Translator) -> str:
        return tr.render(message)

    return locale_str(render(discord_translator(DEFAULT_LANGUAGE)), render=render)


def described(command: str) -> locale_str:
    """A command's description: the summary every platform's help shows, as a sentence, in
    every language."""
    entry = command_help.command(command)
    english = entry.description(discord_translator(DEFAULT_LANGUAGE))
    return locale_str(english, render=entry.description)


class CatalogueTranslator(app_commands.Translator):
    """Answers discord.py's questions at sync time ("this name in ``es-ES``?") from the catalogue:
    ``None`` leaves a locale on the English text."""

    async def translate(
        self, string: locale_str, locale: discord.Locale, context: TranslationContextTypes
    ) -> str | None:
        render: Render | None = string.extras.get("render")
        language = match_language(locale.value)
        if render is None or language is None or language == DEFAULT_LANGUAGE:
            return None
        text = render(discord_translator(language))
        if isinstance(context.data, app_commands.ContextMenu):  # "Signature status": any case
            if not 0 < len(text) <= NAME_LIMIT:
                _log.warning("%s: %r is too long for a Discord menu name", locale.value, text)
                return None
        elif context.location in _NAMES:
            if not is_command_name(text):
                _log.warning("%s: %r is not a Discord command name", locale.value, text)
                return None
        elif not 0 < len(text) <= DESCRIPTION_LIMIT:
            _log.warning("%s: %r is too long for a Discord description", locale.value, text)
            return None
        return text
