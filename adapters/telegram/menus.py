"""The command menus Telegram shows when someone types "/", in the reader's language.

Each place gets the commands that work there, so the menu matches what the bot will do for whoever
is looking. A private chat (the default scope, which Telegram falls back to) shows every public
command. A group (``BotCommandScopeAllGroupChats``) shows only those that answer in the group:
signing, one's status, withdrawing, reaffirming and linking accounts happen in private (in a
group they only point there), so a group's menu leaves them out. The mod chat (a group) adds
the moderator commands, and so does each moderator's private chat (``BotCommandScopeChat``).
Menus are a convenience: a failure to set one is logged and the bot carries on.

Each scope gets one menu per language pledgebot speaks (``language_code``, see
:data:`~adapters.telegram.language.MENU_LANGUAGE_CODES`), so a Spanish client shows Spanish
descriptions, and one without a language code, in the default language, which Telegram shows to
everyone whose client language has no menu of its own.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from telegram import (
    Bot,
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllGroupChats,
    BotCommandScopeChat,
    BotCommandScopeDefault,
)
from telegram.error import TelegramError

from adapters.telegram.language import MENU_LANGUAGE_CODES
from adapters.telegram.moderators import ModeratorDirectory
from bot.i18n import Translator, translator
from bot.liveposts import LIVE_COMMANDS
from bot.texts import command_help

__all__ = ["PRIVATE_ONLY", "commands", "publish", "publish_for_moderator"]

_log = logging.getLogger(__name__)

#: Commands answered only in a private chat: about the signer's own signature and accounts (a
#: group would read them). In a group they say so and link to the private chat.
PRIVATE_ONLY = frozenset({"sign", "status", "withdraw", "reaffirm", "link", "unlink"})


def commands(tr: Translator, *, moderator: bool, group: bool = False) -> tuple[BotCommand, ...]:
    """The core's commands as menu entries in one language: ``BotCommand("demands", "The
    demands, or …")``; with ``moderator``, the moderators' commands too; with ``group``,
    only those that answer in a group."""
    core = tuple(
        BotCommand(c.name, c.description(tr))
        for c in command_help.COMMANDS
        if (moderator or not c.moderator) and not (group and c.name in PRIVATE_ONLY)
    )
    if not moderator:
        return core
    return core + tuple(
        BotCommand(c.telegram_name, _sentence(tr.render(c.summary))) for c in LIVE_COMMANDS
    )


def _sentence(summary: str) -> str:
    return summary[:1].upper() + summary[1:]


async def publish(bot: Bot, moderators: ModeratorDirectory, default: str) -> None:
    """Every menu: private chats', groups', the mod chat's and each moderator's."""
    people = sorted(await moderators.all_ids(bot))
    mod_chat = moderators.mod_chat_id
    await asyncio.gather(
        _publish(bot, BotCommandScopeDefault(), default, moderator=False),
        _publish(bot, BotCommandScopeAllGroupChats(), default, moderator=False, group=True),
        *(
            [_publish(bot, BotCommandScopeChat(mod_chat), default, moderator=True, group=True)]
            if mod_chat
            else []
        ),
        *(_publish(bot, BotCommandScopeChat(p), default, moderator=True) for p in people),
    )


async def publish_for_moderator(bot: Bot, user_id: int, default: str) -> None:
    """A moderator's private menu, once they have opened the chat (Telegram refuses a menu for a
    private chat that does not exist yet, so the one tried at start-up may have failed)."""
    await _publish(bot, BotCommandScopeChat(user_id), default, moderator=True)


async def _publish(
    bot: Bot, scope: BotCommandScope, default: str, *, moderator: bool, group: bool = False
) -> None:
    """One scope's menus: the default language's without a language code, then one per
    language."""
    menus = [("", translator(default))]
    menus += [(code, translator(language)) for language, code in MENU_LANGUAGE_CODES.items()]
    await asyncio.gather(
        *(
            _set(bot, commands(tr, moderator=moderator, group=group), scope, code)
            for code, tr in menus
        )
    )


async def _set(
    bot: Bot, entries: Sequence[BotCommand], scope: BotCommandScope, language_code: str
) -> None:
    try:
        await bot.set_my_commands(entries, scope=scope, language_code=language_code or None)
    except TelegramError as exc:
        # Typically a moderator who has not opened a chat with the bot yet ("chat not found").
        _log.info("cannot set the %r command menu for %s: %s", language_code, scope.to_dict(), exc)
