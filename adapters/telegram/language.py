"""Which language pledgebot speaks to someone on Telegram.

Telegram sends each user's client language with every update (``from_user.language_code``, an
IETF tag such as ``es``, ``pt-br`` or ``de``); :func:`bot.i18n.negotiate` reduces it to one of
the catalogue's languages, and anything else — a language pledgebot does not speak, or none at
all — gets the configured default (``[i18n] default_language``).

What is posted to a group or channel is read by many people, and a mod-queue card or a
``/pending`` list is redrawn by whoever presses its buttons next: those speak the chat's language
— its own under ``[i18n] channel_languages``, else the default — so a card does not switch
languages with each moderator (:func:`place_language`).

Command menus are set per language with Telegram's ``language_code``, which takes ISO 639-1
codes: Brazilian Portuguese is ``pt`` there (:data:`MENU_LANGUAGE_CODES`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from telegram import Chat, User
from telegram.constants import ChatType

from bot.i18n import LANGUAGES, negotiate

__all__ = ["MENU_LANGUAGE_CODES", "place_language", "reader_language"]

#: The catalogue's languages as ``setMyCommands`` names them (two-letter ISO 639-1 codes).
MENU_LANGUAGE_CODES: Mapping[str, str] = {
    language: language.partition("_")[0] for language in LANGUAGES
}


def reader_language(user: User | None, default: str) -> str:
    """The language to answer ``user`` in: their client's, if pledgebot speaks it."""
    return negotiate([user.language_code if user is not None else None], default)


def place_language(
    chat: Chat | None, user: User | None, default: str, chat_language: Callable[[int], str]
) -> str:
    """The language of what is posted where ``user`` acted: theirs in a private chat; in a
    group, supergroup or channel, the chat's (``chat_language``: its own, else the default)."""
    if chat is not None and chat.type != ChatType.PRIVATE:
        return chat_language(chat.id)
    return reader_language(user, default)
