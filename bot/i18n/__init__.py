"""Every sentence pledgebot says, in the reader's language.

See :mod:`bot.i18n.translator` for why gettext and Babel, and ``docs/development.md`` for how
to add or change a text (``make messages``).
"""

from __future__ import annotations

from bot.i18n.commands import translator_for
from bot.i18n.languages import (
    DEFAULT_LANGUAGE,
    LANGUAGE_NAMES,
    LANGUAGES,
    match_language,
    negotiate,
    parse_accept_language,
)
from bot.i18n.translator import (
    Command,
    CommandNames,
    Msg,
    Percent,
    Raw,
    Strong,
    Translator,
    joined,
    msg,
    nmsg,
    pmsg,
    slash_command,
    translator,
)

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "LANGUAGE_NAMES",
    "Command",
    "CommandNames",
    "Msg",
    "Percent",
    "Raw",
    "Strong",
    "Translator",
    "joined",
    "match_language",
    "msg",
    "negotiate",
    "nmsg",
    "parse_accept_language",
    "pmsg",
    "slash_command",
    "translator",
    "translator_for",
]
