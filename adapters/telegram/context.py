"""What every handler gets: the core service and the moderator directory, on the context.

python-telegram-bot builds a new context per update; a custom context class (PTB's
``contexttypesbot`` pattern) gives handlers typed ``context.service`` and ``context.moderators``
instead of string keys. The two objects are wiring, set once when the application is built — not
data: signatures live in the database, and ``user_data`` only holds a signing conversation's
answers until it ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from telegram import CallbackQuery, Message, Update, User
from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot

from adapters.telegram.moderators import ModeratorDirectory
from bot.service import PledgeService

__all__ = [
    "CONTEXT_TYPES",
    "Deps",
    "PledgeApp",
    "PledgeContext",
    "arguments_of",
    "message_of",
    "query_of",
    "user_of",
]

_DEPS = "pledgebot"


@dataclass(frozen=True, slots=True)
class Deps:
    service: PledgeService
    moderators: ModeratorDirectory

    def install(self, application: PledgeApp) -> None:
        application.bot_data[_DEPS] = self


class PledgeContext(CallbackContext[ExtBot[Any], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """The callback context of every pledgebot handler."""

    __slots__ = ()

    @property
    def deps(self) -> Deps:
        deps: Deps = self.bot_data[_DEPS]
        return deps

    @property
    def service(self) -> PledgeService:
        return self.deps.service

    @property
    def moderators(self) -> ModeratorDirectory:
        return self.deps.moderators


CONTEXT_TYPES = ContextTypes(context=PledgeContext)
PledgeApp = Application[
    ExtBot[Any],
    PledgeContext,
    dict[Any, Any],
    dict[Any, Any],
    dict[Any, Any],
    Any,  # no JobQueue: nothing is scheduled, and the job-queue extra is not installed
]


# Handlers are registered for one kind of update each, so these are there by construction; the
# helpers say so once instead of every handler asserting it.
def message_of(update: Update) -> Message:
    if update.effective_message is None:
        raise TypeError(f"update {update.update_id} carries no message")
    return update.effective_message


def arguments_of(update: Update) -> str:
    """What follows the command word (``/sign Ada | singer`` → ``Ada | singer``)."""
    parts = (message_of(update).text or "").split(maxsplit=1)
    return parts[1].strip() if len(parts) > 1 else ""


def user_of(update: Update) -> User:
    if update.effective_user is None:
        raise TypeError(f"update {update.update_id} has no user")
    return update.effective_user


def query_of(update: Update) -> CallbackQuery:
    if update.callback_query is None:
        raise TypeError(f"update {update.update_id} is not a button press")
    return update.callback_query
