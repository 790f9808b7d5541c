"""The command menus Telegram shows when someone types "/".

Everyone sees the public commands. The mod chat and each moderator's private chat also see the
moderator commands (``BotCommandScopeChat``), so the menu matches what the bot will do for whoever
is looking. Menus are a convenience: a failure to set one is logged and the bot carries on.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from telegram import Bot, BotCommand, BotCommandScope, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import TelegramError

from adapters.telegram.moderators import ModeratorDirectory
from bot import texts

__all__ = ["MODERATOR_COMMANDS", "PUBLIC_COMMANDS", "publish", "publish_for_moderator"]

_log = logging.getLogger(__name__)


def _commands(*, moderator: bool) -> tuple[BotCommand, ...]:
    """The core's commands as menu entries: ``BotCommand("demands", "The demands, or …")``."""
    return tuple(
        BotCommand(c.name, c.description) for c in texts.COMMANDS if c.moderator is moderator
    )


PUBLIC_COMMANDS = _commands(moderator=False)
MODERATOR_COMMANDS = _commands(moderator=True)


async def publish(bot: Bot, moderators: ModeratorDirectory) -> None:
    await _set(bot, PUBLIC_COMMANDS, BotCommandScopeDefault())
    everything = PUBLIC_COMMANDS + MODERATOR_COMMANDS
    chats = sorted(await moderators.all_ids(bot))
    if moderators.mod_chat_id:
        chats.insert(0, moderators.mod_chat_id)
    await asyncio.gather(*(_set(bot, everything, BotCommandScopeChat(chat)) for chat in chats))


async def publish_for_moderator(bot: Bot, user_id: int) -> None:
    """A moderator's private menu, once they have opened the chat (Telegram refuses a menu for a
    private chat that does not exist yet, so the one tried at start-up may have failed)."""
    await _set(bot, PUBLIC_COMMANDS + MODERATOR_COMMANDS, BotCommandScopeChat(user_id))


async def _set(bot: Bot, commands: Sequence[BotCommand], scope: BotCommandScope) -> None:
    try:
        await bot.set_my_commands(commands, scope=scope)
    except TelegramError as exc:
        # Typically a moderator who has not opened a chat with the bot yet ("chat not found").
        _log.info("cannot set the command menu for %s: %s", scope.to_dict(), exc)
