"""The bot's profile texts, from the letter: ``setMyDescription`` (what an empty private chat
shows before Start) and ``setMyShortDescription`` (the bot's profile page and shared links).

Set at every start, so a changed letter or translation shows at once: one pair without a
language code in the default language, which Telegram shows to everyone else, and one pair per
language pledgebot speaks — with the letter's own translation where it has a complete one.
Like the menus, a convenience: a refusal is logged and the bot carries on.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Bot
from telegram.error import TelegramError

from adapters.telegram.language import MENU_LANGUAGE_CODES
from bot.domain import Letter
from bot.i18n import translator

__all__ = ["DESCRIPTION_LIMIT", "SHORT_DESCRIPTION_LIMIT", "describe", "publish"]

_log = logging.getLogger(__name__)

#: Telegram's limits, in characters.
DESCRIPTION_LIMIT = 512
SHORT_DESCRIPTION_LIMIT = 120


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def describe(letter: Letter, language: str) -> tuple[str, str]:
    """``(description, short description)`` in ``language``: the title, the preamble as far as
    it fits, and how to start; plain text (Telegram shows these without formatting)."""
    tr = translator(language)
    text = letter.in_language(language)
    how = tr.t("Press Start to read the whole letter and add your name.")
    room = DESCRIPTION_LIMIT - len(how) - 2
    head = _clip("\n\n".join(p for p in (text.title, text.preamble) if p), room)
    description = f"{head}\n\n{how}" if head else how
    short = _clip(
        tr.t("An open letter: {title}. Read it and sign here.", title=text.title),
        SHORT_DESCRIPTION_LIMIT,
    )
    return description, short


async def publish(bot: Bot, letter: Letter, default: str) -> None:
    """Every language's description and short description."""
    wanted = [("", default), *((code, lang) for lang, code in MENU_LANGUAGE_CODES.items())]
    await asyncio.gather(*(_set(bot, letter, code, language) for code, language in wanted))


async def _set(bot: Bot, letter: Letter, code: str, language: str) -> None:
    description, short = describe(letter, language)
    try:
        await bot.set_my_description(description, language_code=code or None)
        await bot.set_my_short_description(short, language_code=code or None)
    except TelegramError as exc:
        _log.info("cannot set the %r bot description: %s", code, exc)
