"""Who may moderate on Telegram: the configured user ids plus the administrators of the mod chat.

This is the platform fact the core asks adapters to vouch for (``Actor.is_moderator``); what a
moderator may then do is decided by the core. Administrators are looked up with
``getChatAdministrators`` and remembered for a few minutes, so a burst of button presses costs one
request, and someone demoted in the mod chat loses their rights within that time (at once when
Telegram tells the bot about the change).

A lookup that fails (the bot removed from the mod chat, the group upgraded to a supergroup with a
new id) fails closed: once the remembered list is older than the cache time, only
``moderator_user_ids`` moderate, until a lookup works again. ``on_lookup_failure`` is told once
per such spell, so the moderators can be warned.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable

from telegram import Bot, User
from telegram.error import TelegramError

from bot.domain import Actor, Identity

__all__ = ["PLATFORM", "ModeratorDirectory", "identity_of", "signer"]

_log = logging.getLogger(__name__)

PLATFORM = "telegram"


def identity_of(user: User) -> Identity:
    return Identity(PLATFORM, str(user.id))


def signer(user: User) -> Actor:
    """The actor for anything but moderation, where being a moderator changes nothing."""
    return Actor(identity_of(user), user.full_name)


class ModeratorDirectory:
    def __init__(
        self,
        user_ids: Iterable[int],
        mod_chat_id: int,
        *,
        ttl: float = 300.0,
        retry_after_failure: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
        on_lookup_failure: Callable[[TelegramError], None] = lambda exc: None,
    ) -> None:
        self.user_ids = frozenset(user_ids)
        self.mod_chat_id = mod_chat_id
        self.ttl = ttl
        self.retry_after_failure = retry_after_failure
        self._clock = clock
        self._admins: frozenset[int] = frozenset()
        self._expires = 0.0
        self._lock = asyncio.Lock()
        self._on_lookup_failure = on_lookup_failure
        self._failing = False  # in a spell of failed lookups (told once per spell)

    async def actor(self, bot: Bot, user: User) -> Actor:
        """The actor for a moderation request, vouched for by this directory."""
        return Actor(identity_of(user), user.full_name, await self.is_moderator(bot, user.id))

    async def is_moderator(self, bot: Bot, user_id: int) -> bool:
        if user_id in self.user_ids:
            return True
        return user_id in await self.admin_ids(bot)

    async def all_ids(self, bot: Bot) -> frozenset[int]:
        """Everyone who moderates now (for the moderators' command menus)."""
        return self.user_ids | await self.admin_ids(bot)

    async def admin_ids(self, bot: Bot) -> frozenset[int]:
        """Human administrators of the mod chat, from the cache or one shared lookup."""
        if not self.mod_chat_id:
            return frozenset()
        if self._clock() < self._expires:
            return self._admins
        async with self._lock:  # concurrent callers wait for one lookup instead of each asking
            if self._clock() < self._expires:
                return self._admins
            try:
                members = await bot.get_chat_administrators(self.mod_chat_id)
            except TelegramError as exc:
                # The remembered list is out of date (its time ran out, or Telegram said it
                # changed): fail closed rather than let a demoted admin keep approving. Ask
                # again soon rather than on every press.
                _log.warning(
                    "cannot list the administrators of mod chat %s: %s; until that works, only "
                    "telegram.moderator_user_ids moderate",
                    self.mod_chat_id,
                    exc,
                )
                self._admins = frozenset()
                self._expires = self._clock() + min(self.retry_after_failure, self.ttl)
                if not self._failing:
                    self._failing = True
                    self._on_lookup_failure(exc)
                return self._admins
            self._admins = frozenset(m.user.id for m in members if not m.user.is_bot)
            self._expires = self._clock() + self.ttl
            if self._failing:
                self._failing = False
                _log.warning(
                    "the administrators of mod chat %s are readable again", self.mod_chat_id
                )
            return self._admins

    def forget(self) -> None:
        """The mod chat's administrators changed: look them up again on the next question."""
        self._expires = 0.0
