"""Command names in the moderator's own language: the command tree's translator.

Discord shows a context menu under its name in the client's language when the synced command
carries ``name_localizations``; discord.py asks the tree's translator for them while syncing.
Only strings marked ``locale_str(text, catalogue=True)`` are looked up in pledgebot's
catalogue: a slash command's name must stay one lowercase word, which no translation of an
English sentence is sure to be, so slash commands keep theirs.
"""

from __future__ import annotations

from discord import Locale, app_commands

from bot.i18n import DEFAULT_LANGUAGE, match_language, translator

__all__ = ["CatalogueTranslator"]


class CatalogueTranslator(app_commands.Translator):
    """Looks marked strings up in the gettext catalogue (``make messages`` extracts them where
    they are written, with ``msg()``)."""

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        if not string.extras.get("catalogue"):
            return None
        language = match_language(locale.value)
        if language is None or language == DEFAULT_LANGUAGE:
            return None
        translated = translator(language).t(string.message)
        return translated if translated != string.message else None
